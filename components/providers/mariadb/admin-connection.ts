// Administrator connection to a MariaDB server inside its container.
//
// The provider never logs in over the network. It starts `socat` in the
// database container through the Engine API exec endpoint and speaks the
// MariaDB protocol over that exec's stdin and stdout to the server's Unix
// socket. That socket client runs as the container's root, so the server's
// unix_socket plugin admits it as root@localhost without a password.
//
// Pulumi serializes the providers with every function they reach and runs
// them in a separate process, so modules are loaded inside the functions.

import type Dockerode from "dockerode";
import type { Connection } from "mariadb";
import type { Duplex } from "stream";

import { connectEngine, describeEngine, type EngineSpec } from "../docker/engine";

/** Database server to administer: its container and the socket path inside it. */
export interface AdminTarget {
  /** Engine id or name of the running database container (`Container.containerId`). */
  readonly containerId: string;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath?: string;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: EngineSpec;
}

/** Seconds allowed for the connection and login to the server. */
function connectTimeoutSeconds(): number {
  return 30;
}

/** Exec stream whose stdout and stderr frames are split apart; stdout is readable, writes go to stdin. */
interface ExecDuplex extends Duplex {
  /** Text the exec's command wrote to stderr so far. */
  stderrText(): string;
}

/**
 * Wraps the hijacked connection of a non-TTY exec as a duplex stream. Reads
 * return the command's stdout without the 8-byte frame headers (stream type,
 * 3 zero bytes, big-endian length). Writes go to its stdin, and ending the
 * writable side closes stdin.
 */
function execDuplex(hijacked: Duplex): ExecDuplex {
  const { Duplex: DuplexStream } = require("stream") as typeof import("stream");
  let pending: Buffer = Buffer.alloc(0);
  let stderr = "";

  const duplex = new DuplexStream({
    read() {
      hijacked.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      hijacked.write(chunk, callback);
    },
    final(callback) {
      hijacked.end();
      callback();
    },
    destroy(error, callback) {
      hijacked.destroy();
      callback(error);
    },
  }) as ExecDuplex;

  hijacked.on("data", (data: Buffer) => {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    while (pending.length >= 8) {
      const length = pending.readUInt32BE(4);
      if (pending.length < 8 + length) {
        break;
      }
      const streamType = pending[0];
      const payload = pending.subarray(8, 8 + length);
      pending = pending.subarray(8 + length);
      if (streamType === 2) {
        stderr += payload.toString("utf8");
      } else if (!duplex.push(payload)) {
        hijacked.pause();
      }
    }
  });
  hijacked.on("end", () => duplex.push(null));
  hijacked.on("error", (error: Error) => duplex.destroy(error));
  hijacked.on("close", () => {
    if (!duplex.readableEnded) {
      duplex.push(null);
    }
  });

  // The driver calls these socket methods once the stream counts as connected.
  const socketLike = duplex as unknown as Record<string, unknown>;
  socketLike.setTimeout = (milliseconds: number, onTimeout?: () => void) => {
    const underlying = hijacked as unknown as { setTimeout?: (ms: number, cb?: () => void) => void };
    underlying.setTimeout?.(milliseconds, onTimeout);
    return duplex;
  };
  socketLike.setKeepAlive = () => duplex;
  socketLike.setNoDelay = () => duplex;
  socketLike.ref = () => duplex;
  socketLike.unref = () => duplex;
  duplex.stderrText = () => stderr;
  return duplex;
}

/** Starts socat in the container and returns the stream to the server's socket. */
async function openSocketStream(docker: Dockerode, target: AdminTarget): Promise<ExecDuplex> {
  const socketPath = target.socketPath ?? "/run/mariadbd/mysqld.sock";
  return openSocatStream(docker, target.containerId, `UNIX-CONNECT:${socketPath}`);
}

/** Starts `socat STDIO <address>` in the container and returns the stream to that address. */
async function openSocatStream(docker: Dockerode, containerId: string, address: string): Promise<ExecDuplex> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ["socat", "STDIO", address],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: "root",
  });
  const hijacked = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
  return execDuplex(hijacked);
}

/**
 * Opens a connection as root@localhost to the server in `target`'s container.
 * The session writes no binary log, so accounts and schema changes made
 * through it stay on this server and never replicate. Close it with
 * {@link closeAdminConnection}.
 */
