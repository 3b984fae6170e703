import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { SOCKET_DIRECTORY } from "./asterisk/call-records";
import { sharedPassword } from "./company-secret";
import {
  accountPlan,
  databaseSite,
  DATA_DIRECTORY,
  renderServerConfig,
  SERVER_CONFIG_ENV,
  validateDatabaseSites,
  type AccountRole,
  type DatabaseSite,
} from "./database";
import {
  binlogExpireSeconds,
  relayPort,
  replicationIdentity,
  usesRelay,
  type CallRecordPeer,
  type CallRecordSettings,
} from "./model/call-records";
import type { SiteModel } from "./model/types";
import { CONNECT_RETRY_SECONDS } from "./database/replication";
import { Container } from "./providers/docker/container";
import { Image } from "./providers/docker/image";
import { Volume } from "./providers/docker/volume";
import { Grant, Migrations, ReplicaConnection, Reseed, ReseedView, User } from "./providers/mariadb";
import { GeneratedSecret } from "./providers/secret";

// Environment of the inova/mariadb image (assets/mariadb/entrypoint.sh): the backup schedule and
// the number of backups kept.
const BACKUP_INTERVAL_ENV = "INOVA_MARIADB_BACKUP_INTERVAL_SECONDS";
const BACKUP_KEEP_ENV = "INOVA_MARIADB_BACKUP_KEEP";
/** Directory of the backups inside the database container, where the backup volume is mounted. */
export const BACKUP_DIRECTORY = "/var/backups/inova-cdr";

export interface CallRecordsArgs {
  /** Validated site model. */
  readonly model: SiteModel;
  /** The site's `inova-pbx:callRecords` settings, defaults applied. */
  readonly settings: CallRecordSettings;
  /** Every site of the project, this one included, as their stack files state them. */
  readonly peers: readonly CallRecordPeer[];
  /** Company secret, from which HQ and each branch derive their replication password. */
  readonly companySecret: pulumi.Input<string>;
  /** Project directory, where assets/mariadb is. */
  readonly projectDir: string;
  /** Docker image the MariaDB image builds FROM. @default "inova/debian-sid:base" */
  readonly baseImage?: string;
  /** Remove the data, journal and backup volumes on `pulumi destroy`. @default false */
  readonly deleteDataOnDestroy?: boolean;
}

/**
 * The call-record database of one site: a MariaDB container bound to the site's address, its
 * data volume, the `inova_cdr` schema, and accounts with the fewest privileges each client
 * needs. The PBX and the API connect as `user@localhost` through the server's Unix socket, which
 * a socket volume shares with their containers. At HQ, one replication connection per branch
 * pulls the branch's records into the same table, through a relay container per branch when the
 * route needs one. At each branch, `replicator` admits HQ.
 *
 * The journal volume belongs here too, so it outlives PBX containers: the PBX mounts it and
 * appends every record there for the reconciler. The database container writes a backup of the
 * records to the backup volume on a schedule (`inova-mariadb-backup`, restored with
 * `inova-mariadb-restore`).
 */
export class CallRecords extends pulumi.ComponentResource {
  /** The database as `address:port`. */
  public readonly endpoint: string;
  public readonly containerName: pulumi.Output<string>;
  /** Volume with the server's Unix socket; mount it at {@link SOCKET_DIRECTORY}. */
  public readonly socketVolume: pulumi.Output<string>;
  /** Volume of the call-record journal, mounted by the PBX. */
  public readonly journalVolume: pulumi.Output<string>;
  /** Volume with the scheduled backups (`cdr-<UTC time>.sql.gz`). */
  public readonly backupVolume: pulumi.Output<string>;
  /** Password of pbx_writer@localhost (INSERT on inova_cdr.cdr); secret. */
  public readonly writerPassword: pulumi.Output<string>;
  /** Password of api_reader@localhost (SELECT on inova_cdr.*); secret. */
  public readonly readerPassword: pulumi.Output<string>;
  /** Password of monitor@localhost (SLAVE MONITOR) at HQ; secret. Undefined at a branch. */
  public readonly monitorPassword?: pulumi.Output<string>;
  /** Engine id of the database container, for accounts that other components add. */
  public readonly containerId: pulumi.Output<string>;
  /** Names of HQ's replication connections, one per branch; empty at a branch. */
  public readonly replicationConnections: string[];
  /** Database site settings as rendered into the server configuration. */
  public readonly database: DatabaseSite;

