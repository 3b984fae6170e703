import type { Connection } from "mariadb";
import type { Readable } from "node:stream";
import { sqlToIsoTexts } from "../time";
import { filterConditions, type Filters } from "./filters";
import { keysetCondition, orderBy, paginate, type Cursor, type PageLinks, type RowKey } from "./cursor";

/** One row of the cdr table as the driver returns it (calldate as UTC DATETIME text). */
export interface CdrRow {
  site: string;
  calldate: string;
  clid: string;
  src: string;
  dst: string;
  dcontext: string;
  channel: string;
  dstchannel: string;
  lastapp: string;
  lastdata: string;
  duration: number;
  billsec: number;
  disposition: string;
  amaflags: number;
  accountcode: string;
  uniqueid: string;
  userfield: string;
  linkedid: string;
  peeraccount: string;
  sequence: number;
}

export const CDR_COLUMNS = [
  "site",
  "calldate",
  "clid",
  "src",
  "dst",
  "dcontext",
  "channel",
  "dstchannel",
  "lastapp",
  "lastdata",
  "duration",
  "billsec",
  "disposition",
  "amaflags",
  "accountcode",
  "uniqueid",
  "userfield",
  "linkedid",
  "peeraccount",
  "sequence",
] as const;

export function selectColumns(alias: string): string {
  return CDR_COLUMNS.map((column) => `${alias}.${column}`).join(", ");
}

/** A cdr row as the API returns it: calldate as ISO UTC plus the wall-clock time at the record's site. */
export interface RecordItem extends Omit<CdrRow, "calldate"> {
  calldate: string;
  calldateLocal: string;
}

/**
 * One row of the cdr table as the driver returns it with `rowsAsArray`: the values of
 * {@link CDR_COLUMNS} in that order. An array skips building an object per row.
 */
export type CdrTuple = [
  site: string,
  calldate: string,
  clid: string,
  src: string,
  dst: string,
  dcontext: string,
  channel: string,
  dstchannel: string,
  lastapp: string,
  lastdata: string,
  duration: number,
  billsec: number,
  disposition: string,
  amaflags: number,
  accountcode: string,
  uniqueid: string,
  userfield: string,
  linkedid: string,
  peeraccount: string,
  sequence: number,
];

export function rowKey(row: CdrRow): RowKey {
  return [row.calldate, row.site, row.uniqueid, row.sequence];
}

const KEY_INDEXES = ["calldate", "site", "uniqueid", "sequence"].map((column) => CDR_COLUMNS.indexOf(column as (typeof CDR_COLUMNS)[number]));

function tupleKey(row: CdrTuple): RowKey {
  return KEY_INDEXES.map((index) => row[index]) as RowKey;
}

/** Builds the API item of a record with one object literal, because spreading a row object costs microseconds per row. */
export function toRecordItem(row: CdrTuple, zoneOf: (site: string) => string): RecordItem {
  const [site, calldate, clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield, linkedid, peeraccount, sequence] = row;
  const times = sqlToIsoTexts(calldate, zoneOf(site));
  return {
    site,
    calldate: times.utc,
    calldateLocal: times.local,
    clid,
    src,
    dst,
    dcontext,
    channel,
    dstchannel,
    lastapp,
    lastdata,
    duration,
    billsec,
    disposition,
    amaflags,
    accountcode,
    uniqueid,
    userfield,
    linkedid,
    peeraccount,
    sequence,
  };
}

/** Upper bound for one page query; a slower one fails with 503 instead of holding a connection. */
export const PAGE_QUERY_TIMEOUT_MS = 15_000;

/** Builds the listing query for the filters and cursor, newest first; without a limit it returns every match. */
export function recordsSql(filters: Filters, cursor: Cursor | undefined, limit: number | undefined): { sql: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  filterConditions(filters, "c", conditions, values, { disposition: true });
  if (cursor !== undefined) {
    keysetCondition(cursor, "c", conditions, values);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  let sql = `SELECT ${selectColumns("c")} FROM cdr c ${where} ${orderBy("c", cursor?.direction ?? "next")}`;
  if (limit !== undefined) {
    sql += " LIMIT ?";
    values.push(limit);
  }
  return { sql, values };
}

export async function fetchRecordsPage(
  connection: Connection,
  filters: Filters,
  cursor: Cursor | undefined,
  limit: number,
  digest: string,
  zoneOf: (site: string) => string,
): Promise<{ items: RecordItem[]; links: PageLinks }> {
  const { sql, values } = recordsSql(filters, cursor, limit + 1);
  const rows: CdrTuple[] = await connection.query({ sql, timeout: PAGE_QUERY_TIMEOUT_MS, rowsAsArray: true }, values);
  const page = paginate(rows, limit, cursor, digest, tupleKey);
  return { items: page.items.map((row) => toRecordItem(row, zoneOf)), links: page.links };
}

/**
 * Streams every matching record, newest first, as arrays in {@link CDR_COLUMNS} order, with the
 * driver's backpressure-aware stream.
 */
export function streamRecords(connection: Connection, filters: Filters): Readable {
  const { sql, values } = recordsSql(filters, undefined, undefined);
  return connection.queryStream({ sql, rowsAsArray: true }, values);
}
