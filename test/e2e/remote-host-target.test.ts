// The host-ssh target: the real Pulumi CLI deploys the `remotetest` site's
// configuration over SSH onto a Linux host that runs Asterisk as a plain
// process. The host is a container of this test (sshd on 127.0.109.1:2222, host
// network), and the deploy reaches it only through SSH. Asterisk there loads the
// files and connects a call, a renamed extension is applied by a reload, a
// refresh finds a hand edit, and destroy removes the files.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { toneSeconds, writeToneWav } from "../support/audio";
import { SipPhone } from "../support/phones/sip-phone";
import { sleep } from "../support/phones/wait";
import { ProjectCopy } from "../support/project-copy";
import {
  buildRemoteHostImage,
  execOnHost,
  generateSshKeys,
  remoteTestStackFile,
  removeOtherStackFiles,
  removeRemoteHost,
  startRemoteHost,
  type SshTestKeys,
} from "../support/remote-host";

const STACK = "remotetest";
const ADDRESS = "127.0.109.1";
const SSH_PORT = 2222;
const HOST = "remote-host-asterisk";
const STACK_FILE = `Pulumi.${STACK}.yaml`;
const CONFIG_URN_SUFFIX = "ssh:AsteriskHostFiles::remotetest-config";

let project: ProjectCopy;
let keys: SshTestKeys;
let audioDir: string;
let passwords: Record<string, string>;
const phones: SipPhone[] = [];

function target(): Record<string, unknown> {
  return {
    kind: "host-ssh",
    host: ADDRESS,
    port: SSH_PORT,
    user: "root",
    privateKeyFile: keys.clientKeyFile,
    hostKeyFingerprint: keys.hostKeyFingerprint,
  };
}

function asterisk(command: string): string {
  return execOnHost(HOST, ["asterisk", "-rx", command]);
}

/** Seconds since Asterisk started, from `core show uptime seconds`; a restart sets it back. */
function asteriskUptimeSeconds(): number {
  const match = /System uptime: (\d+)/.exec(asterisk("core show uptime seconds"));
  if (match === null) {
    throw new Error("core show uptime seconds printed no System uptime line");
  }
  return Number(match[1]);
}

