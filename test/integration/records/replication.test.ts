// Call records of two sites deployed by Pulumi from a copy of the project, moved to 127.0.93.x
// as stacks rec-test-hq (HQ, access code 81) and rec-test-br (branch, 82). A branch call's
// record reaches HQ's table through HQ's relay container, beside HQ's own records. When HQ's
// database or the relay was stopped while the branch took calls, HQ catches up with each
// record once.
// Needs Docker, the Pulumi toolchain (scripts/setup.sh) and baresip.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

import type * as mariadb from "mariadb";

import { withAdminConnection } from "../../../components/providers/mariadb/admin-connection";
import { writeToneWav } from "../../support/audio";
import { dockerAsteriskCli, waitForReachableContact } from "../../support/phones/reachable";
import { SipPhone } from "../../support/phones/sip-phone";
import { sleep, waitFor } from "../../support/phones/wait";
import { ProjectCopy } from "../../support/project-copy";
import { containerLogs, dockerCli } from "./support";

const HQ = { stack: "rec-test-hq", from: "mochis", address: "127.0.93.21", rtpStart: 23200, caller: "100", callee: "101" };
const BRANCH = { stack: "rec-test-br", from: "tabasco", address: "127.0.93.22", rtpStart: 23400, caller: "300", callee: "301" };
const SITES = [HQ, BRANCH];
type TestSite = (typeof SITES)[number];

let project: ProjectCopy;
let workDir: string;
const passwords: Record<string, Record<string, string>> = {};
const phones: SipPhone[] = [];

/** Runs the project's Pulumi CLI in the copy with its toolchain and local defaults. */
async function pulumi(args: readonly string[], timeoutMs = 900_000): Promise<string> {
  const script = 'source scripts/lib/common.sh && source scripts/lib/pulumi-env.sh && pulumi "$@"';
  const result = await project.run("bash", ["-c", script, "pulumi", ...args], { timeoutMs });
  if (result.code !== 0) {
    throw new Error(`pulumi ${args.join(" ")} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Writes the copy's stack file of `site`: the source stack's site moved to the test address. */
function writeStackFile(site: TestSite): void {
  const document = parse(project.readFile(`Pulumi.${site.from}.yaml`)) as { config: Record<string, unknown> };
  const config = document.config;
  const siteConfig = config["inova-pbx:site"] as Record<string, unknown>;
  siteConfig.address = site.address;
  siteConfig.rtpPorts = { start: site.rtpStart, end: site.rtpStart + 199 };
  // IVR options that reach other sites would name stacks that the copy does not have.
  for (const ivr of (config["inova-pbx:ivrs"] as Array<{ options: Array<Record<string, unknown>> }>) ?? []) {
    ivr.options = ivr.options.filter((option) => option.site === undefined);
  }
  config["inova-pbx:deleteDataOnDestroy"] = true;
  config["inova-pbx:callRecords"] = { reconcileIntervalSeconds: 5 };
  project.writeFile(`Pulumi.${site.stack}.yaml`, stringify({ config }));
}

function dbContainer(site: TestSite): string {
  return `inova-${site.stack}-cdr-db`;
}

function relayContainer(): string {
  return `inova-${HQ.stack}-cdr-relay-${BRANCH.stack}`;
}

function asRoot<T>(site: TestSite, action: (connection: mariadb.Connection) => Promise<T>): Promise<T> {
  return withAdminConnection({ containerId: dbContainer(site) }, action);
}

/** `uniqueid/sequence` of every row of `origin` in `site`'s table, with how often each occurs. */
async function recordKeys(site: TestSite, origin: TestSite): Promise<Map<string, number>> {
  const rows = (await asRoot(site, (connection) =>
    connection.query("SELECT uniqueid, sequence FROM inova_cdr.cdr WHERE site = ?", [origin.stack]),
  )) as Array<{ uniqueid: string; sequence: number }>;
  const keys = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.uniqueid}/${row.sequence}`;
    keys.set(key, (keys.get(key) ?? 0) + 1);
  }
  return keys;
}

async function startPhone(site: TestSite, user: string, host: number, hz: number): Promise<SipPhone> {
  const phone = await SipPhone.start({
    user,
    password: passwords[site.stack][user],
    server: `${site.address}:5060`,
    localAddress: `127.0.93.${host}`,
    audioFile: await writeToneWav(join(workDir, `${user}-${hz}.wav`), hz, 120),
  });
  phones.push(phone);
  await phone.register();
  await waitForReachableContact(dockerAsteriskCli(`inova-${site.stack}-pbx`), user);
  return phone;
}

/** Slave_IO_Running of HQ's connection to the branch (`Yes`, `Connecting`, `Preparing`, `No`), or `missing`. */
async function hqConnectionState(): Promise<string> {
  const rows = (await asRoot(HQ, (connection) => connection.query("SHOW ALL SLAVES STATUS"))) as Array<Record<string, unknown>>;
  const row = rows.find((candidate) => String(candidate.Connection_name) === BRANCH.stack);
  return row === undefined ? "missing" : String(row.Slave_IO_Running);
}

/** Waits until HQ contains exactly the branch's records, each once. */
async function expectHqCaughtUp(timeoutMs: number): Promise<void> {
  const atBranch = await recordKeys(BRANCH, BRANCH);
  const atHq = await waitFor(async () => {
    const keys = await recordKeys(HQ, BRANCH).catch(() => new Map<string, number>());
    return keys.size === atBranch.size ? keys : undefined;
  }, { timeoutMs, intervalMs: 1_000, description: () => "HQ to catch up with the branch" });
  expect([...atHq.keys()].sort()).toEqual([...atBranch.keys()].sort());
  expect([...atHq.values()].every((count) => count === 1)).toBe(true);
}

/** Places `count` calls of about a second from the site's caller, each answered by its callee. */
async function makeCalls(site: TestSite, count: number): Promise<void> {
  const caller = await startPhone(site, site.caller, 41, 700);
  const callee = await startPhone(site, site.callee, 42, 1300);
  for (let call = 0; call < count; call++) {
    await caller.dial(site.callee);
    await callee.waitForIncoming();
    await callee.answer();
    await caller.waitForState("ESTABLISHED");
    await sleep(1_000);
    await caller.hangup();
    await callee.waitForState("CLOSED");
    await caller.waitForState("CLOSED");
  }
  await Promise.all(phones.splice(0).map((phone) => phone.stop()));
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "rec-test-replication-"));
  const secretFile = join(workDir, "company-secret");
  writeFileSync(secretFile, "rec-test-company-secret-0123456789abcdefghij\n", { mode: 0o600 });
  process.env.INOVA_COMPANY_SECRET_FILE = secretFile;

  project = ProjectCopy.create("rec-test-replication");
  for (const site of SITES) {
    writeStackFile(site);
  }
  for (const file of ["mochis", "tabasco", "silicon"]) {
    rmSync(join(project.dir, `Pulumi.${file}.yaml`));
  }
  for (const site of [BRANCH, HQ]) {
    await pulumi(["stack", "select", "--create", site.stack]);
    await pulumi(["up", "--yes", "--skip-preview", "--suppress-progress", "--stack", site.stack], 1_200_000);
    const outputs = JSON.parse(await pulumi(["stack", "output", "--json", "--show-secrets", "--stack", site.stack]));
    passwords[site.stack] = outputs.extensionPasswords as Record<string, string>;
  }
}, 2_400_000);

