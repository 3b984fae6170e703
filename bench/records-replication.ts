// Replication lag of call records from a branch to HQ. A branch server and an HQ server from
// assets/mariadb run on this host, set up as the stacks set them up (HQ pulls through its
// relay), and the branch takes inserts at a fixed rate. Each record's lag runs from the moment its INSERT
// is sent at the branch to the end of the first poll at HQ that finds it. HQ is polled about
// every millisecond, so a lag is an upper bound, at most one poll interval (reported) too high.

import { execFileSync } from "node:child_process";

import * as mariadb from "mariadb";

import {
  accountPlan,
  databaseSite,
  renderServerConfig,
  replicationPlan,
  schemaMigrations,
  SERVER_CONFIG_ENV,
  type DatabaseSite,
} from "../components/database";
import { SOCKET_DIRECTORY } from "../components/asterisk/call-records";
import { grantProvider } from "../components/providers/mariadb/grant-provider";
import { migrationsProvider } from "../components/providers/mariadb/migrations-provider";
import { replicaConnectionProvider } from "../components/providers/mariadb/replica-connection-provider";
import { reseedViewProvider } from "../components/providers/mariadb/reseed-view-provider";
import { userProvider } from "../components/providers/mariadb/user-provider";
import { buildImage, IMAGE, waitHealthy } from "../test/integration/database/support";

type Provider = Required<import("@pulumi/pulumi").dynamic.ResourceProvider>;

const HQ: DatabaseSite = databaseSite({
  code: "rec-bench-hq",
  role: "hq",
  address: "127.0.93.51",
  localClientHost: "localhost",
  serverId: 1081,
  gtidDomainId: 81,
});
const BRANCH: DatabaseSite = databaseSite({
  code: "rec-bench-br",
  role: "branch",
  address: "127.0.93.52",
  localClientHost: "localhost",
  serverId: 1082,
  gtidDomainId: 82,
});
const RELAY_PORT = 33082;
const REPLICATOR_PASSWORD = "bench-replicator-password-0123456789";
const WRITER_PASSWORD = "bench-writer-password-0123456789";

export interface ReplicationLagOptions {
  /** Records inserted per second at the branch. */
  readonly ratePerSecond: number;
  /** Seconds of measured inserts, after a warm-up of 5 s. */
  readonly seconds: number;
  readonly progress: (message: string) => void;
}

export interface ReplicationLagResult {
  /** Lag of each measured record, in milliseconds, in insert order: from sending its INSERT. */
  readonly lagsMs: number[];
  /** Lag of each measured record from the moment the branch acknowledged its commit. */
  readonly lagsAfterCommitMs: number[];
  /** Time the branch took to acknowledge each INSERT (its commit), in milliseconds. */
  readonly commitMs: number[];
  /** Inserts per second actually reached during the measured part. */
  readonly achievedRatePerSecond: number;
  /** Mean time between two polls at HQ, in milliseconds. */
  readonly meanPollIntervalMs: number;
  readonly mariadbVersion: string;
}

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function dockerQuietly(...args: string[]): void {
  try {
    docker(...args);
  } catch {
    // Already gone.
  }
}

function names(site: DatabaseSite) {
  return { container: `rec-test-${site.code}-db`, data: `rec-test-${site.code}-data`, socket: `rec-test-${site.code}-socket` };
}

function removeServers(): void {
  for (const site of [HQ, BRANCH]) {
    const { container, data, socket } = names(site);
    dockerQuietly("rm", "-f", "-v", container);
    dockerQuietly("volume", "rm", "-f", data);
    dockerQuietly("volume", "rm", "-f", socket);
  }
}

async function startServer(site: DatabaseSite, env: Record<string, string>): Promise<void> {
  const { container, data, socket } = names(site);
  docker("volume", "create", data);
  docker("volume", "create", socket);
  const envArgs = Object.entries({ [SERVER_CONFIG_ENV]: renderServerConfig(site), ...env }).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
  docker(
    "run", "-d", "--name", container, "--network", "host", "--stop-timeout", "30",
    "--health-interval", "1s", "--health-start-period", "60s",
    "-v", `${data}:/var/lib/mysql`, "-v", `${socket}:${SOCKET_DIRECTORY}`,
    ...envArgs, IMAGE,
  );
  await waitHealthy(container);
}

/** Applies the schema and the planned accounts of `site` with the providers the stacks use. */
async function provision(site: DatabaseSite): Promise<void> {
  const container = names(site).container;
  const migrations = migrationsProvider as unknown as Provider;
  const users = userProvider as unknown as Provider;
  const grants = grantProvider as unknown as Provider;
  await migrations.create((await migrations.check({}, { containerId: container, migrations: schemaMigrations() })).inputs!);
  if (site.role === "hq") {
    // The reseed account's grant names this view, so the view comes first.
    const views = reseedViewProvider as unknown as Provider;
    await views.create((await views.check({}, { containerId: container, branch: BRANCH.code })).inputs!);
  }
  for (const account of accountPlan(site, [HQ, BRANCH])) {
    const password = account.role === "replicator" ? REPLICATOR_PASSWORD : WRITER_PASSWORD;
    await users.create((await users.check({}, { containerId: container, user: account.user, host: account.host, password })).inputs!);
    for (const grant of account.grants) {
      const checked = await grants.check({}, {
        containerId: container,
        user: account.user,
        host: account.host,
        object: grant.object,
        privileges: [...grant.privileges],
      });
      await grants.create(checked.inputs!);
    }
  }
}

