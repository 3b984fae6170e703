// Groups cdr rows into logical calls. A call is every row of one site sharing a linkedid,
// because a ring group writes one row per member rung. When all sites are listed, a call
// also takes the rows that other sites wrote for it, which carry the originating linkedid
// in userfield. A call is listed at the position of its first row, its anchor.

import type { Connection } from "mariadb";
import { formatInZone, parseSqlDateTime, sqlToIsoUtc, toSqlDateTime } from "../time";
import { filterConditions, type Disposition, type Filters } from "./filters";
import { keysetCondition, orderBy, paginate, type Cursor, type PageLinks } from "./cursor";
import { PAGE_QUERY_TIMEOUT_MS, rowKey, selectColumns, type CdrRow } from "./records";

/** When legs disagree, the call takes the highest-ranked disposition among them. */
export const DISPOSITION_RANK: Record<Disposition, number> = {
  ANSWERED: 5,
  BUSY: 4,
  "NO ANSWER": 3,
  CONGESTION: 2,
  FAILED: 1,
};

/** Allowed clock difference between sites when looking for another site's rows of a call. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface AnsweredBy {
  site: string;
  /** The answering channel (dstchannel), or null when a dialplan application answered. */
  channel: string | null;
  /** Endpoint or extension taken from the channel name, e.g. `102` from `PJSIP/102-0000001a`. */
  peer: string | null;
  /** Application that answered when no channel did, e.g. `BackGround` in an IVR menu. */
  application: string | null;
}

export interface CallItem {
  id: string;
  site: string;
  calldate: string;
  calldateLocal: string;
  clid: string;
  src: string;
  dst: string;
  dcontext: string;
  disposition: string;
  answeredBy: AnsweredBy | null;
  talkSeconds: number;
  ringSeconds: number;
  durationSeconds: number;
  legs: number;
  sites: string[];
}

interface CallGroup {
  anchor: CdrRow;
  legs: CdrRow[];
}

function isBlank(value: string | null | undefined): boolean {
  return value === null || value === undefined || value === "";
}

/**
 * Conditions that make `r` the anchor of its call: no earlier row in the same site and
 * linkedid and, across sites, no originating call present for a forwarded leg.
 */
function anchorConditions(filters: Filters, conditions: string[], values: unknown[]): void {
  // Every subquery is a scalar `(SELECT 1 … LIMIT 1) IS [NOT] NULL` rather than [NOT] EXISTS.
  // MariaDB 10.11 turned [NOT] EXISTS into a semi-join or anti-join materialised over the
  // whole table (seen with EXPLAIN). The dependent form probes the linkedid index once per
  // candidate row and stops with the LIMIT.
  conditions.push(
    "(SELECT 1 FROM cdr e WHERE e.linkedid = r.linkedid AND e.site = r.site AND " +
      "(e.calldate < r.calldate OR (e.calldate = r.calldate AND (e.uniqueid < r.uniqueid OR " +
      "(e.uniqueid = r.uniqueid AND e.sequence < r.sequence)))) LIMIT 1) IS NULL",
  );
  if (filters.site === "all") {
    conditions.push(
      "(r.userfield IS NULL OR r.userfield = '' OR r.userfield = r.linkedid OR " +
        "(SELECT 1 FROM cdr o WHERE o.linkedid = r.userfield AND o.site <> r.site LIMIT 1) IS NULL)",
    );
  }
  if (filters.disposition !== undefined) {
    // NOTE: the disposition filter looks at the anchor site's rows only, but the listed
    // disposition also counts other sites' legs. Both agree when a trunk leg mirrors the far end.
    const rank = DISPOSITION_RANK[filters.disposition];
    const higher = (Object.keys(DISPOSITION_RANK) as Disposition[]).filter((value) => DISPOSITION_RANK[value] > rank);
    conditions.push("(SELECT 1 FROM cdr d WHERE d.linkedid = r.linkedid AND d.site = r.site AND d.disposition = ? LIMIT 1) IS NOT NULL");
    values.push(filters.disposition);
    if (higher.length > 0) {
      conditions.push(
        `(SELECT 1 FROM cdr h WHERE h.linkedid = r.linkedid AND h.site = r.site AND h.disposition IN (${higher.map(() => "?").join(", ")}) LIMIT 1) IS NULL`,
      );
      values.push(...higher);
    }
  }
}

