// The README's deploy command on a fresh backend brings all three sites up from
// nothing on their real addresses, and one deployment serves every check below.
// A call at each site is recorded there and at HQ. An unchanged stack previews
// as no change, a renamed extension is applied during a call, and an invalid
// stack is rejected. Tabasco is rebuilt after `pulumi destroy` and again after
// its containers and volumes were removed by hand, with its call history intact
// at tabasco and at HQ. Last, a fourth site is added, called from HQ over the
// trunk, and destroyed without touching the others.

import Docker from "dockerode";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { PassThrough } from "node:stream";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

import { toneSeconds, writeToneWav } from "../support/audio";
import { SipPhone } from "../support/phones/sip-phone";
import { sleep, waitFor } from "../support/phones/wait";
import { ProjectCopy } from "../support/project-copy";

interface TestSite {
  readonly code: string;
  readonly address: string;
  /** Two extensions of the site that call each other. */
  readonly caller: string;
  readonly callee: string;
}

const MOCHIS: TestSite = { code: "mochis", address: "127.0.81.1", caller: "100", callee: "101" };
const TABASCO: TestSite = { code: "tabasco", address: "127.0.82.1", caller: "300", callee: "305" };
const SILICON: TestSite = { code: "silicon", address: "127.0.83.1", caller: "2000", callee: "2001" };
/** Temporary fourth site, a copy of tabasco's extensions under access code 84. */
const MERIDA: TestSite = { code: "merida", address: "127.0.84.1", caller: "300", callee: "305" };
const SITES = [MOCHIS, TABASCO, SILICON];
const ALL_CODES = [...SITES, MERIDA].map((site) => site.code);
const DATA_VOLUMES = ["voicemail", "cdr-data", "cdr-journal", "cdr-backups"];
const docker = new Docker();

let project: ProjectCopy;
let audioDir: string;
const passwords: Record<string, Record<string, string>> = {};
const phones: SipPhone[] = [];
let nextPhone = 0;

async function containerExists(name: string): Promise<boolean> {
  return docker.getContainer(name).inspect().then(() => true, () => false);
}

