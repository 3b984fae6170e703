// A site with call records for integration tests. The site's MariaDB runs in a container, set
// up by the MariaDB providers as CallRecords sets it up. The site's PBX gets the rendered call
// record files and reaches the database's Unix socket through a shared volume. Everything is
// named `rec-test-<name>-*` and binds 127.0.93.x or 127.0.108.x.

import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";

import Docker from "dockerode";
import type * as mariadb from "mariadb";
import * as tar from "tar-stream";

import {
  JOURNAL_DIRECTORY,
  JOURNAL_FILE,
  ODBC_SYSTEM_DIRECTORY,
  peerSitesFromProject,
  renderCallRecordFiles,
  renderSiteConfig,
  SOCKET_DIRECTORY,
} from "../../../components/asterisk";
import {
  accountPlan,
  databaseSite,
  renderServerConfig,
  schemaMigrations,
  SERVER_CONFIG_ENV,
  type DatabaseSite,
} from "../../../components/database";
import { replicationIdentity } from "../../../components/model/call-records";
import { BACKUP_DIRECTORY } from "../../../components/records";
import { loadProjectSites, loadSite } from "../../../components/model/load";
import type { SiteModel, SiteSecrets } from "../../../components/model/types";
import { renderPromptSources } from "../../../components/prompt-sources";
import { withAdminConnection } from "../../../components/providers/mariadb/admin-connection";
import { readStackConfig } from "../../support/stack-files";
import { testSecrets } from "../../support/site-pbx";
import { waitFor } from "../../support/phones/wait";
import { applyMigrations, createAccounts } from "../database/provision";
import { buildImage as buildDatabaseImage, IMAGE as DATABASE_IMAGE, waitHealthy } from "../database/support";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");
const ASTERISK_IMAGE = "inova/asterisk:dev";
const NAME_PREFIX = "rec-test-";

const docker = new Docker();

