// One site's server built from assets/mariadb: its settings, its accounts as
// planned, what each account may not do, and the MariaDB providers'
// create/read/update/delete against it.

import { connect as connectTcp } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  accountPlan,
  databaseSite,
  expectedShowGrants,
  migrationChecksum,
  nativePasswordHash,
  schemaMigrations,
  type DatabaseSite,
} from "../../../components/database";
import { grantProvider } from "../../../components/providers/mariadb/grant-provider";
import { migrationsProvider } from "../../../components/providers/mariadb/migrations-provider";
import { userProvider } from "../../../components/providers/mariadb/user-provider";
import { createAccounts } from "./provision";
import {
  asRoot,
  buildImage,
  cdrRow,
  connectAs,
  insertCdr,
  showGrants,
  TestServers,
  withConnectionAs,
  type Provider,
  type TestServer,
} from "./support";

const BRANCH: DatabaseSite = databaseSite({
  code: "tabasco",
  role: "branch",
  address: "127.0.96.21",
  serverId: 9621,
  gtidDomainId: 9621,
  binlogExpireSeconds: 3 * 86_400,
});
/** HQ of this test is never started; only its client address matters, for the replicator account. */
const HQ: DatabaseSite = databaseSite({
  code: "mochis",
  role: "hq",
  address: "127.0.96.22",
  serverId: 9622,
  gtidDomainId: 9622,
});

const users = userProvider as unknown as Provider;
const grants = grantProvider as unknown as Provider;
const migrations = migrationsProvider as unknown as Provider;

const servers = new TestServers();
let server: TestServer;

/** Password of each planned account in this test. */
function passwordOf(user: string): string {
  return `${user}-password-0123456789`;
}

beforeAll(async () => {
  buildImage();
  server = await servers.start("server", BRANCH);
});
afterAll(() => servers.removeAll());

