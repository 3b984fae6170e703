// Dynamic provider that applies schema migrations in version order.
//
// Applied versions are recorded in inova_cdr.schema_migrations with a
// checksum. A pending migration runs statement by statement and is recorded
// afterwards; its statements are idempotent, so one interrupted half way runs
// again in full. A migration whose text changed after it was applied stops
// the update. Deleting the resource keeps the schema and its data.

import type * as pulumi from "@pulumi/pulumi";
import type { Connection } from "mariadb";

import { CDR_DATABASE, MIGRATIONS_TABLE, type Migration } from "../../database/model";
import {
  appliedMigrationsQuery,
  migrationChecksum,
  recordMigrationStatement,
  validateMigrations,
} from "../../database/schema";
import { containsUnknown, deepEqual, logLine, toPlainData } from "../docker/common";
import { withAdminConnection, withAdminConnectionIfPresent } from "./admin-connection";
import { checkTarget, targetChanged, targetOf, type TargetInputs } from "./common";

export interface MigrationsProviderInputs extends TargetInputs {
  /** Migrations in ascending version order. */
  readonly migrations: readonly Migration[];
}

export interface MigrationsProviderOutputs extends MigrationsProviderInputs {
  /** Version to checksum of every migration recorded on the server. */
  readonly applied: Readonly<Record<string, string>>;
}

/** Name of the advisory lock that keeps two runs from applying migrations at once. */
function migrationLockName(): string {
  return "inova_cdr.schema_migrations";
}

/** Seconds to wait for another run that holds the migration lock. */
function migrationLockTimeoutSeconds(): number {
  return 60;
}

async function checkMigrations(
  _olds: Partial<MigrationsProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<MigrationsProviderInputs>> {
  const inputs: Record<string, unknown> = { ...news };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  checkTarget(inputs, failures);
  const migrations = inputs.migrations;
  if (!containsUnknown(migrations)) {
    const wellFormed =
      Array.isArray(migrations) &&
      migrations.every(
        (migration) =>
          migration !== null &&
          typeof migration === "object" &&
          typeof migration.version === "number" &&
          typeof migration.description === "string" &&
          Array.isArray(migration.statements) &&
          migration.statements.every((statement: unknown) => typeof statement === "string"),
      );
    if (!wellFormed) {
      failures.push({
        property: "migrations",
        reason: "migrations must be a list of { version: number, description: string, statements: string[] }",
      });
    } else {
      for (const problem of validateMigrations(migrations as Migration[])) {
        failures.push({ property: "migrations", reason: problem });
      }
    }
  }
  return { inputs: inputs as unknown as MigrationsProviderInputs, failures };
}

/** Returns version to checksum of the declared migrations. */
function declaredChecksums(migrations: readonly Migration[]): Record<string, string> {
  const checksums: Record<string, string> = {};
  for (const migration of migrations) {
    checksums[String(migration.version)] = migrationChecksum(migration);
  }
  return checksums;
}

/** Updates in place whenever a declared migration is not recorded on the server with the same checksum. */
async function diffMigrations(
  _id: string,
  olds: MigrationsProviderOutputs,
  news: MigrationsProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  if (containsUnknown(news.migrations)) {
    return { changes: true, replaces: [], deleteBeforeReplace: false };
  }
  const declared = declaredChecksums(news.migrations);
  const pending = Object.entries(declared).some(([version, checksum]) => olds.applied?.[version] !== checksum);
  return {
    changes: pending || targetChanged(olds, news) || !deepEqual(olds.migrations, news.migrations),
    replaces: [],
    deleteBeforeReplace: false,
  };
}

/** Returns version to checksum of the migrations recorded on the server; empty before the first one. */
async function readApplied(connection: Connection): Promise<Record<string, string>> {
  const tables = (await connection.query(
    "SELECT COUNT(*) AS count FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    [CDR_DATABASE, MIGRATIONS_TABLE],
  )) as Array<{ count: number }>;
  if (Number(tables[0].count) === 0) {
    return {};
  }
  const rows = (await connection.query(appliedMigrationsQuery())) as Array<{ version: number; checksum: string }>;
  const applied: Record<string, string> = {};
  for (const row of rows) {
    applied[String(row.version)] = row.checksum;
  }
  return applied;
}

/** Applies every pending migration in order under the migration lock; returns what is recorded afterwards. */
async function applyMigrations(inputs: MigrationsProviderInputs): Promise<MigrationsProviderOutputs> {
  const applied = await withAdminConnection(targetOf(inputs), async (connection) => {
    const locks = (await connection.query("SELECT GET_LOCK(?, ?) AS locked", [
      migrationLockName(),
      migrationLockTimeoutSeconds(),
    ])) as Array<{ locked: number | null }>;
    if (Number(locks[0].locked) !== 1) {
      throw new Error(
        `timed out after ${migrationLockTimeoutSeconds()} s waiting for lock ${migrationLockName()}; another run is applying migrations`,
      );
    }
    try {
      const before = await readApplied(connection);
      for (const migration of [...inputs.migrations].sort((left, right) => left.version - right.version)) {
        const checksum = migrationChecksum(migration);
        const recorded = before[String(migration.version)];
        if (recorded === checksum) {
          continue;
        }
        if (recorded !== undefined) {
          throw new Error(
            `migration ${migration.version} (${migration.description}) was applied with checksum ${recorded}, but its text now gives ${checksum}; an applied migration must not change, so add a new migration instead`,
          );
        }
        logLine(`applying migration ${migration.version}: ${migration.description}`);
        for (const statement of migration.statements) {
          await connection.query(statement);
        }
        await connection.query(recordMigrationStatement(migration));
      }
      return await readApplied(connection);
    } finally {
      await connection.query("SELECT RELEASE_LOCK(?)", [migrationLockName()]);
    }
  });
  return toPlainData({ ...inputs, applied });
}

async function createMigrations(
  inputs: MigrationsProviderInputs,
): Promise<pulumi.dynamic.CreateResult<MigrationsProviderOutputs>> {
  return { id: `migrations:${CDR_DATABASE}`, outs: await applyMigrations(inputs) };
}

async function updateMigrations(
  _id: string,
  _olds: MigrationsProviderOutputs,
  news: MigrationsProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<MigrationsProviderOutputs>> {
  return { outs: await applyMigrations(news) };
}

/** Reads the recorded migrations; a server without them shows every migration as pending. */
async function readMigrations(
  id: string,
  props?: MigrationsProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<MigrationsProviderOutputs>> {
  if (props === undefined) {
    throw new Error(`cannot import ${id}: its container is unknown; create it with pulumi up instead`);
  }
  const applied = await withAdminConnectionIfPresent(targetOf(props), (connection) => readApplied(connection));
  if (applied === undefined) {
    return {};
  }
  return { id, props: toPlainData({ ...props, applied }) };
}

async function deleteMigrations(_id: string, props: MigrationsProviderOutputs): Promise<void> {
  logLine(`migrations of ${CDR_DATABASE} in container ${props.containerId} are never rolled back; the schema goes only with its database or data volume`);
}

/** Provider of the `Migrations` dynamic resource. */
export const migrationsProvider: pulumi.dynamic.ResourceProvider<MigrationsProviderInputs, MigrationsProviderOutputs> = {
  check: checkMigrations as unknown as pulumi.dynamic.ResourceProvider<
    MigrationsProviderInputs,
    MigrationsProviderOutputs
  >["check"],
  diff: diffMigrations,
  create: createMigrations,
  update: updateMigrations,
  read: readMigrations,
  delete: deleteMigrations,
};
