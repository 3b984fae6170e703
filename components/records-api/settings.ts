// Settings of a site's records API (services/cdr-api): the `inova-pbx:recordsApiPort` and
// `inova-pbx:recordsApiToken` keys of a stack file, with their checks. Plain data and pure
// functions only.

import type { CallRecordSettings } from "../model/call-records";
import type { ValidationProblem } from "../model/errors";
import { configKey } from "../model/paths";
import type { ProjectSite } from "../model/project";
import type { SiteModel, SitePorts } from "../model/types";
import type { RecordsApiSite } from "./render";

export const RECORDS_API_PORT_KEY = "recordsApiPort";
export const RECORDS_API_TOKEN_KEY = "recordsApiToken";
/** Default TCP port of the API on the site's address; Pulumi.yaml declares the same default. */
export const DEFAULT_RECORDS_API_PORT = 8480;
/** Shortest API token the service accepts (services/cdr-api/src/config.ts). */
export const MIN_RECORDS_API_TOKEN_LENGTH = 16;

export interface RecordsApiSettings {
  /** TCP port of the API and its web page on the site's address. */
  readonly port: number;
  /** Operator-set API token (`pulumi config set --secret recordsApiToken`); generated when absent. */
  readonly token?: string;
}

/**
 * Reads and checks the records API keys. `rawPort` and `rawToken` are the parsed config
 * values, undefined when unset. The port must not collide with another port of the site.
 */
export function parseRecordsApiSettings(
  rawPort: unknown,
  rawToken: unknown,
  sitePorts: SitePorts,
  callRecords: CallRecordSettings,
): { settings: RecordsApiSettings; problems: ValidationProblem[] } {
  const problems: ValidationProblem[] = [];
  const portPath = configKey(RECORDS_API_PORT_KEY);
  let port = DEFAULT_RECORDS_API_PORT;
  if (rawPort !== undefined && rawPort !== null) {
    if (typeof rawPort !== "number" || !Number.isInteger(rawPort) || rawPort < 1024 || rawPort > 65535) {
      problems.push({
        path: portPath,
        code: "E_PORT_RANGE",
        message: `${JSON.stringify(rawPort)} is not a valid port; set an integer from 1024 to 65535 (default ${DEFAULT_RECORDS_API_PORT}).`,
      });
    } else {
      port = rawPort;
    }
  }
  problems.push(...portConflicts(port, sitePorts, callRecords));

  let token: string | undefined;
  if (rawToken !== undefined && rawToken !== null) {
    const tokenPath = configKey(RECORDS_API_TOKEN_KEY);
    if (typeof rawToken !== "string") {
      problems.push({ path: tokenPath, code: "E_TYPE", message: "the API token must be a string; set it with `pulumi config set --secret recordsApiToken ...`." });
    } else if (rawToken.length < MIN_RECORDS_API_TOKEN_LENGTH || /\s/.test(rawToken)) {
      problems.push({
        path: tokenPath,
        code: "E_INVALID_VALUE",
        message: `the API token must have at least ${MIN_RECORDS_API_TOKEN_LENGTH} characters and no white space; set a longer one, or remove the key to have one generated.`,
      });
    } else {
      token = rawToken;
    }
  }
  return { settings: { port, ...(token === undefined ? {} : { token }) }, problems };
}

function portConflicts(port: number, sitePorts: SitePorts, callRecords: CallRecordSettings): ValidationProblem[] {
  const path = configKey(RECORDS_API_PORT_KEY);
  const sitePortsInUse: Array<[string, number]> = [
    ["SIP", sitePorts.sip],
    ["IAX2", sitePorts.iax],
    ["AMI", sitePorts.ami],
    ["call-record database", callRecords.port],
  ];
  const problems: ValidationProblem[] = [];
  for (const [name, used] of sitePortsInUse) {
    if (port === used) {
      problems.push({ path, code: "E_PORT_CONFLICT", message: `port ${port} is already the site's ${name} port; choose another records API port.` });
    }
  }
  if (port >= sitePorts.rtp.start && port <= sitePorts.rtp.end) {
    problems.push({
      path,
      code: "E_PORT_CONFLICT",
      message: `port ${port} is inside the site's RTP range ${sitePorts.rtp.start}-${sitePorts.rtp.end}; choose another records API port.`,
    });
  }
  const relayFirst = callRecords.relayBasePort + 10;
  const relayLast = callRecords.relayBasePort + 99;
  if (port >= relayFirst && port <= relayLast) {
    problems.push({
      path,
      code: "E_PORT_CONFLICT",
      message: `port ${port} is inside the replication relay ports ${relayFirst}-${relayLast}; choose another records API port.`,
    });
  }
  return problems;
}

/**
 * Lists the sites that the API serves: this site from its model, the others from their stack
 * files. A stack file without a time zone is left out, because its own stack reports it.
 */
export function recordsApiSites(model: SiteModel, projectSites: readonly ProjectSite[]): RecordsApiSite[] {
  const self: RecordsApiSite = { code: model.site.code, name: model.site.name, timeZone: model.site.timezone };
  const others = projectSites.flatMap((site) =>
    site.code === model.site.code || site.timezone === undefined
      ? []
      : [{ code: site.code, name: site.name ?? site.code, timeZone: site.timezone }],
  );
  return [self, ...others].sort((left, right) => left.code.localeCompare(right.code));
}
