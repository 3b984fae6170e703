// Connection to a Docker Engine, shared by every Docker dynamic provider.
// Runs inside the provider process, so modules are loaded inside functions.

import type Dockerode from "dockerode";

// Imported at the top, so Pulumi's function serialization captures it: the
// provider process cannot resolve a relative require made inside a function.
import { sshLoginOptions } from "../ssh/connection";

/** Docker Engine reached through a Unix socket on this machine. */
export interface SocketEngine {
  readonly socketPath: string;
}

/** Docker Engine on another machine, reached with `docker system dial-stdio` over SSH. */
export interface SshEngine {
  readonly protocol: "ssh";
  readonly host: string;
  /** @default 22 */
  readonly port?: number;
  readonly username?: string;
  /** Private key file, read by the provider process; the key itself never enters the state. */
  readonly privateKeyFile?: string;
  /** Authenticate with the SSH agent at `SSH_AUTH_SOCK`. @default true when no key file is set */
  readonly agent?: boolean;
  /** Expected host key as `SHA256:<base64>`; any other host key fails the connection. */
  readonly hostKeyFingerprint?: string;
}

/**
 * Docker Engine to manage. A string is a socket path (`/var/run/docker.sock`),
 * a `unix://` URL or an `ssh://user@host:port` URL. When absent, `DOCKER_HOST`
 * of the provider process applies, and without it the local default socket.
 */
export type EngineSpec = string | SocketEngine | SshEngine;

/** Parses the string form of an engine spec; throws on an unsupported form. */
export function parseEngineSpec(spec: EngineSpec): SocketEngine | SshEngine {
  if (typeof spec !== "string") {
    return spec;
  }
  if (spec.startsWith("/")) {
    return { socketPath: spec };
  }
  if (spec.startsWith("unix://")) {
    return { socketPath: spec.slice("unix://".length) };
  }
  if (spec.startsWith("ssh://")) {
    const url = new URL(spec);
    return {
      protocol: "ssh",
      host: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      username: url.username === "" ? undefined : decodeURIComponent(url.username),
    };
  }
  throw new Error(
    `invalid Docker engine "${spec}": expected a socket path, a unix:// URL or an ssh://user@host URL`,
  );
}

/** Returns a description of the engine for error messages. */
export function describeEngine(spec: EngineSpec | undefined): string {
  if (spec === undefined) {
    return process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : "the local Docker socket";
  }
  const parsed = parseEngineSpec(spec);
  if ("socketPath" in parsed) {
    return `unix://${parsed.socketPath}`;
  }
  const user = parsed.username ? `${parsed.username}@` : "";
  return `ssh://${user}${parsed.host}:${parsed.port ?? 22}`;
}

/** Opens a client for the engine; the Engine API is only contacted by the first request. */
export function connectEngine(spec: EngineSpec | undefined): Dockerode {
  const DockerClient: typeof Dockerode = require("dockerode");
  if (spec === undefined) {
    return new DockerClient();
  }
  const parsed = parseEngineSpec(spec);
  // docker-modem merges DOCKER_HOST settings under explicit options, so the
  // explicit ones also clear `host` and `port` that DOCKER_HOST may have set.
  if ("socketPath" in parsed) {
    return new DockerClient({ socketPath: parsed.socketPath, host: undefined, port: undefined, protocol: "http" });
  }
  // docker-modem opens one SSH connection per request and runs
  // `docker system dial-stdio` there; ssh2 receives `sshOptions` as they are.
  return new DockerClient({
    protocol: "ssh",
    host: parsed.host,
    port: parsed.port ?? 22,
    username: parsed.username,
    sshOptions: sshLoginOptions({
      host: parsed.host,
      port: parsed.port ?? 22,
      privateKeyFile: parsed.privateKeyFile,
      agent: parsed.agent ?? parsed.privateKeyFile === undefined,
      hostKeyFingerprint: parsed.hostKeyFingerprint,
    }),
  } as Dockerode.DockerOptions);
}
