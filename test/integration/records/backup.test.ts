// Backups of a site's call records. The database container writes them on a schedule to the
// backup volume and keeps the newest ones. A backup restores every record into a new, empty
// server, without removing newer records or writing the binary log.
// Needs Docker with the inova/mariadb image.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sleep, waitFor } from "../../support/phones/wait";
import { cdrRow, insertCdr } from "../database/support";
import { RecordsSite } from "./support";

const BACKUP_INTERVAL_SECONDS = 3;
const BACKUPS_KEPT = 2;
const KEPT_BACKUP = "/var/backups/inova-cdr/restore-test.sql.gz";

let site: RecordsSite;

async function insertRows(uniqueids: readonly string[]): Promise<void> {
  await site.asRoot(async (connection) => {
    for (const uniqueid of uniqueids) {
      const { sql, values } = insertCdr({ ...cdrRow("mochis", uniqueid), clid: '"O\'Brien \\\\ Sons" <100>' });
      await connection.query(sql, values);
    }
  });
}

async function rows(): Promise<Array<Record<string, unknown>>> {
  return (await site.asRoot((connection) =>
    connection.query("SELECT uniqueid, clid, billsec, CAST(calldate AS CHAR) AS calldate FROM inova_cdr.cdr ORDER BY uniqueid"),
  )) as Array<Record<string, unknown>>;
}

async function binlogPosition(): Promise<string> {
  const result = (await site.asRoot((connection) => connection.query("SELECT @@gtid_binlog_pos AS position"))) as Array<{
    position: string;
  }>;
  return result[0].position;
}

beforeAll(async () => {
  site = await RecordsSite.start({
    name: "backup",
    code: "mochis",
    address: "127.0.93.2",
    rtpStart: 23600,
    backupIntervalSeconds: BACKUP_INTERVAL_SECONDS,
    backupsKept: BACKUPS_KEPT,
    pbx: false,
  });
});

afterAll(() => site?.removeAll());

describe("call record backups", () => {
  it("writes backups on the schedule", async () => {
    await insertRows(["mochis-1768500000.1", "mochis-1768500000.2", "mochis-1768500000.3"]);
    const files = await waitFor(async () => {
      const found = await site.backupFiles();
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500, description: () => "the first scheduled backup" });
    expect(files[0]).toMatch(/^cdr-\d{8}T\d{6}Z\.sql\.gz$/);
  });

  it("keeps only the newest backups", async () => {
    await sleep((BACKUP_INTERVAL_SECONDS * (BACKUPS_KEPT + 2) + 2) * 1000);
    expect(await site.backupFiles()).toHaveLength(BACKUPS_KEPT);
  });

  it("restores every record into an empty server", async () => {
    const before = await rows();
    expect(before).toHaveLength(3);
    const backup = await site.execInDatabase(["inova-mariadb-backup"]);
    expect(backup.exitCode, backup.stderr).toBe(0);
    // The schedule goes on removing older backups, so the test keeps a copy under another name.
    const newest = (await site.backupFiles()).at(-1) as string;
    const copied = await site.execInDatabase(["cp", `/var/backups/inova-cdr/${newest}`, KEPT_BACKUP]);
    expect(copied.exitCode, copied.stderr).toBe(0);

    await site.replaceDatabaseWithEmpty();
    expect(await rows()).toEqual([]);
    // A record stored after the backup must survive the restore.
    await insertRows(["mochis-1768500000.4"]);
    const position = await binlogPosition();

    const restore = await site.execInDatabase(["inova-mariadb-restore", KEPT_BACKUP]);
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.stderr).toContain("3 rows added, 4 rows in inova_cdr.cdr");

    const after = await rows();
    expect(after.slice(0, 3)).toEqual(before);
    expect(after.map((row) => row.uniqueid)).toEqual([
      "mochis-1768500000.1",
      "mochis-1768500000.2",
      "mochis-1768500000.3",
      "mochis-1768500000.4",
    ]);
    expect(await binlogPosition()).toBe(position);
  });

  it("restores the same backup twice without duplicates", async () => {
    const restore = await site.execInDatabase(["inova-mariadb-restore", KEPT_BACKUP]);
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.stderr).toContain("0 rows added, 4 rows in inova_cdr.cdr");
  });

  it("rejects a missing backup file", async () => {
    const restore = await site.execInDatabase(["inova-mariadb-restore", "/var/backups/inova-cdr/none.sql.gz"]);
    expect(restore.exitCode).toBe(64);
    expect(restore.stderr).toContain("usage: inova-mariadb-restore BACKUP_FILE");
  });
});
