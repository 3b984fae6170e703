// The docker-ssh target: the real Pulumi CLI deploys the `remotetest` site
// through a Docker engine reached over SSH. The SSH server is a container of
// this test (sshd on 127.0.109.2:2222, host network) with this machine's engine
// socket and docker CLI mounted. Every Engine API request of the deploy travels
// over SSH through `docker system dial-stdio`, but the containers it creates run
// on this machine's engine, where the test inspects them. No other machine is involved.

import Docker from "dockerode";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { connectEngine } from "../../components/providers/docker/engine";
import { stageRecordsApiContext } from "../support/drifttest-site";
import { RemoteTargetRun, REMOTE_TEST_STACK as STACK, remoteTestStackFile, type SshTestKeys } from "../support/remote-host";

const ADDRESS = "127.0.109.1";
const SSH_ADDRESS = "127.0.109.2";
const SSH_PORT = 2222;
const SSHD = "remote-engine-sshd";
const PBX = `inova-${STACK}-pbx`;
const DATABASE = `inova-${STACK}-cdr-db`;
const docker = new Docker();

function target(keys: SshTestKeys): Record<string, unknown> {
  return {
    kind: "docker-ssh",
    host: SSH_ADDRESS,
    port: SSH_PORT,
    user: "root",
    privateKeyFile: keys.clientKeyFile,
    hostKeyFingerprint: keys.hostKeyFingerprint,
  };
}

const run = new RemoteTargetRun({
  host: {
    name: SSHD,
    sshAddress: SSH_ADDRESS,
    sshPort: SSH_PORT,
    dockerArgs: ["-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", "/usr/local/bin/docker:/usr/local/bin/docker:ro"],
    entrypoint: ["/usr/local/bin/remote-host-entrypoint", "sshd-only"],
  },
  siteAddress: ADDRESS,
  // Volumes go with the stack, so the test leaves no data behind.
  stackFile: (keys) => `${remoteTestStackFile(ADDRESS, target(keys))}  inova-pbx:deleteDataOnDestroy: true\n`,
  destroyTimeoutMs: 600_000,
});

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
  await run.start();
  // The deploy builds the records API image from the copy's staged context.
  stageRecordsApiContext(run.project);
});

afterAll(() => run.stop());

describe("docker-ssh target", () => {
  it("deploys the site through the engine over SSH", async () => {
    await run.project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"], { timeoutMs: 1_200_000 });

    const pbx = await docker.getContainer(PBX).inspect();
    expect(pbx.State.Running).toBe(true);
    expect(pbx.HostConfig.NetworkMode).toBe("host");
    const database = await docker.getContainer(DATABASE).inspect();
    expect(database.State.Running).toBe(true);

    // sshd logged the deploy's logins with the test's key.
    // sshd -e writes its log to standard error.
    const sshdLog = spawnSync("docker", ["logs", SSHD], { encoding: "utf8" });
    expect(sshdLog.stderr).toContain("Accepted publickey for root");

    const outputs = JSON.parse(await run.project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK]));
    run.passwords = outputs.extensionPasswords as Record<string, string>;
    expect(outputs.pbxContainer).toBe(PBX);
  });

  it("records the SSH engine on every Docker and MariaDB resource", async () => {
    const state = JSON.parse(await run.project.pulumi(["stack", "export", "--stack", STACK])) as {
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
        privateKeyFile: run.keys.clientKeyFile,
        agent: false,
        hostKeyFingerprint: run.keys.hostKeyFingerprint,
      });
    }

    const text = JSON.stringify(state);
    const keyBody = readFileSync(run.keys.clientKeyFile, "utf8").split("\n")[1];
    expect(keyBody.length).toBeGreaterThan(20);
    expect(text).not.toContain(keyBody);
    for (const password of Object.values(run.passwords)) {
      expect(text).not.toContain(password);
    }
  });

  it("connects a call on the deployed PBX", async () => {
    const call = await run.callBetweenExtensions();

    expect(call.callerHeardSeconds).toBeGreaterThan(1);
    expect(call.calleeHeardSeconds).toBeGreaterThan(1);
  });

  it("rejects an engine with another host key", async () => {
    const engine = {
      protocol: "ssh" as const,
      host: SSH_ADDRESS,
      port: SSH_PORT,
      username: "root",
      privateKeyFile: run.keys.clientKeyFile,
      agent: false,
    };
    const trusted = connectEngine({ ...engine, hostKeyFingerprint: run.keys.hostKeyFingerprint });
    expect(String(await trusted.ping())).toBe("OK");

    const impostor = connectEngine({ ...engine, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` });
    await expect(impostor.ping()).rejects.toThrow(/verification failed/i);
  });

  it("removes the containers and volumes on destroy", async () => {
    await run.project.pulumi(["destroy", "--yes", "--stack", STACK, "--suppress-progress"], { timeoutMs: 600_000 });
    expect(await leftovers()).toEqual([]);
  });
});