  constructor(name: string, args: CallRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inova:records:CallRecords", name, {}, opts);

    const site = args.model.site;
    const sites = databaseSites(args.model, args.settings, args.peers);
    const self = sites.find((candidate) => candidate.code === site.code) as DatabaseSite;
    const hq = sites.find((candidate) => candidate.role === "hq") as DatabaseSite;
    const branches = sites.filter((candidate) => candidate.role === "branch");
    this.database = self;
    this.endpoint = `${self.address}:${self.port}`;
    const keep = !(args.deleteDataOnDestroy ?? false);
    const labels = { "inova.site": site.code };

    // One tag per site: sites that share a Docker engine share the image's layers, and
    // destroying one site removes only its own tag, which no other site's container uses.
    const image = new Image(
      `${name}-image`,
      {
        name: `inova/mariadb:11.8-${site.code}`,
        context: path.join(args.projectDir, "assets", "mariadb"),
        buildArgs: { BASE_IMAGE: args.baseImage ?? "inova/debian-sid:base" },
      },
      { parent: this },
    );
    const data = new Volume(
      `${name}-data`,
      { name: `inova-${site.code}-cdr-data`, labels: { ...labels, "inova.data": "call-records" }, deleteOnDestroy: !keep },
      { parent: this },
    );
    const socket = new Volume(
      `${name}-socket`,
      { name: `inova-${site.code}-cdr-socket`, labels: { ...labels, "inova.data": "socket" }, deleteOnDestroy: true },
      { parent: this },
    );
    const backups = new Volume(
      `${name}-backups`,
      { name: `inova-${site.code}-cdr-backups`, labels: { ...labels, "inova.data": "call-record-backups" }, deleteOnDestroy: !keep },
      { parent: this },
    );
    const journal = new Volume(
      `${name}-journal`,
      { name: `inova-${site.code}-cdr-journal`, labels: { ...labels, "inova.data": "call-record-journal" }, deleteOnDestroy: !keep },
      { parent: this },
    );

    // Nothing here depends on the branches, so adding or removing one leaves HQ's database running.
    const env: Record<string, string> = {
      [SERVER_CONFIG_ENV]: renderServerConfig(self),
      [BACKUP_INTERVAL_ENV]: String(args.settings.backupIntervalHours * 3600),
      [BACKUP_KEEP_ENV]: String(args.settings.backupsKept),
    };
    const container = new Container(
      `${name}-db`,
      {
        name: `inova-${site.code}-cdr-db`,
        imageId: image.imageId,
        networkMode: "host",
        restartPolicy: "unless-stopped",
        env,
        mounts: [
          { volume: data.name, target: DATA_DIRECTORY },
          { volume: socket.name, target: SOCKET_DIRECTORY },
          { volume: backups.name, target: BACKUP_DIRECTORY },
        ],
        labels: { ...labels, "inova.role": "call-records" },
        // mariadbd flushes InnoDB and the binary log on SIGTERM; give it time.
        stopTimeoutSeconds: 60,
        startTimeoutSeconds: 180,
      },
      { parent: this },
    );

    const migrations = new Migrations(`${name}-schema`, { containerId: container.containerId, site: self.code }, { parent: this });

    // A rebuilt branch takes its records back from HQ before any account exists: neither its PBX
    // nor HQ's replica thread can reach it until its binary log continues where HQ stopped.
    const accountsAfter: pulumi.Resource[] = [migrations];
    if (self.role === "branch") {
      accountsAfter.push(
        new Reseed(
          `${name}-reseed`,
          {
            containerId: container.containerId,
            branch: self.code,
            gtidDomainId: self.gtidDomainId,
            hqHost: hq.address,
            hqPort: hq.port,
            bindAddress: self.clientAddress,
            password: reseedPassword(args.companySecret, hq.code, self.code),
          },
          { parent: this, dependsOn: [migrations] },
        ),
      );
    }
    const reseedViews = new Map<string, ReseedView>();
    if (self.role === "hq") {
      for (const branch of branches) {
        const view = new ReseedView(
          `${name}-reseed-view-${branch.code}`,
          { containerId: container.containerId, branch: branch.code },
          { parent: this, dependsOn: [migrations] },
        );
        reseedViews.set(branch.code, view);
      }
    }

    const passwords: Partial<Record<AccountRole, pulumi.Output<string>>> = {};
    for (const account of accountPlan(self, sites)) {
      const key = account.branch === undefined ? account.user : `${account.user}-${account.branch}`;
      let password: pulumi.Output<string>;
      if (account.role === "replicator") {
        password = pulumi.secret(pulumi.output(args.companySecret).apply((secret) => sharedPassword(secret, "replication", hq.code, self.code)));
      } else if (account.role === "reseed") {
        password = reseedPassword(args.companySecret, hq.code, account.branch as string);
      } else {
        password = new GeneratedSecret(`${name}-${account.user}-password`, { length: 32, alphabet: "alnum" }, { parent: this }).value;
      }
      passwords[account.role] = password;
      const user = new User(
        `${name}-${key}`,
        { containerId: container.containerId, user: account.user, host: account.host, password },
        { parent: this, dependsOn: accountsAfter },
      );
      const view = account.branch === undefined ? undefined : reseedViews.get(account.branch);
      for (const grant of account.grants) {
        new Grant(
          `${name}-${key}-grant-${grantResourceSuffix(grant.object)}`,
          {
            containerId: container.containerId,
            user: account.user,
            host: account.host,
            object: grant.object,
            privileges: [...grant.privileges],
          },
          { parent: this, dependsOn: view === undefined ? [user] : [user, view] },
        );
      }
    }

    this.replicationConnections = [];
    const viaRelay = self.role === "hq" && usesRelay(args.settings.replicationRoute, self.address);
    if (self.role === "hq") {
      for (const branch of branches) {
        const connectAfter: pulumi.Resource[] = [migrations];
        if (viaRelay) {
          // Earlier images ran the relays inside HQ's database container on the same ports, so a
          // relay starts only once that container is replaced, or its bind would fail.
          const relay = relayContainer(`${name}-relay-${branch.code}`, image.imageId, relayPortOf(args, branch), hq, branch, {
            parent: this,
            dependsOn: [container],
          });
          connectAfter.push(relay);
        }
        const password = pulumi.secret(
          pulumi.output(args.companySecret).apply((secret) => sharedPassword(secret, "replication", hq.code, branch.code)),
        );
        new ReplicaConnection(
          `${name}-replica-${branch.code}`,
          {
            containerId: container.containerId,
            name: branch.code,
            masterHost: viaRelay ? hq.address : branch.address,
            masterPort: viaRelay ? relayPortOf(args, branch) : branch.port,
            masterUser: "replicator",
            password,
            connectRetrySeconds: CONNECT_RETRY_SECONDS,
          },
          { parent: this, dependsOn: connectAfter },
        );
        this.replicationConnections.push(branch.code);
      }
    }

    this.containerName = container.name;
    this.containerId = container.containerId;
    this.monitorPassword = passwords.monitor;
    this.socketVolume = socket.name;
    this.journalVolume = journal.name;
    this.backupVolume = backups.name;
    this.writerPassword = passwords.pbx_writer as pulumi.Output<string>;
    this.readerPassword = passwords.api_reader as pulumi.Output<string>;
    this.registerOutputs({
      endpoint: this.endpoint,
      containerName: this.containerName,
      socketVolume: this.socketVolume,
      journalVolume: this.journalVolume,
      backupVolume: this.backupVolume,
      writerPassword: this.writerPassword,
      readerPassword: this.readerPassword,
    });
  }
}