/** Connects over the server's Unix socket, through the socket volume's directory on this host. */
function connectOverSocket(site: DatabaseSite, user: string, password?: string): Promise<mariadb.Connection> {
  const mountpoint = docker("volume", "inspect", "--format", "{{.Mountpoint}}", names(site).socket);
  return mariadb.createConnection({ socketPath: `${mountpoint}/mysqld.sock`, user, password, bigIntAsNumber: true });
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Starts both servers, measures the lag of every record, and removes the servers again. */
export async function measureReplicationLag(options: ReplicationLagOptions): Promise<ReplicationLagResult> {
  removeServers();
  try {
    options.progress("building inova/mariadb:dev and starting a branch and an HQ server on 127.0.93.51-52");
    buildImage();
    await startServer(BRANCH, {});
    await startServer(HQ, { INOVA_MARIADB_RELAYS: `${HQ.address}:${RELAY_PORT}>${BRANCH.address}:${BRANCH.port}` });
    await provision(BRANCH);
    await provision(HQ);
    const [plan] = replicationPlan(HQ, [BRANCH]);
    const replicas = replicaConnectionProvider as unknown as Provider;
    const connection = await replicas.check({}, {
      containerId: names(HQ).container,
      name: plan.name,
      masterHost: HQ.address,
      masterPort: RELAY_PORT,
      masterUser: plan.masterUser,
      password: REPLICATOR_PASSWORD,
      connectRetrySeconds: 1,
    });
    await replicas.create(connection.inputs!);

    const writer = await connectOverSocket(BRANCH, "pbx_writer", WRITER_PASSWORD);
    const reader = await connectOverSocket(HQ, "root");
    try {
      const version = ((await reader.query("SELECT VERSION() AS version")) as Array<{ version: string }>)[0].version;
      return await runLoad(writer, reader, options, version);
    } finally {
      await writer.end();
      await reader.end();
    }
  } finally {
    removeServers();
  }
}

async function runLoad(
  writer: mariadb.Connection,
  reader: mariadb.Connection,
  options: ReplicationLagOptions,
  mariadbVersion: string,
): Promise<ReplicationLagResult> {
  const warmup = 5 * options.ratePerSecond;
  const total = warmup + options.seconds * options.ratePerSecond;
  const sentAt: number[] = new Array(total + 1);
  const committedAt: number[] = new Array(total + 1);
  const seenAt: number[] = new Array(total + 1);
  const insert =
    "INSERT INTO inova_cdr.cdr (site, calldate, src, dst, disposition, duration, billsec, uniqueid, linkedid, sequence) " +
    "VALUES (?, UTC_TIMESTAMP(6), '300', '301', 'ANSWERED', 10, 8, ?, ?, ?)";

  let polling = true;
  let polls = 0;
  let seenUpTo = 0;
  const pollStarted = nowMs();
  // Each poll is a primary-key lookup of the next record expected, so its cost does not grow
  // with the table. A record found is checked for its successor at once, without a pause.
  const poller = (async () => {
    while (polling) {
      const next = seenUpTo + 1;
      const rows = (await reader.query("SELECT 1 AS found FROM inova_cdr.cdr WHERE site = ? AND uniqueid = ?", [
        BRANCH.code,
        `${BRANCH.code}-1768500000.${next}`,
      ])) as unknown[];
      polls++;
      if (rows.length > 0) {
        seenAt[next] = nowMs();
        seenUpTo = next;
        continue;
      }
      await sleep(1);
    }
  })();

  options.progress(`inserting ${total} records at ${options.ratePerSecond}/s (${warmup} of them warm-up)`);
  const start = nowMs();
  const gapMs = 1000 / options.ratePerSecond;
  for (let sequence = 1; sequence <= total; sequence++) {
    const due = start + (sequence - 1) * gapMs;
    const wait = due - nowMs();
    if (wait > 0) {
      await sleep(wait);
    }
    const uniqueid = `${BRANCH.code}-1768500000.${sequence}`;
    sentAt[sequence] = nowMs();
    await writer.query(insert, [BRANCH.code, uniqueid, uniqueid, sequence]);
    committedAt[sequence] = nowMs();
  }
  const measuredSeconds = (nowMs() - sentAt[warmup + 1]) / 1000;

  const deadline = nowMs() + 30_000;
  while (seenUpTo < total && nowMs() < deadline) {
    await sleep(10);
  }
  polling = false;
  await poller;
  if (seenUpTo < total) {
    throw new Error(`HQ applied ${seenUpTo} of ${total} records within 30 s of the last insert`);
  }

  const lagsMs: number[] = [];
  const lagsAfterCommitMs: number[] = [];
  const commitMs: number[] = [];
  for (let sequence = warmup + 1; sequence <= total; sequence++) {
    lagsMs.push(seenAt[sequence] - sentAt[sequence]);
    lagsAfterCommitMs.push(Math.max(0, seenAt[sequence] - committedAt[sequence]));
    commitMs.push(committedAt[sequence] - sentAt[sequence]);
  }
  return {
    lagsMs,
    lagsAfterCommitMs,
    commitMs,
    achievedRatePerSecond: (total - warmup) / measuredSeconds,
    meanPollIntervalMs: (nowMs() - pollStarted) / polls,
    mariadbVersion,
  };
}