describe("server settings", () => {
  it("runs with the rendered configuration", async () => {
    const rows = (await asRoot(server, (connection) =>
      connection.query(
        "SELECT @@bind_address AS bind, @@skip_name_resolve AS skipNameResolve, @@log_bin AS logBin, @@binlog_format AS format, " +
          "@@log_slave_updates AS slaveUpdates, @@server_id AS serverId, @@gtid_domain_id AS domain, " +
          "@@binlog_expire_logs_seconds AS expire, @@time_zone AS timeZone, @@datadir AS datadir",
      ),
    )) as Array<Record<string, unknown>>;
    expect(rows[0]).toEqual({
      bind: "127.0.96.21",
      skipNameResolve: 1,
      logBin: 1,
      format: "ROW",
      slaveUpdates: 1,
      serverId: 9621,
      domain: 9621,
      expire: 259_200,
      timeZone: "+00:00",
      datadir: "/var/lib/mysql/",
    });
  });

  it("listens on the site address only", async () => {
    const connectionRefused = await new Promise<boolean>((resolve) => {
      const socket = connectTcp({ host: "127.0.96.29", port: 3306 });
      socket.on("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.on("error", () => resolve(true));
    });
    expect(connectionRefused).toBe(true);
  });

  it("has root over the Unix socket as its only administrator", async () => {
    const accounts = (await asRoot(server, (connection) =>
      connection.query("SELECT User AS user, Host AS host FROM mysql.user ORDER BY User"),
    )) as Array<{ user: string; host: string }>;
    expect(accounts).toEqual([
      { user: "mariadb.sys", host: "localhost" },
      { user: "root", host: "localhost" },
    ]);
    expect(await showGrants(server, "root", "localhost")).toContain(
      "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` IDENTIFIED VIA mysql_native_password USING 'invalid' OR unix_socket WITH GRANT OPTION",
    );
  });

  for (const source of ["127.0.96.21", "127.0.0.1"]) {
    it(`rejects root over TCP from ${source}`, async () => {
      for (const password of ["", "invalid"]) {
        await expect(connectAs(server, "root", password, source)).rejects.toThrow(/Access denied|not allowed to connect/);
      }
    });
  }
});

describe("Migrations provider", () => {
  it("applies the schema once", async () => {
    const { inputs } = await migrations.check({}, { containerId: server.container, migrations: schemaMigrations() });
    const created = await migrations.create(inputs!);
    const expected = Object.fromEntries(schemaMigrations().map((migration) => [String(migration.version), migrationChecksum(migration)]));
    expect(created.outs.applied).toEqual(expected);

    const snapshot = () =>
      asRoot(server, async (connection) => ({
        table: await connection.query("SHOW CREATE TABLE inova_cdr.cdr"),
        applied: await connection.query("SELECT version, checksum, applied_at FROM inova_cdr.schema_migrations"),
        binlog: await connection.query("SELECT @@gtid_binlog_pos AS position"),
      }));
    const before = await snapshot();

    const again = await migrations.update(created.id, created.outs, inputs!);
    expect(again.outs.applied).toEqual(expected);
    for (const migration of schemaMigrations()) {
      await asRoot(server, async (connection) => {
        for (const statement of migration.statements) {
          await connection.query(statement);
        }
      });
    }
    expect(await snapshot()).toEqual(before);

    const read = await migrations.read(created.id, created.outs);
    expect((await migrations.diff(created.id, read.props, inputs!)).changes).toBe(false);
  });

  it("writes no schema change to the binary log", async () => {
    const position = (await asRoot(server, (connection) => connection.query("SELECT @@gtid_binlog_pos AS position"))) as Array<{
      position: string;
    }>;
    expect(position[0].position).toBe("");
  });

  it("stops on a changed applied migration", async () => {
    const [first] = schemaMigrations();
    const edited = [{ ...first, description: `${first.description}, edited` }];
    const { inputs } = await migrations.check({}, { containerId: server.container, migrations: edited });
    await expect(migrations.create(inputs!)).rejects.toThrow(/migration 1 .* was applied with checksum/);
  });
});

describe("planned accounts", () => {
  const plan = accountPlan(BRANCH, [HQ, BRANCH]);

  beforeAll(() => createAccounts(server.container, plan, passwordOf));

  for (const account of accountPlan(BRANCH, [HQ, BRANCH])) {
    it(`gives ${account.user} exactly its planned grants`, async () => {
      expect(await showGrants(server, account.user, account.host)).toEqual(
        expectedShowGrants(account, nativePasswordHash(passwordOf(account.user))),
      );
    });
  }

  it("lets pbx_writer insert call records", async () => {
    await withConnectionAs(server, "pbx_writer", passwordOf("pbx_writer"), BRANCH.address, async (connection) => {
      const { sql, values } = insertCdr(cdrRow("tabasco", "1768496645.1"));
      expect((await connection.query(sql, values)).affectedRows).toBe(1);
    });
  });

  const writerDenials: Array<[string, string]> = [
    ["read its own site's rows", "SELECT * FROM inova_cdr.cdr WHERE site = 'tabasco'"],
    ["read other sites' rows", "SELECT * FROM inova_cdr.cdr WHERE site = 'mochis'"],
    ["update rows", "UPDATE inova_cdr.cdr SET billsec = 0"],
    ["delete rows", "DELETE FROM inova_cdr.cdr"],
    ["drop the table", "DROP TABLE inova_cdr.cdr"],
    ["read the migrations", "SELECT * FROM inova_cdr.schema_migrations"],
    ["create a database", "CREATE DATABASE other"],
  ];
  for (const [action, statement] of writerDenials) {
    it(`pbx_writer cannot ${action}`, async () => {
      await withConnectionAs(server, "pbx_writer", passwordOf("pbx_writer"), BRANCH.address, async (connection) => {
        await expect(connection.query(statement)).rejects.toThrow(/command denied|Access denied/);
      });
    });
  }

  it("lets api_reader read every table", async () => {
    await withConnectionAs(server, "api_reader", passwordOf("api_reader"), BRANCH.address, async (connection) => {
      const rows = (await connection.query("SELECT site, uniqueid, billsec FROM inova_cdr.cdr")) as unknown[];
      expect(rows).toEqual([{ site: "tabasco", uniqueid: "1768496645.1", billsec: 37 }]);
      expect(await connection.query("SELECT version FROM inova_cdr.schema_migrations")).toHaveLength(1);
    });
  });

  const readerDenials: Array<[string, string]> = [
    ["insert", "INSERT INTO inova_cdr.cdr (site, calldate, uniqueid, sequence) VALUES ('tabasco', NOW(), 'x', 1)"],
    ["delete", "DELETE FROM inova_cdr.cdr"],
    ["read the grant tables", "SELECT * FROM mysql.user"],
  ];
  for (const [action, statement] of readerDenials) {
    it(`api_reader cannot ${action}`, async () => {
      await withConnectionAs(server, "api_reader", passwordOf("api_reader"), BRANCH.address, async (connection) => {
        await expect(connection.query(statement)).rejects.toThrow(/command denied|Access denied/);
      });
    });
  }

  it("replicator cannot read tables", async () => {
    await withConnectionAs(server, "replicator", passwordOf("replicator"), HQ.clientAddress, async (connection) => {
      await expect(connection.query("SELECT * FROM inova_cdr.cdr")).rejects.toThrow(/command denied/);
      await expect(connection.query("SELECT * FROM mysql.user")).rejects.toThrow(/command denied/);
      await expect(connection.query("SHOW BINARY LOGS")).rejects.toThrow(/Access denied/);
    });
  });

  it("admits accounts only from their own address", async () => {
    await expect(connectAs(server, "pbx_writer", passwordOf("pbx_writer"), "127.0.96.23")).rejects.toThrow(/not allowed to connect|Access denied/);
    await expect(connectAs(server, "replicator", passwordOf("replicator"), BRANCH.address)).rejects.toThrow(/not allowed to connect|Access denied/);
  });

  it("rejects a wrong password", async () => {
    await expect(connectAs(server, "api_reader", "wrong-password-0123456789", BRANCH.address)).rejects.toThrow(/Access denied/);
  });
});

describe("User provider", () => {
  const password = "user-provider-password-01";

  it("creates, detects a changed password, restores it and deletes", async () => {
    const { inputs } = await users.check({}, { containerId: server.container, user: "db_test_user", host: "127.0.96.24", password });
    const created = await users.create(inputs!);
    expect(created.id).toBe("db_test_user@127.0.96.24");
    expect(created.outs.passwordMatches).toBe(true);
    expect(JSON.stringify(created.outs)).not.toContain(password);

    const read = await users.read(created.id, created.outs);
    expect(read.props.passwordMatches).toBe(true);
    expect((await users.diff(created.id, read.props, inputs!)).changes).toBe(false);

    await asRoot(server, (connection) =>
      connection.query("ALTER USER 'db_test_user'@'127.0.96.24' IDENTIFIED BY 'set-by-hand-0123456789'"),
    );
    const drifted = await users.read(created.id, created.outs);
    expect(drifted.props.passwordMatches).toBe(false);
    const diff = await users.diff(created.id, drifted.props, inputs!);
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);

    const updated = await users.update(created.id, drifted.props, inputs!);
    expect(updated.outs.passwordMatches).toBe(true);
    expect((await users.read(created.id, updated.outs)).props.passwordMatches).toBe(true);
    const login = await connectAs(server, "db_test_user", password, "127.0.96.24");
    await login.end();

    const newPassword = "user-provider-password-02";
    const changed = await users.check({}, { ...inputs, password: newPassword });
    expect((await users.diff(created.id, updated.outs, changed.inputs!)).replaces).toEqual([]);
    const rotated = await users.update(created.id, updated.outs, changed.inputs!);
    expect(rotated.outs.passwordHash).toBe(nativePasswordHash(newPassword));
    await expect(connectAs(server, "db_test_user", password, "127.0.96.24")).rejects.toThrow(/Access denied/);
    const rotatedLogin = await connectAs(server, "db_test_user", newPassword, "127.0.96.24");
    await rotatedLogin.end();

    await users.delete(created.id, rotated.outs);
    expect(await users.read(created.id, rotated.outs)).toEqual({});
  });
});