afterEach(async (context) => {
  await Promise.allSettled(phones.splice(0).map((phone) => phone.stop()));
  if (context.task.result?.state === "fail") {
    for (const container of [...SITES.map(dbContainer), relayContainer()]) {
      console.log(`--- ${container}\n${containerLogs(container)}`);
    }
  }
});

/** Destroys a stack of the copy; returns the CLI's exit code and output. */
async function destroy(site: TestSite): Promise<{ code: number; output: string }> {
  const script = 'source scripts/lib/common.sh && source scripts/lib/pulumi-env.sh && pulumi destroy --yes --suppress-progress --stack "$1"';
  const result = await project.run("bash", ["-c", script, "destroy", site.stack], { timeoutMs: 600_000 });
  return { code: result.code, output: `${result.stdout}\n${result.stderr}` };
}

afterAll(async () => {
  if (project !== undefined) {
    // Leaves nothing behind when a test failed before the destroy test.
    for (const site of [HQ, BRANCH]) {
      const result = await destroy(site);
      if (result.code !== 0) {
        console.log(`destroying ${site.stack} failed:\n${result.output}`);
      }
    }
    project.remove();
  }
  delete process.env.INOVA_COMPANY_SECRET_FILE;
  rmSync(workDir, { recursive: true, force: true });
}, 1_300_000);

