// Plain data describing the call-record database of each site. Nothing here
// imports Pulumi, so the plans and renderers run in unit tests without an engine.

import type { SiteCode, SiteRole } from "../model/types";

/** Database that contains the call records. */
export const CDR_DATABASE = "inova_cdr";
/** Table of call records, one row per Asterisk CDR. */
export const CDR_TABLE = "cdr";
/** Table that records which schema migrations were applied. */
export const MIGRATIONS_TABLE = "schema_migrations";

/** Character set and collation of the call-record database and its tables. */
export const CDR_CHARACTER_SET = "utf8mb4";
export const CDR_COLLATION = "utf8mb4_unicode_ci";

export const DEFAULT_MARIADB_PORT = 3306;
/** Binary logs are kept 7 days unless a site sets another time. */
export const DEFAULT_BINLOG_EXPIRE_SECONDS = 7 * 24 * 60 * 60;
/** Upper limit of `binlog_expire_logs_seconds` in MariaDB 11.8 (99 days). */
export const MAX_BINLOG_EXPIRE_SECONDS = 8_553_600;

/** Unix socket of the server inside the inova/mariadb image (assets/mariadb/my.cnf). */
export const SERVER_SOCKET_PATH = "/run/mariadbd/mysqld.sock";
/** Environment variable through which the container receives its rendered server configuration. */
export const SERVER_CONFIG_ENV = "INOVA_MARIADB_CONFIG";
/** Mount point of the data volume inside the inova/mariadb image. */
export const DATA_DIRECTORY = "/var/lib/mysql";

/** Call-record database of one site. */
export interface DatabaseSite {
  /** Stack name of the site, e.g. `tabasco`; also the value of `cdr.site` for its calls. */
  readonly code: SiteCode;
  readonly role: SiteRole;
  /** Loopback address that the server binds, the site's own address, e.g. `127.0.82.1`. */
  readonly address: string;
  /** TCP port that the server listens on. @default 3306 */
  readonly port: number;
  /**
   * Source address of connections that this site's clients open: its PBX and API,
   * and at HQ the replication threads. It is what account host names match.
   * A connection between two loopback addresses of one host leaves from 127.0.0.1
   * unless the client binds another address, and MariaDB 11.8's replica threads
   * cannot bind one (CHANGE MASTER has no MASTER_BIND). @default address
   */
  readonly clientAddress: string;
  /**
   * Host part of the accounts of the site's own clients (pbx_writer, api_reader, monitor):
   * `localhost` when they connect over the server's Unix socket, shared with their
   * containers by a volume, or an address when they connect over TCP. When absent,
   * they connect over TCP from `clientAddress`.
   */
  readonly localClientHost?: string;
  /** `server_id`, unique among the sites that replicate together. */
  readonly serverId: number;
  /** `gtid_domain_id`, unique among the sites, so each site's transactions keep their own GTID sequence. */
  readonly gtidDomainId: number;
  /** Seconds a binary log is kept; 0 keeps binary logs until removed by hand. @default 604800 (7 days) */
  readonly binlogExpireSeconds: number;
}

/** Fields of {@link DatabaseSite}; those with defaults may be left out. */
export type DatabaseSiteInput = Omit<DatabaseSite, "port" | "clientAddress" | "binlogExpireSeconds"> &
  Partial<Pick<DatabaseSite, "port" | "clientAddress" | "binlogExpireSeconds">>;

/** Fills in the defaults of a database site. */
export function databaseSite(input: DatabaseSiteInput): DatabaseSite {
  return {
    ...input,
    port: input.port ?? DEFAULT_MARIADB_PORT,
    clientAddress: input.clientAddress ?? input.address,
    binlogExpireSeconds: input.binlogExpireSeconds ?? DEFAULT_BINLOG_EXPIRE_SECONDS,
  };
}

/** Accounts that the plan creates at each site, besides root over the Unix socket. */
export type AccountRole = "pbx_writer" | "api_reader" | "replicator" | "monitor" | "reseed" | "hq_api_reader";

/** Privileges on one object: `*.*`, `db.*` or `db.table`. */
export interface PlannedGrant {
  /** Privilege names as the server prints them in SHOW GRANTS, in the server's order. */
  readonly privileges: readonly string[];
  readonly object: string;
}

/** One account of a site's database with every privilege it gets. */
export interface PlannedAccount {
  readonly role: AccountRole;
  /** User name; equal to the role, except `api_<branch>` for the role `hq_api_reader`. */
  readonly user: string;
  /** Branch whose rows a `reseed` account at HQ reads; HQ has one such account per branch. */
  readonly branch?: SiteCode;
  /** Host part of the account: the client's source address. */
  readonly host: string;
  /** Purpose of the account, for reports and resource descriptions. */
  readonly purpose: string;
  readonly grants: readonly PlannedGrant[];
}

/** One schema change, applied once per server and recorded in `schema_migrations`. */
export interface Migration {
  /** Positive integer; migrations apply in ascending order. */
  readonly version: number;
  readonly description: string;
  /** Statements that are safe to run again after a partial run (`IF NOT EXISTS` and the like). */
  readonly statements: readonly string[];
}

/** A named replication connection at HQ that pulls one branch's binary log. */
export interface ReplicationConnection {
  /** Connection name, the branch's site code. */
  readonly name: string;
  /** Site code of the branch. */
  readonly branch: SiteCode;
  readonly masterHost: string;
  readonly masterPort: number;
  readonly masterUser: string;
  /** GTID position that the connection starts from: HQ's record of what it applied. */
  readonly useGtid: "slave_pos";
  /** Seconds between reconnection attempts while the branch is unreachable. */
  readonly connectRetrySeconds: number;
}
