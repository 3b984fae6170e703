// Dynamic provider that re-seeds a rebuilt branch's call records from HQ.
//
// It runs when the resource is created and whenever the branch's database
// container changes. It acts only when the branch's binary log has no
// transaction of its own domain, as on a new data volume. Then it reads the
// branch's rows from HQ's view as the branch's `reseed` account and inserts them
// with binary logging off. Last, it sets the branch's gtid_binlog_state to the
// GTID that HQ applied last for the branch's domain. HQ's connection for the
// branch requests exactly that GTID, so it resumes with the branch's next
// transaction. See components/database/reseed.ts.
//
// The resource id is `reseed:<branch>`.

import type * as pulumi from "@pulumi/pulumi";
import type { Connection } from "mariadb";

import {
  decideReseed,
  formatGtidList,
  gtidsOfDomain,
  parseGtidList,
  renderReseedInsert,
  reseedViewName,
  RESEED_USER,
  type Gtid,
} from "../../database/reseed";
import { CDR_DATABASE } from "../../database/model";
import { quoteIdentifier } from "../../database/sql";
import { containsUnknown, logLine, toPlainData } from "../docker/common";
import {
  closeAdminConnection,
  openRemoteConnection,
  withAdminConnection,
  withAdminConnectionIfPresent,
} from "./admin-connection";
import { checkTarget, isValidAccountHost, targetChanged, targetOf, type TargetInputs } from "./common";

export interface ReseedProviderInputs extends TargetInputs {
  /** Site code of the branch, the `site` of its rows. */
  readonly branch: string;
  /** The branch's `gtid_domain_id`. */
  readonly gtidDomainId: number;
  /** Address and port of HQ's database. */
  readonly hqHost: string;
  readonly hqPort: number;
  /** The branch's address, from which HQ's `reseed` account admits it. */
  readonly bindAddress: string;
  /** Password of the branch's `reseed` account at HQ; a secret input. */
  readonly password: string;
}

export interface ReseedProviderOutputs extends Omit<ReseedProviderInputs, "password"> {
  /**
   * `reseeded` (rows copied from HQ), `kept` (the branch has its own history), or
   * `hq-unavailable` (HQ not reachable or without an account for this branch yet).
   */
  readonly status: string;
  /** Rows copied from HQ in the last run; rows the branch already had are not counted. */
  readonly rowsCopied: number;
  /** GTID state of the branch's domain after the last run; empty for none. */
  readonly binlogState: string;
}

/**
 * MariaDB error numbers of a login that HQ rejects because it has no `reseed` account for this
 * branch yet: ER_ACCESS_DENIED_ERROR and ER_HOST_NOT_PRIVILEGED.
 */
function unknownAccountErrors(): number[] {
  return [1045, 1130];
}

/** Rows inserted per statement. */
function insertBatchSize(): number {
  return 500;
}

async function checkReseed(
  _olds: Partial<ReseedProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<ReseedProviderInputs>> {
  const inputs: Record<string, unknown> = { ...news };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  checkTarget(inputs, failures);
  const known = (key: string) => !containsUnknown(inputs[key]);
  if (known("branch")) {
    try {
      reseedViewName(inputs.branch as string);
    } catch (error) {
      failures.push({ property: "branch", reason: (error as Error).message });
    }
  }
  if (known("gtidDomainId") && !(Number.isInteger(inputs.gtidDomainId) && (inputs.gtidDomainId as number) >= 0)) {
    failures.push({ property: "gtidDomainId", reason: `gtidDomainId must be a non-negative integer, got ${JSON.stringify(inputs.gtidDomainId)}` });
  }
  for (const key of ["hqHost", "bindAddress"]) {
    if (known(key) && (!isValidAccountHost(inputs[key]) || /[%_]/.test(inputs[key] as string) || inputs[key] === "localhost")) {
      failures.push({ property: key, reason: `${key} must be an IP address, got ${JSON.stringify(inputs[key])}` });
    }
  }
  if (known("hqPort") && !(Number.isInteger(inputs.hqPort) && (inputs.hqPort as number) >= 1 && (inputs.hqPort as number) <= 65535)) {
    failures.push({ property: "hqPort", reason: `hqPort must be an integer from 1 to 65535, got ${JSON.stringify(inputs.hqPort)}` });
  }
  if (known("password") && (typeof inputs.password !== "string" || inputs.password === "")) {
    failures.push({ property: "password", reason: "password must be a non-empty string" });
  }
  return { inputs: inputs as unknown as ReseedProviderInputs, failures };
}

/** Runs again for a new database container or new HQ settings; nothing is ever replaced. */
async function diffReseed(
  _id: string,
  olds: ReseedProviderOutputs,
  news: ReseedProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const changed = (["branch", "gtidDomainId", "hqHost", "hqPort", "bindAddress"] as const).some(
    (key) => containsUnknown(news[key]) || olds[key] !== news[key],
  );
  return { changes: changed || targetChanged(olds, news), replaces: [], deleteBeforeReplace: false };
}

/** HQ's applied position of the branch's domain, and HQ's rows of the branch, read consistently. */
interface HqRecords {
  readonly position: Gtid[];
  readonly rows: Array<Record<string, unknown>>;
}

/**
 * Reads HQ's rows of the branch between two reads of HQ's gtid_slave_pos and repeats until both
 * reads agree, so the rows are exactly those up to that position. Returns undefined when HQ
 * cannot be reached or does not admit the branch's `reseed` account yet.
 */
async function readHqRecords(inputs: ReseedProviderInputs): Promise<HqRecords | undefined> {
  let connection: Connection;
  try {
    connection = await openRemoteConnection({
      containerId: inputs.containerId,
      engine: inputs.engine,
      host: inputs.hqHost,
      port: inputs.hqPort,
      bindAddress: inputs.bindAddress,
      user: RESEED_USER,
      password: inputs.password,
    });
  } catch (error) {
    const failure = error as { errno?: number; unreachable?: boolean; message: string };
    if (unknownAccountErrors().includes(failure.errno ?? 0) || failure.unreachable === true || failure.errno === undefined) {
      logLine(`call records of ${inputs.branch} not re-seeded: ${failure.message}`);
      return undefined;
    }
    throw error;
  }
  const view = `${quoteIdentifier(CDR_DATABASE)}.${quoteIdentifier(reseedViewName(inputs.branch))}`;
  try {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const before = ((await connection.query("SELECT @@GLOBAL.gtid_slave_pos AS position")) as Array<{ position: string }>)[0].position;
      const rows = (await connection.query(`SELECT * FROM ${view}`)) as Array<Record<string, unknown>>;
      const after = ((await connection.query("SELECT @@GLOBAL.gtid_slave_pos AS position")) as Array<{ position: string }>)[0].position;
      if (before === after) {
        return { position: gtidsOfDomain(parseGtidList(after), inputs.gtidDomainId), rows: rows.map((row) => ({ ...row })) };
      }
    }
    throw new Error(`HQ's gtid_slave_pos kept changing while the rows of ${inputs.branch} were read; run pulumi up again`);
  } finally {
    await closeAdminConnection(connection);
  }
}

