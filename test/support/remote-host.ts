// A Linux host with an SSH server for the remote-target tests: a container of the
// test's own, built from the PBX image plus OpenSSH (test/fixtures/remote-host),
// on the host network so sshd listens on one loopback address. Keys are made
// fresh for each run with ssh-keygen. RemoteTargetRun sets up and tears down
// one such test: the host, the keys, a project copy with the `remotetest`
// stack, and the SIP phones of its calls.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

import { toneSeconds, writeToneWav } from "./audio";
import { SipPhone } from "./phones/sip-phone";
import { sleep } from "./phones/wait";
import { ProjectCopy, REPO_DIR } from "./project-copy";

export const REMOTE_HOST_IMAGE = "inova/asterisk:remote-host";

/** Client key pair and host key for one test run, in a private temporary directory. */
export interface SshTestKeys {
  readonly directory: string;
  /** Client private key; the deploy logs in with it. */
  readonly clientKeyFile: string;
  /** Host key fingerprint as `ssh-keygen -l` prints it. */
  readonly hostKeyFingerprint: string;
  /** Directory mounted into the host container: host key and authorized_keys. */
  readonly hostKeysDirectory: string;
}

/** Builds the host image from the fixture; the Docker layer cache makes a rebuild quick. */
export function buildRemoteHostImage(): void {
  execFileSync("docker", ["build", "-q", "-t", REMOTE_HOST_IMAGE, path.join(REPO_DIR, "test", "fixtures", "remote-host")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** Generates an ed25519 client key and host key with ssh-keygen. */
export function generateSshKeys(prefix: string): SshTestKeys {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-keys-`));
  const hostKeysDirectory = path.join(directory, "host");
  fs.mkdirSync(hostKeysDirectory);
  const clientKeyFile = path.join(directory, "client_ed25519");
  const hostKeyFile = path.join(hostKeysDirectory, "host_ed25519");
  for (const [file, comment] of [
    [clientKeyFile, "remote-test-client"],
    [hostKeyFile, "remote-test-host"],
  ]) {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
  }
  fs.copyFileSync(`${clientKeyFile}.pub`, path.join(hostKeysDirectory, "authorized_keys"));
  // The line reads "256 SHA256:<base64> remote-test-host (ED25519)".
  const line = execFileSync("ssh-keygen", ["-l", "-f", `${hostKeyFile}.pub`], { encoding: "utf8" });
  const fingerprint = line.split(" ")[1];
  if (!/^SHA256:/.test(fingerprint ?? "")) {
    throw new Error(`unexpected ssh-keygen -l output: ${line}`);
  }
  return { directory, clientKeyFile, hostKeyFingerprint: fingerprint, hostKeysDirectory };
}

export interface RemoteHostOptions {
  readonly name: string;
  readonly keys: SshTestKeys;
  readonly sshAddress: string;
  readonly sshPort: number;
  /** Extra `docker run` arguments, e.g. a mounted engine socket. */
  readonly dockerArgs?: readonly string[];
  /** Command in place of the image's entrypoint, e.g. sshd alone. */
  readonly entrypoint?: readonly string[];
}

/** Starts the host container and waits until sshd accepts connections. */
export async function startRemoteHost(options: RemoteHostOptions): Promise<void> {
  const entrypoint = options.entrypoint ?? [];
  execFileSync("docker", [
    "run",
    "-d",
    "--name",
    options.name,
    "--network",
    "host",
    "-e",
    `SSHD_ADDRESS=${options.sshAddress}`,
    "-e",
    `SSHD_PORT=${options.sshPort}`,
    "-v",
    `${options.keys.hostKeysDirectory}:/run/remote-keys:ro`,
    ...(options.dockerArgs ?? []),
    ...(entrypoint.length > 0 ? ["--entrypoint", entrypoint[0]] : []),
    REMOTE_HOST_IMAGE,
    ...entrypoint.slice(1),
  ]);
  await waitForSshBanner(options.sshAddress, options.sshPort, 60_000);
}

/** Removes the host container; never fails. */
export function removeRemoteHost(name: string): void {
  try {
    execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" });
  } catch {
    // Already gone.
  }
}

/** Runs a command in the host container and returns its standard output. */
export function execOnHost(name: string, command: readonly string[]): string {
  return execFileSync("docker", ["exec", name, ...command], { encoding: "utf8" });
}

/** Waits until the port sends an SSH banner ("SSH-2.0-..."). */
async function waitForSshBanner(address: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const banner = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: address, port });
      socket.setTimeout(2000);
      socket.once("data", (chunk) => {
        socket.destroy();
        resolve(chunk.toString("utf8"));
      });
      socket.once("error", () => resolve(""));
      socket.once("timeout", () => {
        socket.destroy();
        resolve("");
      });
    });
    if (banner.startsWith("SSH-2.0-")) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`sshd on ${address}:${port} did not answer within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Stack file of the `remotetest` site: HQ alone, access code 89, RTP 38000-38999, with the given target. */
export function remoteTestStackFile(address: string, target: Record<string, unknown>, extension101Name = "Recepción"): string {
  return [
    "# Site of the remote-target tests.",
    "config:",
    "  inova-pbx:site:",
    "    name: Remote Test",
    "    role: hq",
    "    timezone: America/Mazatlan",
    `    address: ${address}`,
    '    publicNumber: "6688100089"',
    '    accessCode: "89"',
    "    rtpPorts: {start: 38000, end: 38999}",
    "  inova-pbx:extensions:",
    '    - {number: "100", name: Soporte, protocol: pjsip}',
    `    - {number: "101", name: ${extension101Name}, protocol: pjsip}`,
    `  inova-pbx:target: ${JSON.stringify(target)}`,
    "",
  ].join("\n");
}

/** Removes every stack file of the copy except Pulumi.yaml, so `remotetest` is the only site. */
export function removeOtherStackFiles(projectDir: string): void {
  for (const file of fs.readdirSync(projectDir)) {
    if (/^Pulumi\..+\.yaml$/.test(file)) {
      fs.rmSync(path.join(projectDir, file));
    }
  }
}

function notStarted(): never {
  throw new Error("the remote-target run has not started; call start() in beforeAll");
}

/** Stack of the remote-target tests, and the file that configures it. */
export const REMOTE_TEST_STACK = "remotetest";
export const REMOTE_TEST_STACK_FILE = `Pulumi.${REMOTE_TEST_STACK}.yaml`;

export interface RemoteTargetRunOptions {
  /** The SSH host container: its name, sshd address and port, and extra `docker run` arguments. */
  readonly host: Omit<RemoteHostOptions, "keys">;
  /** Address of the `remotetest` site, where its phones register. */
  readonly siteAddress: string;
  /** Returns the content of the stack file, whose target logs in with the run's keys. */
  readonly stackFile: (keys: SshTestKeys) => string;
  /** Milliseconds the `pulumi destroy` of the teardown may take. */
  readonly destroyTimeoutMs: number;
}

/** Seconds of the other side's tone in each phone's recording of a call. */
export interface CallRecordings {
  /** Seconds of the callee's 1300 Hz tone that the caller heard. */
  readonly callerHeardSeconds: number;
  /** Seconds of the caller's 700 Hz tone that the callee heard. */
  readonly calleeHeardSeconds: number;
}

/**
 * One run of a remote-target test. `start` makes fresh keys, starts the SSH
 * host container and copies the project with `remotetest` as its only stack.
 * `stop` destroys the stack and removes all of that, also after a `start` that
 * failed part way.
 */
export class RemoteTargetRun {
  /** Extension passwords from the stack outputs, set by the test after its first deploy. */
  passwords: Record<string, string> = {};
  private projectCopy: ProjectCopy | undefined;
  private sshKeys: SshTestKeys | undefined;
  private audioDir: string | undefined;
  private readonly phones: SipPhone[] = [];

  constructor(private readonly options: RemoteTargetRunOptions) {}

  get project(): ProjectCopy {
    return this.projectCopy ?? notStarted();
  }

  get keys(): SshTestKeys {
    return this.sshKeys ?? notStarted();
  }

  async start(): Promise<void> {
    buildRemoteHostImage();
    removeRemoteHost(this.options.host.name);
    this.sshKeys = generateSshKeys("inova-remotetest");
    await startRemoteHost({ ...this.options.host, keys: this.sshKeys });
    this.projectCopy = ProjectCopy.create("inova-remotetest");
    removeOtherStackFiles(this.projectCopy.dir);
    this.projectCopy.writeFile(REMOTE_TEST_STACK_FILE, this.options.stackFile(this.sshKeys));
    await this.projectCopy.pulumi(["stack", "init", REMOTE_TEST_STACK]);
    this.audioDir = fs.mkdtempSync(path.join(os.tmpdir(), "inova-remotetest-audio-"));
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.phones.map((phone) => phone.stop()));
    if (this.projectCopy !== undefined) {
      const destroy = ["destroy", "--yes", "--stack", REMOTE_TEST_STACK, "--suppress-progress"];
      await this.projectCopy.run("pulumi", destroy, { timeoutMs: this.options.destroyTimeoutMs });
      this.projectCopy.remove();
    }
    removeRemoteHost(this.options.host.name);
    if (this.sshKeys !== undefined) {
      fs.rmSync(this.sshKeys.directory, { recursive: true, force: true });
    }
    if (this.audioDir !== undefined) {
      fs.rmSync(this.audioDir, { recursive: true, force: true });
    }
  }

  /**
   * Registers extensions 100 (127.0.109.11, sends 700 Hz) and 101
   * (127.0.109.12, sends 1300 Hz), lets 100 call 101 for two seconds, hangs
   * up and stops both phones.
   */
  async callBetweenExtensions(): Promise<CallRecordings> {
    const caller = await this.startPhone("100", "127.0.109.11", 700);
    const callee = await this.startPhone("101", "127.0.109.12", 1300);
    await caller.dial("101");
    await callee.waitForIncoming();
    await callee.answer();
    await caller.waitForState("ESTABLISHED");
    await sleep(2_000);
    await caller.hangup();
    await callee.waitForState("CLOSED");

    const recordings = {
      callerHeardSeconds: await toneSeconds(await caller.recording(), 1300),
      calleeHeardSeconds: await toneSeconds(await callee.recording(), 700),
    };
    await Promise.all(this.phones.splice(0).map((phone) => phone.stop()));
    return recordings;
  }

  private async startPhone(user: string, localAddress: string, hz: number): Promise<SipPhone> {
    const audioDir = this.audioDir ?? notStarted();
    const phone = await SipPhone.start({
      user,
      password: this.passwords[user],
      server: `${this.options.siteAddress}:5060`,
      localAddress,
      audioFile: await writeToneWav(path.join(audioDir, `${user}-${hz}.wav`), hz, 120),
    });
    this.phones.push(phone);
    await phone.register();
    return phone;
  }
}
