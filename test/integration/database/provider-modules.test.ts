// The Pulumi engine runs each dynamic provider in a separate Node.js process,
// from the module text that the resource carries (components/providers/project-resource.ts).
// These tests load the MariaDB providers' texts with require-from-string, as the
// dynamic provider host does, and drive the loaded providers against a server
// built from assets/mariadb.

import { createRequire } from "node:module";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { databaseSite, schemaMigrations } from "../../../components/database";
import { PROVIDERS, providerModuleText } from "../../../components/providers/project-resource";
import { buildImage, connectAs, showGrants, TestServers, type Provider, type TestServer } from "./support";

const PROJECT_ROOT = join(__dirname, "..", "..", "..");
const SITE = databaseSite({ code: "serialized", role: "branch", address: "127.0.96.41", serverId: 9641, gtidDomainId: 9641 });

const servers = new TestServers();
let server: TestServer;
const providers: Record<string, Provider> = {};

/** Loads a provider from its module text the way `@pulumi/pulumi/cmd/dynamic-provider` does. */
function loadProvider(text: string): Provider {
  const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
  const requireFromString = pulumiRequire("require-from-string") as (code: string) => { handler(): Provider };
  return requireFromString(text).handler();
}

beforeAll(async () => {
  // The engine starts the provider host in the project directory; the module text relies on it.
  if (process.cwd() !== PROJECT_ROOT) {
    throw new Error(`run these tests from ${PROJECT_ROOT}, not ${process.cwd()}`);
  }
  for (const name of ["database", "user", "grant", "migrations", "replicaConnection"] as const) {
    providers[name] = loadProvider(providerModuleText(PROVIDERS[name]));
  }
  buildImage();
  server = await servers.start("serialized", SITE);
});
afterAll(() => servers.removeAll());

describe("MariaDB provider modules", () => {
  it("create a database, schema, account and grant", async () => {
    const database = providers.database;
    const databaseInputs = (await database.check({}, { containerId: server.container, name: "inova_cdr" })).inputs!;
    const createdDatabase = await database.create(databaseInputs);
    expect(createdDatabase.outs).toMatchObject({ name: "inova_cdr", characterSet: "utf8mb4", collation: "utf8mb4_unicode_ci" });
    expect((await database.read(createdDatabase.id, createdDatabase.outs)).id).toBe("inova_cdr");

    const migrations = providers.migrations;
    const migrationInputs = (await migrations.check({}, { containerId: server.container, migrations: schemaMigrations() })).inputs!;
    expect(Object.keys((await migrations.create(migrationInputs)).outs.applied)).toEqual(["1"]);

    const password = "serialized-password-0123";
    const user = providers.user;
    const userInputs = (await user.check({}, { containerId: server.container, user: "api_reader", host: SITE.address, password })).inputs!;
    const createdUser = await user.create(userInputs);
    expect(createdUser.outs.passwordMatches).toBe(true);

    const grant = providers.grant;
    const grantInputs = (
      await grant.check({}, { containerId: server.container, user: "api_reader", host: SITE.address, object: "inova_cdr.*", privileges: ["SELECT"] })
    ).inputs!;
    await grant.create(grantInputs);
    expect(await showGrants(server, "api_reader", SITE.address)).toContain("GRANT SELECT ON `inova_cdr`.* TO `api_reader`@`127.0.96.41`");

    const client = await connectAs(server, "api_reader", password, SITE.address);
    expect(await client.query("SELECT COUNT(*) AS count FROM inova_cdr.cdr")).toEqual([{ count: 0n }]);
    await client.end();

    await user.delete(createdUser.id, createdUser.outs);
    expect(await user.read(createdUser.id, createdUser.outs)).toEqual({});
  });

  it("keep a database on delete unless asked", async () => {
    const database = providers.database;
    const inputs = (await database.check({}, { containerId: server.container, name: "db_test_kept" })).inputs!;
    const created = await database.create(inputs);
    await database.delete(created.id, created.outs);
    expect((await database.read(created.id, created.outs)).id).toBe("db_test_kept");

    const dropping = (await database.check({}, { ...inputs, deleteOnDestroy: true })).inputs!;
    await database.update(created.id, created.outs, dropping);
    await database.delete(created.id, dropping);
    expect(await database.read(created.id, dropping)).toEqual({});
  });
});
