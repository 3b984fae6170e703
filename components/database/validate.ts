// Checks of database site settings, alone and across the sites that replicate together.

import { parseIpv4 } from "../model/validate/network";
import { MAX_BINLOG_EXPIRE_SECONDS, type DatabaseSite } from "./model";

/** Site codes become `cdr.site` values (VARCHAR(16)) and replication connection names. */
const SITE_CODE_PATTERN = /^[a-z][a-z0-9_-]{0,15}$/;
const MAX_UNSIGNED_32 = 4_294_967_295;

/** Returns a message for each invalid setting of one site; empty when it is valid. */
export function validateDatabaseSite(site: DatabaseSite): string[] {
  const problems: string[] = [];
  const label = `database site ${JSON.stringify(site.code)}`;
  if (!SITE_CODE_PATTERN.test(site.code)) {
    problems.push(
      `${label}: invalid code; use 1 to 16 lower-case letters, digits, "_" or "-", starting with a letter`,
    );
  }
  if (site.role !== "hq" && site.role !== "branch") {
    problems.push(`${label}: invalid role ${JSON.stringify(site.role)}; expected "hq" or "branch"`);
  }
  for (const key of ["address", "clientAddress"] as const) {
    if (parseIpv4(site[key]) === undefined) {
      problems.push(`${label}: invalid ${key} ${JSON.stringify(site[key])}; expected an IPv4 address such as 127.0.82.1`);
    }
  }
  const localHost = site.localClientHost;
  if (localHost !== undefined && localHost !== "localhost" && parseIpv4(localHost) === undefined) {
    problems.push(
      `${label}: invalid localClientHost ${JSON.stringify(localHost)}; expected "localhost" or an IPv4 address`,
    );
  }
  if (site.address === "0.0.0.0") {
    problems.push(`${label}: address 0.0.0.0 would bind every interface; use the site's own address`);
  }
  if (!isIntegerIn(site.port, 1, 65535)) {
    problems.push(`${label}: invalid port ${site.port}; expected an integer from 1 to 65535`);
  }
  if (!isIntegerIn(site.serverId, 1, MAX_UNSIGNED_32)) {
    problems.push(`${label}: invalid serverId ${site.serverId}; expected an integer from 1 to ${MAX_UNSIGNED_32}`);
  }
  if (!isIntegerIn(site.gtidDomainId, 0, MAX_UNSIGNED_32)) {
    problems.push(
      `${label}: invalid gtidDomainId ${site.gtidDomainId}; expected an integer from 0 to ${MAX_UNSIGNED_32}`,
    );
  }
  if (!isIntegerIn(site.binlogExpireSeconds, 0, MAX_BINLOG_EXPIRE_SECONDS)) {
    problems.push(
      `${label}: invalid binlogExpireSeconds ${site.binlogExpireSeconds}; expected an integer from 0 (keep forever) to ${MAX_BINLOG_EXPIRE_SECONDS}`,
    );
  }
  return problems;
}

/**
 * Returns a message for each problem of a set of sites that replicate
 * together: invalid settings, not exactly one HQ, or a code, server address,
 * `serverId` or `gtidDomainId` used twice.
 */
export function validateDatabaseSites(sites: readonly DatabaseSite[]): string[] {
  const problems = sites.flatMap((site) => validateDatabaseSite(site));
  const hqCount = sites.filter((site) => site.role === "hq").length;
  if (hqCount !== 1) {
    problems.push(`expected exactly one database site with role "hq", found ${hqCount}`);
  }
  const unique: Array<[string, (site: DatabaseSite) => string]> = [
    ["code", (site) => site.code],
    ["address and port", (site) => `${site.address}:${site.port}`],
    ["serverId", (site) => String(site.serverId)],
    ["gtidDomainId", (site) => String(site.gtidDomainId)],
  ];
  for (const [what, keyOf] of unique) {
    const seen = new Map<string, string>();
    for (const site of sites) {
      const key = keyOf(site);
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push(`database sites ${JSON.stringify(first)} and ${JSON.stringify(site.code)} share ${what} ${key}`);
      } else {
        seen.set(key, site.code);
      }
    }
  }
  return problems;
}

/** Throws one error listing every problem that {@link validateDatabaseSites} finds. */
export function assertValidDatabaseSites(sites: readonly DatabaseSite[]): void {
  const problems = validateDatabaseSites(sites);
  if (problems.length > 0) {
    throw new Error(`invalid database sites:\n- ${problems.join("\n- ")}`);
  }
}

function isIntegerIn(value: number, minimum: number, maximum: number): boolean {
  return Number.isInteger(value) && value >= minimum && value <= maximum;
}
