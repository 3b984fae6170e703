// SSH connections made by the dynamic providers, with ssh2. Runs inside the
// provider process, so modules are loaded inside functions.

import type { Client, ConnectConfig } from "ssh2";

/** SSH login of a host. The private key is read from its file only when connecting. */
export interface SshAccess {
  readonly host: string;
  readonly port: number;
  /** Private key file; its content never leaves the provider process. */
  readonly privateKeyFile?: string;
  /** Authenticate with the SSH agent at `SSH_AUTH_SOCK`. */
  readonly agent: boolean;
  /** Expected host key as `SHA256:<base64>`; when absent, any host key is accepted. */
  readonly hostKeyFingerprint?: string;
}

/** Result of one remote command. */
export interface RemoteCommandResult {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Formats a host key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` and unpadded base64. */
export function hostKeyFingerprint(key: Buffer): string {
  const crypto: typeof import("crypto") = require("crypto");
  return `SHA256:${crypto.createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Builds the ssh2 options for a login: the key read from its file or the agent,
 * and a host key check that rejects any key but the expected one.
 */
export function sshLoginOptions(access: SshAccess): Partial<ConnectConfig> {
  const fs: typeof import("fs") = require("fs");
  const options: Partial<ConnectConfig> = { readyTimeout: 20_000 };
  if (access.privateKeyFile !== undefined) {
    try {
      options.privateKey = fs.readFileSync(access.privateKeyFile);
    } catch (error) {
      throw new Error(
        `reading SSH private key file ${access.privateKeyFile} failed (${(error as NodeJS.ErrnoException).code ?? error}); ` +
          "check that the file exists and the deploying user can read it",
      );
    }
  }
  if (access.agent) {
    if (!process.env.SSH_AUTH_SOCK) {
      throw new Error("SSH agent login requested, but SSH_AUTH_SOCK is not set; start an agent and add the key with ssh-add");
    }
    options.agent = process.env.SSH_AUTH_SOCK;
  }
  const expected = access.hostKeyFingerprint;
  if (expected !== undefined) {
    options.hostVerifier = (key: Buffer) => {
      const actual = hostKeyFingerprint(key);
      if (actual !== expected) {
        // ssh2 ends the handshake when the verifier returns false, so this line gives the reason.
        process.stderr.write(
          `SSH host key of ${access.host}:${access.port} is ${actual}, but hostKeyFingerprint is ${expected}; connection rejected\n`,
        );
        return false;
      }
      return true;
    };
  }
  return options;
}

/** Opens an SSH connection and resolves once it is authenticated. */
export function openSsh(access: SshAccess & { readonly user: string }): Promise<Client> {
  const { Client: SshClient }: typeof import("ssh2") = require("ssh2");
  const client = new SshClient();
  return new Promise((resolve, reject) => {
    client.once("ready", () => resolve(client));
    client.once("error", (error: Error) =>
      reject(new Error(`SSH connection to ${access.user}@${access.host}:${access.port} failed: ${error.message}`)),
    );
    client.connect({ ...sshLoginOptions(access), host: access.host, port: access.port, username: access.user });
  });
}

/** Quotes one argument for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs a shell command on the host. `stdin` is written to the command's standard
 * input, so file contents and secrets never appear on a command line.
 */
export function runRemote(
  client: Client,
  command: string,
  options: { stdin?: string | Buffer; timeoutSeconds: number },
): Promise<RemoteCommandResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        reject(new Error(`starting remote command failed: ${error.message}`));
        return;
      }
      const stdout: Buffer[] = [];
      let stderr = "";
      let exitCode = -1;
      const timer = setTimeout(() => {
        channel.close();
        reject(new Error(`remote command timed out after ${options.timeoutSeconds} s: ${command.split("\n")[0]}`));
      }, options.timeoutSeconds * 1000);
      channel.on("data", (chunk: Buffer) => stdout.push(chunk));
      channel.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      channel.on("exit", (code: number | null) => (exitCode = code ?? -1));
      channel.on("close", () => {
        clearTimeout(timer);
        resolve({ exitCode, stdout: Buffer.concat(stdout), stderr });
      });
      channel.end(options.stdin);
    });
  });
}

/** Runs a shell command on the host and throws with its standard error when it exits non-zero. */
export async function runRemoteOrThrow(
  client: Client,
  command: string,
  options: { stdin?: string | Buffer; timeoutSeconds: number; description: string },
): Promise<Buffer> {
  const result = await runRemote(client, command, options);
  if (result.exitCode !== 0) {
    throw new Error(`${options.description} failed on the host (exit code ${result.exitCode}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}
