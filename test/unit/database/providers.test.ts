// check and diff of the MariaDB providers; neither contacts a server.

import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";

import { migrationChecksum, nativePasswordHash, schemaMigrations } from "../../../components/database";
import { unknownPlaceholder } from "../../../components/providers/docker/common";
import { grantProvider as typedGrantProvider, type GrantProviderOutputs } from "../../../components/providers/mariadb/grant-provider";
import {
  migrationsProvider as typedMigrationsProvider,
  type MigrationsProviderOutputs,
} from "../../../components/providers/mariadb/migrations-provider";
import { userProvider as typedUserProvider, type UserProviderOutputs } from "../../../components/providers/mariadb/user-provider";

/** The providers with untyped inputs, as the engine calls them. */
type Provider = Required<pulumi.dynamic.ResourceProvider>;
const userProvider = typedUserProvider as unknown as Provider;
const grantProvider = typedGrantProvider as unknown as Provider;
const migrationsProvider = typedMigrationsProvider as unknown as Provider;

const CONTAINER = "db-test-unit";
const PASSWORD = "a-long-password-0001";

describe("User provider", () => {
  const olds: UserProviderOutputs = {
    containerId: CONTAINER,
    socketPath: "/run/mariadbd/mysqld.sock",
    user: "pbx_writer",
    host: "127.0.82.1",
    plugin: "mysql_native_password",
    passwordHash: nativePasswordHash(PASSWORD),
    passwordMatches: true,
  };
  const inputs = { containerId: CONTAINER, socketPath: "/run/mariadbd/mysqld.sock", user: "pbx_writer", host: "127.0.82.1", password: PASSWORD };

  it("sees no change for the same password", async () => {
    expect(await userProvider.diff("id", olds, inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("updates in place for a new password", async () => {
    const diff = await userProvider.diff("id", olds, { ...inputs, password: "another-password-0002" });
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);
  });

  it("updates when the live password differs", async () => {
    const diff = await userProvider.diff("id", { ...olds, passwordMatches: false }, inputs);
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);
  });

  it("replaces for a new host", async () => {
    const diff = await userProvider.diff("id", olds, { ...inputs, host: "127.0.0.1" });
    expect(diff.replaces).toEqual(["host"]);
  });

  it("updates in place for a new container", async () => {
    const diff = await userProvider.diff("id", olds, { ...inputs, containerId: "db-test-other" });
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);
  });

  it("fills in the socket path", async () => {
    const { inputs: checked, failures } = await userProvider.check({}, { containerId: CONTAINER, user: "u", host: "127.0.0.1", password: PASSWORD });
    expect(failures).toEqual([]);
    expect(checked!.socketPath).toBe("/run/mariadbd/mysqld.sock");
  });

  it("rejects a host name, a short password and a bad user", async () => {
    const { failures } = await userProvider.check({}, { containerId: CONTAINER, user: "bad user", host: "db.example", password: "short" });
    expect(failures?.map((failure) => failure.property)).toEqual(["user", "host", "password"]);
  });

  it("accepts unknown values during a preview", async () => {
    const unknown = unknownPlaceholder();
    const { failures } = await userProvider.check({}, { containerId: unknown, user: unknown, host: unknown, password: unknown });
    expect(failures).toEqual([]);
  });
});

describe("Grant provider", () => {
  const olds: GrantProviderOutputs = {
    containerId: CONTAINER,
    socketPath: "/run/mariadbd/mysqld.sock",
    user: "replicator",
    host: "127.0.81.1",
    object: "*.*",
    privileges: ["REPLICATION SLAVE"],
    grantOption: false,
  };

  it("canonicalises privilege names", async () => {
    const { inputs, failures } = await grantProvider.check({}, {
      containerId: CONTAINER,
      user: "replicator",
      host: "127.0.81.1",
      object: "*.*",
      privileges: ["replication replica", "REPLICA MONITOR", "REPLICATION SLAVE"],
    });
    expect(failures).toEqual([]);
    expect(inputs!.privileges).toEqual(["REPLICATION SLAVE", "SLAVE MONITOR"]);
  });

  it("rejects ALL PRIVILEGES and a bad object", async () => {
    const { failures } = await grantProvider.check({}, {
      containerId: CONTAINER,
      user: "x",
      host: "127.0.0.1",
      object: "inova_cdr",
      privileges: ["ALL PRIVILEGES"],
    });
    expect(failures?.map((failure) => failure.property)).toEqual(["object", "privileges"]);
  });

  it("sees no change for the same privileges", async () => {
    const diff = await grantProvider.diff("id", olds, { ...olds });
    expect(diff.changes).toBe(false);
  });

  it("updates in place when privileges differ", async () => {
    const diff = await grantProvider.diff("id", { ...olds, privileges: ["REPLICATION SLAVE", "SUPER"] }, { ...olds });
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);
  });

  it("updates in place when the grant option appeared", async () => {
    const diff = await grantProvider.diff("id", { ...olds, grantOption: true }, { ...olds });
    expect(diff.changes).toBe(true);
  });

  it("replaces for a new object", async () => {
    const diff = await grantProvider.diff("id", olds, { ...olds, object: "inova_cdr.*" });
    expect(diff.replaces).toEqual(["object"]);
  });
});

describe("Migrations provider", () => {
  const migrations = schemaMigrations();

  it("sees nothing pending when every checksum is recorded", async () => {
    const { inputs } = await migrationsProvider.check({}, { containerId: CONTAINER, migrations });
    const applied: Record<string, string> = {};
    for (const migration of migrations) {
      applied[String(migration.version)] = migrationChecksum(migration);
    }
    const olds: MigrationsProviderOutputs = { ...inputs, applied };
    expect((await migrationsProvider.diff("id", olds, inputs)).changes).toBe(false);
  });

  it("updates when a migration is not recorded", async () => {
    const { inputs } = await migrationsProvider.check({}, { containerId: CONTAINER, migrations });
    const olds: MigrationsProviderOutputs = { ...inputs, applied: {} };
    expect((await migrationsProvider.diff("id", olds, inputs)).changes).toBe(true);
  });

  it("rejects unordered migrations", async () => {
    const { failures } = await migrationsProvider.check({}, {
      containerId: CONTAINER,
      migrations: [
        { version: 2, description: "b", statements: ["SELECT 1"] },
        { version: 1, description: "a", statements: ["SELECT 1"] },
      ],
    });
    expect(failures).toEqual([{ property: "migrations", reason: "migration 1 follows 2; versions must ascend without repeats" }]);
  });
});
