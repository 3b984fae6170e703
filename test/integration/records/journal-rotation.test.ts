// Rotation of the call-record journal by inova-records-reconcile in a real PBX container:
// the journal is renamed to a part once it reaches ROTATE_BYTES, cdr_custom starts a new
// journal with the next record, parts with records the database lacks stay until it is back,
// and a part is removed once every record of it is in the database.
// Needs Docker with the inova/asterisk and inova/mariadb images, and baresip.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { JOURNAL_COLUMNS, JOURNAL_FILE, RECONCILER_SETTINGS_FILE } from "../../../components/asterisk";
import { writeToneWav } from "../../support/audio";
import { waitForReachableContact } from "../../support/phones/reachable";
import { SipPhone } from "../../support/phones/sip-phone";
import { sleep } from "../../support/phones/wait";
import { parseJournalLine, RecordsSite } from "./support";

const ADDRESS = "127.0.108.3";
const CALLER = "100";
const CALLEE = "101";
const SETTINGS_PATH = `/etc/asterisk/${RECONCILER_SETTINGS_FILE}`;
/** Seconds that a part must stay unchanged before the reconciler removes it (part_settle_seconds in the script). */
const PART_SETTLE_SECONDS = 5;

let site: RecordsSite;
let audioDir: string;
let caller: SipPhone;
let callee: SipPhone;
let originalSettings: string;

async function startPhone(user: string, host: number, hz: number): Promise<SipPhone> {
  const phone = await SipPhone.start({
    user,
    password: site.secrets.extensionPasswords[user],
    server: `${ADDRESS}:5060`,
    localAddress: `127.0.108.${host}`,
    audioFile: await writeToneWav(join(audioDir, `${user}-${hz}.wav`), hz, 120),
  });
  await phone.register();
  await waitForReachableContact((command) => site.cli(command), user);
  return phone;
}

/** Places an answered call of about one second from CALLER to CALLEE, which leaves one journal line. */
async function answeredCall(): Promise<void> {
  await caller.dial(CALLEE);
  await callee.waitForIncoming();
  await callee.answer();
  await caller.waitForState("ESTABLISHED");
  await sleep(1_000);
  await caller.hangup();
  await callee.waitForState("CLOSED");
  await caller.waitForState("CLOSED");
}

/** Runs one reconciler pass as the asterisk user, as the loop in the container does. */
async function reconcileOnce(): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return site.exec(["inova-records-reconcile", "--once"], "asterisk");
}

/** File names in the journal directory, sorted, without the lock file. */
async function journalDirectory(): Promise<string[]> {
  const directory = JOURNAL_FILE.slice(0, JOURNAL_FILE.lastIndexOf("/"));
  const result = await site.exec(["ls", "-1", directory]);
  return result.stdout.split("\n").filter((name) => name !== "").sort();
}

async function partNames(): Promise<string[]> {
  return (await journalDirectory()).filter((name) => /^cdr\.csv\.part-\d{8}T\d{6}\d{9}Z$/.test(name));
}

async function readInContainer(file: string): Promise<string> {
  return (await site.exec(["cat", file])).stdout;
}

function uniqueidOf(line: string): string {
  const fields = parseJournalLine(line);
  if (fields === undefined) {
    throw new Error(`journal line is not a quoted CSV record: ${line}`);
  }
  return fields[JOURNAL_COLUMNS.findIndex((entry) => entry.column === "uniqueid")];
}

async function setRotateBytes(bytes: number): Promise<void> {
  await site.writeFile(SETTINGS_PATH, `${originalSettings}ROTATE_BYTES=${bytes}\n`);
}

beforeAll(async () => {
  audioDir = mkdtempSync(join(tmpdir(), "rec-test-rotation-"));
  // A pass an hour apart keeps the container's own loop out of the way of the passes run here.
  site = await RecordsSite.start({ name: "rotate108", code: "mochis", address: ADDRESS, rtpStart: 37400, reconcileIntervalSeconds: 3600 });
  originalSettings = await readInContainer(SETTINGS_PATH);
  expect(originalSettings).not.toContain("ROTATE_BYTES");
  caller = await startPhone(CALLER, 13, 700);
  callee = await startPhone(CALLEE, 14, 1300);
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    console.log(await site?.diagnostics());
    console.log(await journalDirectory().catch((error: Error) => error.message));
  }
});

