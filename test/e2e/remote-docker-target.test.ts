// The docker-ssh target: the real Pulumi CLI deploys the `remotetest` site
// through a Docker engine reached over SSH. The SSH server is a container of
// this test (sshd on 127.0.109.2:2222, host network) with this machine's engine
// socket and docker CLI mounted. Every Engine API request of the deploy travels
// over SSH through `docker system dial-stdio`, but the containers it creates run
// on this machine's engine, where the test inspects them. No other machine is involved.

import Docker from "dockerode";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { toneSeconds, writeToneWav } from "../support/audio";
import { SipPhone } from "../support/phones/sip-phone";
import { sleep } from "../support/phones/wait";
import { connectEngine } from "../../components/providers/docker/engine";
import { ProjectCopy } from "../support/project-copy";
import {
  buildRemoteHostImage,
  generateSshKeys,
  remoteTestStackFile,
  removeOtherStackFiles,
  removeRemoteHost,
  startRemoteHost,
  type SshTestKeys,
} from "../support/remote-host";

const STACK = "remotetest";
const ADDRESS = "127.0.109.1";
const SSH_ADDRESS = "127.0.109.2";
const SSH_PORT = 2222;
const SSHD = "remote-engine-sshd";
const STACK_FILE = `Pulumi.${STACK}.yaml`;
const PBX = `inova-${STACK}-pbx`;
const DATABASE = `inova-${STACK}-cdr-db`;
const docker = new Docker();

let project: ProjectCopy;
let keys: SshTestKeys;
let audioDir: string;
let passwords: Record<string, string>;
const phones: SipPhone[] = [];

function target(): Record<string, unknown> {
  return {
    kind: "docker-ssh",
    host: SSH_ADDRESS,
    port: SSH_PORT,
    user: "root",
    privateKeyFile: keys.clientKeyFile,
    hostKeyFingerprint: keys.hostKeyFingerprint,
  };
}

function stackFile(): string {
  // Volumes go with the stack, so the test leaves no data behind.
  return `${remoteTestStackFile(ADDRESS, target())}  inova-pbx:deleteDataOnDestroy: true\n`;
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

/** Names of this stack's containers and volumes that exist on the engine. */
async function leftovers(): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { name: [`inova-${STACK}-`] } });
  const { Volumes: volumes } = await docker.listVolumes({ filters: { name: [`inova-${STACK}-`] } });
  return [
    ...containers.flatMap((container) => container.Names.map((name) => name.replace(/^\//, ""))),
    ...(volumes ?? []).map((volume) => volume.Name),
  ].sort();
}

beforeAll(async () => {
  const existing = await leftovers();
  if (existing.length > 0) {
    throw new Error(`${existing.join(", ")} already exist; the test deploys its own ${STACK} site and will not touch them`);
  }
  buildRemoteHostImage();
  removeRemoteHost(SSHD);
  keys = generateSshKeys("inova-remotetest");
  await startRemoteHost({
    name: SSHD,
    keys,
    sshAddress: SSH_ADDRESS,
    sshPort: SSH_PORT,
    dockerArgs: ["-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", "/usr/local/bin/docker:/usr/local/bin/docker:ro"],
    entrypoint: ["/usr/local/bin/remote-host-entrypoint", "sshd-only"],
  });
  project = ProjectCopy.create("inova-remotetest");
  removeOtherStackFiles(project.dir);
  project.writeFile(STACK_FILE, stackFile());
  await project.pulumi(["stack", "init", STACK]);
  audioDir = mkdtempSync(join(tmpdir(), "inova-remotetest-audio-"));
});

afterAll(async () => {
  await Promise.allSettled(phones.map((phone) => phone.stop()));
  if (project !== undefined) {
    await project.run("pulumi", ["destroy", "--yes", "--stack", STACK, "--suppress-progress"], { timeoutMs: 600_000 });
    project.remove();
  }
  removeRemoteHost(SSHD);
  if (keys !== undefined) {
    rmSync(keys.directory, { recursive: true, force: true });
  }
  if (audioDir !== undefined) {
    rmSync(audioDir, { recursive: true, force: true });
  }
});

describe("docker-ssh target", () => {
  it("deploys the site through the engine over SSH", async () => {
    await project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"], { timeoutMs: 1_200_000 });

    const pbx = await docker.getContainer(PBX).inspect();
    expect(pbx.State.Running).toBe(true);
    expect(pbx.HostConfig.NetworkMode).toBe("host");
    const database = await docker.getContainer(DATABASE).inspect();
    expect(database.State.Running).toBe(true);

    // sshd logged the deploy's logins with the test's key.
    // sshd -e writes its log to standard error.
    const sshdLog = spawnSync("docker", ["logs", SSHD], { encoding: "utf8" });
    expect(sshdLog.stderr).toContain("Accepted publickey for root");

    const outputs = JSON.parse(await project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK]));
    passwords = outputs.extensionPasswords as Record<string, string>;
    expect(outputs.pbxContainer).toBe(PBX);
  });

  it("records the SSH engine on every Docker and MariaDB resource", async () => {
    const state = JSON.parse(await project.pulumi(["stack", "export", "--stack", STACK])) as {
      deployment: { resources?: { urn: string; type: string; inputs?: Record<string, unknown> }[] };
    };
    const engineResources = (state.deployment.resources ?? []).filter((resource) =>
      /^pulumi-nodejs:dynamic\/(docker|mariadb):/.test(resource.type),
    );
    expect(engineResources.length).toBeGreaterThan(5);
    for (const resource of engineResources) {
      expect(resource.inputs?.engine, resource.urn).toEqual({
        protocol: "ssh",
        host: SSH_ADDRESS,
        port: SSH_PORT,
        username: "root",
        privateKeyFile: keys.clientKeyFile,
        agent: false,
        hostKeyFingerprint: keys.hostKeyFingerprint,
      });
    }

    const text = JSON.stringify(state);
    const keyBody = readFileSync(keys.clientKeyFile, "utf8").split("\n")[1];
    expect(keyBody.length).toBeGreaterThan(20);
    expect(text).not.toContain(keyBody);
    for (const password of Object.values(passwords)) {
      expect(text).not.toContain(password);
    }
  });

  it("connects a call on the deployed PBX", async () => {
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

  it("rejects an engine with another host key", async () => {
    const engine = {
      protocol: "ssh" as const,
      host: SSH_ADDRESS,
      port: SSH_PORT,
      username: "root",
      privateKeyFile: keys.clientKeyFile,
      agent: false,
    };
    const trusted = connectEngine({ ...engine, hostKeyFingerprint: keys.hostKeyFingerprint });
    expect(String(await trusted.ping())).toBe("OK");

    const impostor = connectEngine({ ...engine, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` });
    await expect(impostor.ping()).rejects.toThrow(/verification failed/i);
  });

  it("removes the containers and volumes on destroy", async () => {
    await project.pulumi(["destroy", "--yes", "--stack", STACK, "--suppress-progress"], { timeoutMs: 600_000 });
    expect(await leftovers()).toEqual([]);
  });
});
