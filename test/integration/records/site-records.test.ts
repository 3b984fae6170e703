// Call records of one site. Real SIP calls through the rendered PBX leave a row in the site's
// MariaDB and a line in the journal. Records made while the database was down reach it from
// the journal within a minute of its return, each once.
// Needs Docker with the inova/asterisk and inova/mariadb images, and baresip.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { JOURNAL_COLUMNS } from "../../../components/asterisk";
import { writeToneWav } from "../../support/audio";
import { waitForReachableContact } from "../../support/phones/reachable";
import { SipPhone } from "../../support/phones/sip-phone";
import { sleep, waitFor } from "../../support/phones/wait";
import { parseJournalLine, RecordsSite } from "./support";

const ADDRESS = "127.0.93.1";
const CALLER = "100";
const CALLEE = "101";

let site: RecordsSite;
let audioDir: string;
const phones: SipPhone[] = [];

async function startPhone(user: string, host: number, hz: number): Promise<SipPhone> {
  const phone = await SipPhone.start({
    user,
    password: site.secrets.extensionPasswords[user],
    server: `${ADDRESS}:5060`,
    localAddress: `127.0.93.${host}`,
    audioFile: await writeToneWav(join(audioDir, `${user}-${hz}.wav`), hz, 120),
  });
  phones.push(phone);
  await phone.register();
  await waitForReachableContact((command) => site.cli(command), user);
  return phone;
}

/** Places a call from CALLER that CALLEE answers, lasting about `talkMs`. */
async function answeredCall(caller: SipPhone, callee: SipPhone, talkMs: number): Promise<void> {
  await caller.dial(CALLEE);
  await callee.waitForIncoming();
  await callee.answer();
  await caller.waitForState("ESTABLISHED");
  await sleep(talkMs);
  await caller.hangup();
  await callee.waitForState("CLOSED");
  await caller.waitForState("CLOSED");
}

/** Rows as `uniqueid/sequence` keys, counted. */
function keyCounts(rows: ReadonlyArray<Record<string, unknown>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = `${String(row.uniqueid)}/${String(row.sequence)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function journalKeys(lines: readonly string[]): string[] {
  const uniqueid = JOURNAL_COLUMNS.findIndex((entry) => entry.column === "uniqueid");
  const sequence = JOURNAL_COLUMNS.findIndex((entry) => entry.column === "sequence");
  return lines.map((line) => {
    const fields = parseJournalLine(line);
    if (fields === undefined) {
      throw new Error(`journal line is not a quoted CSV record: ${line}`);
    }
    return `${fields[uniqueid]}/${fields[sequence]}`;
  });
}

beforeAll(async () => {
  audioDir = mkdtempSync(join(tmpdir(), "rec-test-audio-"));
  site = await RecordsSite.start({ name: "site", code: "mochis", address: ADDRESS, rtpStart: 23000 });
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    console.log(await site?.diagnostics());
  }
  await Promise.allSettled(phones.splice(0).map((phone) => phone.stop()));
});

afterAll(() => {
  site?.removeAll();
  rmSync(audioDir, { recursive: true, force: true });
});

describe("call records at a site", () => {
  it("stores an answered call in the database at hang-up", async () => {
    const caller = await startPhone(CALLER, 11, 700);
    const callee = await startPhone(CALLEE, 12, 1300);
    await answeredCall(caller, callee, 2_000);

    // The reconciler runs every 15 s, so a row within 5 s came from cdr_adaptive_odbc.
    const rows = await waitFor(async () => {
      const found = await site.cdrRows();
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 5_000, intervalMs: 250, description: () => "a cdr row" });

    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row.site).toBe("mochis");
    expect(row.src).toBe(CALLER);
    expect(row.dst).toBe(CALLEE);
    expect(row.disposition).toBe("ANSWERED");
    expect(Number(row.billsec)).toBeGreaterThanOrEqual(1);
    expect(Number(row.billsec)).toBeLessThanOrEqual(4);
    expect(Number(row.duration)).toBeGreaterThanOrEqual(Number(row.billsec));
    expect(String(row.uniqueid)).toMatch(/^mochis-\d+\.\d+$/);
    expect(String(row.channel)).toMatch(new RegExp(`^PJSIP/${CALLER}-`));
    expect(String(row.dstchannel)).toMatch(new RegExp(`^PJSIP/${CALLEE}-`));
  });

  it("stores the call time in UTC", async () => {
    const [row] = await site.cdrRows();
    expect(Math.abs(Date.now() / 1000 - Number(row.calldate_epoch))).toBeLessThan(120);
  });

  it("journals the call with every column", async () => {
    const [row] = await site.cdrRows();
    const lines = await site.journalLines();
    expect(lines).toHaveLength(1);
    const fields = parseJournalLine(lines[0]);
    expect(fields).toBeDefined();
    expect(fields).toHaveLength(JOURNAL_COLUMNS.length);

    const journal = Object.fromEntries(JOURNAL_COLUMNS.map((entry, index) => [entry.column, fields![index]]));
    for (const { column } of JOURNAL_COLUMNS) {
      if (column === "calldate") {
        // The journal has the start as Unix time with microseconds.
        expect(Math.floor(Number(journal.calldate))).toBe(Math.floor(Number(row.calldate_epoch)));
      } else {
        expect(journal[column], column).toBe(String(row[column]));
      }
    }
  });

  it("loads records made while the database was down", async () => {
    site.stopDatabase();
    const caller = await startPhone(CALLER, 11, 700);
    const callee = await startPhone(CALLEE, 12, 1300);
    for (let call = 0; call < 3; call++) {
      await answeredCall(caller, callee, 1_000);
    }
    await sleep(1_000);
    const lines = await site.journalLines();
    expect(lines).toHaveLength(4);

    await site.restartDatabase();
    const returned = Date.now();
    const rows = await waitFor(async () => {
      const found = await site.cdrRows();
      return found.length >= 4 ? found : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500, description: () => "the journaled records in the database" });
    expect(Date.now() - returned).toBeLessThan(60_000);

    const counts = keyCounts(rows);
    expect([...counts.keys()].sort()).toEqual(journalKeys(lines).sort());
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(rows.filter((row) => row.disposition === "ANSWERED")).toHaveLength(4);
  });

  it("logs the records it loaded", async () => {
    const logs = await site.diagnostics();
    expect(logs).toMatch(/inova-records-reconcile: inserted 3 of \d+ journaled records/);
  });

  it("stores nothing twice on later passes", async () => {
    await sleep(16_000);
    const rows = await site.cdrRows();
    expect(rows).toHaveLength(4);
    const once = await site.exec(["inova-records-reconcile", "--once"], "asterisk");
    expect(once.stdout.trim()).toBe("read=0 inserted=0 rejected=0");
  });
});