describe("Grant provider", () => {
  const account = { user: "db_test_grantee", host: "127.0.96.25" };

  beforeAll(async () => {
    await asRoot(server, (connection) =>
      connection.query("CREATE USER ?@? IDENTIFIED BY 'grantee-password-0123'", [account.user, account.host]),
    );
  });

  it("creates, detects hand changes, restores and deletes", async () => {
    const { inputs } = await grants.check({}, {
      containerId: server.container,
      ...account,
      object: "inova_cdr.cdr",
      privileges: ["insert"],
    });
    const created = await grants.create(inputs!);
    expect(created.id).toBe("grant:db_test_grantee@127.0.96.25:inova_cdr.cdr");
    expect(await showGrants(server, account.user, account.host)).toContain(
      "GRANT INSERT ON `inova_cdr`.`cdr` TO `db_test_grantee`@`127.0.96.25`",
    );

    // A privilege added by hand.
    await asRoot(server, (connection) => connection.query("GRANT DELETE ON inova_cdr.cdr TO ?@?", [account.user, account.host]));
    const widened = await grants.read(created.id, created.outs);
    expect(widened.props.privileges).toEqual(["INSERT", "DELETE"]);
    expect((await grants.diff(created.id, widened.props, inputs!)).changes).toBe(true);
    const restored = await grants.update(created.id, widened.props, inputs!);
    expect((await grants.read(created.id, restored.outs)).props.privileges).toEqual(["INSERT"]);

    // The declared privilege revoked by hand.
    await asRoot(server, (connection) => connection.query("REVOKE INSERT ON inova_cdr.cdr FROM ?@?", [account.user, account.host]));
    const narrowed = await grants.read(created.id, restored.outs);
    expect(narrowed.props.privileges).toEqual([]);
    expect((await grants.diff(created.id, narrowed.props, inputs!)).changes).toBe(true);
    await grants.update(created.id, narrowed.props, inputs!);
    expect((await grants.read(created.id, restored.outs)).props.privileges).toEqual(["INSERT"]);

    // The grant option added by hand.
    await asRoot(server, (connection) =>
      connection.query("GRANT INSERT ON inova_cdr.cdr TO ?@? WITH GRANT OPTION", [account.user, account.host]),
    );
    const delegated = await grants.read(created.id, restored.outs);
    expect(delegated.props.grantOption).toBe(true);
    await grants.update(created.id, delegated.props, inputs!);
    expect(await showGrants(server, account.user, account.host)).toEqual([
      "GRANT USAGE ON *.* TO `db_test_grantee`@`127.0.96.25` IDENTIFIED BY PASSWORD '*" +
        nativePasswordHash("grantee-password-0123").slice(1) +
        "'",
      "GRANT INSERT ON `inova_cdr`.`cdr` TO `db_test_grantee`@`127.0.96.25`",
    ]);

    // New privileges in the program update in place.
    const wider = await grants.check({}, { ...inputs, privileges: ["SELECT", "INSERT"] });
    expect((await grants.diff(created.id, restored.outs, wider.inputs!)).replaces).toEqual([]);
    const updated = await grants.update(created.id, restored.outs, wider.inputs!);
    expect(updated.outs.privileges).toEqual(["SELECT", "INSERT"]);
    expect(await showGrants(server, account.user, account.host)).toContain(
      "GRANT SELECT, INSERT ON `inova_cdr`.`cdr` TO `db_test_grantee`@`127.0.96.25`",
    );

    await grants.delete(created.id, updated.outs);
    expect(await showGrants(server, account.user, account.host)).toHaveLength(1);
    expect((await grants.read(created.id, updated.outs)).props.privileges).toEqual([]);
  });

  it("fails for an account that does not exist", async () => {
    const { inputs } = await grants.check({}, {
      containerId: server.container,
      user: "db_test_nobody",
      host: "127.0.96.26",
      object: "inova_cdr.*",
      privileges: ["SELECT"],
    });
    await expect(grants.create(inputs!)).rejects.toThrow(/the account does not exist/);
    expect(await grants.read("grant:db_test_nobody@127.0.96.26:inova_cdr.*", inputs)).toEqual({});
  });

  it("keeps the SHOW GRANTS privilege order", async () => {
    const { inputs } = await grants.check({}, {
      containerId: server.container,
      ...account,
      object: "*.*",
      privileges: ["SLAVE MONITOR", "BINLOG MONITOR", "REPLICATION SLAVE", "PROCESS", "RELOAD"],
    });
    const created = await grants.create(inputs!);
    const read = await grants.read(created.id, created.outs);
    expect(read.props.privileges).toEqual(inputs!.privileges);
    expect((await grants.diff(created.id, read.props, inputs!)).changes).toBe(false);
    await grants.delete(created.id, read.props);
    expect((await grants.read(created.id, read.props)).props.privileges).toEqual([]);
  });
});

describe("admin connection", () => {
  it("reports a container without the server", async () => {
    await expect(asRoot({ ...server, container: "db-test-does-not-exist" }, (connection) => connection.query("SELECT 1"))).rejects.toThrow(
      /cannot reach the database in container db-test-does-not-exist/,
    );
  });
});
