// Dynamic provider for one named replication connection on a replica (HQ).
//
// The connection starts from the replica's applied GTID position
// (MASTER_USE_GTID=slave_pos). `read` reports the connection's settings and
// thread states from SHOW ALL SLAVES STATUS, so a stopped connection shows as
// a difference and the next update starts it again. The resource id is
// `replica:<name>`.

import type * as pulumi from "@pulumi/pulumi";
import type { Connection } from "mariadb";

import type { ReplicationConnection } from "../../database/model";
import { nativePasswordHash } from "../../database/password";
import { renderRemoveReplicationStatements, renderReplicationStatements } from "../../database/replication";
import { containsUnknown, toPlainData } from "../docker/common";
import { withAdminConnection, withAdminConnectionIfPresent } from "./admin-connection";
import { checkTarget, isValidAccountUser, targetChanged, targetOf, type TargetInputs } from "./common";

export interface ReplicaConnectionProviderInputs extends TargetInputs {
  /** Connection name, e.g. the branch's site code `tabasco`. */
  readonly name: string;
  readonly masterHost: string;
  readonly masterPort: number;
  readonly masterUser: string;
  /** Password of `masterUser` on the primary; a secret input. */
  readonly password: string;
  /** @default 10 */
  readonly connectRetrySeconds: number;
}

export interface ReplicaConnectionProviderOutputs extends TargetInputs {
  readonly name: string;
  readonly masterHost: string;
  readonly masterPort: number;
  readonly masterUser: string;
  readonly connectRetrySeconds: number;
  /** mysql_native_password hash of the password last set, to notice a new one; a secret output. */
  readonly passwordHash: string;
  /** `Yes`, `Connecting`, `Preparing` or `No`, from Slave_IO_Running. */
  readonly ioRunning: string;
  /** `Yes` or `No`, from Slave_SQL_Running. */
  readonly sqlRunning: string;
  /** Last I/O or SQL thread error; empty when there is none. */
  readonly lastError: string;
}

/** Row of SHOW ALL SLAVES STATUS, reduced to the columns read here. */
interface SlaveStatusRow {
  readonly Connection_name: string;
  readonly Master_Host: string;
  readonly Master_User: string;
  readonly Master_Port: number;
  readonly Connect_Retry: number;
  readonly Slave_IO_Running: string;
  readonly Slave_SQL_Running: string;
  readonly Last_IO_Error: string;
  readonly Last_SQL_Error: string;
}

