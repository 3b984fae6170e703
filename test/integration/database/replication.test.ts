// Multi-source replication from a branch into HQ with servers built from
// assets/mariadb and set up by the MariaDB providers.
//
// Both servers share the host's loopback, where a connection between two
// 127.x addresses leaves from 127.0.0.1 and MariaDB's replica threads cannot
// bind another source address. HQ's client address is therefore 127.0.0.1,
// which is the host part of the branch's replicator account.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  accountPlan,
  databaseSite,
  expectedShowGrants,
  nativePasswordHash,
  schemaMigrations,
  type DatabaseSite,
} from "../../../components/database";
import {
  applyMigrations,
  createAccounts,
  createReplicaConnection,
  createReseedViews,
  insertAsPbx,
  replicaConnections,
  type ReplicaConnectionResource,
} from "./provision";
import {
  asRoot,
  buildImage,
  cdrRow,
  docker,
  insertCdr,
  showGrants,
  TestServers,
  waitFor,
  waitHealthy,
  withConnectionAs,
  type TestServer,
} from "./support";

const HQ: DatabaseSite = databaseSite({
  code: "mochis",
  role: "hq",
  address: "127.0.96.32",
  clientAddress: "127.0.0.1",
  serverId: 9632,
  gtidDomainId: 9632,
});
const BRANCH: DatabaseSite = databaseSite({
  code: "tabasco",
  role: "branch",
  address: "127.0.96.31",
  serverId: 9631,
  gtidDomainId: 9631,
});
const SITES = [HQ, BRANCH];
const REPLICATOR_PASSWORD = "replicator-password-0123456789";

const servers = new TestServers();
let hq: TestServer;
let branch: TestServer;
let connectionState: ReplicaConnectionResource["state"];
let connectionInputs: ReplicaConnectionResource["inputs"];

function passwordOf(site: DatabaseSite, user: string): string {
  return user === "replicator" ? REPLICATOR_PASSWORD : `${site.code}-${user}-password-0123`;
}

/** Applies the schema and the planned accounts to a server through the providers. */
async function provision(server: TestServer): Promise<void> {
  await applyMigrations(server.container, schemaMigrations());
  if (server.site.role === "hq") {
    // HQ's reseed accounts are granted SELECT on these views, so the views come first.
    await createReseedViews(server.container, SITES);
  }
  await createAccounts(server.container, accountPlan(server.site, SITES), (user) => passwordOf(server.site, user));
}

/** Inserts call records at the branch as its PBX would. */
async function insertAtBranch(uniqueids: readonly string[]): Promise<void> {
  await insertAsPbx(branch, passwordOf(BRANCH, "pbx_writer"), uniqueids);
}

async function countAtHq(site: string): Promise<{ rows: number; distinct: number }> {
  const result = (await asRoot(hq, (connection) =>
    connection.query(
      "SELECT COUNT(*) AS `rows`, COUNT(DISTINCT site, uniqueid, sequence) AS `distinct` FROM inova_cdr.cdr WHERE site = ?",
      [site],
    ),
  )) as Array<{ rows: number; distinct: number }>;
  return { rows: Number(result[0].rows), distinct: Number(result[0].distinct) };
}

beforeAll(async () => {
  buildImage();
  branch = await servers.start("branch", BRANCH);
  hq = await servers.start("hq", HQ);
  await provision(branch);
  await provision(hq);
  ({ state: connectionState, inputs: connectionInputs } = await createReplicaConnection(hq, BRANCH, REPLICATOR_PASSWORD));
});
afterAll(() => servers.removeAll());

