// Shared setup of the database integration tests: the inova/mariadb:dev
// image, servers in containers named from a prefix (`db-test-` unless a test
// file sets another), client connections from a chosen loopback source
// address, and cleanup.

import { execFileSync } from "node:child_process";
import { connect as connectTcp } from "node:net";
import { join } from "node:path";

import type * as pulumi from "@pulumi/pulumi";
import * as mariadb from "mariadb";

import { renderServerConfig, SERVER_CONFIG_ENV, type DatabaseSite } from "../../../components/database";
import { withAdminConnection } from "../../../components/providers/mariadb/admin-connection";

export const IMAGE = "inova/mariadb:dev";
const CONTEXT = join(__dirname, "..", "..", "..", "assets", "mariadb");

/** Provider with untyped inputs, as the engine calls it. */
export type Provider = Required<pulumi.dynamic.ResourceProvider>;

/** Runs the docker CLI and returns its trimmed stdout; throws on a non-zero exit. */
export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function dockerQuietly(...args: string[]): void {
  try {
    docker(...args);
  } catch {
    // Already gone.
  }
}

/** Builds the image from assets/mariadb with the classic builder; layers are cached after the first build. */
export function buildImage(): void {
  execFileSync("docker", ["build", "-q", "-t", IMAGE, CONTEXT], {
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** A database server in a test container. */
export interface TestServer {
  readonly container: string;
  readonly volume: string;
  readonly site: DatabaseSite;
}

/** Tracks the containers and volumes a test file creates and removes them. */
export class TestServers {
  private readonly servers: TestServer[] = [];

  /** `prefix` starts the names of the containers and volumes. */
  constructor(private readonly prefix = "db-test") {}

  /** Starts a server for `site` on a new volume and waits until it is healthy. */
  async start(name: string, site: DatabaseSite): Promise<TestServer> {
    const server = { container: `${this.prefix}-${name}`, volume: `${this.prefix}-${name}-data`, site };
    dockerQuietly("rm", "-f", "-v", server.container);
    dockerQuietly("volume", "rm", "-f", server.volume);
    this.servers.push(server);
    docker("volume", "create", server.volume);
    await this.run(server);
    return server;
  }

  /** Replaces the server's container by a new one on the same volume and waits until it is healthy. */
  async replace(server: TestServer): Promise<void> {
    docker("rm", "-f", server.container);
    await this.run(server);
  }

  removeAll(): void {
    for (const server of this.servers) {
      dockerQuietly("rm", "-f", "-v", server.container);
      dockerQuietly("volume", "rm", "-f", server.volume);
    }
  }

  private async run(server: TestServer): Promise<void> {
    docker(
      "run",
      "-d",
      "--name",
      server.container,
      "--network",
      "host",
      "--stop-timeout",
      "30",
      "--health-interval",
      "1s",
      "--health-start-period",
      "60s",
      "-v",
      `${server.volume}:/var/lib/mysql`,
      "-e",
      `${SERVER_CONFIG_ENV}=${renderServerConfig(server.site)}`,
      IMAGE,
    );
    await waitHealthy(server.container);
  }
}

/** Waits until the container's healthcheck passes; throws with its log after `timeoutSeconds`. */
export async function waitHealthy(container: string, timeoutSeconds = 90): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const status = docker("inspect", "--format", "{{.State.Status}} {{.State.Health.Status}}", container);
    if (status === "running healthy") {
      return;
    }
    if (Date.now() > deadline || status.startsWith("exited")) {
      const logs = execFileSync("docker", ["logs", "--tail", "30", container], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      throw new Error(`container ${container} is not healthy (${status}) after ${timeoutSeconds} s; log:\n${logs}`);
    }
    await sleep(500);
  }
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Runs queries as root through the container's Unix socket. */
export function asRoot<T>(server: TestServer, action: (connection: mariadb.Connection) => Promise<T>): Promise<T> {
  return withAdminConnection({ containerId: server.container }, action);
}

/**
 * Connects over TCP to `server` as `user`, from the loopback source address
 * `localAddress`, which is the host part the server matches accounts against.
 */
export function connectAs(
  server: TestServer,
  user: string,
  password: string,
  localAddress: string,
): Promise<mariadb.Connection> {
  return mariadb.createConnection({
    user,
    password,
    connectTimeout: 10_000,
    stream: (callback) => callback(undefined, connectTcp({ host: server.site.address, port: server.site.port, localAddress })),
  });
}

/** Runs `action` with a TCP connection as `user` and closes it afterwards. */
export async function withConnectionAs<T>(
  server: TestServer,
  user: string,
  password: string,
  localAddress: string,
  action: (connection: mariadb.Connection) => Promise<T>,
): Promise<T> {
  const connection = await connectAs(server, user, password, localAddress);
  try {
    return await action(connection);
  } finally {
    await connection.end();
  }
}

/** Returns the lines of SHOW GRANTS for an account, as root. */
export async function showGrants(server: TestServer, user: string, host: string): Promise<string[]> {
  const rows = (await asRoot(server, (connection) => connection.query("SHOW GRANTS FOR ?@?", [user, host]))) as Array<
    Record<string, string>
  >;
  return rows.map((row) => Object.values(row)[0]);
}

/** Polls `probe` until it returns true; throws with `description` after `timeoutSeconds`. */
export async function waitFor(description: string, probe: () => Promise<boolean>, timeoutSeconds = 60): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutSeconds} s waiting until ${description}`);
    }
    await sleep(250);
  }
}

/** Builds a cdr row of `site` with the columns Asterisk fills. */
export function cdrRow(site: string, uniqueid: string, sequence = 1): Record<string, string | number> {
  return {
    site,
    calldate: "2026-01-15 17:04:05.123456",
    clid: '"Soporte" <100>',
    src: "100",
    dst: "601",
    dcontext: "from-internal",
    channel: "PJSIP/100-00000001",
    dstchannel: "PJSIP/105-00000002",
    lastapp: "Dial",
    lastdata: "PJSIP/105,30",
    duration: 42,
    billsec: 37,
    disposition: "ANSWERED",
    amaflags: 3,
    accountcode: "",
    uniqueid,
    userfield: "",
    linkedid: uniqueid,
    peeraccount: "",
    sequence,
  };
}

/** Renders an INSERT of one cdr row with placeholders for its values. */
export function insertCdr(row: Record<string, string | number>): { sql: string; values: Array<string | number> } {
  return insertCdrRows([row]);
}

/**
 * Renders one INSERT statement of `rows`, which have the columns of the first row, with
 * placeholders for their values. `ignore` renders INSERT IGNORE.
 */
export function insertCdrRows(
  rows: ReadonlyArray<Record<string, string | number>>,
  ignore = false,
): { sql: string; values: Array<string | number> } {
  const columns = Object.keys(rows[0]);
  const placeholders = `(${columns.map(() => "?").join(", ")})`;
  return {
    sql:
      `INSERT ${ignore ? "IGNORE " : ""}INTO inova_cdr.cdr (${columns.map((column) => `\`${column}\``).join(", ")}) ` +
      `VALUES ${rows.map(() => placeholders).join(", ")}`,
    values: rows.flatMap((row) => Object.values(row)),
  };
}
