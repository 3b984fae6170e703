// The README's deploy command on a fresh backend brings the HQ site up from
// nothing; then a real call goes through what it deployed, an unchanged stack
// previews as no change, a renamed extension is applied without replacing the
// container or dropping a call in progress, and destroy removes the containers
// while keeping the voicemail volume.

import Docker from "dockerode";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { PassThrough } from "node:stream";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { toneSeconds, writeToneWav } from "../support/audio";
import { SipPhone } from "../support/phones/sip-phone";
import { sleep } from "../support/phones/wait";
import { ProjectCopy } from "../support/project-copy";

const SITE = "mochis";
const ADDRESS = "127.0.81.1";
const CONTAINER = `inova-${SITE}-pbx`;
const VOLUME = `inova-${SITE}-voicemail`;
/** Volumes the site keeps on destroy: voicemail and call records. */
const KEPT_VOLUMES = [VOLUME, `inova-${SITE}-cdr-data`, `inova-${SITE}-cdr-journal`, `inova-${SITE}-cdr-backups`];
const docker = new Docker();

let project: ProjectCopy;
let audioDir: string;
let passwords: Record<string, string>;
const phones: SipPhone[] = [];

async function containerExists(name: string): Promise<boolean> {
  try {
    await docker.getContainer(name).inspect();
    return true;
  } catch {
    return false;
  }
}

