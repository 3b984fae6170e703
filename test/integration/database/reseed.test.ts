// A branch rebuilt on an empty data volume takes its own call records back
// from HQ and continues its binary log where HQ stopped applying it, so HQ's
// replication connection resumes by itself with no duplicate and no gap.
// Real servers from assets/mariadb in `reseed-` containers on 127.0.104.x, set
// up by the providers the stacks use.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  accountPlan,
  databaseSite,
  expectedShowGrants,
  nativePasswordHash,
  RESEED_USER,
  schemaMigrations,
  type DatabaseSite,
} from "../../../components/database";
import { reseedProvider } from "../../../components/providers/mariadb/reseed-provider";
import { applyMigrations, createAccounts, createReplicaConnection, createReseedViews, insertAsPbx } from "./provision";
import {
  asRoot,
  buildImage,
  cdrRow,
  insertCdr,
  showGrants,
  TestServers,
  waitFor,
  withConnectionAs,
  type Provider,
  type TestServer,
} from "./support";

const HQ: DatabaseSite = databaseSite({
  code: "mochis",
  role: "hq",
  address: "127.0.104.1",
  // HQ's replica threads leave from 127.0.0.1: no relay runs in these tests.
  clientAddress: "127.0.0.1",
  serverId: 10401,
  gtidDomainId: 10401,
});
const BRANCH: DatabaseSite = databaseSite({
  code: "tabasco",
  role: "branch",
  address: "127.0.104.2",
  serverId: 10402,
  gtidDomainId: 10402,
});
const OTHER_BRANCH: DatabaseSite = databaseSite({
  code: "silicon",
  role: "branch",
  address: "127.0.104.3",
  serverId: 10403,
  gtidDomainId: 10403,
});
const SITES = [HQ, BRANCH, OTHER_BRANCH];
const REPLICATOR_PASSWORD = "replicator-password-0123456789";
const RESEED_PASSWORD = "reseed-password-0123456789abcdef";

const reseeds = reseedProvider as unknown as Provider;

const servers = new TestServers("reseed");
let hq: TestServer;
let branch: TestServer;

function passwordOf(site: DatabaseSite, user: string): string {
  if (user === "replicator") {
    return REPLICATOR_PASSWORD;
  }
  return user === RESEED_USER ? RESEED_PASSWORD : `${site.code}-${user}-password-0123`;
}

/** Applies the schema and HQ's views to a server through the providers. */
async function provisionSchema(server: TestServer): Promise<void> {
  await applyMigrations(server.container, schemaMigrations(server.site.code));
  if (server.site.role === "hq") {
    await createReseedViews(server.container, SITES);
  }
}

async function provisionAccounts(server: TestServer): Promise<void> {
  await createAccounts(server.container, accountPlan(server.site, SITES), (user) => passwordOf(server.site, user));
}

/** Runs the branch's re-seed as `pulumi up` creates it and returns its outputs. */
async function reseedBranch(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const checked = await reseeds.check({}, {
    containerId: branch.container,
    branch: BRANCH.code,
    gtidDomainId: BRANCH.gtidDomainId,
    hqHost: HQ.address,
    hqPort: HQ.port,
    bindAddress: BRANCH.clientAddress,
    password: RESEED_PASSWORD,
    ...overrides,
  });
  expect(checked.failures ?? []).toEqual([]);
  return (await reseeds.create(checked.inputs!)).outs as Record<string, unknown>;
}

/** Inserts call records at the branch as its PBX does. */
async function insertAtBranch(uniqueids: readonly string[]): Promise<void> {
  await insertAsPbx(branch, passwordOf(BRANCH, "pbx_writer"), uniqueids);
}

/** Unique ids of the branch's rows on a server, sorted, with repeats kept. */
async function uniqueidsAt(server: TestServer): Promise<string[]> {
  const rows = (await asRoot(server, (connection) =>
    connection.query("SELECT uniqueid FROM inova_cdr.cdr WHERE site = ? ORDER BY uniqueid", [BRANCH.code]),
  )) as Array<{ uniqueid: string }>;
  return rows.map((row) => row.uniqueid);
}

async function connectionStatus(): Promise<Record<string, unknown>> {
  const rows = (await asRoot(hq, (connection) => connection.query("SHOW ALL SLAVES STATUS"))) as Array<Record<string, unknown>>;
  return rows.find((row) => row.Connection_name === BRANCH.code) as Record<string, unknown>;
}

