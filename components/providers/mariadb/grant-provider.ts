// Dynamic provider for the privileges of one account on one object.
//
// The resource owns every privilege of the account on its object. `read`
// parses SHOW GRANTS, so a privilege added or revoked by hand shows up as a
// difference after `pulumi refresh`. The next update then revokes what is not
// declared and grants what is missing. The id is `grant:user@host:object`.

import type * as pulumi from "@pulumi/pulumi";
import type { Connection } from "mariadb";

import { canonicalPrivilege, parseShowGrantsLine, sortPrivileges } from "../../database/privileges";
import { grantObjectSql, grantObjectText, parseGrantObject, quoteAccount } from "../../database/sql";
import { containsUnknown, deepEqual, logLine, toPlainData } from "../docker/common";
import { withAdminConnection, withAdminConnectionIfPresent } from "./admin-connection";
import {
  checkTarget,
  isValidAccountHost,
  isValidAccountUser,
  sqlErrorNumber,
  targetChanged,
  targetOf,
  type TargetInputs,
} from "./common";

export interface GrantProviderInputs extends TargetInputs {
  readonly user: string;
  readonly host: string;
  /** `*.*`, `db.*` or `db.table`. */
  readonly object: string;
  /** Privilege names; `check` turns aliases into the names SHOW GRANTS prints and sorts them. */
  readonly privileges: readonly string[];
}

export interface GrantProviderOutputs extends GrantProviderInputs {
  /** Whether the account may pass its privileges on this object on; never set by this provider. */
  readonly grantOption: boolean;
}

/** Live privileges of an account on one object, or undefined when the account does not exist. */
interface LiveGrant {
  readonly privileges: string[];
  readonly grantOption: boolean;
}

/** ER_NONEXISTING_GRANT: SHOW GRANTS or REVOKE for an account that does not exist. */
function noSuchGrantError(): number {
  return 1141;
}

