// A Linux host with an SSH server for the remote-target tests: a container of the
// test's own, built from the PBX image plus OpenSSH (test/fixtures/remote-host),
// on the host network so sshd listens on one loopback address. Keys are made
// fresh for each run with ssh-keygen.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

import { REPO_DIR } from "./project-copy";

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
