// Deployment target of a stack, read from `inova-pbx:target`: the local Docker
// engine, a Docker engine on another machine reached over SSH, or an existing
// Linux host that already runs Asterisk, reached over SSH. Plain data, no Pulumi.

import * as fs from "node:fs";
import * as path from "node:path";

import type { ValidationProblem } from "./errors";
import { isMapping } from "./guards";
import { childPath, configKey } from "./paths";

/** Stack setting that selects the deployment target. */
export const TARGET_KEY = "target";

/** The Docker engine that the deploy command's environment reaches (`DOCKER_HOST` or the local socket). */
export interface LocalDockerTarget {
  readonly kind: "docker";
}

/**
 * How to log in to a machine over SSH. The private key is named by a file path,
 * or held by the SSH agent at `SSH_AUTH_SOCK`, so the key itself never enters the state.
 */
export interface SshLogin {
  /** Host name or IP address. */
  readonly host: string;
  /** @default 22 */
  readonly port: number;
  readonly user: string;
  /** Absolute path of the private key file, resolved against the project directory. */
  readonly privateKeyFile?: string;
  /** Authenticate with the SSH agent at `SSH_AUTH_SOCK` in place of a key file. */
  readonly agent: boolean;
  /** Expected host key, as `ssh-keygen -l` prints it: `SHA256:` and unpadded base64. */
  readonly hostKeyFingerprint: string;
}

/** A Docker engine on another machine; `docker system dial-stdio` runs there over SSH. */
export interface DockerSshTarget extends SshLogin {
  readonly kind: "docker-ssh";
}

/** A Linux host that runs Asterisk itself; the configuration files are copied there over SSH. */
export interface HostSshTarget extends SshLogin {
  readonly kind: "host-ssh";
  /** Directory Asterisk reads its configuration from. @default "/etc/asterisk" */
  readonly asteriskConfigDir: string;
  /** Owner of the copied files, `user` or `user:group`, resolved on the host. @default "asterisk:asterisk" */
  readonly fileOwner: string;
}

export type DeployTarget = LocalDockerTarget | DockerSshTarget | HostSshTarget;

export interface ParsedTarget {
  readonly target: DeployTarget;
  readonly problems: ValidationProblem[];
}

const KINDS = ["docker", "docker-ssh", "host-ssh"] as const;
const SSH_KEYS = ["kind", "host", "port", "user", "privateKeyFile", "agent", "hostKeyFingerprint"];
const HOST_KEYS = [...SSH_KEYS, "asteriskConfigDir", "fileOwner"];
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}$/;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const OWNER = /^[a-z_][a-z0-9_.-]{0,31}(?::[a-z_][a-z0-9_.-]{0,31})?$/;
const FINGERPRINT_HINT = "print it with: ssh-keyscan -p PORT HOST | ssh-keygen -lf -";

/**
 * Reads `inova-pbx:target` as parsed from YAML. Absent means the local Docker
 * engine. Every problem is listed; with any problem the returned target is the
 * local one and must not be used.
 */
export function parseTarget(raw: unknown, projectDir: string): ParsedTarget {
  const base = configKey(TARGET_KEY);
  const problems: ValidationProblem[] = [];
  const local: DeployTarget = { kind: "docker" };
  if (raw === undefined || raw === null) {
    return { target: local, problems };
  }
  if (!isMapping(raw)) {
    problems.push({
      path: base,
      code: "E_TYPE",
      message: `must be a mapping such as { kind: docker-ssh, host: 192.0.2.10, user: deploy, privateKeyFile: ~/.ssh/id_ed25519, hostKeyFingerprint: "SHA256:..." }.`,
    });
    return { target: local, problems };
  }

  const kind = raw.kind;
  if (typeof kind !== "string" || !(KINDS as readonly string[]).includes(kind)) {
    problems.push({
      path: childPath(base, "kind"),
      code: kind === undefined ? "E_REQUIRED" : "E_INVALID_VALUE",
      message: `${JSON.stringify(kind)} is invalid; use one of: ${KINDS.join(", ")}.`,
    });
    return { target: local, problems };
  }
  if (kind === "docker") {
    reportUnknownKeys(raw, ["kind"], base, problems);
    return { target: local, problems };
  }

  reportUnknownKeys(raw, kind === "host-ssh" ? HOST_KEYS : SSH_KEYS, base, problems);
  const login = parseLogin(raw, base, projectDir, problems);
  if (kind === "docker-ssh") {
    return { target: { kind: "docker-ssh", ...login }, problems };
  }

  const asteriskConfigDir = raw.asteriskConfigDir ?? "/etc/asterisk";
  if (typeof asteriskConfigDir !== "string" || !isAbsoluteDirectory(asteriskConfigDir)) {
    problems.push({
      path: childPath(base, "asteriskConfigDir"),
      code: "E_INVALID_VALUE",
      message: `${JSON.stringify(asteriskConfigDir)} is invalid; use the absolute, normalized directory Asterisk reads its configuration from, e.g. /etc/asterisk.`,
    });
  }
  const fileOwner = raw.fileOwner ?? "asterisk:asterisk";
  if (typeof fileOwner !== "string" || !OWNER.test(fileOwner)) {
    problems.push({
      path: childPath(base, "fileOwner"),
      code: "E_INVALID_VALUE",
      message: `${JSON.stringify(fileOwner)} is invalid; use "user" or "user:group" of the account Asterisk runs as, e.g. asterisk:asterisk.`,
    });
  }
  return {
    target: { kind: "host-ssh", ...login, asteriskConfigDir: String(asteriskConfigDir), fileOwner: String(fileOwner) },
    problems,
  };
}

