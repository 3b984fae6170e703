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
import type { SiteCode } from "../model/types";
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

/** Account of the site's PBX, the only one that the guard trigger restricts. */
const GUARDED_WRITER = "pbx_writer";

/** Name of the trigger that keeps the PBX writer to its own site's rows. */
export const SITE_GUARD_TRIGGER = "cdr_writer_own_site";

/**
 * Renders CREATE TRIGGER of the guard. An INSERT by pbx_writer whose `site` is not `site`
 * fails with SQLSTATE 45000. The comparison is binary, so a different letter case is another
 * site. Rows that HQ's replica threads apply pass, because MariaDB runs no triggers for
 * row-based events (binlog_format is ROW and slave_run_triggers_for_rbr stays NO) and those
 * threads do not log in as pbx_writer. Root's restores pass too.
 */
function createSiteGuardTrigger(site: SiteCode): string {
  const message = `${GUARDED_WRITER} may insert only call records of site ${site}`;
  return [
    `CREATE TRIGGER IF NOT EXISTS ${qualified(SITE_GUARD_TRIGGER)} BEFORE INSERT ON ${qualified(CDR_TABLE)} FOR EACH ROW`,
    "BEGIN",
    `  IF SUBSTRING_INDEX(USER(), '@', 1) = ${quoteString(GUARDED_WRITER)} AND NOT (BINARY NEW.\`site\` <=> BINARY ${quoteString(site)}) THEN`,
    `    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = ${quoteString(message)};`,
    "  END IF;",
    "END",
  ].join("\n");
}

/**
 * Returns every migration of the call-record database of `site` in ascending version order.
 * Without a site, the list stops before the guard trigger, because the trigger needs the
 * site's code. Only tests of servers that store no site's own rows leave the site out.
 */
export function schemaMigrations(site?: SiteCode): Migration[] {
  const migrations: Migration[] = [
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
  if (site !== undefined) {
    migrations.push({
      version: 2,
      description: `reject rows of other sites than ${site} from ${GUARDED_WRITER}`,
      statements: [createSiteGuardTrigger(site)],
    });
  }
  return migrations;
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
