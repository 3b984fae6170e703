// Dynamic provider for MariaDB accounts with a mysql_native_password password.
//
// The password arrives as a secret input and leaves this provider only as its
// mysql_native_password hash: SQL statements carry the hash, and the outputs
// keep it as a secret so that `read` can compare it with the server's
// `authentication_string`. The resource id is `user@host`.

import type * as pulumi from "@pulumi/pulumi";
import { nativePasswordHash } from "../../database/password";
import { containsUnknown, toPlainData } from "../docker/common";
import { withAdminConnection, withAdminConnectionIfPresent } from "./admin-connection";
import {
  checkTarget,
  isValidAccountHost,
  isValidAccountUser,
  targetChanged,
  targetOf,
  type TargetInputs,
} from "./common";

export interface UserProviderInputs extends TargetInputs {
  readonly user: string;
  /** Client address the account matches, e.g. `127.0.82.1`. */
  readonly host: string;
  /** Plain password; a secret input. */
  readonly password: string;
}

export interface UserProviderOutputs extends TargetInputs {
  readonly user: string;
  readonly host: string;
  /** Authentication plugin on the server; always `mysql_native_password` once applied. */
  readonly plugin: string;
  /** mysql_native_password hash of the expected password; a secret output. */
  readonly passwordHash: string;
  /** Whether the server's stored hash and plugin equal the expected ones at the last create, update or read. */
  readonly passwordMatches: boolean;
}

/** Minimum password length in characters. */
function minimumPasswordLength(): number {
  return 16;
}

async function checkUser(
  _olds: Partial<UserProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<UserProviderInputs>> {
  const inputs: Record<string, unknown> = { ...news };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  checkTarget(inputs, failures);
  if (!containsUnknown(inputs.user) && !isValidAccountUser(inputs.user)) {
    failures.push({
      property: "user",
      reason: `user must have 1 to 80 letters, digits, "_", "-" or ".", got ${JSON.stringify(inputs.user)}`,
    });
  }
  if (!containsUnknown(inputs.host) && !isValidAccountHost(inputs.host)) {
    failures.push({
      property: "host",
      reason: `host must be "localhost" or an IP address (wildcards % and _ allowed), got ${JSON.stringify(inputs.host)}; host names never match because the server skips name resolution`,
    });
  }
  const password = inputs.password;
  if (!containsUnknown(password)) {
    if (typeof password !== "string" || password.length < minimumPasswordLength()) {
      failures.push({
        property: "password",
        reason: `password must be a string of at least ${minimumPasswordLength()} characters`,
      });
    } else if (password.includes("\0")) {
      failures.push({ property: "password", reason: "password must not contain NUL characters" });
    }
  }
  return { inputs: inputs as unknown as UserProviderInputs, failures };
}

/** Replaces the account when its user or host changes; a new password or target updates it in place. */
async function diffUser(
  _id: string,
  olds: UserProviderOutputs,
  news: UserProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = (["user", "host"] as const).filter((key) => containsUnknown(news[key]) || olds[key] !== news[key]);
  const passwordChanged =
    containsUnknown(news.password) || olds.passwordHash !== nativePasswordHash(news.password) || olds.passwordMatches !== true;
  return {
    changes: replaces.length > 0 || passwordChanged || targetChanged(olds, news),
    replaces: [...replaces],
    deleteBeforeReplace: false,
  };
}

/** Creates the account when missing and sets its password; an existing account keeps its grants. */
async function applyUser(inputs: UserProviderInputs): Promise<UserProviderOutputs> {
  const passwordHash = nativePasswordHash(inputs.password);
  await withAdminConnection(targetOf(inputs), async (connection) => {
    await connection.query("CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY PASSWORD ?", [
      inputs.user,
      inputs.host,
      passwordHash,
    ]);
    await connection.query("ALTER USER ?@? IDENTIFIED BY PASSWORD ?", [inputs.user, inputs.host, passwordHash]);
  });
  return toPlainData({
    containerId: inputs.containerId,
    socketPath: inputs.socketPath,
    engine: inputs.engine,
    user: inputs.user,
    host: inputs.host,
    plugin: "mysql_native_password",
    passwordHash,
    passwordMatches: true,
  });
}

async function createUser(inputs: UserProviderInputs): Promise<pulumi.dynamic.CreateResult<UserProviderOutputs>> {
  const outs = await applyUser(inputs);
  return { id: `${inputs.user}@${inputs.host}`, outs };
}

async function updateUser(
  _id: string,
  _olds: UserProviderOutputs,
  news: UserProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<UserProviderOutputs>> {
  return { outs: await applyUser(news) };
}

/**
 * Reads the account's plugin and stored hash. Returns no resource when the
 * account is gone, and `passwordMatches: false` when its password or plugin
 * was changed by other means, so the next update sets the password again.
 */
async function readUser(
  id: string,
  props?: UserProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<UserProviderOutputs>> {
  if (props === undefined) {
    throw new Error(`cannot import MariaDB account ${id}: its container and password are unknown; create it with pulumi up instead`);
  }
  const rows = await withAdminConnectionIfPresent(targetOf(props), (connection) =>
    connection.query("SELECT plugin, authentication_string FROM mysql.user WHERE User = ? AND Host = ?", [
      props.user,
      props.host,
    ]),
  );
  if (rows === undefined) {
    return {};
  }
  const live = (rows as Array<{ plugin: string; authentication_string: string }>)[0];
  if (live === undefined) {
    return {};
  }
  const passwordMatches = live.plugin === "mysql_native_password" && live.authentication_string === props.passwordHash;
  return { id, props: toPlainData({ ...props, plugin: live.plugin, passwordMatches }) };
}

async function deleteUser(_id: string, props: UserProviderOutputs): Promise<void> {
  await withAdminConnectionIfPresent(targetOf(props), async (connection) => {
    await connection.query("DROP USER IF EXISTS ?@?", [props.user, props.host]);
  });
}

/** Provider of the `User` dynamic resource. */
export const userProvider: pulumi.dynamic.ResourceProvider<UserProviderInputs, UserProviderOutputs> = {
  check: checkUser as unknown as pulumi.dynamic.ResourceProvider<UserProviderInputs, UserProviderOutputs>["check"],
  diff: diffUser,
  create: createUser,
  update: updateUser,
  read: readUser,
  delete: deleteUser,
};