async function checkGrant(
  _olds: Partial<GrantProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<GrantProviderInputs>> {
  const inputs: Record<string, unknown> = { ...news };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  checkTarget(inputs, failures);
  if (!containsUnknown(inputs.user) && !isValidAccountUser(inputs.user)) {
    failures.push({ property: "user", reason: `invalid user ${JSON.stringify(inputs.user)}` });
  }
  if (!containsUnknown(inputs.host) && !isValidAccountHost(inputs.host)) {
    failures.push({ property: "host", reason: `invalid host ${JSON.stringify(inputs.host)}; expected "localhost" or an IP address` });
  }
  if (!containsUnknown(inputs.object)) {
    const object = typeof inputs.object === "string" ? parseGrantObject(inputs.object) : undefined;
    if (object === undefined) {
      failures.push({
        property: "object",
        reason: `object must be *.*, db.* or db.table with names of letters, digits, "_" or "$", got ${JSON.stringify(inputs.object)}`,
      });
    } else {
      inputs.object = grantObjectText(object);
    }
  }
  if (!containsUnknown(inputs.privileges)) {
    const privileges = inputs.privileges;
    if (!Array.isArray(privileges) || privileges.length === 0 || !privileges.every((item) => typeof item === "string")) {
      failures.push({ property: "privileges", reason: "privileges must be a non-empty list of privilege names" });
    } else {
      const canonical: string[] = [];
      for (const name of privileges as string[]) {
        const result = canonicalPrivilege(name);
        if ("error" in result) {
          failures.push({ property: "privileges", reason: result.error });
        } else {
          canonical.push(result.privilege);
        }
      }
      inputs.privileges = sortPrivileges(canonical);
    }
  }
  return { inputs: inputs as unknown as GrantProviderInputs, failures };
}

/** Replaces the grant for a new account or object; a new privilege list, grant option or target updates it. */
async function diffGrant(
  _id: string,
  olds: GrantProviderOutputs,
  news: GrantProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = (["user", "host", "object"] as const).filter(
    (key) => containsUnknown(news[key]) || olds[key] !== news[key],
  );
  const privilegesChanged =
    containsUnknown(news.privileges) || !deepEqual(sortPrivileges(olds.privileges ?? []), sortPrivileges(news.privileges));
  return {
    changes: replaces.length > 0 || privilegesChanged || olds.grantOption === true || targetChanged(olds, news),
    replaces: [...replaces],
    deleteBeforeReplace: false,
  };
}

/** Reads the account's privileges on `object` from SHOW GRANTS. */
async function readLiveGrant(
  connection: Connection,
  user: string,
  host: string,
  object: string,
): Promise<LiveGrant | undefined> {
  let rows: Array<Record<string, string>>;
  try {
    rows = await connection.query("SHOW GRANTS FOR ?@?", [user, host]);
  } catch (error) {
    if (sqlErrorNumber(error) === noSuchGrantError()) {
      return undefined;
    }
    throw error;
  }
  const privileges: string[] = [];
  let grantOption = false;
  for (const row of rows) {
    const entry = parseShowGrantsLine(Object.values(row)[0]);
    if (entry === undefined || entry.object !== object) {
      continue;
    }
    privileges.push(...entry.privileges);
    grantOption = grantOption || entry.grantOption;
  }
  return { privileges: sortPrivileges(privileges), grantOption };
}

/** Revokes the live privileges that are not declared, and the grant option, then grants what is missing. */
async function reconcileGrant(connection: Connection, inputs: GrantProviderInputs): Promise<void> {
  const live = await readLiveGrant(connection, inputs.user, inputs.host, inputs.object);
  if (live === undefined) {
    throw new Error(
      `cannot grant privileges to ${inputs.user}@${inputs.host}: the account does not exist; create the User resource first`,
    );
  }
  const account = quoteAccount(inputs.user, inputs.host);
  const object = grantObjectSql(inputs.object);
  const extra = live.privileges.filter((privilege) => !inputs.privileges.includes(privilege));
  if (live.grantOption) {
    await connection.query(`REVOKE GRANT OPTION ON ${object} FROM ${account}`);
  }
  if (extra.length > 0) {
    await connection.query(`REVOKE ${extra.join(", ")} ON ${object} FROM ${account}`);
  }
  const missing = inputs.privileges.filter((privilege) => !live.privileges.includes(privilege));
  if (missing.length > 0) {
    await connection.query(`GRANT ${sortPrivileges(missing).join(", ")} ON ${object} TO ${account}`);
  }
}

function outputsOf(inputs: GrantProviderInputs): GrantProviderOutputs {
  return toPlainData({ ...inputs, privileges: sortPrivileges(inputs.privileges), grantOption: false });
}

async function createGrant(inputs: GrantProviderInputs): Promise<pulumi.dynamic.CreateResult<GrantProviderOutputs>> {
  await withAdminConnection(targetOf(inputs), (connection) => reconcileGrant(connection, inputs));
  return { id: `grant:${inputs.user}@${inputs.host}:${inputs.object}`, outs: outputsOf(inputs) };
}

async function updateGrant(
  _id: string,
  _olds: GrantProviderOutputs,
  news: GrantProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<GrantProviderOutputs>> {
  await withAdminConnection(targetOf(news), (connection) => reconcileGrant(connection, news));
  return { outs: outputsOf(news) };
}

/** Reads the live privileges; returns no resource when the account is gone. */
async function readGrant(
  id: string,
  props?: GrantProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<GrantProviderOutputs>> {
  if (props === undefined) {
    throw new Error(`cannot import MariaDB grant ${id}: its container is unknown; create it with pulumi up instead`);
  }
  const found = await withAdminConnectionIfPresent(targetOf(props), async (connection) => ({
    live: await readLiveGrant(connection, props.user, props.host, props.object),
  }));
  if (found === undefined) {
    return {};
  }
  const live = found.live;
  if (live === undefined) {
    return {};
  }
  return { id, props: toPlainData({ ...props, privileges: live.privileges, grantOption: live.grantOption }) };
}

/** Revokes every privilege the account has on the object; an account already gone is left alone. */
async function deleteGrant(_id: string, props: GrantProviderOutputs): Promise<void> {
  await withAdminConnectionIfPresent(targetOf(props), async (connection) => {
    const live = await readLiveGrant(connection, props.user, props.host, props.object);
    if (live === undefined) {
      logLine(`account ${props.user}@${props.host} no longer exists; nothing to revoke on ${props.object}`);
      return;
    }
    const account = quoteAccount(props.user, props.host);
    const object = grantObjectSql(props.object);
    if (live.grantOption) {
      await connection.query(`REVOKE GRANT OPTION ON ${object} FROM ${account}`);
    }
    if (live.privileges.length > 0) {
      await connection.query(`REVOKE ${live.privileges.join(", ")} ON ${object} FROM ${account}`);
    }
  });
}

/** Provider of the `Grant` dynamic resource. */
export const grantProvider: pulumi.dynamic.ResourceProvider<GrantProviderInputs, GrantProviderOutputs> = {
  check: checkGrant as unknown as pulumi.dynamic.ResourceProvider<GrantProviderInputs, GrantProviderOutputs>["check"],
  diff: diffGrant,
  create: createGrant,
  update: updateGrant,
  read: readGrant,
  delete: deleteGrant,
};
