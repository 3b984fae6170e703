// The host-ssh target: the real Pulumi CLI deploys the `remotetest` site's
// configuration over SSH onto a Linux host that runs Asterisk as a plain
// process. The host is a container of this test (sshd on 127.0.109.1:2222, host
// network), and the deploy reaches it only through SSH. Asterisk there loads the
// files and connects a call, a renamed extension is applied by a reload, a
// refresh finds a hand edit, and destroy removes the files.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  execOnHost,
  RemoteTargetRun,
  REMOTE_TEST_STACK as STACK,
  REMOTE_TEST_STACK_FILE as STACK_FILE,
  remoteTestStackFile,
  type SshTestKeys,
} from "../support/remote-host";

const ADDRESS = "127.0.109.1";
const SSH_PORT = 2222;
const HOST = "remote-host-asterisk";
const CONFIG_URN_SUFFIX = "ssh:AsteriskHostFiles::remotetest-config";

function target(keys: SshTestKeys): Record<string, unknown> {
  return {
    kind: "host-ssh",
    host: ADDRESS,
    port: SSH_PORT,
    user: "root",
    privateKeyFile: keys.clientKeyFile,
    hostKeyFingerprint: keys.hostKeyFingerprint,
  };
}

const run = new RemoteTargetRun({
  host: { name: HOST, sshAddress: ADDRESS, sshPort: SSH_PORT },
  siteAddress: ADDRESS,
  stackFile: (keys) => remoteTestStackFile(ADDRESS, target(keys)),
  destroyTimeoutMs: 300_000,
});

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
  const state = JSON.parse(await run.project.pulumi(["stack", "export", "--stack", STACK])) as {
    deployment: { resources?: { urn: string; outputs?: Record<string, unknown> }[] };
  };
  const resource = (state.deployment.resources ?? []).find((entry) => entry.urn.endsWith(CONFIG_URN_SUFFIX));
  if (resource === undefined) {
    throw new Error(`no resource ending in ${CONFIG_URN_SUFFIX} in the state`);
  }
  return resource.outputs ?? {};
}

beforeAll(() => run.start());

afterAll(() => run.stop());

describe("host-ssh target", () => {
  it("deploys the configuration over SSH", async () => {
    await run.project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"], { timeoutMs: 600_000 });

    const outputs = await configOutputs();
    // The host already had asterisk.conf and modules.conf, which Asterisk reads only at start.
    expect(outputs.lastApply).toBe("restarted");
    const attributes = outputs.fileAttributes as Record<string, string>;
    expect(attributes["pjsip.conf"]).toMatch(/^0644 \d+:\d+$/);
    expect(attributes["pjsip_auth.conf"]).toMatch(/^0640 \d+:\d+$/);
    const owner = execOnHost(HOST, ["stat", "-c", "%U:%G %a", "/etc/asterisk/pjsip_auth.conf"]).trim();
    expect(owner).toBe("asterisk:asterisk 640");

    const stackOutputs = JSON.parse(await run.project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK]));
    run.passwords = stackOutputs.extensionPasswords as Record<string, string>;
    expect(Object.keys(run.passwords).sort()).toEqual(["100", "101"]);
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
    const state = await run.project.pulumi(["stack", "export", "--stack", STACK]);
    const privateKey = readFileSync(run.keys.clientKeyFile, "utf8");
    const keyBody = privateKey.split("\n")[1];
    expect(keyBody.length).toBeGreaterThan(20);
    expect(state).not.toContain(keyBody);
    expect(state).toContain(run.keys.clientKeyFile);
    for (const password of Object.values(run.passwords)) {
      expect(state).not.toContain(password);
    }
    for (const file of readdirSync(run.project.stateDir, { recursive: true }) as string[]) {
      const full = join(run.project.stateDir, file);
      if (statSync(full).isFile()) {
        expect(readFileSync(full, "utf8")).not.toContain(keyBody);
      }
    }
  });

  it("connects a call through the host's Asterisk", async () => {
    const call = await run.callBetweenExtensions();

    expect(call.callerHeardSeconds).toBeGreaterThan(1);
    expect(call.calleeHeardSeconds).toBeGreaterThan(1);
  });

  it("applies a renamed extension by reload", async () => {
    const uptimeBefore = asteriskUptimeSeconds();
    run.project.writeFile(STACK_FILE, remoteTestStackFile(ADDRESS, target(run.keys), "Recepción Norte"));
    await run.project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"], { timeoutMs: 600_000 });

    expect((await configOutputs()).lastApply).toBe("reloaded");
    expect(execOnHost(HOST, ["cat", "/etc/asterisk/pjsip.conf"])).toContain("Recepción Norte");
    expect(asterisk("pjsip show endpoint 101")).toContain("Recepción Norte");
    // Asterisk kept running: a restart would have set its uptime back.
    expect(asteriskUptimeSeconds()).toBeGreaterThanOrEqual(uptimeBefore);

    const result = await run.project.run("pulumi", ["preview", "--expect-no-changes", "--stack", STACK, "--suppress-progress"]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it("finds a hand edit on refresh and restores it", async () => {
    execOnHost(HOST, ["sh", "-c", "echo '; edited by hand' >> /etc/asterisk/extensions.conf"]);
    const hashBefore = ((await configOutputs()).fileHashes as Record<string, string>)["extensions.conf"];

    await run.project.pulumi(["refresh", "--yes", "--stack", STACK, "--suppress-progress"]);
    const hashAfterRefresh = ((await configOutputs()).fileHashes as Record<string, string>)["extensions.conf"];
    expect(hashAfterRefresh).not.toBe(hashBefore);
    const drift = await run.project.run("pulumi", ["preview", "--expect-no-changes", "--stack", STACK, "--suppress-progress"]);
    expect(drift.code).not.toBe(0);

    await run.project.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"]);
    expect(execOnHost(HOST, ["cat", "/etc/asterisk/extensions.conf"])).not.toContain("edited by hand");
    expect(((await configOutputs()).fileHashes as Record<string, string>)["extensions.conf"]).toBe(hashBefore);
  });

  it("removes the deployed files on destroy", async () => {
    await run.project.pulumi(["destroy", "--yes", "--stack", STACK, "--suppress-progress"]);
    const listing = execOnHost(HOST, ["ls", "-A", "/etc/asterisk"]).split("\n").filter((name) => name !== "");
    expect(listing).not.toContain("pjsip.conf");
    expect(listing).not.toContain("pjsip_auth.conf");
    expect(listing).not.toContain("extensions.conf");
  });
});