export async function openAdminConnection(target: AdminTarget): Promise<Connection> {
  const mariadb = require("mariadb") as typeof import("mariadb");
  const docker = connectEngine(target.engine);
  const where = `container ${target.containerId} on ${describeEngine(target.engine)}`;

  let stream: ExecDuplex;
  try {
    stream = await openSocketStream(docker, target);
  } catch (error) {
    throw new Error(`cannot reach the database in ${where}: ${(error as Error).message}`);
  }

  try {
    const connection = await mariadb.createConnection({
      user: "root",
      stream: (callback) => callback(undefined, stream),
      connectTimeout: connectTimeoutSeconds() * 1000,
      // Statements run one at a time; several per query would hide which one failed.
      multipleStatements: false,
      bigIntAsNumber: true,
    });
    await connection.query("SET SESSION sql_log_bin = 0");
    return connection;
  } catch (error) {
    stream.destroy();
    const stderr = stream.stderrText().trim();
    const detail = stderr === "" ? "" : ` (socat: ${stderr})`;
    throw new Error(
      `cannot log in as root over the Unix socket of the database in ${where}: ${(error as Error).message}${detail}; check that the container runs the inova/mariadb image and is healthy`,
    );
  }
}

/** Closes an administrator connection, and destroys its stream when the server does not respond. */
export async function closeAdminConnection(connection: Connection): Promise<void> {
  try {
    await connection.end();
  } catch {
    connection.destroy();
  }
}

/** Runs `action` with an administrator connection that is closed afterwards, also on failure. */
export async function withAdminConnection<T>(
  target: AdminTarget,
  action: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await openAdminConnection(target);
  try {
    return await action(connection);
  } finally {
    await closeAdminConnection(connection);
  }
}

/**
 * Runs `action` with an administrator connection, or returns `undefined` without running it when
 * the container does not exist or is not running. Reads and deletes use it, so a refresh drops
 * the resources of a removed or stopped container instead of failing, and the next update
 * creates them again (every create of these providers can run on an existing object).
 */
export async function withAdminConnectionIfPresent<T>(
  target: AdminTarget,
  action: (connection: Connection) => Promise<T>,
): Promise<T | undefined> {
  const docker = connectEngine(target.engine);
  try {
    const info = await docker.getContainer(target.containerId).inspect();
    if (!info.State.Running) {
      return undefined;
    }
  } catch (error) {
    if ((error as { statusCode?: number } | null)?.statusCode === 404) {
      return undefined;
    }
    throw error;
  }
  return withAdminConnection(target, action);
}

/** A MariaDB server reached over TCP from inside a container, and the account to log in with. */
export interface RemoteTarget {
  /** Container that opens the TCP connection; it needs socat and the host's network. */
  readonly containerId: string;
  readonly engine?: EngineSpec;
  readonly host: string;
  readonly port: number;
  /** Source address of the connection, which the account's host part matches. */
  readonly bindAddress: string;
  readonly user: string;
  readonly password: string;
}

/**
 * Opens a connection to a server over TCP, started by socat inside `target.containerId` from
 * `target.bindAddress`. The password travels only in the login exchange of the MariaDB protocol,
 * never in a command line or environment. Close it with {@link closeAdminConnection}.
 */
export async function openRemoteConnection(target: RemoteTarget): Promise<Connection> {
  const mariadb = require("mariadb") as typeof import("mariadb");
  const docker = connectEngine(target.engine);
  const where = `${target.user}@${target.host}:${target.port} from ${target.bindAddress} (through container ${target.containerId})`;
  let stream: ExecDuplex;
  try {
    stream = await openSocatStream(docker, target.containerId, `TCP:${target.host}:${target.port},bind=${target.bindAddress}`);
  } catch (error) {
    throw new Error(`cannot reach ${where}: ${(error as Error).message}`);
  }
  try {
    return await mariadb.createConnection({
      user: target.user,
      password: target.password,
      stream: (callback) => callback(undefined, stream),
      connectTimeout: connectTimeoutSeconds() * 1000,
      multipleStatements: false,
      bigIntAsNumber: true,
      dateStrings: true,
    });
  } catch (error) {
    stream.destroy();
    const stderr = stream.stderrText().trim();
    const detail = stderr === "" ? "" : ` (socat: ${stderr})`;
    const failure = new Error(`cannot log in as ${where}: ${(error as Error).message}${detail}`) as Error & { errno?: number; unreachable?: boolean };
    failure.errno = (error as { errno?: number }).errno;
    failure.unreachable = stderr !== "";
    throw failure;
  }
}