/** Runs the docker CLI and returns its trimmed stdout; throws on a non-zero exit. */
export function dockerCli(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function dockerQuietly(...args: string[]): void {
  try {
    dockerCli(...args);
  } catch {
    // Already gone.
  }
}

export interface RecordsSiteOptions {
  /** Part of every container and volume name: `rec-test-<name>-db`, `rec-test-<name>-pbx`. */
  readonly name: string;
  /** Stack whose file the PBX is rendered from, e.g. `mochis`. */
  readonly code: string;
  /** Address of the PBX and its database, in 127.0.93.0/24 or 127.0.108.0/24. */
  readonly address: string;
  /** First port of a 200-port RTP range. */
  readonly rtpStart: number;
  /** Seconds between reconciler passes. @default 15 */
  readonly reconcileIntervalSeconds?: number;
  /** Seconds between scheduled backups to the backup volume; none when absent. */
  readonly backupIntervalSeconds?: number;
  /** Backups kept by the schedule. @default 7 */
  readonly backupsKept?: number;
  /** Start the PBX too. @default true */
  readonly pbx?: boolean;
}

/** Site with a database and a PBX that writes its call records there and to the journal. */
export class RecordsSite {
  readonly dbContainer: string;
  readonly pbxContainer: string;
  readonly volumes: { readonly data: string; readonly socket: string; readonly journal: string; readonly backups: string };
  readonly database: DatabaseSite;
  readonly model: SiteModel;
  readonly secrets: SiteSecrets;
  readonly writerPassword: string;

  private constructor(readonly options: RecordsSiteOptions) {
    if (!/^127\.0\.(93|108)\.\d+$/.test(options.address)) {
      throw new Error(`invalid address ${options.address}; records tests bind 127.0.93.x or 127.0.108.x`);
    }
    const prefix = `${NAME_PREFIX}${options.name}`;
    this.dbContainer = `${prefix}-db`;
    this.pbxContainer = `${prefix}-pbx`;
    this.volumes = { data: `${prefix}-data`, socket: `${prefix}-socket`, journal: `${prefix}-journal`, backups: `${prefix}-backups` };
    const loaded = loadSite(options.code, readStackConfig(PROJECT_DIR, options.code), { projectDir: PROJECT_DIR });
    this.model = {
      ...loaded,
      site: {
        ...loaded.site,
        address: options.address,
        ports: { ...loaded.site.ports, rtp: { start: options.rtpStart, end: options.rtpStart + 199 } },
      },
    };
    this.secrets = testSecrets(this.model);
    this.writerPassword = `writer${options.name.replace(/[^A-Za-z0-9]/g, "")}Pass0123456789`;
    this.database = databaseSite({
      code: this.model.site.code,
      role: this.model.site.role,
      address: options.address,
      localClientHost: "localhost",
      ...replicationIdentity(this.model.site.accessCode),
    });
  }

  /** Starts the database, provisions it, then starts the PBX and waits until it has booted. */
  static async start(options: RecordsSiteOptions): Promise<RecordsSite> {
    const site = new RecordsSite(options);
    site.removeAll();
    try {
      buildDatabaseImage();
      for (const volume of Object.values(site.volumes)) {
        dockerCli("volume", "create", volume);
      }
      await site.startDatabase();
      await site.provision();
      if (options.pbx ?? true) {
        await site.startPbx();
      }
    } catch (error) {
      const logs = [site.dbContainer, site.pbxContainer].map((name) => containerLogs(name)).join("\n");
      site.removeAll();
      throw new Error(`${(error as Error).message}\n${logs}`);
    }
    return site;
  }

  /** Starts the database container on the data and socket volumes and waits until it is healthy. */
  async startDatabase(): Promise<void> {
    dockerCli(
      "run",
      "-d",
      "--name",
      this.dbContainer,
      "--network",
      "host",
      "--stop-timeout",
      "30",
      "--health-interval",
      "1s",
      "--health-start-period",
      "60s",
      "-v",
      `${this.volumes.data}:/var/lib/mysql`,
      "-v",
      `${this.volumes.socket}:${SOCKET_DIRECTORY}`,
      "-v",
      `${this.volumes.backups}:${BACKUP_DIRECTORY}`,
      "-e",
      `${SERVER_CONFIG_ENV}=${renderServerConfig(this.database)}`,
      "-e",
      `INOVA_MARIADB_BACKUP_INTERVAL_SECONDS=${this.options.backupIntervalSeconds ?? 0}`,
      "-e",
      `INOVA_MARIADB_BACKUP_KEEP=${this.options.backupsKept ?? 7}`,
      DATABASE_IMAGE,
    );
    await waitHealthy(this.dbContainer);
  }

  /**
   * Replaces the database by a new server on an empty data volume, as after the loss of the
   * volume, and applies the schema and accounts again. The backup volume stays.
   */
  async replaceDatabaseWithEmpty(): Promise<void> {
    dockerQuietly("rm", "-f", "-v", this.dbContainer);
    dockerCli("volume", "rm", "-f", this.volumes.data);
    dockerCli("volume", "create", this.volumes.data);
    await this.startDatabase();
    await this.provision();
  }

  /** Runs a command in the database container as root. */
  async execInDatabase(command: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return execIn(this.dbContainer, command);
  }

  /** Names of the backup files, oldest first. */
  async backupFiles(): Promise<string[]> {
    const result = await this.execInDatabase(["ls", "-1", BACKUP_DIRECTORY]);
    return result.stdout.split("\n").filter((name) => /^cdr-.*\.sql\.gz$/.test(name)).sort();
  }

  /** Applies the schema and the site's accounts with the providers that CallRecords uses. */
  private async provision(): Promise<void> {
    await applyMigrations(this.dbContainer, schemaMigrations(this.database.code));
    const hq = databaseSite({ ...this.database, code: "hq", role: "hq", address: "127.0.93.254", serverId: 9999, gtidDomainId: 9999 });
    const peers = this.database.role === "hq" ? [this.database] : [this.database, hq];
    const writers = accountPlan(this.database, peers).filter((planned) => planned.user === "pbx_writer");
    await createAccounts(this.dbContainer, writers, () => this.writerPassword);
  }

  /** Creates the PBX container with the socket and journal volumes, writes its files and starts it. */
  private async startPbx(): Promise<void> {
    // Without trunks to the other sites, nothing leaves the test PBX and no trunk password is needed.
    const peers = peerSitesFromProject(loadProjectSites(PROJECT_DIR), this.model.site.code).map(({ trunk: _trunk, ...peer }) => peer);
    const rendered = renderSiteConfig(this.model, this.secrets, { peers, callRecords: true });
    const records = renderCallRecordFiles(this.model, {
      writerPassword: this.writerPassword,
      reconcileIntervalSeconds: this.options.reconcileIntervalSeconds ?? 15,
    });
    const files: Record<string, string> = {};
    for (const [name, text] of Object.entries({ ...rendered.files, ...rendered.secretFiles, ...records.files, ...records.secretFiles })) {
      files[`/etc/asterisk/${name}`] = text;
    }
    for (const [name, text] of Object.entries(renderPromptSources(this.model, PROJECT_DIR))) {
      files[`/var/lib/inova/prompt-sources/${name}`] = text;
    }
    files["/var/lib/inova/config-ready"] = "";

    const container = await docker.createContainer({
      name: this.pbxContainer,
      Image: ASTERISK_IMAGE,
      Env: [`ODBCSYSINI=${ODBC_SYSTEM_DIRECTORY}`],
      HostConfig: {
        NetworkMode: "host",
        Mounts: [
          { Type: "volume", Source: this.volumes.socket, Target: SOCKET_DIRECTORY },
          { Type: "volume", Source: this.volumes.journal, Target: JOURNAL_DIRECTORY },
        ],
      },
    });
    await container.putArchive(await tarOf(files), { path: "/" });
    await container.start();
    await waitFor(async () => (await this.exec(["asterisk", "-rx", "core waitfullybooted"])).exitCode === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: () => `${this.pbxContainer} to boot`,
    });
    const built = await this.exec(["inova-build-prompts"]);
    if (built.exitCode !== 0) {
      throw new Error(`inova-build-prompts failed: ${built.stdout}${built.stderr}`);
    }
  }

  get address(): string {
    return this.model.site.address;
  }

  /** Runs a command in the PBX container as root. */
  async exec(command: readonly string[], user?: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return execIn(this.pbxContainer, command, user);
  }

  /** Writes a file into the PBX container, readable by every user. */
  async writeFile(file: string, content: string): Promise<void> {
    await docker.getContainer(this.pbxContainer).putArchive(await tarOf({ [file]: content }), { path: "/" });
  }

  /** Runs an Asterisk CLI command and returns its output. */
  async cli(command: string): Promise<string> {
    const result = await this.exec(["asterisk", "-rx", command]);
    if (result.exitCode !== 0) {
      throw new Error(`asterisk -rx '${command}' failed: ${result.stdout}${result.stderr}`);
    }
    return result.stdout;
  }

  /** Journal lines, oldest first. */
  async journalLines(): Promise<string[]> {
    const result = await this.exec(["sh", "-c", `cat ${JOURNAL_FILE} 2>/dev/null || true`]);
    return result.stdout.split("\n").filter((line) => line !== "");
  }

  /** Runs `action` as root over the database's Unix socket. */
  asRoot<T>(action: (connection: mariadb.Connection) => Promise<T>): Promise<T> {
    return withAdminConnection({ containerId: this.dbContainer }, action);
  }

  /**
   * Rows of inova_cdr.cdr, ordered by calldate and sequence, with `calldate_text`, the stored value as text, and
   * `calldate_epoch`, the Unix time it stands for when read as UTC.
   */
  async cdrRows(): Promise<Array<Record<string, unknown>>> {
    return (await this.asRoot(async (connection) => {
      await connection.query("SET time_zone = '+00:00'");
      return connection.query(
        "SELECT *, CAST(calldate AS CHAR) AS calldate_text, UNIX_TIMESTAMP(calldate) AS calldate_epoch " +
          "FROM inova_cdr.cdr ORDER BY calldate, sequence",
      );
    })) as Array<Record<string, unknown>>;
  }

  /** Stops the database container (its socket stays in the volume, unanswered). */
  stopDatabase(): void {
    dockerCli("stop", "-t", "30", this.dbContainer);
  }

  /** Starts the stopped database container again and waits until it is healthy. */
  async restartDatabase(): Promise<void> {
    dockerCli("start", this.dbContainer);
    await waitHealthy(this.dbContainer);
  }

  /** Last lines of the PBX container's output and of Asterisk's messages log. */
  async diagnostics(): Promise<string> {
    const messages = await this.exec(["tail", "-n", "40", "/var/log/asterisk/messages.log"]);
    return `${containerLogs(this.pbxContainer)}\n--- messages.log\n${messages.stdout}`;
  }

  removeAll(): void {
    dockerQuietly("rm", "-f", "-v", this.pbxContainer);
    dockerQuietly("rm", "-f", "-v", this.dbContainer);
    for (const volume of Object.values(this.volumes)) {
      dockerQuietly("volume", "rm", "-f", volume);
    }
  }
}

