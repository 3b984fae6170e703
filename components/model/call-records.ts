// Settings of a site's call-record database: the optional `inova-pbx:callRecords` key of a
// stack file, with its defaults and checks. The same settings are read from every stack file
// of the project too, because HQ replicates from each branch and each branch admits HQ.
//
// Plain data and pure functions, apart from reading the stack files.

import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

import type { ValidationProblem } from "./errors";
import { isMapping } from "./guards";
import { childPath, configKey } from "./paths";
import { loadProjectSites } from "./project";
import type { SiteCode, SiteRole } from "./types";
import { MAX_PORT, MIN_PORT, parseIpv4 } from "./validate/network";

/** Stack configuration key of the settings, without the namespace. */
export const CALL_RECORDS_KEY = "callRecords";

/**
 * How HQ's replica threads reach a branch's database. `direct` connects to the branch's
 * address. `relay` connects to a port on HQ's own address, where HQ's relay container for that
 * branch forwards the connection from HQ's address, so the branch receives the connection
 * from HQ's address. On one host, a connection between two loopback addresses otherwise leaves from
 * 127.0.0.1, and MariaDB 11.8 cannot bind the replica's source address (no MASTER_BIND).
 * `auto` uses the relay when HQ's address is a loopback address, and `direct` otherwise, where
 * each site is a host of its own and the connection leaves from HQ's address anyway.
 */
export type ReplicationRoute = "auto" | "relay" | "direct";

export interface CallRecordSettings {
  /** TCP port of the database server on the site's address. @default 3306 */
  readonly port: number;
  /**
   * Days that the binary log is kept, so HQ can catch up after an outage of up to this long.
   * 0 keeps it until removed by hand. @default 7
   */
  readonly binlogRetentionDays: number;
  /** Route of HQ's replication connections; read from HQ's stack file. @default "auto" */
  readonly replicationRoute: ReplicationRoute;
  /**
   * At HQ with the relay, the branch with access code NN is reached at this port plus NN on HQ's
   * address, so the relays take ports base+10 to base+99. @default 33000
   */
  readonly relayBasePort: number;
  /** Seconds between two passes that load journaled records missing from the database. @default 15 */
  readonly reconcileIntervalSeconds: number;
  /** Hours between two backups of the call records to the backup volume; 0 turns backups off. @default 24 */
  readonly backupIntervalHours: number;
  /** Backups kept on the backup volume; older ones are removed. @default 7 */
  readonly backupsKept: number;
}

export const DEFAULT_CALL_RECORD_SETTINGS: CallRecordSettings = {
  port: 3306,
  binlogRetentionDays: 7,
  replicationRoute: "auto",
  relayBasePort: 33000,
  reconcileIntervalSeconds: 15,
  backupIntervalHours: 24,
  backupsKept: 7,
};

/** Maximum binary log retention that MariaDB 11.8 accepts: binlog_expire_logs_seconds of 8,553,600 s. */
export const MAX_BINLOG_RETENTION_DAYS = 99;

const ROUTES: readonly ReplicationRoute[] = ["auto", "relay", "direct"];

interface IntegerField {
  readonly key: "port" | "binlogRetentionDays" | "relayBasePort" | "reconcileIntervalSeconds" | "backupIntervalHours" | "backupsKept";
  readonly minimum: number;
  readonly maximum: number;
  readonly unit: string;
}

const INTEGER_FIELDS: readonly IntegerField[] = [
  { key: "port", minimum: MIN_PORT, maximum: MAX_PORT, unit: "a TCP port" },
  { key: "binlogRetentionDays", minimum: 0, maximum: MAX_BINLOG_RETENTION_DAYS, unit: "days (0 keeps the binary log)" },
  // The relays use base+10 to base+99.
  { key: "relayBasePort", minimum: MIN_PORT, maximum: MAX_PORT - 99, unit: "a TCP port" },
  { key: "reconcileIntervalSeconds", minimum: 1, maximum: 3600, unit: "seconds" },
  { key: "backupIntervalHours", minimum: 0, maximum: 168, unit: "hours (0 turns backups off)" },
  { key: "backupsKept", minimum: 1, maximum: 365, unit: "backups" },
];

const KNOWN_KEYS = [...INTEGER_FIELDS.map((field) => field.key), "replicationRoute"];

/** Result of reading the settings: defaults fill what is missing, and problems list what is invalid. */
export interface ParsedCallRecordSettings {
  readonly settings: CallRecordSettings;
  readonly problems: ValidationProblem[];
}

/**
 * Reads `inova-pbx:callRecords` as parsed from YAML. Missing keys take their defaults; an invalid
 * value is reported and replaced by its default, so every problem shows in one run.
 */
