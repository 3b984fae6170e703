// Starts HQ's and the tabasco branch's MariaDB, replicates tabasco into HQ the way the
// sites do, and loads the generated records: tabasco's on the branch (HQ receives them by
// replication), mochis' and silicon's directly at HQ. HQ also has a replication
// connection for silicon that points at a closed port, so its health shows one broken link.

import type { TestProject } from "vitest/node";
import { generateFixture, insertRows } from "./fixtures/calls";
import {
  API_DB_PASSWORD,
  API_DB_USER,
  BRANCH_DB,
  CLOSED_DB,
  HQ_DB,
  MONITOR_PASSWORD,
  MONITOR_USER,
  REPLICATION_PASSWORD,
  REPLICATION_USER,
} from "./support/environment";
import { createSchema, startMariaDb, type MariaDbServer } from "./support/mariadb";

const REPLICATION_WAIT_MS = 60_000;

async function waitForReplication(hq: MariaDbServer, expected: number): Promise<void> {
  const connection = await hq.admin();
  try {
    const deadline = Date.now() + REPLICATION_WAIT_MS;
    for (;;) {
      const rows: Array<{ count: number }> = await connection.query("SELECT COUNT(*) AS count FROM inova_cdr.cdr WHERE site = 'tabasco'");
      if (rows[0].count === expected) {
        return;
      }
      if (Date.now() > deadline) {
        const status = await connection.query("SHOW ALL SLAVES STATUS");
        throw new Error(`HQ has ${rows[0].count} of ${expected} tabasco rows after ${REPLICATION_WAIT_MS} ms: ${JSON.stringify(status)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await connection.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers: MariaDbServer[] = [];
  const teardown = async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
  };
  try {
    const hq = await startMariaDb({ name: "hq", ...HQ_DB });
    servers.push(hq);
    const branch = await startMariaDb({ name: "tabasco", ...BRANCH_DB, binlog: true });
    servers.push(branch);

    const branchAdmin = await branch.admin();
    await branchAdmin.query("SET SESSION sql_log_bin = 0");
    await createSchema(branchAdmin);
    await branchAdmin.query(`CREATE USER '${API_DB_USER}'@'%' IDENTIFIED BY '${API_DB_PASSWORD}'`);
    await branchAdmin.query(`GRANT SELECT ON inova_cdr.* TO '${API_DB_USER}'@'%'`);
    await branchAdmin.query(`CREATE USER '${REPLICATION_USER}'@'%' IDENTIFIED BY '${REPLICATION_PASSWORD}'`);
    await branchAdmin.query(`GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'%'`);
    await branchAdmin.query("SET SESSION sql_log_bin = 1");
    const [binlog]: Array<{ File: string; Position: number }> = await branchAdmin.query("SHOW MASTER STATUS");

    const hqAdmin = await hq.admin();
    await createSchema(hqAdmin);
    await hqAdmin.query(`CREATE USER '${API_DB_USER}'@'%' IDENTIFIED BY '${API_DB_PASSWORD}'`);
    await hqAdmin.query(`GRANT SELECT ON inova_cdr.* TO '${API_DB_USER}'@'%'`);
    await hqAdmin.query(`CREATE USER '${MONITOR_USER}'@'%' IDENTIFIED BY '${MONITOR_PASSWORD}'`);
    await hqAdmin.query(`GRANT SLAVE MONITOR ON *.* TO '${MONITOR_USER}'@'%'`);
    await hqAdmin.query(
      `CHANGE MASTER 'tabasco' TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?, MASTER_CONNECT_RETRY = 1`,
      [BRANCH_DB.host, BRANCH_DB.port, REPLICATION_USER, REPLICATION_PASSWORD, binlog.File, binlog.Position],
    );
    await hqAdmin.query("START SLAVE 'tabasco'");
    await hqAdmin.query(
      `CHANGE MASTER 'silicon' TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_CONNECT_RETRY = 60`,
      [CLOSED_DB.host, CLOSED_DB.port, REPLICATION_USER, REPLICATION_PASSWORD],
    );
    await hqAdmin.query("START SLAVE 'silicon'");

    const fixture = generateFixture();
    const tabascoRows = fixture.rows.filter((row) => row.site === "tabasco");
    await insertRows(branchAdmin, tabascoRows);
    await insertRows(
      hqAdmin,
      fixture.rows.filter((row) => row.site !== "tabasco"),
    );
    await branchAdmin.end();
    await hqAdmin.end();
    await waitForReplication(hq, tabascoRows.length);

    project.provide("databaseMode", hq.mode);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseMode: string;
  }
}