function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}.${String(index).padStart(3, "0")}`);
}

beforeAll(async () => {
  buildImage();
  hq = await servers.start("hq", HQ);
  branch = await servers.start("tabasco", BRANCH);
  await provisionSchema(hq);
  await provisionAccounts(hq);
  await provisionSchema(branch);
  await provisionAccounts(branch);
  await createReplicaConnection(hq, BRANCH, REPLICATOR_PASSWORD);
}, 300_000);
afterAll(() => servers.removeAll());

describe("reseed account at HQ", () => {
  const plan = accountPlan(HQ, SITES).filter((account) => account.role === "reseed");

  it("exists once per branch", () => {
    expect(plan.map((account) => `${account.user}@${account.host}`)).toEqual(["reseed@127.0.104.2", "reseed@127.0.104.3"]);
  });

  for (const account of plan) {
    it(`grants ${account.user}@${account.host} its view only`, async () => {
      expect(await showGrants(hq, account.user, account.host)).toEqual(expectedShowGrants(account, nativePasswordHash(RESEED_PASSWORD)));
    });
  }

  it("reads only its own branch's view", async () => {
    await asRoot(hq, async (connection) => {
      const { sql, values } = insertCdr(cdrRow(HQ.code, "1768600000.1"));
      await connection.query(sql, values);
    });
    await withConnectionAs(hq, RESEED_USER, RESEED_PASSWORD, BRANCH.address, async (connection) => {
      const own = (await connection.query("SELECT site FROM inova_cdr.cdr_tabasco")) as Array<{ site: string }>;
      expect(own.every((row) => row.site === BRANCH.code)).toBe(true);
      await expect(connection.query("SELECT * FROM inova_cdr.cdr")).rejects.toThrow(/command denied/);
      await expect(connection.query("SELECT * FROM inova_cdr.cdr_silicon")).rejects.toThrow(/command denied/);
      await expect(connection.query("INSERT INTO inova_cdr.cdr_tabasco (site) VALUES ('tabasco')")).rejects.toThrow(/command denied/);
    });
  });

  it("rejects a login from another address", async () => {
    await expect(withConnectionAs(hq, RESEED_USER, RESEED_PASSWORD, "127.0.104.9", async () => undefined)).rejects.toThrow(/not allowed to connect/);
  });

  it("gives another branch's account no access to this view", async () => {
    await withConnectionAs(hq, RESEED_USER, RESEED_PASSWORD, OTHER_BRANCH.address, async (connection) => {
      await expect(connection.query("SELECT * FROM inova_cdr.cdr_tabasco")).rejects.toThrow(/command denied/);
    });
  });
});

describe("re-seeding a rebuilt branch", () => {
  it("leaves a new branch's empty history alone", async () => {
    const outs = await reseedBranch();
    expect(outs.status).toBe("reseeded");
    expect(outs.rowsCopied).toBe(0);
    expect(outs.binlogState).toBe("");
  });

  it("reports HQ unavailable on a closed port", async () => {
    const outs = await reseedBranch({ hqPort: 3399 });
    expect(outs.status).toBe("hq-unavailable");
  });

  it("adds nothing once HQ has the branch's history", async () => {
    await insertAtBranch(ids("1768600100", 40));
    await waitFor("HQ applied the branch's first rows", async () => (await uniqueidsAt(hq)).length === 40);
    const outs = await reseedBranch();
    expect(outs.status).toBe("reseeded");
    expect(outs.rowsCopied).toBe(0);
    expect(await uniqueidsAt(branch)).toEqual(ids("1768600100", 40));
  });

  it("keeps a branch ahead of HQ", async () => {
    await asRoot(hq, (connection) => connection.query("STOP SLAVE 'tabasco'"));
    await asRoot(branch, async (connection) => {
      await connection.query("SET SESSION sql_log_bin = 1");
      await connection.query("CREATE TABLE inova_cdr.scratch (id INT PRIMARY KEY)");
      await connection.query("DROP TABLE inova_cdr.scratch");
    });
    const outs = await reseedBranch();
    await asRoot(hq, (connection) => connection.query("START SLAVE 'tabasco'"));
    expect(outs.status).toBe("kept");
    await waitFor("HQ applied the branch's schema events", async () => {
      const [branchState] = (await asRoot(branch, (connection) =>
        connection.query("SELECT @@GLOBAL.gtid_binlog_state AS state"),
      )) as Array<{ state: string }>;
      const [hqPosition] = (await asRoot(hq, (connection) =>
        connection.query("SELECT @@GLOBAL.gtid_slave_pos AS position"),
      )) as Array<{ position: string }>;
      return hqPosition.position.split(",").includes(branchState.state);
    });
  });

  it("copies HQ's rows into an empty branch", async () => {
    branch = await servers.start("tabasco", BRANCH);
    await provisionSchema(branch);
    const outs = await reseedBranch();
    const hqPosition = (await asRoot(hq, (connection) => connection.query("SELECT @@GLOBAL.gtid_slave_pos AS position"))) as Array<{
      position: string;
    }>;
    expect(outs.status).toBe("reseeded");
    expect(outs.rowsCopied).toBe(40);
    expect(hqPosition[0].position.split(",")).toContain(outs.binlogState);
    expect(await uniqueidsAt(branch)).toEqual(ids("1768600100", 40));
  });

  it("repeats safely before the branch writes", async () => {
    const outs = await reseedBranch();
    expect(outs.status).toBe("reseeded");
    expect(await uniqueidsAt(branch)).toEqual(ids("1768600100", 40));
  });

  it("resumes HQ's connection without gap or duplicate", async () => {
    await provisionAccounts(branch);
    await insertAtBranch(ids("1768600200", 25));
    const expected = [...ids("1768600100", 40), ...ids("1768600200", 25)];
    await waitFor("HQ applied the rebuilt branch's new rows", async () => (await uniqueidsAt(hq)).length >= 65, 90);
    expect(await uniqueidsAt(hq)).toEqual(expected);
    expect(await uniqueidsAt(branch)).toEqual(expected);
    const status = await connectionStatus();
    expect(status.Slave_IO_Running).toBe("Yes");
    expect(status.Slave_SQL_Running).toBe("Yes");
    expect(status.Last_IO_Error).toBe("");
    expect(status.Last_SQL_Error).toBe("");
  });

  it("writes no binary log for the copied rows", async () => {
    const state = (await asRoot(branch, (connection) => connection.query("SELECT @@GLOBAL.gtid_binlog_state AS state"))) as Array<{
      state: string;
    }>;
    const position = (await asRoot(hq, (connection) => connection.query("SELECT @@GLOBAL.gtid_slave_pos AS position"))) as Array<{
      position: string;
    }>;
    // 40 single-row transactions and 2 schema statements before the rebuild, 25 rows after it; the copy added none.
    expect(state[0].state).toBe(`${BRANCH.gtidDomainId}-${BRANCH.serverId}-67`);
    expect(position[0].position.split(",")).toContain(state[0].state);
  });
});
