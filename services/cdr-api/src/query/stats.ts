import type { Connection } from "mariadb";
import type { SiteInfo } from "../config";
import { dateInZone, offsetSegments, parseSqlDateTime, toSqlDateTime } from "../time";
import type { Filters } from "./filters";
import { PAGE_QUERY_TIMEOUT_MS } from "./records";

const DAY_MS = 86_400_000;
/** Statistics cover at most this many days; a longer range is rejected with 400. */
export const MAX_STATS_DAYS = 400;
export const DEFAULT_STATS_DAYS = 30;

export interface StatsRow {
  date: string;
  site: string;
  disposition: string;
  calls: number;
  talkSeconds: number;
}

/**
 * Builds a CASE expression giving each site's UTC offset in minutes at `column`, so that
 * DATE(column + offset) is the call's calendar day at its own site, across DST changes.
 */
function offsetExpression(column: string, sites: SiteInfo[], fallbackZone: string, fromMs: number, toMs: number, values: unknown[]): string {
  const branches: string[] = [];
  const segmentCases = (zone: string): string => {
    const segments = offsetSegments(zone, fromMs, toMs);
    if (segments.length === 1) {
      return String(segments[0].offsetMinutes);
    }
    const parts = segments.map((segment) => {
      if (segment.untilUtcMs === undefined) {
        return `ELSE ${segment.offsetMinutes}`;
      }
      values.push(toSqlDateTime(segment.untilUtcMs));
      return `WHEN ${column} < ? THEN ${segment.offsetMinutes}`;
    });
    return `CASE ${parts.join(" ")} END`;
  };
  for (const site of sites) {
    values.push(site.code);
    branches.push(`WHEN calls.site = ? THEN ${segmentCases(site.timeZone)}`);
  }
  return `CASE ${branches.join(" ")} ELSE ${segmentCases(fallbackZone)} END`;
}

/** Returns the newest calldate in scope as UTC milliseconds, or undefined for an empty table. */
async function newestCall(connection: Connection, filters: Filters): Promise<number | undefined> {
  const sql = filters.site === "all" ? "SELECT MAX(calldate) AS newest FROM cdr" : "SELECT MAX(calldate) AS newest FROM cdr WHERE site = ?";
  const rows: Array<{ newest: string | null }> = await connection.query({ sql, timeout: PAGE_QUERY_TIMEOUT_MS }, filters.site === "all" ? [] : [filters.site]);
  const newest = rows[0]?.newest;
  return newest === null || newest === undefined ? undefined : parseSqlDateTime(newest).utcMs;
}

/**
 * Counts calls per calendar day (at each call's own site), site and disposition. A call is
 * one site's rows sharing a linkedid, dated by its first row and given the best disposition
 * among them. Without `from`, the range is the 30 days up to the newest record.
 */
export async function fetchStats(
  connection: Connection,
  filters: Filters,
  sites: SiteInfo[],
  servingZone: string,
): Promise<{ fromUtcMs: number; toUtcMs: number; rows: StatsRow[] }> {
  let toUtcMs = filters.toUtcMs;
  if (toUtcMs === undefined) {
    const newest = await newestCall(connection, filters);
    toUtcMs = (newest ?? Date.now()) + 1;
  }
  const fromUtcMs = filters.fromUtcMs ?? toUtcMs - DEFAULT_STATS_DAYS * DAY_MS;

  const values: unknown[] = [];
  const offset = offsetExpression("calls.started", sites, servingZone, fromUtcMs - DAY_MS, toUtcMs + DAY_MS, values);
  const inner: string[] = ["c.calldate >= ?", "c.calldate < ?"];
  const innerValues: unknown[] = [toSqlDateTime(fromUtcMs), toSqlDateTime(toUtcMs)];
  if (filters.site !== "all") {
    inner.push("c.site = ?");
    innerValues.push(filters.site);
  }
  const sql =
    `SELECT DATE(DATE_ADD(calls.started, INTERVAL ${offset} MINUTE)) AS day, calls.site, calls.disposition, ` +
    "COUNT(*) AS calls, SUM(calls.talk) AS talkSeconds FROM (" +
    "SELECT c.site, c.linkedid, MIN(c.calldate) AS started, " +
    "CASE WHEN SUM(c.disposition = 'ANSWERED') > 0 THEN 'ANSWERED' WHEN SUM(c.disposition = 'BUSY') > 0 THEN 'BUSY' " +
    "WHEN SUM(c.disposition = 'NO ANSWER') > 0 THEN 'NO ANSWER' WHEN SUM(c.disposition = 'CONGESTION') > 0 THEN 'CONGESTION' " +
    "ELSE 'FAILED' END AS disposition, " +
    "MAX(CASE WHEN c.disposition = 'ANSWERED' THEN c.billsec ELSE 0 END) AS talk " +
    `FROM cdr c WHERE ${inner.join(" AND ")} GROUP BY c.site, c.linkedid) calls ` +
    "GROUP BY day, calls.site, calls.disposition ORDER BY day, calls.site, calls.disposition";
  // The offset CASE comes first in the text, the inner query's bounds after it.
  const rows: Array<{ day: string; site: string; disposition: string; calls: number; talkSeconds: number | null }> =
    await connection.query({ sql, timeout: PAGE_QUERY_TIMEOUT_MS }, [...values, ...innerValues]);
  return {
    fromUtcMs,
    toUtcMs,
    rows: rows.map((row) => ({
      date: row.day.slice(0, 10),
      site: row.site,
      disposition: row.disposition,
      calls: Number(row.calls),
      talkSeconds: Number(row.talkSeconds ?? 0),
    })),
  };
}

/** Lists the calendar days of [fromUtcMs, toUtcMs) in `zone`, for filling days without calls. */
export function daysBetween(fromUtcMs: number, toUtcMs: number, zone: string): string[] {
  const days: string[] = [];
  let day = dateInZone(fromUtcMs, zone);
  const last = dateInZone(Math.max(fromUtcMs, toUtcMs - 1), zone);
  while (day <= last && days.length <= MAX_STATS_DAYS + 2) {
    days.push(day);
    const next = new Date(`${day}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    day = next.toISOString().slice(0, 10);
  }
  return days;
}
