// Schema of the call-record database, as ordered migrations.
//
// Every statement is safe to run again, so a migration interrupted half way
// is simply applied once more. Each server applies the migrations itself with
// binary logging off for the session: schema changes do not replicate, and
// HQ's replication filter lets only rows of inova_cdr.cdr through.

import {
  CDR_CHARACTER_SET,
  CDR_COLLATION,
  CDR_DATABASE,
  CDR_TABLE,
  MIGRATIONS_TABLE,
  type Migration,
} from "./model";
import { quoteIdentifier, quoteString } from "./sql";

function qualified(table: string): string {
  return `${quoteIdentifier(CDR_DATABASE)}.${quoteIdentifier(table)}`;
}

const TABLE_OPTIONS = `ENGINE=InnoDB DEFAULT CHARSET=${CDR_CHARACTER_SET} COLLATE=${CDR_COLLATION}`;

/** Text columns of `cdr` with their lengths, in table order after `site` and `calldate`. */
const CDR_TEXT_COLUMNS: ReadonlyArray<readonly [string, number]> = [
  ["clid", 80],
  ["src", 80],
  ["dst", 80],
  ["dcontext", 80],
  ["channel", 80],
  ["dstchannel", 80],
  ["lastapp", 80],
  ["lastdata", 80],
];

function textColumn(name: string, length: number): string {
  return `  ${quoteIdentifier(name)} VARCHAR(${length}) NOT NULL DEFAULT ''`;
}

/**
 * Renders CREATE TABLE of `cdr`. `site`, `calldate`, `uniqueid` and `sequence`
 * identify a record and have no default, so an INSERT that leaves one out fails.
 */
function createCdrTable(): string {
  const columns = [
    `  \`site\` VARCHAR(16) NOT NULL`,
    `  \`calldate\` DATETIME(6) NOT NULL`,
    ...CDR_TEXT_COLUMNS.map(([name, length]) => textColumn(name, length)),
    `  \`duration\` INT UNSIGNED`,
    `  \`billsec\` INT UNSIGNED`,
    textColumn("disposition", 45),
    `  \`amaflags\` INT`,
    textColumn("accountcode", 80),
    `  \`uniqueid\` VARCHAR(150) NOT NULL`,
    textColumn("userfield", 255),
    textColumn("linkedid", 150),
    textColumn("peeraccount", 80),
    `  \`sequence\` INT NOT NULL`,
    "  PRIMARY KEY (`site`, `uniqueid`, `sequence`)",
    "  KEY `cdr_calldate_keyset` (`calldate`, `site`, `uniqueid`, `sequence`)",
    "  KEY `cdr_site_calldate` (`site`, `calldate`)",
    "  KEY `cdr_src_calldate` (`src`, `calldate`)",
    "  KEY `cdr_dst_calldate` (`dst`, `calldate`)",
    "  KEY `cdr_disposition_calldate` (`disposition`, `calldate`)",
    "  KEY `cdr_linkedid` (`linkedid`)",
  ];
  return `CREATE TABLE IF NOT EXISTS ${qualified(CDR_TABLE)} (\n${columns.join(",\n")}\n) ${TABLE_OPTIONS} COMMENT='Call detail records; times in UTC'`;
}

/** Renders CREATE TABLE of `schema_migrations`, which records each applied migration. */
function createMigrationsTable(): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(MIGRATIONS_TABLE)} (`,
    "  `version` INT UNSIGNED NOT NULL,",
    "  `description` VARCHAR(255) NOT NULL,",
    "  `checksum` CHAR(64) NOT NULL,",
    "  `applied_at` DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),",
    "  PRIMARY KEY (`version`)",
    `) ${TABLE_OPTIONS}`,
  ].join("\n");
}

/** Returns every migration of the call-record database in ascending version order. */
export function schemaMigrations(): Migration[] {
  return [
    {
      version: 1,
      description: "create the call-record database, its cdr table and schema_migrations",
      statements: [
        `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(CDR_DATABASE)} CHARACTER SET ${CDR_CHARACTER_SET} COLLATE ${CDR_COLLATION}`,
        createMigrationsTable(),
        createCdrTable(),
      ],
    },
  ];
}

/** Returns the SHA-256 hex digest of a migration's version, description and statements. */
export function migrationChecksum(migration: Migration): string {
  const crypto: typeof import("crypto") = require("crypto");
  const text = JSON.stringify([migration.version, migration.description, migration.statements]);
  return crypto.createHash("sha256").update(text, "utf8").digest("hex");
}

/** Renders the INSERT that records a migration as applied; running it again changes nothing. */
export function recordMigrationStatement(migration: Migration): string {
  return (
    `INSERT IGNORE INTO ${qualified(MIGRATIONS_TABLE)} (\`version\`, \`description\`, \`checksum\`) ` +
    `VALUES (${migration.version}, ${quoteString(migration.description)}, ${quoteString(migrationChecksum(migration))})`
  );
}

/** Query that lists the applied migrations, oldest first; valid once migration 1 has run. */
export function appliedMigrationsQuery(): string {
  return `SELECT \`version\`, \`checksum\` FROM ${qualified(MIGRATIONS_TABLE)} ORDER BY \`version\``;
}

/** Returns a message for each problem of a migration list: versions not ascending integers, duplicates or no statements. */
export function validateMigrations(migrations: readonly Migration[]): string[] {
  const problems: string[] = [];
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      problems.push(`migration version ${migration.version} is not a positive integer`);
    } else if (migration.version <= previous) {
      problems.push(`migration ${migration.version} follows ${previous}; versions must ascend without repeats`);
    }
    if (migration.statements.length === 0) {
      problems.push(`migration ${migration.version} has no statements`);
    }
    previous = Math.max(previous, migration.version);
  }
  return problems;
}