async function readBinlogState(connection: Connection, domain: number): Promise<Gtid[]> {
  const rows = (await connection.query("SELECT @@GLOBAL.gtid_binlog_state AS state")) as Array<{ state: string }>;
  return gtidsOfDomain(parseGtidList(rows[0].state), domain);
}

/** Re-seeds the branch when its binary log has no history of its own; see the file comment. */
async function reseedBranch(inputs: ReseedProviderInputs): Promise<ReseedProviderOutputs> {
  const { password: _password, ...visible } = inputs;
  const target = targetOf(inputs);
  const local = await withAdminConnection(target, (connection) => readBinlogState(connection, inputs.gtidDomainId));
  const hq = await readHqRecords(inputs);
  if (hq === undefined) {
    // NOTE: an empty branch rebuilt while HQ is down starts its GTID sequence again, behind
    // HQ's position, and HQ's connection for it then stops with an error until fixed by hand.
    return toPlainData({ ...visible, status: "hq-unavailable", rowsCopied: 0, binlogState: formatGtidList(local) });
  }
  const decision = decideReseed(local, hq.position);
  if (decision.action === "keep") {
    logLine(`call records of ${inputs.branch} kept: ${decision.reason}`);
    return toPlainData({ ...visible, status: "kept", rowsCopied: 0, binlogState: formatGtidList(local) });
  }

  const result = await withAdminConnection(target, async (connection) => {
    // The admin session writes no binary log, so the copied rows never travel back to HQ.
    let inserted = 0;
    await connection.beginTransaction();
    for (let start = 0; start < hq.rows.length; start += insertBatchSize()) {
      const { sql, values } = renderReseedInsert(hq.rows.slice(start, start + insertBatchSize()));
      const result = (await connection.query(sql, values)) as { affectedRows: number };
      inserted += Number(result.affectedRows);
    }
    await connection.commit();
    if (decision.binlogState !== "") {
      // gtid_binlog_state can only be set on an empty binary log, which contains nothing of this domain here.
      await connection.query("RESET MASTER");
      await connection.query("SET GLOBAL gtid_binlog_state = ?", [decision.binlogState]);
    }
    return { inserted, state: await readBinlogState(connection, inputs.gtidDomainId) };
  });
  const binlogState = formatGtidList(result.state);
  logLine(
    hq.rows.length === 0
      ? `call records of ${inputs.branch}: HQ holds none of them, nothing to re-seed; binary log at ${binlogState || "the start"}`
      : `call records of ${inputs.branch} re-seeded from HQ: ${result.inserted} of ${hq.rows.length} rows copied, binary log at ${binlogState || "the start"}`,
  );
  return toPlainData({ ...visible, status: "reseeded", rowsCopied: result.inserted, binlogState });
}

async function createReseed(inputs: ReseedProviderInputs): Promise<pulumi.dynamic.CreateResult<ReseedProviderOutputs>> {
  return { id: `reseed:${inputs.branch}`, outs: await reseedBranch(inputs) };
}

async function updateReseed(
  _id: string,
  _olds: ReseedProviderOutputs,
  news: ReseedProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<ReseedProviderOutputs>> {
  return { outs: await reseedBranch(news) };
}

/** Keeps the last outcome; drops the resource when the database container is gone, so it runs again. */
async function readReseed(
  id: string,
  props?: ReseedProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<ReseedProviderOutputs>> {
  if (props === undefined) {
    throw new Error(`cannot import ${id}: create it with pulumi up instead`);
  }
  const present = await withAdminConnectionIfPresent(targetOf(props), async () => true);
  return present === undefined ? {} : { id, props };
}

async function deleteReseed(): Promise<void> {
  // Nothing to undo: the copied rows are the branch's own records.
}

/** Provider of the `Reseed` dynamic resource. */
export const reseedProvider: pulumi.dynamic.ResourceProvider<ReseedProviderInputs, ReseedProviderOutputs> = {
  check: checkReseed as unknown as pulumi.dynamic.ResourceProvider<ReseedProviderInputs, ReseedProviderOutputs>["check"],
  diff: diffReseed,
  create: createReseed,
  update: updateReseed,
  read: readReseed,
  delete: deleteReseed,
};