describe("multi-source replication", () => {
  it("copies a branch row to HQ", async () => {
    await insertAtBranch(["1768500000.1"]);
    await waitFor("the branch row reaches HQ", async () => (await countAtHq(BRANCH.code)).rows === 1);
    const rows = (await asRoot(hq, (connection) =>
      connection.query("SELECT site, uniqueid, src, dst, billsec, calldate FROM inova_cdr.cdr WHERE site = ?", [BRANCH.code]),
    )) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ site: "tabasco", uniqueid: "1768500000.1", src: "100", dst: "601", billsec: 37 });
  });

  it("connects from 127.0.0.1 with the replicator account", async () => {
    const dumps = (await asRoot(branch, (connection) =>
      connection.query("SELECT USER AS user, HOST AS host FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'"),
    )) as Array<{ user: string; host: string }>;
    expect(dumps).toHaveLength(1);
    expect(dumps[0].user).toBe("replicator");
    expect(dumps[0].host).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("keeps accounts and schema local to each server", async () => {
    const hqUsers = (await asRoot(hq, (connection) => connection.query("SELECT User AS user FROM mysql.user ORDER BY User"))) as Array<{
      user: string;
    }>;
    expect(hqUsers.map((row) => row.user)).toEqual(["api_reader", "mariadb.sys", "monitor", "pbx_writer", "reseed", "root"]);
    const applied = (await asRoot(hq, (connection) => connection.query("SELECT version FROM inova_cdr.schema_migrations"))) as unknown[];
    expect(applied).toHaveLength(1);
  });

  it("applies only inova_cdr.cdr from the branch", async () => {
    await asRoot(branch, async (connection) => {
      await connection.query("SET SESSION sql_log_bin = 1");
      await connection.query("CREATE TABLE inova_cdr.scratch (id INT PRIMARY KEY)");
      await connection.query("INSERT INTO inova_cdr.scratch VALUES (1)");
    });
    await insertAtBranch(["1768500000.2"]);
    await waitFor("the second branch row reaches HQ", async () => (await countAtHq(BRANCH.code)).rows === 2);
    const tables = (await asRoot(hq, (connection) =>
      connection.query("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'inova_cdr' AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"),
    )) as Array<{ name: string }>;
    expect(tables.map((table) => table.name)).toEqual(["cdr", "schema_migrations"]);
  });

  it("keeps HQ's own rows beside the branch's", async () => {
    await withConnectionAs(hq, "pbx_writer", passwordOf(HQ, "pbx_writer"), HQ.clientAddress, async (connection) => {
      const { sql, values } = insertCdr(cdrRow(HQ.code, "1768500000.1"));
      await connection.query(sql, values);
    });
    expect(await countAtHq(HQ.code)).toEqual({ rows: 1, distinct: 1 });
    expect(await countAtHq(BRANCH.code)).toEqual({ rows: 2, distinct: 2 });
  });

  for (const account of accountPlan(HQ, SITES)) {
    it(`gives HQ's ${account.user} exactly its planned grants`, async () => {
      expect(await showGrants(hq, account.user, account.host)).toEqual(
        expectedShowGrants(account, nativePasswordHash(passwordOf(HQ, account.user))),
      );
    });
  }

  it("lets monitor read the replication state at HQ", async () => {
    await withConnectionAs(hq, "monitor", passwordOf(HQ, "monitor"), HQ.clientAddress, async (connection) => {
      const status = (await connection.query("SHOW ALL SLAVES STATUS")) as Array<Record<string, unknown>>;
      expect(status.map((row) => row.Connection_name)).toEqual(["tabasco"]);
      await expect(connection.query("SELECT * FROM inova_cdr.cdr")).rejects.toThrow(/command denied/);
    });
  });

  it("catches up without duplicates after HQ was stopped", async () => {
    docker("stop", hq.container);
    const missed = Array.from({ length: 50 }, (_, index) => `1768500100.${index}`);
    await insertAtBranch(missed);
    docker("start", hq.container);
    await waitHealthy(hq.container);

    await waitFor("HQ applied the rows written while it was stopped", async () => (await countAtHq(BRANCH.code)).rows >= 52, 90);
    expect(await countAtHq(BRANCH.code)).toEqual({ rows: 52, distinct: 52 });

    const positions = (await asRoot(branch, (connection) => connection.query("SELECT @@gtid_binlog_pos AS position"))) as Array<{
      position: string;
    }>;
    const applied = (await asRoot(hq, (connection) => connection.query("SELECT @@gtid_slave_pos AS position"))) as Array<{
      position: string;
    }>;
    expect(applied[0].position.split(",")).toContain(positions[0].position);

    const read = await replicaConnections.read(connectionState.id, connectionState.outs);
    expect(read.props).toMatchObject({ ioRunning: "Yes", sqlRunning: "Yes", lastError: "" });
    const filter = (await asRoot(hq, (connection) => connection.query("SELECT @@tabasco.replicate_do_table AS filter"))) as Array<{
      filter: string;
    }>;
    expect(filter[0].filter).toBe("inova_cdr.cdr");
  });
});

describe("ReplicaConnection provider", () => {
  it("restarts a connection stopped by hand", async () => {
    await asRoot(hq, (connection) => connection.query("STOP SLAVE 'tabasco'"));
    const stopped = await replicaConnections.read(connectionState.id, connectionState.outs);
    expect(stopped.props).toMatchObject({ ioRunning: "No", sqlRunning: "No" });
    expect((await replicaConnections.diff(connectionState.id, stopped.props, connectionInputs)).changes).toBe(true);

    const updated = await replicaConnections.update(connectionState.id, stopped.props, connectionInputs);
    expect(updated.outs.sqlRunning).toBe("Yes");
    expect(JSON.stringify(updated.outs)).not.toContain(REPLICATOR_PASSWORD);

    await insertAtBranch(["1768500200.1"]);
    await waitFor("a row written after the restart reaches HQ", async () => (await countAtHq(BRANCH.code)).rows === 53);
    const read = await replicaConnections.read(connectionState.id, updated.outs);
    expect((await replicaConnections.diff(connectionState.id, read.props, connectionInputs)).changes).toBe(false);
  });

  it("removes the connection and keeps the applied rows", async () => {
    await replicaConnections.delete(connectionState.id, connectionState.outs);
    expect(await replicaConnections.read(connectionState.id, connectionState.outs)).toEqual({});
    expect(await countAtHq(BRANCH.code)).toEqual({ rows: 53, distinct: 53 });
  });
});
