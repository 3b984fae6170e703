import { describe, expect, it } from "vitest";

import {
  migrationChecksum,
  recordMigrationStatement,
  schemaMigrations,
  validateMigrations,
} from "../../../components/database";

const EXPECTED_CDR_TABLE = [
  "CREATE TABLE IF NOT EXISTS `inova_cdr`.`cdr` (",
  "  `site` VARCHAR(16) NOT NULL,",
  "  `calldate` DATETIME(6) NOT NULL,",
  "  `clid` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `src` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `dst` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `dcontext` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `channel` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `dstchannel` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `lastapp` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `lastdata` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `duration` INT UNSIGNED,",
  "  `billsec` INT UNSIGNED,",
  "  `disposition` VARCHAR(45) NOT NULL DEFAULT '',",
  "  `amaflags` INT,",
  "  `accountcode` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `uniqueid` VARCHAR(150) NOT NULL,",
  "  `userfield` VARCHAR(255) NOT NULL DEFAULT '',",
  "  `linkedid` VARCHAR(150) NOT NULL DEFAULT '',",
  "  `peeraccount` VARCHAR(80) NOT NULL DEFAULT '',",
  "  `sequence` INT NOT NULL,",
  "  PRIMARY KEY (`site`, `uniqueid`, `sequence`),",
  "  KEY `cdr_calldate_keyset` (`calldate`, `site`, `uniqueid`, `sequence`),",
  "  KEY `cdr_site_calldate` (`site`, `calldate`),",
  "  KEY `cdr_src_calldate` (`src`, `calldate`),",
  "  KEY `cdr_dst_calldate` (`dst`, `calldate`),",
  "  KEY `cdr_disposition_calldate` (`disposition`, `calldate`),",
  "  KEY `cdr_linkedid` (`linkedid`)",
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Call detail records; times in UTC'",
].join("\n");

const EXPECTED_MIGRATIONS_TABLE = [
  "CREATE TABLE IF NOT EXISTS `inova_cdr`.`schema_migrations` (",
  "  `version` INT UNSIGNED NOT NULL,",
  "  `description` VARCHAR(255) NOT NULL,",
  "  `checksum` CHAR(64) NOT NULL,",
  "  `applied_at` DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),",
  "  PRIMARY KEY (`version`)",
  ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
].join("\n");

describe("schemaMigrations", () => {
  it("creates the database, schema_migrations and cdr in version 1", () => {
    const [first] = schemaMigrations();
    expect(first.version).toBe(1);
    expect(first.statements).toEqual([
      "CREATE DATABASE IF NOT EXISTS `inova_cdr` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
      EXPECTED_MIGRATIONS_TABLE,
      EXPECTED_CDR_TABLE,
    ]);
  });

  it("lists versions in ascending order", () => {
    const versions = schemaMigrations("tabasco").map((migration) => migration.version);
    expect(versions).toEqual([1, 2]);
    expect(validateMigrations(schemaMigrations("tabasco"))).toEqual([]);
  });

  it("adds the site guard in version 2", () => {
    const guard = schemaMigrations("tabasco")[1];

    expect(guard.version).toBe(2);
    expect(guard.statements).toEqual([
      [
        "CREATE TRIGGER IF NOT EXISTS `inova_cdr`.`cdr_writer_own_site` BEFORE INSERT ON `inova_cdr`.`cdr` FOR EACH ROW",
        "BEGIN",
        "  IF SUBSTRING_INDEX(USER(), '@', 1) = 'pbx_writer' AND NOT (BINARY NEW.`site` <=> BINARY 'tabasco') THEN",
        "    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'pbx_writer may insert only call records of site tabasco';",
        "  END IF;",
        "END",
      ].join("\n"),
    ]);
  });

  it("gives each site its own guard checksum", () => {
    expect(migrationChecksum(schemaMigrations("tabasco")[1])).not.toBe(migrationChecksum(schemaMigrations("silicon")[1]));
    expect(migrationChecksum(schemaMigrations("tabasco")[0])).toBe(migrationChecksum(schemaMigrations("silicon")[0]));
  });

  it("leaves the guard out without a site", () => {
    expect(schemaMigrations().map((migration) => migration.version)).toEqual([1]);
  });

  it("uses only statements safe to repeat", () => {
    for (const migration of schemaMigrations("tabasco")) {
      for (const statement of migration.statements) {
        expect(statement).toMatch(/ IF NOT EXISTS /);
      }
    }
  });
});

describe("migration bookkeeping", () => {
  const [first] = schemaMigrations();

  it("gives a stable checksum", () => {
    expect(migrationChecksum(first)).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationChecksum(first)).toBe(migrationChecksum({ ...first, statements: [...first.statements] }));
  });

  it("changes the checksum with the text", () => {
    const edited = { ...first, statements: [...first.statements.slice(0, 2), first.statements[2].replace("80", "81")] };
    expect(migrationChecksum(edited)).not.toBe(migrationChecksum(first));
  });

  it("records a migration idempotently", () => {
    expect(recordMigrationStatement(first)).toBe(
      "INSERT IGNORE INTO `inova_cdr`.`schema_migrations` (`version`, `description`, `checksum`) " +
        `VALUES (1, 'create the call-record database, its cdr table and schema_migrations', '${migrationChecksum(first)}')`,
    );
  });

  it("rejects repeated or descending versions", () => {
    const statements = ["SELECT 1"];
    expect(
      validateMigrations([
        { version: 2, description: "b", statements },
        { version: 1, description: "a", statements },
        { version: 1, description: "c", statements: [] },
      ]),
    ).toEqual([
      "migration 1 follows 2; versions must ascend without repeats",
      "migration 1 follows 2; versions must ascend without repeats",
      "migration 1 has no statements",
    ]);
  });

  it("rejects a version below 1", () => {
    expect(validateMigrations([{ version: 0, description: "a", statements: ["SELECT 1"] }])).toEqual([
      "migration version 0 is not a positive integer",
    ]);
  });
});