/** Reads the configuration resource's outputs from `pulumi stack export`. */
async function configOutputs(): Promise<Record<string, unknown>> {
  const state = JSON.parse(await project.pulumi(["stack", "export", "--stack", STACK])) as {
    deployment: { resources?: { urn: string; outputs?: Record<string, unknown> }[] };
  };
  const resource = (state.deployment.resources ?? []).find((entry) => entry.urn.endsWith(CONFIG_URN_SUFFIX));
  if (resource === undefined) {
    throw new Error(`no resource ending in ${CONFIG_URN_SUFFIX} in the state`);
  }
  return resource.outputs ?? {};
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

beforeAll(async () => {
  buildRemoteHostImage();
  removeRemoteHost(HOST);
  keys = generateSshKeys("inova-remotetest");
  await startRemoteHost({ name: HOST, keys, sshAddress: ADDRESS, sshPort: SSH_PORT });
  project = ProjectCopy.create("inova-remotetest");
  removeOtherStackFiles(project.dir);
  project.writeFile(STACK_FILE, remoteTestStackFile(ADDRESS, target()));
  await project.pulumi(["stack", "init", STACK]);
  audioDir = mkdtempSync(join(tmpdir(), "inova-remotetest-audio-"));
});

afterAll(async () => {
  await Promise.allSettled(phones.map((phone) => phone.stop()));
  if (project !== undefined) {
    await project.run("pulumi", ["destroy", "--yes", "--stack", STACK, "--suppress-progress"], { timeoutMs: 300_000 });
    project.remove();
  }
  removeRemoteHost(HOST);
  if (keys !== undefined) {
    rmSync(keys.directory, { recursive: true, force: true });
  }
  if (audioDir !== undefined) {
    rmSync(audioDir, { recursive: true, force: true });
  }
});

describe("host-ssh target", () => {
  it("deploys the configuration over SSH", async () => {
    await project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"], { timeoutMs: 600_000 });

    const outputs = await configOutputs();
    // The host already had asterisk.conf and modules.conf, which Asterisk reads only at start.
    expect(outputs.lastApply).toBe("restarted");
    const attributes = outputs.fileAttributes as Record<string, string>;
    expect(attributes["pjsip.conf"]).toMatch(/^0644 \d+:\d+$/);
    expect(attributes["pjsip_auth.conf"]).toMatch(/^0640 \d+:\d+$/);
    const owner = execOnHost(HOST, ["stat", "-c", "%U:%G %a", "/etc/asterisk/pjsip_auth.conf"]).trim();
    expect(owner).toBe("asterisk:asterisk 640");

    const stackOutputs = JSON.parse(await project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK]));
    passwords = stackOutputs.extensionPasswords as Record<string, string>;
    expect(Object.keys(passwords).sort()).toEqual(["100", "101"]);
    expect(stackOutputs.pbxContainer).toBeUndefined();
  });

  it("loads the dialplan and endpoints on the host", () => {
    const dialplan = asterisk("dialplan show");
    expect(dialplan).toContain("Context 'from-internal-remotetest'");
    expect(dialplan).toContain("'101' =>");
    const endpoints = asterisk("pjsip show endpoints");
    expect(endpoints).toContain("100");
    expect(endpoints).toContain("101");
    expect(asterisk("pjsip show transports")).toContain(ADDRESS);
  });

  it("keeps the key and secrets out of the state", async () => {
    const state = await project.pulumi(["stack", "export", "--stack", STACK]);
    const privateKey = readFileSync(keys.clientKeyFile, "utf8");
    const keyBody = privateKey.split("\n")[1];
    expect(keyBody.length).toBeGreaterThan(20);
    expect(state).not.toContain(keyBody);
    expect(state).toContain(keys.clientKeyFile);
    for (const password of Object.values(passwords)) {
      expect(state).not.toContain(password);
    }
    for (const file of readdirSync(project.stateDir, { recursive: true }) as string[]) {
      const full = join(project.stateDir, file);
      if (statSync(full).isFile()) {
        expect(readFileSync(full, "utf8")).not.toContain(keyBody);
      }
    }
  });

  it("connects a call through the host's Asterisk", async () => {
    const caller = await startPhone("100", "127.0.109.11", 700);
    const callee = await startPhone("101", "127.0.109.12", 1300);
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
  });

  it("applies a renamed extension by reload", async () => {
    const uptimeBefore = asteriskUptimeSeconds();
    project.writeFile(STACK_FILE, remoteTestStackFile(ADDRESS, target(), "Recepción Norte"));
    await project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"], { timeoutMs: 600_000 });

    expect((await configOutputs()).lastApply).toBe("reloaded");
    expect(execOnHost(HOST, ["cat", "/etc/asterisk/pjsip.conf"])).toContain("Recepción Norte");
    expect(asterisk("pjsip show endpoint 101")).toContain("Recepción Norte");
    // Asterisk kept running: a restart would have set its uptime back.
    expect(asteriskUptimeSeconds()).toBeGreaterThanOrEqual(uptimeBefore);

    const result = await project.run("pulumi", ["preview", "--expect-no-changes", "--stack", STACK, "--suppress-progress"]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it("finds a hand edit on refresh and restores it", async () => {
    execOnHost(HOST, ["sh", "-c", "echo '; edited by hand' >> /etc/asterisk/extensions.conf"]);
    const hashBefore = ((await configOutputs()).fileHashes as Record<string, string>)["extensions.conf"];

    await project.pulumi(["refresh", "--yes", "--stack", STACK, "--suppress-progress"]);
    const hashAfterRefresh = ((await configOutputs()).fileHashes as Record<string, string>)["extensions.conf"];
    expect(hashAfterRefresh).not.toBe(hashBefore);
    const drift = await project.run("pulumi", ["preview", "--expect-no-changes", "--stack", STACK, "--suppress-progress"]);
    expect(drift.code).not.toBe(0);

    await project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"]);
    expect(execOnHost(HOST, ["cat", "/etc/asterisk/extensions.conf"])).not.toContain("edited by hand");
    expect(((await configOutputs()).fileHashes as Record<string, string>)["extensions.conf"]).toBe(hashBefore);
  });

  it("removes the deployed files on destroy", async () => {
    await project.pulumi(["destroy", "--yes", "--stack", STACK, "--suppress-progress"]);
    const listing = execOnHost(HOST, ["ls", "-A", "/etc/asterisk"]).split("\n").filter((name) => name !== "");
    expect(listing).not.toContain("pjsip.conf");
    expect(listing).not.toContain("pjsip_auth.conf");
    expect(listing).not.toContain("extensions.conf");
  });
});