async function fetchAnchors(connection: Connection, filters: Filters, cursor: Cursor | undefined, limit: number): Promise<CdrRow[]> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  filterConditions(filters, "r", conditions, values, { disposition: false });
  if (cursor !== undefined) {
    keysetCondition(cursor, "r", conditions, values);
  }
  anchorConditions(filters, conditions, values);
  const sql = `SELECT ${selectColumns("r")} FROM cdr r WHERE ${conditions.join(" AND ")} ${orderBy("r", cursor?.direction ?? "next")} LIMIT ?`;
  values.push(limit);
  return connection.query({ sql, timeout: PAGE_QUERY_TIMEOUT_MS }, values);
}

function callKey(site: string, linkedid: string): string {
  return `${site}\u0000${linkedid}`;
}

function endOf(row: CdrRow): number {
  return parseSqlDateTime(row.calldate).utcMs + row.duration * 1000;
}

/** Loads every leg of the anchored calls, including other sites' legs when all sites are listed. */
async function fetchLegs(connection: Connection, anchors: CdrRow[], filters: Filters): Promise<CallGroup[]> {
  if (anchors.length === 0) {
    return [];
  }
  const groups = new Map<string, CallGroup>();
  for (const anchor of anchors) {
    groups.set(callKey(anchor.site, anchor.linkedid), { anchor, legs: [] });
  }
  const seen = new Set<string>();
  const add = (group: CallGroup, row: CdrRow) => {
    const id = rowKey(row).join("\u0000");
    if (!seen.has(id)) {
      seen.add(id);
      group.legs.push(row);
    }
  };

  const linkedids = [...new Set(anchors.map((anchor) => anchor.linkedid))];
  const local: CdrRow[] = await connection.query(
    { sql: `SELECT ${selectColumns("c")} FROM cdr c WHERE c.linkedid IN (${linkedids.map(() => "?").join(", ")})`, timeout: PAGE_QUERY_TIMEOUT_MS },
    linkedids,
  );
  for (const row of local) {
    const group = groups.get(callKey(row.site, row.linkedid));
    if (group !== undefined) {
      add(group, row);
    }
  }
  if (filters.site !== "all") {
    return [...groups.values()];
  }

  // Other sites' legs: userfield has no index, so each call's search is limited to its own
  // time window on the calldate index.
  const byOrigin = new Map<string, CallGroup>();
  const windows: unknown[] = [];
  const ranges: string[] = [];
  for (const group of groups.values()) {
    byOrigin.set(group.anchor.linkedid, group);
    const start = parseSqlDateTime(group.anchor.calldate).utcMs - CLOCK_SKEW_MS;
    const end = Math.max(...group.legs.map(endOf)) + CLOCK_SKEW_MS;
    ranges.push("c.calldate BETWEEN ? AND ?");
    windows.push(toSqlDateTime(start), toSqlDateTime(end));
  }
  const origins = [...byOrigin.keys()];
  const remote: CdrRow[] = await connection.query(
    {
      sql:
        `SELECT ${selectColumns("c")} FROM cdr c WHERE (${ranges.join(" OR ")}) ` +
        `AND c.userfield IN (${origins.map(() => "?").join(", ")})`,
      timeout: PAGE_QUERY_TIMEOUT_MS,
    },
    [...windows, ...origins],
  );
  const remoteCalls = new Map<string, CallGroup>();
  for (const row of remote) {
    const group = byOrigin.get(row.userfield);
    if (group !== undefined && row.site !== group.anchor.site) {
      add(group, row);
      remoteCalls.set(row.linkedid, group);
    }
  }
  if (remoteCalls.size > 0) {
    const remoteIds = [...remoteCalls.keys()];
    const siblings: CdrRow[] = await connection.query(
      { sql: `SELECT ${selectColumns("c")} FROM cdr c WHERE c.linkedid IN (${remoteIds.map(() => "?").join(", ")})`, timeout: PAGE_QUERY_TIMEOUT_MS },
      remoteIds,
    );
    for (const row of siblings) {
      const group = remoteCalls.get(row.linkedid);
      if (group !== undefined && row.site !== group.anchor.site) {
        add(group, row);
      }
    }
  }
  return [...groups.values()];
}