async function checkReplicaConnection(
  _olds: Partial<ReplicaConnectionProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<ReplicaConnectionProviderInputs>> {
  const inputs: Record<string, unknown> = { ...news, connectRetrySeconds: news.connectRetrySeconds ?? 10 };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  checkTarget(inputs, failures);
  const known = (key: string) => !containsUnknown(inputs[key]);
  if (known("name") && (typeof inputs.name !== "string" || !/^[a-z][a-z0-9_-]{0,63}$/.test(inputs.name))) {
    failures.push({
      property: "name",
      reason: `name must have up to 64 lower-case letters, digits, "_" or "-", starting with a letter, got ${JSON.stringify(inputs.name)}`,
    });
  }
  if (known("masterHost") && (typeof inputs.masterHost !== "string" || !/^[0-9A-Za-z.:-]{1,255}$/.test(inputs.masterHost))) {
    failures.push({ property: "masterHost", reason: `masterHost must be an address, got ${JSON.stringify(inputs.masterHost)}` });
  }
  if (known("masterPort") && !(Number.isInteger(inputs.masterPort) && (inputs.masterPort as number) >= 1 && (inputs.masterPort as number) <= 65535)) {
    failures.push({ property: "masterPort", reason: `masterPort must be an integer from 1 to 65535, got ${JSON.stringify(inputs.masterPort)}` });
  }
  if (known("masterUser") && !isValidAccountUser(inputs.masterUser)) {
    failures.push({ property: "masterUser", reason: `invalid masterUser ${JSON.stringify(inputs.masterUser)}` });
  }
  if (known("password") && (typeof inputs.password !== "string" || inputs.password === "" || inputs.password.includes("\0"))) {
    failures.push({ property: "password", reason: "password must be a non-empty string without NUL characters" });
  }
  if (known("connectRetrySeconds") && !(Number.isInteger(inputs.connectRetrySeconds) && (inputs.connectRetrySeconds as number) >= 1)) {
    failures.push({ property: "connectRetrySeconds", reason: "connectRetrySeconds must be a positive integer" });
  }
  return { inputs: inputs as unknown as ReplicaConnectionProviderInputs, failures };
}

/** Replaces the connection for a new name, and updates it for new settings, a new password or a stopped thread. */
async function diffReplicaConnection(
  _id: string,
  olds: ReplicaConnectionProviderOutputs,
  news: ReplicaConnectionProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = containsUnknown(news.name) || olds.name !== news.name ? ["name"] : [];
  const settingsChanged = (["masterHost", "masterPort", "masterUser", "connectRetrySeconds"] as const).some(
    (key) => containsUnknown(news[key]) || olds[key] !== news[key],
  );
  const passwordChanged = containsUnknown(news.password) || olds.passwordHash !== nativePasswordHash(news.password);
  const stopped = olds.ioRunning === "No" || olds.sqlRunning === "No";
  return {
    changes: replaces.length > 0 || settingsChanged || passwordChanged || stopped || targetChanged(olds, news),
    replaces,
    deleteBeforeReplace: true,
  };
}

async function readStatus(connection: Connection, name: string): Promise<SlaveStatusRow | undefined> {
  const rows = (await connection.query("SHOW ALL SLAVES STATUS")) as SlaveStatusRow[];
  return rows.find((row) => row.Connection_name.toLowerCase() === name.toLowerCase());
}

function outputsOf(
  inputs: ReplicaConnectionProviderInputs,
  status: SlaveStatusRow | undefined,
): ReplicaConnectionProviderOutputs {
  return toPlainData({
    containerId: inputs.containerId,
    socketPath: inputs.socketPath,
    engine: inputs.engine,
    name: inputs.name,
    masterHost: inputs.masterHost,
    masterPort: inputs.masterPort,
    masterUser: inputs.masterUser,
    connectRetrySeconds: inputs.connectRetrySeconds,
    passwordHash: nativePasswordHash(inputs.password),
    ioRunning: status?.Slave_IO_Running ?? "No",
    sqlRunning: status?.Slave_SQL_Running ?? "No",
    lastError: [status?.Last_IO_Error, status?.Last_SQL_Error].filter((text) => text).join("; "),
  });
}

/** Stops the connection when it exists, sets it up with the declared settings and starts it. */
async function applyReplicaConnection(inputs: ReplicaConnectionProviderInputs): Promise<ReplicaConnectionProviderOutputs> {
  const plan: ReplicationConnection = {
    name: inputs.name,
    branch: inputs.name,
    masterHost: inputs.masterHost,
    masterPort: inputs.masterPort,
    masterUser: inputs.masterUser,
    useGtid: "slave_pos",
    connectRetrySeconds: inputs.connectRetrySeconds,
  };
  const status = await withAdminConnection(targetOf(inputs), async (connection) => {
    const exists = (await readStatus(connection, inputs.name)) !== undefined;
    for (const statement of renderReplicationStatements(plan, inputs.password, { exists })) {
      await connection.query(statement);
    }
    return readStatus(connection, inputs.name);
  });
  return outputsOf(inputs, status);
}

async function createReplicaConnection(
  inputs: ReplicaConnectionProviderInputs,
): Promise<pulumi.dynamic.CreateResult<ReplicaConnectionProviderOutputs>> {
  return { id: `replica:${inputs.name}`, outs: await applyReplicaConnection(inputs) };
}

async function updateReplicaConnection(
  _id: string,
  _olds: ReplicaConnectionProviderOutputs,
  news: ReplicaConnectionProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<ReplicaConnectionProviderOutputs>> {
  return { outs: await applyReplicaConnection(news) };
}

/** Reads the connection's settings and thread states; returns no resource when the connection is gone. */
async function readReplicaConnection(
  id: string,
  props?: ReplicaConnectionProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<ReplicaConnectionProviderOutputs>> {
  if (props === undefined) {
    throw new Error(`cannot import replication connection ${id}: its container and password are unknown; create it with pulumi up instead`);
  }
  const found = await withAdminConnectionIfPresent(targetOf(props), async (connection) => ({
    status: await readStatus(connection, props.name),
  }));
  const status = found?.status;
  if (status === undefined) {
    return {};
  }
  return {
    id,
    props: toPlainData({
      ...props,
      masterHost: status.Master_Host,
      masterPort: Number(status.Master_Port),
      masterUser: status.Master_User,
      connectRetrySeconds: Number(status.Connect_Retry),
      ioRunning: status.Slave_IO_Running,
      sqlRunning: status.Slave_SQL_Running,
      lastError: [status.Last_IO_Error, status.Last_SQL_Error].filter((text) => text).join("; "),
    }),
  };
}

/** Stops the connection and removes it with its relay logs; HQ keeps the rows it applied. */
async function deleteReplicaConnection(_id: string, props: ReplicaConnectionProviderOutputs): Promise<void> {
  await withAdminConnectionIfPresent(targetOf(props), async (connection) => {
    if ((await readStatus(connection, props.name)) === undefined) {
      return;
    }
    for (const statement of renderRemoveReplicationStatements(props.name)) {
      await connection.query(statement);
    }
  });
}

/** Provider of the `ReplicaConnection` dynamic resource. */
export const replicaConnectionProvider: pulumi.dynamic.ResourceProvider<
  ReplicaConnectionProviderInputs,
  ReplicaConnectionProviderOutputs
> = {
  check: checkReplicaConnection as unknown as pulumi.dynamic.ResourceProvider<
    ReplicaConnectionProviderInputs,
    ReplicaConnectionProviderOutputs
  >["check"],
  diff: diffReplicaConnection,
  create: createReplicaConnection,
  update: updateReplicaConnection,
  read: readReplicaConnection,
  delete: deleteReplicaConnection,
};