async function startPhone(user: string, localAddress: string, hz: number): Promise<SipPhone> {
  const phone = await SipPhone.start({
    user,
    password: passwords[user],
    server: `${ADDRESS}:5060`,
    localAddress,
    audioFile: await writeToneWav(join(audioDir, `${user}-${hz}.wav`), hz, 120),
  });
  phones.push(phone);
  await phone.register();
  return phone;
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

/** Steps of a `pulumi preview --json` that change something, as `op type name`. */
function changingSteps(previewJson: string): string[] {
  const preview = JSON.parse(previewJson) as { steps?: { op: string; urn: string }[] };
  return (preview.steps ?? [])
    .filter((step) => step.op !== "same")
    .map((step) => `${step.op} ${step.urn.split("::").slice(-2).join(" ")}`);
}

beforeAll(async () => {
  if (await containerExists(CONTAINER)) {
    throw new Error(
      `a container named ${CONTAINER} already exists (a deployed ${SITE} site?); the end-to-end test deploys its own ` +
        `and will not touch it. Destroy that stack or run the test on another machine.`,
    );
  }
  for (const volume of KEPT_VOLUMES) {
    const exists = await docker.getVolume(volume).inspect().then(() => true, () => false);
    if (exists) {
      throw new Error(
        `volume ${volume} already exists (data kept by a destroyed ${SITE} site?); the end-to-end test removes ` +
          `the volumes it creates, so it will not run over existing data. Remove the volume or run elsewhere.`,
      );
    }
  }
  project = ProjectCopy.create("inova-e2e");
  audioDir = mkdtempSync(join(tmpdir(), "inova-e2e-audio-"));
});

afterAll(async () => {
  await Promise.allSettled(phones.map((phone) => phone.stop()));
  if (project !== undefined) {
    // Leaves nothing behind even when a test failed half way.
    await project.run("pulumi", ["destroy", "--yes", "--stack", SITE, "--suppress-progress"], { timeoutMs: 300_000 });
    for (const volume of KEPT_VOLUMES) {
      await docker.getVolume(volume).remove().catch(() => undefined);
    }
    project.remove();
  }
  rmSync(audioDir, { recursive: true, force: true });
});

describe("deployed HQ site", () => {
  it("deploys from nothing with the README command", async () => {
    const result = await project.run("bash", ["scripts/deploy.sh", SITE], { timeoutMs: 1_200_000 });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);

    const info = await docker.getContainer(CONTAINER).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.HostConfig.NetworkMode).toBe("host");
    expect(info.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    expect(info.Image).toMatch(/^sha256:/);

    const outputs = JSON.parse(await project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", SITE]));
    passwords = outputs.extensionPasswords as Record<string, string>;
    expect(Object.keys(passwords).sort()).toEqual(["100", "101", "102", "103", "104", "105", "106", "107", "108"]);
  });

  it("keeps secrets out of plain state and outputs", async () => {
    const state = await project.pulumi(["stack", "export", "--stack", SITE]);
    const plainOutputs = await project.pulumi(["stack", "output", "--json", "--stack", SITE]);
    const info = await docker.getContainer(CONTAINER).inspect();
    for (const password of Object.values(passwords)) {
      expect(state).not.toContain(password);
      expect(plainOutputs).not.toContain(password);
      expect(JSON.stringify(info.Config.Env)).not.toContain(password);
    }
  });

  it("connects a call with audio both ways", async () => {
    const caller = await startPhone("100", "127.0.88.11", 700);
    const callee = await startPhone("101", "127.0.88.12", 1300);

    await caller.dial("101");
    await callee.waitForIncoming();
    await callee.answer();
    await caller.waitForState("ESTABLISHED");
    await sleep(2_000);
    await caller.hangup();
    await callee.waitForState("CLOSED");

    expect(await toneSeconds(await caller.recording(), 1300)).toBeGreaterThan(1);
    expect(await toneSeconds(await callee.recording(), 700)).toBeGreaterThan(1);
    await Promise.all(phones.splice(0).map((phone) => phone.stop()));

    // The call's record reaches the site's database with the site in its key.
    const query =
      "SELECT CONCAT_WS(' ', site, src, dst, disposition, billsec > 0) FROM inova_cdr.cdr " +
      "WHERE src = '100' AND dst = '101' ORDER BY calldate DESC LIMIT 1";
    let record = "";
    for (let attempt = 0; attempt < 40 && record === ""; attempt++) {
      record = await execIn(`inova-${SITE}-cdr-db`, ["mariadb", "--batch", "--skip-column-names", "-e", query]);
      if (record === "") {
        await sleep(500);
      }
    }
    expect(record).toBe("mochis 100 101 ANSWERED 1");
  });

  it("previews an unchanged stack as no change", async () => {
    const result = await project.run("pulumi", ["preview", "--expect-no-changes", "--stack", SITE, "--suppress-progress"]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it("renames an extension without replacing the container or dropping a call", async () => {
    const before = await docker.getContainer(CONTAINER).inspect();
    const caller = await startPhone("100", "127.0.88.11", 700);
    const callee = await startPhone("101", "127.0.88.12", 1300);
    await caller.dial("101");
    await callee.waitForIncoming();
    await callee.answer();
    await caller.waitForState("ESTABLISHED");
    const establishedAt = Date.now();

    const stackFile = `Pulumi.${SITE}.yaml`;
    const original = project.readFile(stackFile);
    const renamed = original.replace('{number: "102", name: Facturación,', '{number: "102", name: Facturación y Cobranza,');
    expect(renamed).not.toBe(original);
    project.writeFile(stackFile, renamed);

    const preview = await project.pulumi(["preview", "--json", "--stack", SITE]);
    const steps = changingSteps(preview);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(step).toMatch(/^update /);
    }

    await project.pulumi(["up", "--yes", "--skip-preview", "--stack", SITE, "--suppress-progress"]);
    const after = await docker.getContainer(CONTAINER).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);

    // The call survives the reload: still up, and the far end's tone fills the
    // whole call, so audio never stopped while the update ran.
    expect(caller.state).toBe("ESTABLISHED");
    await sleep(2_000);
    expect(caller.state).toBe("ESTABLISHED");
    await caller.hangup();
    const callSeconds = (Date.now() - establishedAt) / 1000;
    await callee.waitForState("CLOSED");
    expect(await toneSeconds(await caller.recording(), 1300)).toBeGreaterThan(callSeconds - 1.5);

    const output = await execIn(CONTAINER, ["asterisk", "-rx", "pjsip show endpoint 102"]);
    expect(output).toContain("Facturación y Cobranza");
    await Promise.all(phones.splice(0).map((phone) => phone.stop()));
  });

  it("rejects an invalid stack before touching the site", async () => {
    const before = await docker.getContainer(CONTAINER).inspect();
    const stackFile = `Pulumi.${SITE}.yaml`;
    const valid = project.readFile(stackFile);
    const invalid = valid
      .replace('{number: "104", name: Dudas,', '{number: "101", name: Dudas,')
      .replace('members: ["100", "105", "106"]', 'members: ["100", "105", "166"]');
    expect(invalid).not.toBe(valid);
    project.writeFile(stackFile, invalid);

    const result = await project.run("pulumi", ["up", "--yes", "--skip-preview", "--stack", SITE, "--suppress-progress"]);
    project.writeFile(stackFile, valid);
    const output = result.stdout + result.stderr;
    expect(result.code).not.toBe(0);
    expect(output).toContain('Site "mochis" has');
    expect(output).toContain("E_DUPLICATE_NUMBER");
    expect(output).toContain("E_UNKNOWN_MEMBER");

    const after = await docker.getContainer(CONTAINER).inspect();
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
    const unchanged = await project.run("pulumi", ["preview", "--expect-no-changes", "--stack", SITE, "--suppress-progress"]);
    expect(unchanged.code, `${unchanged.stdout}\n${unchanged.stderr}`).toBe(0);
  });

  it("destroys the containers and keeps the data volumes", async () => {
    await project.pulumi(["destroy", "--yes", "--stack", SITE, "--suppress-progress"], { timeoutMs: 300_000 });
    expect(await containerExists(CONTAINER)).toBe(false);
    expect(await containerExists(`inova-${SITE}-cdr-db`)).toBe(false);
    for (const name of KEPT_VOLUMES) {
      const volume = await docker.getVolume(name).inspect();
      expect(volume.Name).toBe(name);
    }
  });
});