afterAll(async () => {
  await Promise.allSettled([caller?.stop(), callee?.stop()]);
  site?.removeAll();
  rmSync(audioDir, { recursive: true, force: true });
});

describe("journal rotation", () => {
  it("keeps a small journal in place", async () => {
    await setRotateBytes(1_000_000);
    await answeredCall();

    const pass = await reconcileOnce();

    expect(pass.exitCode, pass.stderr).toBe(0);
    expect(pass.stdout.trim()).toBe("read=1 inserted=0 rejected=0");
    expect(await partNames()).toEqual([]);
    expect(await site.journalLines()).toHaveLength(1);
  });

  it("rotates a reconciled journal", async () => {
    const before = await site.journalLines();
    await setRotateBytes(1);

    const pass = await reconcileOnce();

    expect(pass.exitCode, pass.stderr).toBe(0);
    expect(pass.stderr).toMatch(/inova-records-reconcile: rotated the journal to .*cdr\.csv\.part-/);
    const parts = await partNames();
    expect(parts).toHaveLength(1);
    expect((await readInContainer(`${JOURNAL_FILE}.part-${parts[0].split(".part-")[1]}`)).trim().split("\n")).toEqual(before);
    expect(await journalDirectory()).not.toContain("cdr.csv");
  });

  it("removes a settled reconciled part", async () => {
    await sleep(PART_SETTLE_SECONDS * 1000 + 1000);

    const pass = await reconcileOnce();

    expect(pass.exitCode, pass.stderr).toBe(0);
    expect(pass.stdout.trim()).toBe("read=0 inserted=0 rejected=0");
    expect(pass.stderr).toMatch(/removed the reconciled journal part/);
    expect(await partNames()).toEqual([]);
  });

  it("keeps unreconciled parts while the database is down", async () => {
    site.stopDatabase();
    await answeredCall();
    const first = await site.journalLines();
    expect(first).toHaveLength(1);

    const failed = await reconcileOnce();
    expect(failed.exitCode).not.toBe(0);
    expect(await partNames()).toHaveLength(1);

    // cdr_custom opens the journal for every record, so the next record starts a new file.
    await answeredCall();
    const second = await site.journalLines();
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);

    const failedAgain = await reconcileOnce();
    expect(failedAgain.exitCode).not.toBe(0);
    await sleep(PART_SETTLE_SECONDS * 1000 + 1000);
    const stillDown = await reconcileOnce();
    expect(stillDown.exitCode).not.toBe(0);

    const parts = await partNames();
    expect(parts).toHaveLength(2);
    const partLines = [];
    for (const part of parts) {
      partLines.push(...(await readInContainer(`${JOURNAL_FILE}.part-${part.split(".part-")[1]}`)).trim().split("\n"));
    }
    expect(partLines.map(uniqueidOf)).toEqual([...first, ...second].map(uniqueidOf));
  });

  it("loads and removes the parts once the database is back", async () => {
    const parts = await partNames();
    const expected = [];
    for (const part of parts) {
      expected.push(...(await readInContainer(`${JOURNAL_FILE}.part-${part.split(".part-")[1]}`)).trim().split("\n").map(uniqueidOf));
    }
    await site.restartDatabase();

    const pass = await reconcileOnce();

    expect(pass.exitCode, pass.stderr).toBe(0);
    expect(pass.stdout.trim()).toBe("read=2 inserted=2 rejected=0");
    expect(await partNames()).toEqual([]);
    const rows = await site.cdrRows();
    for (const uniqueid of expected) {
      expect(rows.filter((row) => row.uniqueid === uniqueid && row.disposition === "ANSWERED")).toHaveLength(1);
    }
    expect(await journalDirectory()).not.toContain("cdr.csv.rejected");
  });
});
