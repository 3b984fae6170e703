// Starts throwaway MariaDB servers on loopback addresses for the tests and the benchmark:
// the host's mariadbd when installed, otherwise the same server in a container on the host
// network (image built from test/mariadb/Dockerfile). Each server gets its own data
// directory and an administrator account for TCP set-up.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mariadb from "mariadb";

export const ADMIN_USER = "cdr_test_admin";
export const ADMIN_PASSWORD = "cdr-test-admin-password";
const HOST_MARIADBD = "/usr/sbin/mariadbd";
const TEST_IMAGE = "inova/cdr-api-test-mariadb:dev";
const START_TIMEOUT_MS = 60_000;

export interface MariaDbOptions {
  /** Short name used in the data directory and container names. */
  name: string;
  host: string;
  port: number;
  serverId: number;
  binlog?: boolean;
  bufferPoolMb?: number;
}

export interface MariaDbServer {
  name: string;
  host: string;
  port: number;
  mode: "host" | "docker";
  dataDir: string;
  pid?: number;
  admin(): Promise<mariadb.Connection>;
  stop(): Promise<void>;
}

function chooseMode(): "host" | "docker" {
  const requested = process.env.CDR_TEST_MARIADB;
  if (requested === "host" || requested === "docker") {
    return requested;
  }
  return existsSync(HOST_MARIADBD) ? "host" : "docker";
}

function serverArguments(options: MariaDbOptions, dataDir: string, initFile: string): string[] {
  const args = [
    "--no-defaults",
    "--user=root",
    `--datadir=${dataDir}/data`,
    `--socket=${dataDir}/mysqld.sock`,
    `--pid-file=${dataDir}/mysqld.pid`,
    `--log-error=${dataDir}/error.log`,
    `--bind-address=${options.host}`,
    `--port=${options.port}`,
    `--server-id=${options.serverId}`,
    `--init-file=${initFile}`,
    `--innodb-buffer-pool-size=${options.bufferPoolMb ?? 256}M`,
    "--innodb-log-file-size=256M",
    "--innodb-flush-log-at-trx-commit=2",
    "--skip-name-resolve",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_unicode_ci",
    `--relay-log=${dataDir}/data/relay`,
  ];
  if (options.binlog === true) {
    args.push(`--log-bin=${dataDir}/data/binlog`, "--binlog-format=ROW");
  }
  return args;
}

async function waitForServer(options: MariaDbOptions, dataDir: string, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastError = "";
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit !== undefined) {
      const log = existsSync(join(dataDir, "error.log")) ? readFileSync(join(dataDir, "error.log"), "utf8").slice(-2000) : "";
      throw new Error(`mariadbd ${options.name} exited (${exit}) before accepting connections:\n${log}`);
    }
    try {
      const connection = await mariadb.createConnection({
        host: options.host,
        port: options.port,
        user: ADMIN_USER,
        password: ADMIN_PASSWORD,
        connectTimeout: 1000,
      });
      await connection.end();
      return;
    } catch (error) {
      lastError = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`mariadbd ${options.name} on ${options.host}:${options.port} did not accept connections within ${START_TIMEOUT_MS} ms: ${lastError}`);
}

function ensureTestImage(): void {
  try {
    execFileSync("docker", ["image", "inspect", TEST_IMAGE], { stdio: "ignore" });
  } catch {
    execFileSync("docker", ["build", "-t", TEST_IMAGE, join(__dirname, "..", "mariadb")], {
      stdio: "inherit",
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
  }
}

/** Starts a fresh server and returns once its administrator account can log in. */
export async function startMariaDb(options: MariaDbOptions): Promise<MariaDbServer> {
  const mode = chooseMode();
  const dataDir = mkdtempSync(join(tmpdir(), `cdr-api-${options.name}-`));
  const initFile = join(dataDir, "init.sql");
  writeFileSync(
    initFile,
    `CREATE USER IF NOT EXISTS '${ADMIN_USER}'@'%' IDENTIFIED BY '${ADMIN_PASSWORD}';\n` +
      `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'%' WITH GRANT OPTION;\n`,
  );
  const install = [
    "--no-defaults",
    `--datadir=${dataDir}/data`,
    "--user=root",
    "--auth-root-authentication-method=socket",
    "--skip-test-db",
  ];
  const args = serverArguments(options, dataDir, initFile);
  let child: ChildProcess | undefined;
  let exitText: string | undefined;
  const containerName = `api-test-mariadb-${options.name}`;

  if (mode === "host") {
    mkdirSync(join(dataDir, "data"));
    try {
      execFileSync("mariadb-install-db", install, { stdio: "pipe" });
    } catch (error) {
      const output = error as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`mariadb-install-db failed for ${options.name}:\n${output.stdout ?? ""}${output.stderr ?? ""}`);
    }
    child = spawn(HOST_MARIADBD, args, { stdio: "ignore" });
  } else {
    ensureTestImage();
    execFileSync("docker", ["rm", "-f", containerName], { stdio: "ignore" });
    const script = `mkdir -p ${dataDir}/data && mariadb-install-db ${install.join(" ")} >/dev/null && exec mariadbd ${args.join(" ")}`;
    child = spawn("docker", ["run", "--rm", "--name", containerName, "--network", "host", "-v", `${dataDir}:${dataDir}`, TEST_IMAGE, "sh", "-c", script], {
      stdio: "ignore",
    });
  }
  child.on("exit", (code, signal) => {
    exitText = signal ?? `exit code ${code}`;
  });

  await waitForServer(options, dataDir, () => exitText);

  const running = child;
  return {
    name: options.name,
    host: options.host,
    port: options.port,
    mode,
    dataDir,
    pid: mode === "host" ? running.pid : undefined,
    admin: () =>
      mariadb.createConnection({
        host: options.host,
        port: options.port,
        user: ADMIN_USER,
        password: ADMIN_PASSWORD,
        multipleStatements: true,
        dateStrings: true,
        bigIntAsNumber: true,
        decimalAsNumber: true,
      }),
    async stop() {
      if (exitText === undefined) {
        const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
        if (mode === "host") {
          running.kill("SIGTERM");
        } else {
          execFileSync("docker", ["stop", "-t", "30", containerName], { stdio: "ignore" });
        }
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates the inova_cdr database and its cdr table from test/schema.sql. */
export async function createSchema(connection: mariadb.Connection): Promise<void> {
  await connection.query(readFileSync(join(__dirname, "..", "schema.sql"), "utf8"));
}