/** Runs a command in a container and collects its output. */
export async function execIn(
  containerName: string,
  command: readonly string[],
  user?: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const container = docker.getContainer(containerName);
  const exec = await container.exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true, User: user });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const { Writable } = await import("node:stream");
  const sink = (chunks: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
  docker.modem.demuxStream(stream, sink(stdout), sink(stderr));
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  let info = await exec.inspect();
  for (let attempt = 0; info.Running && attempt < 50; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    info = await exec.inspect();
  }
  return {
    exitCode: info.ExitCode ?? -1,
    stdout: Buffer.concat(stdout).toString("utf8"),
    stderr: Buffer.concat(stderr).toString("utf8"),
  };
}

/** Last lines of a container's output; the reconciler writes to stderr, Asterisk to stdout. */
export function containerLogs(name: string, lines = 60): string {
  const result = spawnSync("docker", ["logs", "--tail", String(lines), name], { encoding: "utf8" });
  return `${result.stdout ?? ""}${result.stderr ?? ""}`;
}

async function tarOf(files: Readonly<Record<string, string>>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [file, content] of Object.entries(files)) {
    pack.entry({ name: file.slice(1), mode: 0o644 }, Buffer.from(content));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses one journal line: every field in double quotes, inner quotes doubled. Returns the
 * fields, or undefined when the line is not in that form.
 */
export function parseJournalLine(line: string): string[] | undefined {
  const fields: string[] = [];
  const pattern = /"((?:[^"]|"")*)"(,|$)/y;
  let position = 0;
  while (position < line.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(line);
    if (match === null) {
      return undefined;
    }
    fields.push(match[1].replace(/""/g, '"'));
    position = pattern.lastIndex;
    if (match[2] === "") {
      break;
    }
  }
  return position === line.length ? fields : undefined;
}
