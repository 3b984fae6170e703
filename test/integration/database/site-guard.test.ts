// The guard trigger of the call-record schema: a site's pbx_writer cannot insert a row that
// claims another site, while HQ still receives every branch row through replication and root
// may still load any site's rows. Real servers from assets/mariadb, set up by the providers.
//
// As in replication.test.ts, HQ's client address is 127.0.0.1, because a connection between
// two loopback addresses of one host leaves from 127.0.0.1.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { accountPlan, databaseSite, schemaMigrations, SITE_GUARD_TRIGGER, type DatabaseSite } from "../../../components/database";
import { applyMigrations, createAccounts, createReplicaConnection } from "./provision";
import {
  asRoot,
  buildImage,
  cdrRow,
  insertCdr,
  insertCdrRows,
  TestServers,
  waitFor,
  withConnectionAs,
  type TestServer,
} from "./support";

const HQ: DatabaseSite = databaseSite({
  code: "mochis",
  role: "hq",
  address: "127.0.108.32",
  clientAddress: "127.0.0.1",
  serverId: 10832,
  gtidDomainId: 10832,
});
const BRANCH: DatabaseSite = databaseSite({
  code: "tabasco",
  role: "branch",
  address: "127.0.108.31",
  serverId: 10831,
  gtidDomainId: 10831,
});
const SITES = [HQ, BRANCH];
const REPLICATOR_PASSWORD = "replicator-password-guard-0123456";

const servers = new TestServers();
let hq: TestServer;
let branch: TestServer;

function passwordOf(site: DatabaseSite, user: string): string {
  return user === "replicator" ? REPLICATOR_PASSWORD : `${site.code}-${user}-guard-password-01`;
}

/** Accounts that these tests use: the writer that the guard restricts and the replication account. */
const PROVISIONED_ROLES = ["pbx_writer", "replicator"];

/** Applies the site's schema, guard included, and the planned writer and replication accounts through the providers. */
async function provision(server: TestServer): Promise<void> {
  await applyMigrations(server.container, schemaMigrations(server.site.code));
  const accounts = accountPlan(server.site, SITES).filter((candidate) => PROVISIONED_ROLES.includes(candidate.role));
  await createAccounts(server.container, accounts, (user) => passwordOf(server.site, user));
}

/** Runs one INSERT of `rows` as the server's pbx_writer, the way its PBX connects. */
async function insertAsWriter(server: TestServer, rows: ReadonlyArray<Record<string, string | number>>, ignore = false): Promise<void> {
  const { sql, values } = insertCdrRows(rows, ignore);
  await withConnectionAs(server, "pbx_writer", passwordOf(server.site, "pbx_writer"), server.site.clientAddress, (connection) =>
    connection.query(sql, values),
  );
}

async function uniqueidsAt(server: TestServer, site: string): Promise<string[]> {
  const rows = (await asRoot(server, (connection) =>
    connection.query("SELECT uniqueid FROM inova_cdr.cdr WHERE site = ? ORDER BY uniqueid", [site]),
  )) as Array<{ uniqueid: string }>;
  return rows.map((row) => row.uniqueid);
}

beforeAll(async () => {
  buildImage();
  branch = await servers.start("guard108-branch", BRANCH);
  hq = await servers.start("guard108-hq", HQ);
  await provision(branch);
  await provision(hq);
  await createReplicaConnection(hq, BRANCH, REPLICATOR_PASSWORD);
});
afterAll(() => servers.removeAll());