export function parseCallRecordSettings(raw: unknown): ParsedCallRecordSettings {
  const base = configKey(CALL_RECORDS_KEY);
  const problems: ValidationProblem[] = [];
  if (raw === undefined || raw === null) {
    return { settings: DEFAULT_CALL_RECORD_SETTINGS, problems };
  }
  if (!isMapping(raw)) {
    problems.push({
      path: base,
      code: "E_TYPE",
      message: "must be a mapping of settings, e.g. { port: 3306, binlogRetentionDays: 7 }.",
    });
    return { settings: DEFAULT_CALL_RECORD_SETTINGS, problems };
  }

  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.includes(key)) {
      problems.push({
        path: childPath(base, key),
        code: "E_UNKNOWN_KEY",
        message: `unknown key "${key}"; remove it or use one of the accepted keys: ${KNOWN_KEYS.join(", ")}.`,
      });
    }
  }

  const settings: Record<string, unknown> = { ...DEFAULT_CALL_RECORD_SETTINGS };
  for (const field of INTEGER_FIELDS) {
    const value = raw[field.key];
    if (value === undefined || value === null) {
      continue;
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < field.minimum || value > field.maximum) {
      problems.push({
        path: childPath(base, field.key),
        code: field.unit === "a TCP port" ? "E_PORT_RANGE" : "E_OUT_OF_RANGE",
        message: `${JSON.stringify(value)} is invalid; use a whole number from ${field.minimum} to ${field.maximum} (${field.unit}).`,
      });
      continue;
    }
    settings[field.key] = value;
  }

  const route = raw.replicationRoute;
  if (route !== undefined && route !== null) {
    if (typeof route !== "string" || !ROUTES.includes(route as ReplicationRoute)) {
      problems.push({
        path: childPath(base, "replicationRoute"),
        code: "E_INVALID_VALUE",
        message: `${JSON.stringify(route)} is not allowed; use one of: ${ROUTES.join(", ")}.`,
      });
    } else {
      settings.replicationRoute = route;
    }
  }
  return { settings: settings as unknown as CallRecordSettings, problems };
}

/** Site data that another site's database settings depend on, as one stack file states it. */
export interface CallRecordPeer {
  readonly code: SiteCode;
  readonly role: SiteRole;
  readonly address: string;
  readonly accessCode: string;
  readonly settings: CallRecordSettings;
}

/**
 * Reads every stack file's role, address, access code and `callRecords` settings. Sites whose
 * file lacks a valid role, address or access code are left out; their own stack reports them.
 */
export function loadCallRecordPeers(projectDir: string): CallRecordPeer[] {
  const peers: CallRecordPeer[] = [];
  for (const site of loadProjectSites(projectDir)) {
    if (site.role === undefined || site.address === undefined || site.accessCode === undefined) {
      continue;
    }
    const document = parse(fs.readFileSync(path.join(projectDir, site.stackFile), "utf8")) as unknown;
    const config = isMapping(document) && isMapping(document.config) ? document.config : {};
    const { settings } = parseCallRecordSettings(config[configKey(CALL_RECORDS_KEY)]);
    peers.push({ code: site.code, role: site.role, address: site.address, accessCode: site.accessCode, settings });
  }
  return peers;
}

/**
 * Returns the problems of a site's settings against the other sites: a database port that
 * collides with one of the site's own ports, and at HQ relay ports that do.
 */
export function validateCallRecordPorts(
  settings: CallRecordSettings,
  sitePorts: { readonly sip: number; readonly iax: number; readonly ami: number; readonly rtp: { start: number; end: number } },
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const base = configKey(CALL_RECORDS_KEY);
  const usedPorts: Array<[string, number]> = [
    ["sip", sitePorts.sip],
    ["iax", sitePorts.iax],
    ["ami", sitePorts.ami],
  ];
  for (const [name, port] of usedPorts) {
    if (settings.port === port) {
      problems.push({
        path: childPath(base, "port"),
        code: "E_PORT_CONFLICT",
        message: `port ${port} is already the site's ${name} port; choose another database port.`,
      });
    }
  }
  if (settings.port >= sitePorts.rtp.start && settings.port <= sitePorts.rtp.end) {
    problems.push({
      path: childPath(base, "port"),
      code: "E_PORT_CONFLICT",
      message: `port ${settings.port} is inside the site's RTP range ${sitePorts.rtp.start}-${sitePorts.rtp.end}; choose another database port.`,
    });
  }
  const relayFirst = settings.relayBasePort + 10;
  const relayLast = settings.relayBasePort + 99;
  const clashes = [...usedPorts.map(([, port]) => port), settings.port].filter((port) => port >= relayFirst && port <= relayLast);
  const rtpOverlaps = sitePorts.rtp.start <= relayLast && sitePorts.rtp.end >= relayFirst;
  if (clashes.length > 0 || rtpOverlaps) {
    problems.push({
      path: childPath(base, "relayBasePort"),
      code: "E_PORT_CONFLICT",
      message: `relay ports ${relayFirst}-${relayLast} overlap ports the site already uses; choose another relayBasePort.`,
    });
  }
  return problems;
}

/** Replication identity of a site: `server_id` and `gtid_domain_id`, derived from its access code. */
export interface ReplicationIdentity {
  readonly serverId: number;
  readonly gtidDomainId: number;
}

/**
 * Derives the replication identity from the access code, which the project keeps unique and
 * which does not change when the site's address or name does: access code NN gives
 * server_id 1000 + NN and gtid_domain_id NN.
 */
export function replicationIdentity(accessCode: string): ReplicationIdentity {
  if (!/^[1-9][0-9]$/.test(accessCode)) {
    throw new Error(`access code "${accessCode}" is invalid; expected two digits, the first not 0`);
  }
  const code = Number(accessCode);
  return { serverId: 1000 + code, gtidDomainId: code };
}

/** Reports whether HQ reaches branches through the relay, resolving `auto` from HQ's address. */
export function usesRelay(route: ReplicationRoute, hqAddress: string): boolean {
  if (route !== "auto") {
    return route === "relay";
  }
  const octets = parseIpv4(hqAddress);
  return octets !== undefined && octets[0] === 127;
}

/** Port on HQ's address where the relay to the branch with `accessCode` listens. */
export function relayPort(relayBasePort: number, accessCode: string): number {
  return relayBasePort + Number(accessCode);
}

/** Seconds of binary log retention for the server configuration. */
export function binlogExpireSeconds(settings: CallRecordSettings): number {
  return settings.binlogRetentionDays * 24 * 60 * 60;
}