/** Extracts the endpoint name from a channel name such as `PJSIP/102-0000001a` or `IAX2/tabasco-4321`. */
export function channelPeer(channel: string): string | null {
  const match = /^[A-Za-z0-9]+\/([^-/@;]+)/.exec(channel);
  return match === null ? null : match[1];
}

function compareRows(a: CdrRow, b: CdrRow): number {
  const ak = rowKey(a);
  const bk = rowKey(b);
  for (let index = 0; index < ak.length; index += 1) {
    if (ak[index] < bk[index]) return -1;
    if (ak[index] > bk[index]) return 1;
  }
  return 0;
}

/**
 * Picks the leg that answered: another site's leg before the local trunk leg that mirrors it,
 * a leg with an answering channel before one answered by an application, then the earliest.
 */
function answeringLeg(group: CallGroup): CdrRow | undefined {
  const answered = group.legs.filter((leg) => leg.disposition === "ANSWERED");
  const score = (leg: CdrRow) => (leg.site !== group.anchor.site ? 2 : 0) + (isBlank(leg.dstchannel) ? 0 : 1);
  return answered.sort((a, b) => score(b) - score(a) || compareRows(a, b))[0];
}

export function summariseCall(group: CallGroup, zoneOf: (site: string) => string): CallItem {
  const { anchor, legs } = group;
  const ranked = legs
    .map((leg) => leg.disposition)
    .filter((value): value is Disposition => value in DISPOSITION_RANK)
    .sort((a, b) => DISPOSITION_RANK[b] - DISPOSITION_RANK[a]);
  const answered = answeringLeg(group);
  const originLegs = legs.filter((leg) => leg.site === anchor.site);
  const durationSeconds = Math.max(0, ...originLegs.map((leg) => leg.duration));
  const sites = [anchor.site, ...new Set(legs.map((leg) => leg.site).filter((site) => site !== anchor.site))];
  const utcMs = parseSqlDateTime(anchor.calldate).utcMs;
  return {
    id: anchor.linkedid,
    site: anchor.site,
    calldate: sqlToIsoUtc(anchor.calldate),
    calldateLocal: formatInZone(utcMs, zoneOf(anchor.site)),
    clid: anchor.clid,
    src: anchor.src,
    dst: anchor.dst,
    dcontext: anchor.dcontext,
    disposition: ranked[0] ?? anchor.disposition,
    answeredBy:
      answered === undefined
        ? null
        : {
            site: answered.site,
            channel: isBlank(answered.dstchannel) ? null : answered.dstchannel,
            peer: isBlank(answered.dstchannel) ? null : channelPeer(answered.dstchannel),
            application: isBlank(answered.dstchannel) ? answered.lastapp : null,
          },
    talkSeconds: answered?.billsec ?? 0,
    ringSeconds: answered === undefined ? durationSeconds : Math.max(0, answered.duration - answered.billsec),
    durationSeconds,
    legs: legs.length,
    sites,
  };
}

export async function fetchCallsPage(
  connection: Connection,
  filters: Filters,
  cursor: Cursor | undefined,
  limit: number,
  digest: string,
  zoneOf: (site: string) => string,
): Promise<{ calls: CallItem[]; links: PageLinks }> {
  const anchors = await fetchAnchors(connection, filters, cursor, limit + 1);
  const { items, links } = paginate(anchors, limit, cursor, digest, rowKey);
  const groups = await fetchLegs(connection, items, filters);
  return { calls: groups.map((group) => summariseCall(group, zoneOf)), links };
}
