import * as net from "node:net";
import * as mariadb from "mariadb";
import type { FastifyBaseLogger } from "fastify";
import type { Config, DatabaseSettings } from "./config";

/** Origin of a response's records: HQ's consolidated database, or this site's own. */
export type Source = "hq" | "local";

export interface Lease {
  connection: mariadb.PoolConnection;
  source: Source;
}

/** After an HQ connection fails or times out, consolidated requests use the local database for this long. */
const HQ_RETRY_AFTER_MS = 10_000;
const LOCAL_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Returns how the driver reaches a database: its Unix socket, or TCP. A TCP connection with a
 * `localAddress` leaves from that address, because the server's account for this site matches
 * only that address. The driver has no such option, so its `stream` hook opens the socket.
 */
export function endpointOptions(settings: DatabaseSettings): mariadb.ConnectionConfig {
  if (settings.socketPath !== undefined) {
    return { socketPath: settings.socketPath };
  }
  const { host, port, localAddress } = settings;
  if (localAddress === undefined) {
    return { host, port };
  }
  return {
    host,
    port,
    stream: (callback: (error: Error | null, stream?: net.Socket) => void) => {
      const socket = net.connect({ host, port, localAddress });
      callback(null, socket);
      return undefined;
    },
  } as mariadb.ConnectionConfig;
}

/** Describes an endpoint for logs: `host:port` or the socket path. */
export function endpointText(settings: DatabaseSettings): string {
  return settings.socketPath ?? `${settings.host}:${settings.port}`;
}

/** Column values come back as the driver's plain types: DATETIME as UTC text, counts and sums as numbers. */
function poolOptions(settings: DatabaseSettings, extra: Partial<mariadb.PoolConfig>): mariadb.PoolConfig {
  return {
    ...endpointOptions(settings),
    user: settings.user,
    password: settings.password,
    database: settings.database,
    dateStrings: true,
    bigIntAsNumber: true,
    decimalAsNumber: true,
    initSql: "SET time_zone = '+00:00'",
    ...extra,
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The site's own database, HQ's database at a branch, and the choice between them. */
export class Databases {
  readonly local: mariadb.Pool;
  readonly hq: mariadb.Pool | undefined;
  private hqRetryAt = 0;

  constructor(
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
  ) {
    this.local = mariadb.createPool(
      poolOptions(config.database, {
        connectionLimit: 10,
        minimumIdle: 1,
        connectTimeout: LOCAL_CONNECT_TIMEOUT_MS,
        acquireTimeout: LOCAL_CONNECT_TIMEOUT_MS * 2,
      }),
    );
    if (config.hq !== undefined) {
      this.hq = mariadb.createPool(
        poolOptions(config.hq, {
          connectionLimit: 10,
          minimumIdle: 0,
          connectTimeout: config.hq.timeoutMs,
          acquireTimeout: config.hq.timeoutMs,
        }),
      );
    }
  }

  /** Source reported for records read from the local database. */
  get localSource(): Source {
    return this.config.role === "hq" ? "hq" : "local";
  }

  /**
   * Leases a connection for a request about `site` ("all" or a site code). A branch reads its
   * own site locally. For anything else it connects to HQ, and falls back to the local
   * database when HQ does not respond within the configured timeout.
   */
  async lease(site: string): Promise<Lease> {
    if (this.hq !== undefined && site !== this.config.site) {
      const connection = await this.tryHq();
      if (connection !== undefined) {
        return { connection, source: "hq" };
      }
    }
    return { connection: await this.local.getConnection(), source: this.localSource };
  }

  private async tryHq(): Promise<mariadb.PoolConnection | undefined> {
    const hq = this.hq;
    const timeoutMs = this.config.hq?.timeoutMs ?? 0;
    if (hq === undefined || Date.now() < this.hqRetryAt) {
      return undefined;
    }
    let pending: Promise<mariadb.PoolConnection> | undefined;
    try {
      await this.probeEmptyHqPool(timeoutMs);
      pending = hq.getConnection();
      const connection = await withTimeout(pending, timeoutMs, "HQ database connection");
      try {
        await withTimeout(connection.ping(), timeoutMs, "HQ database ping");
      } catch (error) {
        connection.destroy();
        throw error;
      }
      return connection;
    } catch (error) {
      // A connection that arrives after the timeout goes back to the pool unused.
      pending?.then((late) => late.release()).catch(() => undefined);
      this.hqRetryAt = Date.now() + HQ_RETRY_AFTER_MS;
      this.log.warn(
        { err: error, hq: hqText(this.config), retryAfterMs: HQ_RETRY_AFTER_MS },
        "HQ database connection failed; serving records from the local database",
      );
      return undefined;
    }
  }

  /** Checks whether HQ responds to a ping within the timeout, ignoring the retry delay. */
  async probeHq(): Promise<{ reachable: boolean; latencyMs?: number; error?: string }> {
    if (this.hq === undefined || this.config.hq === undefined) {
      return { reachable: false, error: "no HQ database configured" };
    }
    const started = performance.now();
    let pending: Promise<mariadb.PoolConnection> | undefined;
    try {
      await this.probeEmptyHqPool(this.config.hq.timeoutMs);
      pending = this.hq.getConnection();
      const connection = await withTimeout(pending, this.config.hq.timeoutMs, "HQ database connection");
      try {
        await withTimeout(connection.ping(), this.config.hq.timeoutMs, "HQ database ping");
      } finally {
        connection.release();
      }
      this.hqRetryAt = 0;
      return { reachable: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      pending?.then((late) => late.release()).catch(() => undefined);
      return { reachable: false, error: (error as Error).message };
    }
  }

  /**
   * Opens and closes one plain connection when the HQ pool is empty. The pool retries a
   * refused connection until its acquire timeout, while a plain connection fails at once,
   * so a branch whose HQ is down responds without waiting the full timeout.
   */
  private async probeEmptyHqPool(timeoutMs: number): Promise<void> {
    const hq = this.config.hq;
    if (hq === undefined || this.hq === undefined || this.hq.totalConnections() > 0) {
      return;
    }
    const pending = mariadb.createConnection({
      ...endpointOptions(hq),
      user: hq.user,
      password: hq.password,
      database: hq.database,
      connectTimeout: timeoutMs,
    });
    try {
      const connection = await withTimeout(pending, timeoutMs, "HQ database connection");
      await connection.end();
    } catch (error) {
      pending.then((late) => late.end()).catch(() => undefined);
      throw error;
    }
  }

  /** Opens a short-lived connection to the own database as the monitor account, if one is configured. */
  async monitorConnection(): Promise<mariadb.Connection | undefined> {
    if (this.config.monitor === undefined) {
      return undefined;
    }
    return mariadb.createConnection({
      ...endpointOptions(this.config.database),
      user: this.config.monitor.user,
      password: this.config.monitor.password,
      connectTimeout: LOCAL_CONNECT_TIMEOUT_MS,
      bigIntAsNumber: true,
      dateStrings: true,
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.local.end(), this.hq?.end()]);
  }
}

function hqText(config: Config): string | undefined {
  return config.hq === undefined ? undefined : endpointText(config.hq);
}