/** Password of a branch's `reseed` account at HQ, derived from the company secret like the replication passwords. */
function reseedPassword(companySecret: pulumi.Input<string>, hq: string, branch: string): pulumi.Output<string> {
  return pulumi.secret(pulumi.output(companySecret).apply((secret) => sharedPassword(secret, "reseed", hq, branch)));
}

/** Names a grant object in a resource name: `*.*` as `global`, `db.*` as `db`, `db.table` as `db-table`. */
function grantResourceSuffix(object: string): string {
  if (object === "*.*") {
    return "global";
  }
  return object.replace(/\.\*$/, "").replace(/\./g, "-");
}

/**
 * Creates HQ's relay container to one branch's database. socat listens on HQ's address at `port`
 * and opens each connection to the branch from HQ's address, so the branch receives HQ's replica
 * thread from HQ's address and not from 127.0.0.1. The container runs HQ's database image, which
 * contains socat, with the image's MariaDB entrypoint and healthcheck replaced.
 */
function relayContainer(
  name: string,
  imageId: pulumi.Input<string>,
  port: number,
  hq: DatabaseSite,
  branch: DatabaseSite,
  opts: pulumi.CustomResourceOptions,
): Container {
  return new Container(
    name,
    {
      name: `inova-${hq.code}-cdr-relay-${branch.code}`,
      imageId,
      networkMode: "host",
      restartPolicy: "unless-stopped",
      entrypoint: ["socat"],
      command: [
        `TCP-LISTEN:${port},bind=${hq.address},reuseaddr,fork,su=nobody`,
        `TCP:${branch.address}:${branch.port},bind=${hq.address}`,
      ],
      // The image's healthcheck queries a MariaDB server, which this container does not run, so
      // the container counts as started once socat has run for a second.
      healthcheck: { test: ["NONE"] },
      labels: { "inova.site": hq.code, "inova.role": "call-records-relay" },
      // A relay whose port is taken exits at once and is restarted by the engine, so it never runs
      // for a second. The update fails after this many seconds with socat's error in the message.
      startTimeoutSeconds: 30,
    },
    opts,
  );
}