describe("pbx_writer site guard", () => {
  it("records the guard as migration 2", async () => {
    const applied = (await asRoot(branch, (connection) =>
      connection.query("SELECT version FROM inova_cdr.schema_migrations ORDER BY version"),
    )) as Array<{ version: number }>;
    const triggers = (await asRoot(branch, (connection) =>
      connection.query("SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = 'inova_cdr'"),
    )) as Array<{ name: string }>;

    expect(applied.map((row) => Number(row.version))).toEqual([1, 2]);
    expect(triggers.map((row) => row.name)).toEqual([SITE_GUARD_TRIGGER]);
  });

  it("accepts the site's own row", async () => {
    await insertAsWriter(branch, [cdrRow(BRANCH.code, "1768600000.1")]);

    expect(await uniqueidsAt(branch, BRANCH.code)).toEqual(["1768600000.1"]);
  });

  it("rejects a row of another site", async () => {
    await expect(insertAsWriter(branch, [cdrRow(HQ.code, "1768600000.2")])).rejects.toThrow(
      "pbx_writer may insert only call records of site tabasco",
    );

    expect(await uniqueidsAt(branch, HQ.code)).toEqual([]);
  });

  it("rejects it with INSERT IGNORE", async () => {
    // The journal reconciler inserts with INSERT IGNORE, which turns many errors into warnings.
    await expect(insertAsWriter(branch, [cdrRow(HQ.code, "1768600000.3")], true)).rejects.toThrow(/site tabasco/);

    expect(await uniqueidsAt(branch, HQ.code)).toEqual([]);
  });

  it("rejects another letter case", async () => {
    await expect(insertAsWriter(branch, [cdrRow("TABASCO", "1768600000.4")])).rejects.toThrow(/site tabasco/);

    const rows = (await asRoot(branch, (connection) =>
      connection.query("SELECT COUNT(*) AS count FROM inova_cdr.cdr WHERE uniqueid = '1768600000.4'"),
    )) as Array<{ count: number }>;
    expect(Number(rows[0].count)).toBe(0);
  });

  it("rejects a batch with one foreign row whole", async () => {
    const batch = [cdrRow(BRANCH.code, "1768600000.5"), cdrRow("silicon", "1768600000.6"), cdrRow(BRANCH.code, "1768600000.7")];

    await expect(insertAsWriter(branch, batch, true)).rejects.toThrow(/site tabasco/);

    expect(await uniqueidsAt(branch, BRANCH.code)).toEqual(["1768600000.1"]);
    expect(await uniqueidsAt(branch, "silicon")).toEqual([]);
  });

  it("replicates branch rows into HQ", async () => {
    await insertAsWriter(branch, [cdrRow(BRANCH.code, "1768600001.1"), cdrRow(BRANCH.code, "1768600001.2")]);

    await waitFor("the branch rows reach HQ", async () => (await uniqueidsAt(hq, BRANCH.code)).length === 3);
    expect(await uniqueidsAt(hq, BRANCH.code)).toEqual(["1768600000.1", "1768600001.1", "1768600001.2"]);
    const status = (await asRoot(hq, (connection) => connection.query("SHOW ALL SLAVES STATUS"))) as Array<Record<string, unknown>>;
    expect(status.map((row) => [row.Connection_name, row.Slave_SQL_Running, row.Last_SQL_Error])).toEqual([["tabasco", "Yes", ""]]);
  });

  it("rejects a branch row from HQ's writer", async () => {
    await expect(insertAsWriter(hq, [cdrRow(BRANCH.code, "1768600002.1")])).rejects.toThrow(/site mochis/);
    await insertAsWriter(hq, [cdrRow(HQ.code, "1768600002.2")]);

    expect(await uniqueidsAt(hq, BRANCH.code)).not.toContain("1768600002.1");
    expect(await uniqueidsAt(hq, HQ.code)).toEqual(["1768600002.2"]);
  });

  it("lets root load another site's row", async () => {
    // inova-mariadb-restore loads backups as root over the Unix socket.
    const { sql, values } = insertCdr(cdrRow("silicon", "1768600003.1"));
    await asRoot(hq, async (connection) => {
      await connection.query("SET SESSION sql_log_bin = 0");
      await connection.query(sql, values);
    });

    expect(await uniqueidsAt(hq, "silicon")).toEqual(["1768600003.1"]);
  });
});
