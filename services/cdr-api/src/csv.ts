import { Transform } from "node:stream";
import type { CallItem } from "./query/calls";
import { CDR_COLUMNS } from "./query/records";
import { formatInZone, parseSqlDateTime, sqlToIsoUtc } from "./time";

/**
 * Characters that make spreadsheet programs read a cell as a formula (OWASP's list for CSV
 * injection: = + - @, tab and carriage return). Such text cells get a leading apostrophe.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Text that must be quoted in a CSV cell (RFC 4180): the delimiter, a quote or a line break. */
const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;
/** Characters of CSV text gathered before a chunk is passed on, because fewer, larger chunks cost less per row. */
const CHUNK_CHARACTERS = 64 * 1024;

/** Formats one cell: empty for null, numbers as they are, text neutralised and quoted when needed. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) {
    return "";
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  const text = neutraliseFormula(String(value));
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text;
}

/** Formats cells as one CSV line, CRLF included. */
export function csvLine(cells: readonly unknown[]): string {
  let line = "";
  for (let index = 0; index < cells.length; index++) {
    if (index > 0) {
      line += ",";
    }
    line += csvCell(cells[index]);
  }
  return `${line}\r\n`;
}

/**
 * Returns a stream that turns rows into CSV text: a UTF-8 byte order mark, the header, then
 * one CRLF-terminated line per row. `toCsvRow` gives each row as an object with `columns`,
 * or as a line that {@link csvLine} formatted. Lines are passed on in chunks of about 64 KiB,
 * and the writable side buffers at most 16 rows, so memory stays bounded and a slow client
 * slows the database read down (backpressure).
 */
export function csvWriter<Row>(columns: readonly string[], toCsvRow: (row: Row) => Record<string, unknown> | string): Transform {
  let pending = `\uFEFF${columns.map((column) => csvCell(column)).join(",")}\r\n`;
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 16,
    transform(input: Row, _encoding, callback) {
      let row: Record<string, unknown> | string;
      try {
        row = toCsvRow(input);
      } catch (error) {
        callback(error as Error);
        return;
      }
      pending += typeof row === "string" ? row : csvLine(columns.map((column) => row[column]));
      if (pending.length >= CHUNK_CHARACTERS) {
        const chunk = pending;
        pending = "";
        callback(null, Buffer.from(chunk, "utf8"));
        return;
      }
      callback();
    },
    flush(callback) {
      callback(null, pending === "" ? undefined : Buffer.from(pending, "utf8"));
    },
  });
}

/** CSV columns of a raw record: the table's columns, with calldate given in UTC and in the site's zone. */
export const RECORD_CSV_COLUMNS = CDR_COLUMNS.flatMap((column) =>
  column === "calldate" ? ["calldate_utc", "calldate_local"] : [column],
);

const SITE_INDEX = CDR_COLUMNS.indexOf("site");
const CALLDATE_INDEX = CDR_COLUMNS.indexOf("calldate");

/**
 * Formats a raw record, read as an array in {@link CDR_COLUMNS} order (the driver's
 * `rowsAsArray`, which skips building an object per row), as one CSV line.
 */
export function recordCsvLine(row: readonly unknown[], zoneOf: (site: string) => string): string {
  const calldate = row[CALLDATE_INDEX] as string;
  const cells: unknown[] = [];
  for (let index = 0; index < row.length; index++) {
    if (index === CALLDATE_INDEX) {
      cells.push(sqlToIsoUtc(calldate), formatInZone(parseSqlDateTime(calldate).utcMs, zoneOf(row[SITE_INDEX] as string)));
    } else {
      cells.push(row[index]);
    }
  }
  return csvLine(cells);
}

export const CALL_CSV_COLUMNS = [
  "id",
  "site",
  "calldate_utc",
  "calldate_local",
  "clid",
  "src",
  "dst",
  "disposition",
  "answered_by_site",
  "answered_by",
  "talk_seconds",
  "ring_seconds",
  "duration_seconds",
  "legs",
  "sites",
] as const;

export function callCsvRow(call: CallItem): Record<string, unknown> {
  return {
    id: call.id,
    site: call.site,
    calldate_utc: call.calldate,
    calldate_local: call.calldateLocal,
    clid: call.clid,
    src: call.src,
    dst: call.dst,
    disposition: call.disposition,
    answered_by_site: call.answeredBy?.site ?? "",
    answered_by: call.answeredBy === null ? "" : (call.answeredBy.peer ?? call.answeredBy.channel ?? call.answeredBy.application ?? ""),
    talk_seconds: call.talkSeconds,
    ring_seconds: call.ringSeconds,
    duration_seconds: call.durationSeconds,
    legs: call.legs,
    sites: call.sites.join(" "),
  };
}
