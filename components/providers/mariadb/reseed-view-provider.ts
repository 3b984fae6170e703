// Dynamic provider for the view at HQ through which one branch reads its own
// call records back when it is rebuilt (`inova_cdr.cdr_<branch>`). The
// resource id is the view's name.

import type * as pulumi from "@pulumi/pulumi";

import { CDR_DATABASE } from "../../database/model";
import { renderReseedView, reseedViewName } from "../../database/reseed";
import { quoteIdentifier } from "../../database/sql";
import { containsUnknown, toPlainData } from "../docker/common";
import { withAdminConnection, withAdminConnectionIfPresent } from "./admin-connection";
import { checkTarget, targetChanged, targetOf, type TargetInputs } from "./common";

export interface ReseedViewProviderInputs extends TargetInputs {
  /** Site code of the branch whose rows the view selects. */
  readonly branch: string;
}

export interface ReseedViewProviderOutputs extends ReseedViewProviderInputs {
  /** Whether the view exists on the server, as last read. */
  readonly present: boolean;
}

async function checkReseedView(
  _olds: Partial<ReseedViewProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<ReseedViewProviderInputs>> {
  const inputs: Record<string, unknown> = { ...news };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  checkTarget(inputs, failures);
  if (!containsUnknown(inputs.branch)) {
    try {
      reseedViewName(inputs.branch as string);
    } catch (error) {
      failures.push({ property: "branch", reason: (error as Error).message });
    }
  }
  return { inputs: inputs as unknown as ReseedViewProviderInputs, failures };
}

async function diffReseedView(
  _id: string,
  olds: ReseedViewProviderOutputs,
  news: ReseedViewProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = containsUnknown(news.branch) || olds.branch !== news.branch ? ["branch"] : [];
  return {
    changes: replaces.length > 0 || olds.present !== true || targetChanged(olds, news),
    replaces,
    deleteBeforeReplace: true,
  };
}

async function applyReseedView(inputs: ReseedViewProviderInputs): Promise<ReseedViewProviderOutputs> {
  await withAdminConnection(targetOf(inputs), (connection) => connection.query(renderReseedView(inputs.branch)));
  return toPlainData({ ...inputs, present: true });
}

async function createReseedView(
  inputs: ReseedViewProviderInputs,
): Promise<pulumi.dynamic.CreateResult<ReseedViewProviderOutputs>> {
  return { id: reseedViewName(inputs.branch), outs: await applyReseedView(inputs) };
}

async function updateReseedView(
  _id: string,
  _olds: ReseedViewProviderOutputs,
  news: ReseedViewProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<ReseedViewProviderOutputs>> {
  return { outs: await applyReseedView(news) };
}

/** Reports whether the view exists; drops the resource when its container is gone. */
async function readReseedView(
  id: string,
  props?: ReseedViewProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<ReseedViewProviderOutputs>> {
  if (props === undefined) {
    throw new Error(`cannot import view ${id}: its container is unknown; create it with pulumi up instead`);
  }
  const rows = await withAdminConnectionIfPresent(targetOf(props), (connection) =>
    connection.query("SELECT COUNT(*) AS count FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", [
      CDR_DATABASE,
      reseedViewName(props.branch),
    ]),
  );
  if (rows === undefined) {
    return {};
  }
  const present = Number((rows as Array<{ count: number }>)[0].count) > 0;
  return { id, props: toPlainData({ ...props, present }) };
}

async function deleteReseedView(_id: string, props: ReseedViewProviderOutputs): Promise<void> {
  await withAdminConnectionIfPresent(targetOf(props), (connection) =>
    connection.query(`DROP VIEW IF EXISTS ${quoteIdentifier(CDR_DATABASE)}.${quoteIdentifier(reseedViewName(props.branch))}`),
  );
}

/** Provider of the `ReseedView` dynamic resource. */
export const reseedViewProvider: pulumi.dynamic.ResourceProvider<ReseedViewProviderInputs, ReseedViewProviderOutputs> = {
  check: checkReseedView as unknown as pulumi.dynamic.ResourceProvider<ReseedViewProviderInputs, ReseedViewProviderOutputs>["check"],
  diff: diffReseedView,
  create: createReseedView,
  update: updateReseedView,
  read: readReseedView,
  delete: deleteReseedView,
};