/** Names of the engine's containers and volumes that belong to the given sites. */
async function siteObjects(codes: readonly string[]): Promise<string[]> {
  const prefixes = codes.map((code) => `inova-${code}-`);
  const containers = (await docker.listContainers({ all: true })).flatMap((info) => info.Names.map((name) => name.replace(/^\//, "")));
  const volumes = ((await docker.listVolumes()).Volumes ?? []).map((volume) => volume.Name);
  return [...containers, ...volumes].filter((name) => prefixes.some((prefix) => name.startsWith(prefix)));
}

/** Starts a phone of `site` on the site's next free phone address (.10 and up) and registers it. */
async function startPhone(site: TestSite, user: string, hz: number): Promise<SipPhone> {
  const index = nextPhone++;
  const prefix = site.address.replace(/\.1$/, "");
  const rtpStart = 14000 + (index % 10) * 100;
  const phone = await SipPhone.start({
    user,
    password: passwords[site.code][user],
    server: `${site.address}:5060`,
    localAddress: `${prefix}.${10 + (index % 40)}`,
    rtpPorts: [rtpStart, rtpStart + 99],
    audioFile: await writeToneWav(join(audioDir, `${site.code}-${user}-${hz}.wav`), hz, 120),
  });
  phones.push(phone);
  await phone.register();
  return phone;
}

async function stopPhones(): Promise<void> {
  await Promise.all(phones.splice(0).map((phone) => phone.stop()));
}

/** Runs a command in a container and returns its trimmed standard output. */
async function execIn(container: string, command: string[]): Promise<string> {
  const execution = await docker.getContainer(container).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await execution.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  docker.modem.demuxStream(stream, stdout, new PassThrough());
  await new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  return text.trim();
}

/** Runs a query as root in a site's database container and returns its rows as tab-separated lines. */
async function query(site: string, sql: string): Promise<string[]> {
  const output = await execIn(`inova-${site}-cdr-db`, ["mariadb", "--batch", "--skip-column-names", "-e", sql]);
  return output === "" ? [] : output.split("\n");
}

/** Keys (`uniqueid/sequence`) of `site`'s call records held by the database of `holder`, sorted, repeats kept. */
async function uniqueids(holder: string, site: string): Promise<string[]> {
  const keys = await query(holder, `SELECT CONCAT(uniqueid, '/', sequence) FROM inova_cdr.cdr WHERE site = '${site}'`);
  return keys.sort();
}

/** Waits until HQ contains exactly the records of `site` that the site contains, and returns them. */
async function expectSameRecordsAtHq(site: string): Promise<string[]> {
  let atSite: string[] = [];
  let atHq: string[] = [];
  await waitFor(
    async () => {
      atSite = await uniqueids(site, site);
      atHq = await uniqueids(MOCHIS.code, site);
      return atSite.length > 0 && atSite.join() === atHq.join();
    },
    { timeoutMs: 90_000, intervalMs: 1_000, description: () => `HQ to hold the records of ${site} (site: ${atSite.length}, HQ: ${atHq.length})` },
  ).catch(() => undefined);
  expect(atHq).toEqual(atSite);
  expect(new Set(atSite).size).toBe(atSite.length);
  return atSite;
}

/** Calls `target` from `caller` at `site`; `callee` at `calleeSite` picks up, and the audio is checked both ways. */
async function callWithAudio(site: TestSite, caller: string, target: string, calleeSite: TestSite, callee: string): Promise<void> {
  const from = await startPhone(site, caller, 700);
  const to = await startPhone(calleeSite, callee, 1300);
  await from.dial(target);
  await to.waitForIncoming();
  await to.answer();
  await from.waitForState("ESTABLISHED");
  await sleep(2_000);
  await from.hangup();
  await to.waitForState("CLOSED");
  expect(await toneSeconds(await from.recording(), 1300)).toBeGreaterThan(1);
  expect(await toneSeconds(await to.recording(), 700)).toBeGreaterThan(1);
  await stopPhones();
}

/** Waits for the newest record of a call from `caller` to `callee` at `site` that is not in `after`, and returns its key. */
async function recordOfCall(site: string, caller: string, callee: string, after: string[]): Promise<string> {
  const sql =
    `SELECT CONCAT(uniqueid, '/', sequence) FROM inova_cdr.cdr WHERE site = '${site}' AND src = '${caller}' AND dst = '${callee}' ` +
    "AND disposition = 'ANSWERED' ORDER BY calldate DESC LIMIT 1";
  return waitFor(
    async () => {
      const [uniqueid] = await query(site, sql);
      return uniqueid !== undefined && !after.includes(uniqueid) ? uniqueid : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, description: `the record of ${caller} to ${callee} at ${site}` },
  );
}

/** Fields of HQ's replication connection for `branch`, from SHOW ALL SLAVES STATUS. */
async function replicationStatus(branch: string): Promise<Record<string, string>> {
  const output = await execIn("inova-mochis-cdr-db", ["mariadb", "--vertical", "-e", "SHOW ALL SLAVES STATUS"]);
  for (const block of output.split(/\*+ \d+\. row \*+/)) {
    const fields: Record<string, string> = {};
    for (const line of block.split("\n")) {
      const match = /^\s*(\w+): ?(.*)$/.exec(line);
      if (match !== null) {
        fields[match[1]] = match[2];
      }
    }
    if (fields.Connection_name === branch) {
      return fields;
    }
  }
  throw new Error(`HQ has no replication connection named ${branch}:\n${output}`);
}

async function up(site: string): Promise<void> {
  await project.pulumi(["up", "--refresh", "--yes", "--skip-preview", "--stack", site, "--suppress-progress"], { timeoutMs: 1_200_000 });
}

async function loadPasswords(site: string): Promise<void> {
  const outputs = JSON.parse(await project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", site]));
  passwords[site] = outputs.extensionPasswords as Record<string, string>;
}

/** Id and start time of every container of the given sites, to show that they were left alone. */
async function containerStarts(codes: readonly string[]): Promise<Record<string, string>> {
  const starts: Record<string, string> = {};
  for (const info of await docker.listContainers({ all: true })) {
    const name = info.Names[0].replace(/^\//, "");
    if (codes.some((code) => name.startsWith(`inova-${code}-`))) {
      const details = await docker.getContainer(info.Id).inspect();
      starts[name] = `${details.Id} ${details.State.StartedAt}`;
    }
  }
  return starts;
}

/**
 * Steps of a `pulumi preview --json` that change something, as `op type name`. The project
 * refreshes before every preview, and those `refresh` steps only read.
 */
function changingSteps(previewJson: string): string[] {
  const preview = JSON.parse(previewJson) as { steps?: { op: string; urn: string }[] };
  return (preview.steps ?? [])
    .filter((step) => step.op !== "same" && step.op !== "refresh")
    .map((step) => `${step.op} ${step.urn.split("::").slice(-2).join(" ")}`);
}

/** Writes the fourth site's stack file: tabasco's extensions under access code 84 on 127.0.84.1. */
function writeFourthSite(): void {
  const document = parse(project.readFile("Pulumi.tabasco.yaml")) as { config: Record<string, unknown> };
  const config = document.config;
  config["inova-pbx:site"] = {
    ...(config["inova-pbx:site"] as Record<string, unknown>),
    name: "Mérida",
    timezone: "America/Merida",
    address: MERIDA.address,
    publicNumber: "9999284400",
    accessCode: "84",
    rtpPorts: { start: 13000, end: 13999 },
  };
  config["inova-pbx:deleteDataOnDestroy"] = true;
  project.writeFile(`Pulumi.${MERIDA.code}.yaml`, stringify({ config }));
}

beforeAll(async () => {
  const existing = await siteObjects(ALL_CODES);
  if (existing.length > 0) {
    throw new Error(
      `containers or volumes of the sites already exist (${existing.join(", ")}): a deployed site or the data a destroyed ` +
        "one kept. The end-to-end test deploys its own sites and will not touch them; remove them or run the test on another machine.",
    );
  }
  project = ProjectCopy.create("inova-e2e");
  audioDir = mkdtempSync(join(tmpdir(), "inova-e2e-audio-"));
});

afterAll(async () => {
  await Promise.allSettled(phones.map((phone) => phone.stop()));
  if (project !== undefined) {
    // Leaves nothing behind even when a test failed half way.
    for (const code of ALL_CODES) {
      await project.run("pulumi", ["destroy", "--yes", "--stack", code, "--suppress-progress"], { timeoutMs: 600_000 });
    }
    for (const code of ALL_CODES) {
      for (const volume of DATA_VOLUMES) {
        await docker.getVolume(`inova-${code}-${volume}`).remove().catch(() => undefined);
      }
    }
    project.remove();
  }
  rmSync(audioDir, { recursive: true, force: true });
});

describe("three sites deployed together", () => {
  it("deploys every site from nothing with the README command", async () => {
    const result = await project.run("bash", ["scripts/deploy.sh"], { timeoutMs: 3_600_000 });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);

    for (const site of SITES) {
      const info = await docker.getContainer(`inova-${site.code}-pbx`).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.HostConfig.NetworkMode).toBe("host");
      expect(info.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
      await loadPasswords(site.code);
    }
    expect(Object.keys(passwords.mochis).sort()).toEqual(["100", "101", "102", "103", "104", "105", "106", "107", "108"]);
  });

  it("keeps secrets out of plain state and outputs", async () => {
    for (const site of SITES) {
      const state = await project.pulumi(["stack", "export", "--stack", site.code]);
      const plainOutputs = await project.pulumi(["stack", "output", "--json", "--stack", site.code]);
      const info = await docker.getContainer(`inova-${site.code}-pbx`).inspect();
      for (const password of Object.values(passwords[site.code])) {
        expect(state).not.toContain(password);
        expect(plainOutputs).not.toContain(password);
        expect(JSON.stringify(info.Config.Env)).not.toContain(password);
      }
    }
  });

  for (const site of SITES) {
    it(`records a call at ${site.code} there and at HQ`, async () => {
      const before = await uniqueids(site.code, site.code);
      await callWithAudio(site, site.caller, site.callee, site, site.callee);
      const uniqueid = await recordOfCall(site.code, site.caller, site.callee, before);
      const records = await expectSameRecordsAtHq(site.code);
      expect(records).toContain(uniqueid);
    });
  }

  it("previews an unchanged stack as no change", async () => {
    for (const site of SITES) {
      const result = await project.run("pulumi", ["preview", "--expect-no-changes", "--stack", site.code, "--suppress-progress"]);
      expect(result.code, `${site.code}:\n${result.stdout}\n${result.stderr}`).toBe(0);
    }
  });

  it("renames an extension without replacing the container or dropping a call", async () => {
    const container = "inova-mochis-pbx";
    const before = await docker.getContainer(container).inspect();
    const caller = await startPhone(MOCHIS, "100", 700);
    const callee = await startPhone(MOCHIS, "101", 1300);
    await caller.dial("101");
    await callee.waitForIncoming();
    await callee.answer();
    await caller.waitForState("ESTABLISHED");
    const establishedAt = Date.now();

    const stackFile = "Pulumi.mochis.yaml";
    const original = project.readFile(stackFile);
    const renamed = original.replace('{number: "102", name: Facturación,', '{number: "102", name: Facturación y Cobranza,');
    expect(renamed).not.toBe(original);
    project.writeFile(stackFile, renamed);

    const steps = changingSteps(await project.pulumi(["preview", "--json", "--stack", MOCHIS.code]));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(step).toMatch(/^update /);
    }

    await up(MOCHIS.code);
    const after = await docker.getContainer(container).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);

    // The call survives the reload: the far end's tone fills the whole call.
    expect(caller.state).toBe("ESTABLISHED");
    await sleep(2_000);
    expect(caller.state).toBe("ESTABLISHED");
    await caller.hangup();
    const callSeconds = (Date.now() - establishedAt) / 1000;
    await callee.waitForState("CLOSED");
    expect(await toneSeconds(await caller.recording(), 1300)).toBeGreaterThan(callSeconds - 1.5);
    expect(await execIn(container, ["asterisk", "-rx", "pjsip show endpoint 102"])).toContain("Facturación y Cobranza");
    await stopPhones();
  });

  it("rejects an invalid stack before touching the site", async () => {
    const container = "inova-mochis-pbx";
    const before = await docker.getContainer(container).inspect();
    const stackFile = "Pulumi.mochis.yaml";
    const valid = project.readFile(stackFile);
    const invalid = valid
      .replace('{number: "104", name: Dudas,', '{number: "101", name: Dudas,')
      .replace('members: ["100", "105", "106"]', 'members: ["100", "105", "166"]');
    expect(invalid).not.toBe(valid);
    project.writeFile(stackFile, invalid);

    const result = await project.run("pulumi", ["up", "--yes", "--skip-preview", "--stack", MOCHIS.code, "--suppress-progress"]);
    project.writeFile(stackFile, valid);
    const output = result.stdout + result.stderr;
    expect(result.code).not.toBe(0);
    expect(output).toContain('Site "mochis" has');
    expect(output).toContain("E_DUPLICATE_NUMBER");
    expect(output).toContain("E_UNKNOWN_MEMBER");

    const after = await docker.getContainer(container).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
  });
});

describe("tabasco rebuilt", () => {
  it("keeps its data volumes on destroy and leaves the other sites alone", async () => {
    const others = await containerStarts([MOCHIS.code, SILICON.code]);
    await project.pulumi(["destroy", "--yes", "--stack", TABASCO.code, "--suppress-progress"], { timeoutMs: 600_000 });
    expect(await containerExists("inova-tabasco-pbx")).toBe(false);
    expect(await containerExists("inova-tabasco-cdr-db")).toBe(false);
    for (const volume of DATA_VOLUMES) {
      expect((await docker.getVolume(`inova-tabasco-${volume}`).inspect()).Name).toBe(`inova-tabasco-${volume}`);
    }
    expect(await containerStarts([MOCHIS.code, SILICON.code])).toEqual(others);
  });

  it("comes back after destroy with its history and replication", async () => {
    const history = await uniqueids(MOCHIS.code, TABASCO.code);
    await up(TABASCO.code);
    await loadPasswords(TABASCO.code);
    expect(await expectSameRecordsAtHq(TABASCO.code)).toEqual(history);

    await callWithAudio(TABASCO, TABASCO.caller, TABASCO.callee, TABASCO, TABASCO.callee);
    const uniqueid = await recordOfCall(TABASCO.code, TABASCO.caller, TABASCO.callee, history);
    const records = await expectSameRecordsAtHq(TABASCO.code);
    expect(records).toEqual(expect.arrayContaining([...history, uniqueid]));
  });

  it("loads a record kept only in its journal", async () => {
    // With the database stopped, the call's record reaches only the journal.
    const history = await uniqueids(TABASCO.code, TABASCO.code);
    await docker.getContainer("inova-tabasco-cdr-db").stop();
    await callWithAudio(TABASCO, TABASCO.caller, TABASCO.callee, TABASCO, TABASCO.callee);
    await project.pulumi(["destroy", "--yes", "--stack", TABASCO.code, "--suppress-progress"], { timeoutMs: 600_000 });
    await up(TABASCO.code);

    const uniqueid = await recordOfCall(TABASCO.code, TABASCO.caller, TABASCO.callee, history);
    const records = await expectSameRecordsAtHq(TABASCO.code);
    expect(records).toEqual(expect.arrayContaining([...history, uniqueid]));
  });

  it("comes back after its containers and volumes were removed by hand", async () => {
    const history = await uniqueids(MOCHIS.code, TABASCO.code);
    expect(history.length).toBeGreaterThanOrEqual(3);
    for (const info of await docker.listContainers({ all: true })) {
      if (info.Names.some((name) => name.startsWith("/inova-tabasco-"))) {
        await docker.getContainer(info.Id).remove({ force: true, v: true });
      }
    }
    for (const info of (await docker.listVolumes()).Volumes ?? []) {
      if (info.Name.startsWith("inova-tabasco-")) {
        await docker.getVolume(info.Name).remove();
      }
    }
    expect(await siteObjects([TABASCO.code])).toEqual([]);

    await up(TABASCO.code);
    await loadPasswords(TABASCO.code);
    expect(await expectSameRecordsAtHq(TABASCO.code)).toEqual(history);

    await callWithAudio(TABASCO, TABASCO.caller, TABASCO.callee, TABASCO, TABASCO.callee);
    const uniqueid = await recordOfCall(TABASCO.code, TABASCO.caller, TABASCO.callee, history);
    expect(await expectSameRecordsAtHq(TABASCO.code)).toEqual(expect.arrayContaining([...history, uniqueid]));
    const status = await replicationStatus(TABASCO.code);
    expect(status.Slave_IO_Running).toBe("Yes");
    expect(status.Slave_SQL_Running).toBe("Yes");
    expect(status.Last_IO_Error).toBe("");
    expect(status.Last_SQL_Error).toBe("");
  });
});

describe("fourth site", () => {
  it("deploys before the others know it, then joins them", async () => {
    writeFourthSite();
    const result = await project.run("bash", ["scripts/deploy.sh", MERIDA.code], { timeoutMs: 1_800_000 });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    await loadPasswords(MERIDA.code);
    for (const site of SITES) {
      await up(site.code);
    }
    expect(await query(MOCHIS.code, "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_NAME = 'cdr_merida'")).toEqual(["1"]);
  });

  it("answers a call from mochis over the trunk with audio", async () => {
    const endpoint = await execIn("inova-mochis-pbx", ["asterisk", "-rx", "pjsip show endpoint trunk-merida"]);
    expect(endpoint, "mochis has no PJSIP endpoint trunk-merida in its rendered configuration").toMatch(/Endpoint:\s+trunk-merida/);
    await callWithAudio(MOCHIS, "100", `84${MERIDA.callee}`, MERIDA, MERIDA.callee);
  });

  it("records the fourth site's calls at HQ", async () => {
    await callWithAudio(MERIDA, MERIDA.caller, MERIDA.callee, MERIDA, MERIDA.callee);
    await recordOfCall(MERIDA.code, MERIDA.caller, MERIDA.callee, []);
    await expectSameRecordsAtHq(MERIDA.code);
  });

  it("is destroyed with its volumes without touching the others", async () => {
    const others = await containerStarts(SITES.map((site) => site.code));
    await project.pulumi(["destroy", "--yes", "--stack", MERIDA.code, "--suppress-progress"], { timeoutMs: 600_000 });
    expect(await siteObjects([MERIDA.code])).toEqual([]);
    expect(await containerStarts(SITES.map((site) => site.code))).toEqual(others);
  });
});
