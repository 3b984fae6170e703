// Multi-source replication of the branches' call records into HQ.
//
// HQ keeps one named connection per branch. Each branch writes its own GTID
// domain, and every connection starts from HQ's applied position
// (MASTER_USE_GTID=slave_pos), so a connection that was down resumes where it
// stopped and applies nothing twice.

import type { DatabaseSite, ReplicationConnection } from "./model";
import { quoteString } from "./sql";

/** Seconds between reconnection attempts while a branch is unreachable. */
export const CONNECT_RETRY_SECONDS = 10;

/** Returns HQ's replication connections, one per branch, named after the branch. */
export function replicationPlan(hq: DatabaseSite, branches: readonly DatabaseSite[]): ReplicationConnection[] {
  if (hq.role !== "hq") {
    throw new Error(`replication plan: site ${JSON.stringify(hq.code)} has role ${JSON.stringify(hq.role)}, expected "hq"`);
  }
  return branches.map((branch) => {
    if (branch.role !== "branch") {
      throw new Error(
        `replication plan: site ${JSON.stringify(branch.code)} has role ${JSON.stringify(branch.role)}, expected "branch"`,
      );
    }
    return {
      name: branch.code,
      branch: branch.code,
      masterHost: branch.address,
      masterPort: branch.port,
      masterUser: "replicator",
      useGtid: "slave_pos",
      connectRetrySeconds: CONNECT_RETRY_SECONDS,
    };
  });
}

/**
 * Renders CHANGE MASTER for a named connection. The statement carries the
 * replicator's password, so treat the text as a secret; the server keeps the
 * password in `master-<name>.info` in its data directory.
 */
export function renderChangeMaster(connection: ReplicationConnection, password: string): string {
  return (
    `CHANGE MASTER ${quoteString(connection.name)} TO ` +
    `MASTER_HOST=${quoteString(connection.masterHost)}, ` +
    `MASTER_PORT=${connection.masterPort}, ` +
    `MASTER_USER=${quoteString(connection.masterUser)}, ` +
    `MASTER_PASSWORD=${quoteString(password)}, ` +
    `MASTER_USE_GTID=${connection.useGtid}, ` +
    `MASTER_CONNECT_RETRY=${connection.connectRetrySeconds}`
  );
}

/**
 * Renders the statements that set up or change a connection and start it.
 * CHANGE MASTER needs an existing connection stopped first, but STOP SLAVE
 * fails with error 1617 for a connection that does not exist yet, so the
 * caller says which case applies (SHOW ALL SLAVES STATUS lists the connections).
 */
export function renderReplicationStatements(
  connection: ReplicationConnection,
  password: string,
  options: { readonly exists: boolean },
): string[] {
  const name = quoteString(connection.name);
  const stop = options.exists ? [`STOP SLAVE ${name}`] : [];
  return [...stop, renderChangeMaster(connection, password), `START SLAVE ${name}`];
}

/** Renders the statements that stop a connection and remove it with its relay logs. */
export function renderRemoveReplicationStatements(name: string): string[] {
  return [`STOP SLAVE ${quoteString(name)}`, `RESET SLAVE ${quoteString(name)} ALL`];
}
