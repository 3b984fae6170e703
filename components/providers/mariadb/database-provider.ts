// Dynamic provider for a database (schema) on a MariaDB server. Deleting the
// resource keeps the database and its data unless `deleteOnDestroy` is set.
// The resource id is the database name.

import type * as pulumi from "@pulumi/pulumi";

import { CDR_CHARACTER_SET, CDR_COLLATION } from "../../database/model";
import { quoteIdentifier } from "../../database/sql";
import { containsUnknown, logLine, toPlainData } from "../docker/common";
import { withAdminConnection } from "./admin-connection";
import { checkTarget, targetChanged, targetOf, type TargetInputs } from "./common";

export interface DatabaseProviderInputs extends TargetInputs {
  readonly name: string;
  /** @default "utf8mb4" */
  readonly characterSet: string;
  /** @default "utf8mb4_unicode_ci" */
  readonly collation: string;
  /** Drop the database with its data when the resource is deleted. @default false */
  readonly deleteOnDestroy: boolean;
}

export type DatabaseProviderOutputs = DatabaseProviderInputs;

async function checkDatabase(
  _olds: Partial<DatabaseProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<DatabaseProviderInputs>> {
  const inputs: Record<string, unknown> = {
    ...news,
    characterSet: news.characterSet ?? CDR_CHARACTER_SET,
    collation: news.collation ?? CDR_COLLATION,
    deleteOnDestroy: news.deleteOnDestroy ?? false,
  };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  checkTarget(inputs, failures);
  if (!containsUnknown(inputs.name) && (typeof inputs.name !== "string" || !/^[A-Za-z0-9_$]{1,64}$/.test(inputs.name))) {
    failures.push({
      property: "name",
      reason: `name must have 1 to 64 letters, digits, "_" or "$", got ${JSON.stringify(inputs.name)}`,
    });
  }
  for (const key of ["characterSet", "collation"]) {
    if (!containsUnknown(inputs[key]) && (typeof inputs[key] !== "string" || !/^[A-Za-z0-9_]+$/.test(inputs[key] as string))) {
      failures.push({ property: key, reason: `${key} must be a MariaDB ${key} name, got ${JSON.stringify(inputs[key])}` });
    }
  }
  if (!containsUnknown(inputs.deleteOnDestroy) && typeof inputs.deleteOnDestroy !== "boolean") {
    failures.push({ property: "deleteOnDestroy", reason: "deleteOnDestroy must be a boolean" });
  }
  return { inputs: inputs as unknown as DatabaseProviderInputs, failures };
}

/** Replaces the database for a new name, keeping the old one unless deleteOnDestroy, and updates other changes in place. */
async function diffDatabase(
  _id: string,
  olds: DatabaseProviderOutputs,
  news: DatabaseProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = containsUnknown(news.name) || olds.name !== news.name ? ["name"] : [];
  const changed = (["characterSet", "collation", "deleteOnDestroy"] as const).some((key) => olds[key] !== news[key]);
  return {
    changes: replaces.length > 0 || changed || targetChanged(olds, news),
    replaces,
    deleteBeforeReplace: false,
  };
}

/** Creates the database when missing and sets its defaults, which apply to tables created afterwards. */
async function applyDatabase(inputs: DatabaseProviderInputs): Promise<DatabaseProviderOutputs> {
  const name = quoteIdentifier(inputs.name);
  const options = `CHARACTER SET ${inputs.characterSet} COLLATE ${inputs.collation}`;
  await withAdminConnection(targetOf(inputs), async (connection) => {
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${name} ${options}`);
    await connection.query(`ALTER DATABASE ${name} ${options}`);
  });
  return toPlainData(inputs);
}

async function createDatabase(inputs: DatabaseProviderInputs): Promise<pulumi.dynamic.CreateResult<DatabaseProviderOutputs>> {
  return { id: inputs.name, outs: await applyDatabase(inputs) };
}

async function updateDatabase(
  _id: string,
  _olds: DatabaseProviderOutputs,
  news: DatabaseProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<DatabaseProviderOutputs>> {
  return { outs: await applyDatabase(news) };
}

async function readDatabase(
  id: string,
  props?: DatabaseProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<DatabaseProviderOutputs>> {
  if (props === undefined) {
    throw new Error(`cannot import database ${id}: its container is unknown; create it with pulumi up instead`);
  }
  const rows = (await withAdminConnection(targetOf(props), (connection) =>
    connection.query(
      "SELECT DEFAULT_CHARACTER_SET_NAME AS characterSet, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
      [props.name],
    ),
  )) as Array<{ characterSet: string; collation: string }>;
  if (rows.length === 0) {
    return {};
  }
  return { id, props: toPlainData({ ...props, characterSet: rows[0].characterSet, collation: rows[0].collation }) };
}

async function deleteDatabase(_id: string, props: DatabaseProviderOutputs): Promise<void> {
  if (!props.deleteOnDestroy) {
    logLine(`database ${props.name} kept with its data; drop it by hand when no longer needed`);
    return;
  }
  await withAdminConnection(targetOf(props), async (connection) => {
    await connection.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(props.name)}`);
  });
}

/** Provider of the `Database` dynamic resource. */
export const databaseProvider: pulumi.dynamic.ResourceProvider<DatabaseProviderInputs, DatabaseProviderOutputs> = {
  check: checkDatabase as unknown as pulumi.dynamic.ResourceProvider<DatabaseProviderInputs, DatabaseProviderOutputs>["check"],
  diff: diffDatabase,
  create: createDatabase,
  update: updateDatabase,
  read: readDatabase,
  delete: deleteDatabase,
};