/** Port at HQ where the relay to `branch` listens, from HQ's relay base port. */
function relayPortOf(args: CallRecordsArgs, branch: DatabaseSite): number {
  const hqSettings = args.peers.find((peer) => peer.role === "hq")?.settings ?? args.settings;
  const accessCode = args.peers.find((peer) => peer.code === branch.code)?.accessCode as string;
  return relayPort(hqSettings.relayBasePort, accessCode);
}

/**
 * Builds the database sites of the project from the stack files, with this site's own model and
 * settings for itself. Every client of a site connects over the Unix socket (`localhost`), and
 * HQ's replica threads arrive at the branches from HQ's address: through the relay on one host,
 * or directly when every site is a host of its own. Throws when the sites do not form a valid
 * replication set (not exactly one HQ, a repeated access code or address).
 */
export function databaseSites(model: SiteModel, settings: CallRecordSettings, peers: readonly CallRecordPeer[]): DatabaseSite[] {
  const others = peers.filter((peer) => peer.code !== model.site.code);
  const selfPeer: CallRecordPeer = {
    code: model.site.code,
    role: model.site.role,
    address: model.site.address,
    accessCode: model.site.accessCode,
    settings,
  };
  const sites = [selfPeer, ...others].map((peer) =>
    databaseSite({
      code: peer.code,
      role: peer.role,
      address: peer.address,
      port: peer.settings.port,
      clientAddress: peer.address,
      localClientHost: "localhost",
      binlogExpireSeconds: binlogExpireSeconds(peer.settings),
      ...replicationIdentity(peer.accessCode),
    }),
  );
  const problems = validateDatabaseSites(sites);
  if (problems.length > 0) {
    throw new Error(`the project's call-record databases cannot replicate together:\n- ${problems.join("\n- ")}`);
  }
  return sites;
}