function reportUnknownKeys(
  raw: Record<string, unknown>,
  known: readonly string[],
  base: string,
  problems: ValidationProblem[],
): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      problems.push({
        path: childPath(base, key),
        code: "E_UNKNOWN_KEY",
        message: `unknown key "${key}" for kind ${String(raw.kind)}; remove it or use one of: ${known.join(", ")}.`,
      });
    }
  }
}

function parseLogin(
  raw: Record<string, unknown>,
  base: string,
  projectDir: string,
  problems: ValidationProblem[],
): SshLogin {
  const { host, user, hostKeyFingerprint } = raw;
  if (typeof host !== "string" || !(IPV4.test(host) || HOST_NAME.test(host))) {
    problems.push({
      path: childPath(base, "host"),
      code: host === undefined ? "E_REQUIRED" : "E_INVALID_VALUE",
      message: `${JSON.stringify(host)} is invalid; set the SSH server's host name or IPv4 address.`,
    });
  }
  const port = raw.port ?? 22;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push({
      path: childPath(base, "port"),
      code: "E_PORT_RANGE",
      message: `${JSON.stringify(port)} is invalid; use the SSH server's TCP port, a whole number from 1 to 65535.`,
    });
  }
  if (typeof user !== "string" || !USER_NAME.test(user)) {
    problems.push({
      path: childPath(base, "user"),
      code: user === undefined ? "E_REQUIRED" : "E_INVALID_VALUE",
      message: `${JSON.stringify(user)} is invalid; set the login name on the SSH server (lowercase letters, digits, "_", "-", ".").`,
    });
  }
  if (typeof hostKeyFingerprint !== "string" || !FINGERPRINT.test(hostKeyFingerprint)) {
    problems.push({
      path: childPath(base, "hostKeyFingerprint"),
      code: hostKeyFingerprint === undefined ? "E_REQUIRED" : "E_INVALID_VALUE",
      message:
        `${JSON.stringify(hostKeyFingerprint)} is invalid; set the server's host key fingerprint ("SHA256:" and 43 base64 characters), ` +
        `so a connection to another machine is rejected; ${FINGERPRINT_HINT}.`,
    });
  }

  const agent = raw.agent ?? false;
  if (typeof agent !== "boolean") {
    problems.push({
      path: childPath(base, "agent"),
      code: "E_TYPE",
      message: `${JSON.stringify(agent)} is invalid; use true to authenticate with the SSH agent, or leave it out.`,
    });
  }
  const privateKeyFile = parsePrivateKeyFile(raw.privateKeyFile, childPath(base, "privateKeyFile"), projectDir, problems);
  const keyFileSet = raw.privateKeyFile !== undefined && raw.privateKeyFile !== null;
  if (keyFileSet === (agent === true)) {
    problems.push({
      path: base,
      code: "E_INVALID_VALUE",
      message: keyFileSet
        ? "sets both privateKeyFile and agent: true; keep one of them."
        : "sets no way to log in; add privateKeyFile (the path of a private key file) or agent: true (the SSH agent at SSH_AUTH_SOCK).",
    });
  }
  if (agent === true && !process.env.SSH_AUTH_SOCK) {
    problems.push({
      path: childPath(base, "agent"),
      code: "E_INVALID_VALUE",
      message: "is true, but SSH_AUTH_SOCK is not set; start an SSH agent and add the key (ssh-add), or use privateKeyFile.",
    });
  }

  return {
    host: String(host),
    port: typeof port === "number" ? port : 22,
    user: String(user),
    ...(privateKeyFile === undefined ? {} : { privateKeyFile }),
    agent: agent === true,
    hostKeyFingerprint: String(hostKeyFingerprint),
  };
}

/** Resolves the key file path (`~/` is the home directory) and checks that it names a readable private key. */
function parsePrivateKeyFile(
  value: unknown,
  keyPath: string,
  projectDir: string,
  problems: ValidationProblem[],
): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== "string" || value === "") {
    problems.push({ path: keyPath, code: "E_TYPE", message: "must be the path of a private key file." });
    return undefined;
  }
  // The message never repeats the value here: it may be the key itself.
  if (value.includes("PRIVATE KEY") || value.includes("\n")) {
    problems.push({
      path: keyPath,
      code: "E_INVALID_VALUE",
      message: "contains a key, not a file path; save the key in a file outside the repository and set its path here.",
    });
    return undefined;
  }
  const home = process.env.HOME ?? "";
  const expanded = value.startsWith("~/") ? path.join(home, value.slice(2)) : value;
  const resolved = path.resolve(projectDir, expanded);
  let text: string;
  try {
    text = fs.readFileSync(resolved, "utf8");
  } catch (error) {
    problems.push({
      path: keyPath,
      code: "E_INVALID_VALUE",
      message: `${JSON.stringify(value)} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}); set the path of an existing private key file.`,
    });
    return undefined;
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    problems.push({
      path: keyPath,
      code: "E_INVALID_VALUE",
      message: `${JSON.stringify(value)} is not a private key file (no "BEGIN ... PRIVATE KEY" line); point it at the key, not at the .pub file.`,
    });
    return undefined;
  }
  return resolved;
}

function isAbsoluteDirectory(directory: string): boolean {
  return directory.startsWith("/") && path.posix.normalize(directory) === directory && directory !== "/";
}
