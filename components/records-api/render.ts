// Configuration of a site's records API (services/cdr-api) and the database accounts it
// uses at HQ. Pure functions only; components/records-api.ts provisions them.

import { CDR_DATABASE, SERVER_SOCKET_PATH, type PlannedAccount } from "../database";
import type { SiteCode } from "../model/types";

/** Directory of the configuration and secret files inside the API container. */
export const RECORDS_API_CONFIG_DIRECTORY = "/etc/cdr-api";
/** Configuration file, relative to the directory; the image's CDR_API_CONFIG_FILE names it. */
export const RECORDS_API_CONFIG_FILE = "config.json";
/** Service account of the image (services/cdr-api/Dockerfile), which owns the secret files. */
export const RECORDS_API_RUN_USER = "cdrapi";
/** User name of HTTP Basic logins on the web page; the password is the API token. */
export const RECORDS_API_BASIC_USER = "cdr";
/** Milliseconds a branch waits for HQ's database before it serves its own records. */
export const HQ_TIMEOUT_MS = 1500;

/** Secret files, relative to the configuration directory; each is readable by the service account only. */
export const SECRET_FILES = {
  databasePassword: "db-password",
  monitorPassword: "monitor-password",
  hqPassword: "hq-password",
  token: "api-token",
} as const;

/** A site as the API lists it: stack name, display name and IANA time zone. */
export interface RecordsApiSite {
  readonly code: SiteCode;
  readonly name: string;
  readonly timeZone: string;
}

/** HQ's database as a branch's API reaches it. */
export interface RecordsApiHq {
  readonly address: string;
  readonly port: number;
}

export interface RecordsApiConfigInput {
  readonly site: RecordsApiSite;
  /** The site's own address, where the API listens and from which it connects to HQ. */
  readonly address: string;
  readonly port: number;
  /** Every site of the project, this one included. */
  readonly sites: readonly RecordsApiSite[];
  /** HQ's database; set at branches only. */
  readonly hq?: RecordsApiHq;
  /** Name of the call-flow diagram file in the configuration directory; the page has no call-flow view without it. */
  readonly callFlowFile?: string;
}

/** File of the site's call-flow diagram (Mermaid text) in the configuration directory. */
export const CALL_FLOW_FILE = "call-flow.mmd";

/** Returns the URL of the API and web page of a site. */
export function recordsApiUrl(address: string, port: number): string {
  return `http://${address}:${port}`;
}

/** Returns the user name of the account at HQ's database through which `branch`'s API reads. */
export function hqReaderUser(branch: SiteCode): string {
  return `api_${branch}`;
}

/**
 * Plans the account at HQ's database for one branch's API: SELECT on the call records only,
 * and only from the branch's own address, so no other host can use its password.
 */
export function hqReaderAccount(branch: SiteCode, branchAddress: string): PlannedAccount {
  return {
    role: "hq_api_reader",
    user: hqReaderUser(branch),
    host: branchAddress,
    purpose: `the records API of ${branch} reads HQ's consolidated call records`,
    grants: [{ privileges: ["SELECT"], object: `${CDR_DATABASE}.*` }],
  };
}

/**
 * Renders the service's JSON configuration. It names the secret files and contains no secret.
 * The API reads its own database as api_reader over the server's Unix socket. At HQ it
 * also reads the replication state as monitor, and at a branch it reads HQ's database over
 * TCP from the branch's address.
 */
export function renderRecordsApiConfig(input: RecordsApiConfigInput): string {
  const file = (name: string) => `${RECORDS_API_CONFIG_DIRECTORY}/${name}`;
  const config: Record<string, unknown> = {
    site: input.site.code,
    timeZone: input.site.timeZone,
    listen: { host: input.address, port: input.port },
    database: { socketPath: SERVER_SOCKET_PATH, user: "api_reader", passwordFile: file(SECRET_FILES.databasePassword) },
  };
  if (input.hq === undefined) {
    config.monitor = { user: "monitor", passwordFile: file(SECRET_FILES.monitorPassword) };
  } else {
    config.hq = {
      host: input.hq.address,
      port: input.hq.port,
      localAddress: input.address,
      user: hqReaderUser(input.site.code),
      passwordFile: file(SECRET_FILES.hqPassword),
      timeoutMs: HQ_TIMEOUT_MS,
    };
  }
  config.auth = { tokenFile: file(SECRET_FILES.token), basicUser: RECORDS_API_BASIC_USER };
  config.allowedOrigin = recordsApiUrl(input.address, input.port);
  config.sites = input.sites.map((site) => ({ code: site.code, name: site.name, timeZone: site.timeZone }));
  if (input.callFlowFile !== undefined) {
    config.callFlowFile = file(input.callFlowFile);
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}