describe("call records replicated to HQ", () => {
  it("exports the database endpoint and a secret reader password", async () => {
    const plain = JSON.parse(await pulumi(["stack", "output", "--json", "--stack", HQ.stack]));
    expect(plain.callRecordsEndpoint).toBe(`${HQ.address}:3306`);
    expect(plain.callRecordsReaderPassword).toBe("[secret]");
    expect(plain.replicationConnections).toEqual([BRANCH.stack]);
  });

  it("copies a branch call to HQ", async () => {
    await makeCalls(BRANCH, 1);
    await waitFor(async () => (await recordKeys(BRANCH, BRANCH)).size === 1, {
      timeoutMs: 10_000,
      intervalMs: 250,
      description: () => "the call's record at the branch",
    });
    const atBranch = await recordKeys(BRANCH, BRANCH);
    const atHq = await waitFor(async () => {
      const keys = await recordKeys(HQ, BRANCH);
      return keys.size === atBranch.size ? keys : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250, description: () => "the branch record at HQ" });
    expect([...atHq.entries()]).toEqual([...atBranch.entries()]);
  });

  it("replicates from HQ's address through the relay", async () => {
    const dumps = (await asRoot(BRANCH, (connection) =>
      connection.query("SELECT USER AS user, HOST AS host FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'"),
    )) as Array<{ user: string; host: string }>;
    expect(dumps).toHaveLength(1);
    expect(dumps[0].user).toBe("replicator");
    expect(dumps[0].host).toMatch(new RegExp(`^${HQ.address.replace(/\./g, "\\.")}:\\d+$`));
  });

  it("keeps HQ's own calls in the same table", async () => {
    await makeCalls(HQ, 1);
    await waitFor(async () => (await recordKeys(HQ, HQ)).size === 1, {
      timeoutMs: 10_000,
      intervalMs: 250,
      description: () => "HQ's own record",
    });
    expect((await recordKeys(HQ, BRANCH)).size).toBe(1);
    expect((await recordKeys(BRANCH, HQ)).size).toBe(0);
  });

  it("catches up after HQ's database was stopped", async () => {
    dockerCli("stop", "-t", "60", dbContainer(HQ));
    try {
      await makeCalls(BRANCH, 3);
    } finally {
      dockerCli("start", dbContainer(HQ));
    }
    expect((await recordKeys(BRANCH, BRANCH)).size).toBe(4);
    await expectHqCaughtUp(120_000);
  });

  it("runs the relay as its own container", () => {
    const state = dockerCli(
      "inspect",
      "--format",
      '{{.State.Running}} {{.HostConfig.NetworkMode}} {{.HostConfig.RestartPolicy.Name}} {{index .Config.Labels "inova.role"}}',
      relayContainer(),
    );
    expect(state).toBe("true host unless-stopped call-records-relay");
    expect(dockerCli("inspect", "--format", "{{json .Config.Env}}", dbContainer(HQ))).not.toContain("INOVA_MARIADB_RELAYS");
  });

  it("replicates only while the relay container runs", async () => {
    const before = (await recordKeys(BRANCH, BRANCH)).size;
    dockerCli("stop", relayContainer());
    try {
      await waitFor(async () => (await hqConnectionState()) !== "Yes", {
        timeoutMs: 30_000,
        intervalMs: 500,
        description: () => "HQ's connection to lose the stopped relay",
      });
      await makeCalls(BRANCH, 1);
      await waitFor(async () => (await recordKeys(BRANCH, BRANCH)).size === before + 1, {
        timeoutMs: 10_000,
        intervalMs: 250,
        description: () => "the call's record at the branch",
      });
      // NOTE: the check samples 5 s, so a route around the relay slower than that would go unnoticed.
      await sleep(5_000);
      expect((await recordKeys(HQ, BRANCH)).size).toBe(before);
    } finally {
      dockerCli("start", relayContainer());
    }
    // HQ's connection retries every 10 s.
    await expectHqCaughtUp(60_000);
    expect(await hqConnectionState()).toBe("Yes");
  });

  it("previews an unchanged HQ stack as no change", async () => {
    await pulumi(["preview", "--expect-no-changes", "--suppress-progress", "--stack", HQ.stack]);
  });

  it("destroys both sites with their data", async () => {
    // Each site tags its own PBX image, so either stack can be destroyed first.
    const first = await destroy(BRANCH);
    expect(first.code, first.output).toBe(0);
    const second = await destroy(HQ);
    expect(second.code, second.output).toBe(0);
    const containers = dockerCli("ps", "-a", "--format", "{{.Names}}").split("\n");
    const volumes = dockerCli("volume", "ls", "--format", "{{.Name}}").split("\n");
    for (const site of SITES) {
      expect(containers.filter((name) => name.startsWith(`inova-${site.stack}-`))).toEqual([]);
      expect(volumes.filter((name) => name.startsWith(`inova-${site.stack}-`))).toEqual([]);
    }
  }, 1_200_000);
});
