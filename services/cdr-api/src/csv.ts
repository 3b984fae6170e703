import { stringify, type Stringifier } from "csv-stringify";
import type { CallItem } from "./query/calls";
import { CDR_COLUMNS, type CdrRow } from "./query/records";
import { formatInZone, parseSqlDateTime, sqlToIsoUtc } from "./time";

/**
 * Characters that make spreadsheet programs read a cell as a formula (OWASP's list for CSV
 * injection: = + - @, tab and carriage return). Such text cells get a leading apostrophe.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Returns a CSV stringifier that neutralises formulas in every text cell; numbers stay numbers. */
export function csvStringifier(columns: readonly string[]): Stringifier {
  return stringify({
    header: true,
    columns: columns.map((column) => ({ key: column })),
    bom: true,
    record_delimiter: "\r\n",
    cast: {
      string: (value) => neutraliseFormula(value),
    },
  });
}

/** CSV columns of a raw record: the table's columns, with calldate given in UTC and in the site's zone. */
export const RECORD_CSV_COLUMNS = CDR_COLUMNS.flatMap((column) =>
  column === "calldate" ? ["calldate_utc", "calldate_local"] : [column],
);

export function recordCsvRow(row: CdrRow, zoneOf: (site: string) => string): Record<string, unknown> {
  return {
    ...row,
    calldate_utc: sqlToIsoUtc(row.calldate),
    calldate_local: formatInZone(parseSqlDateTime(row.calldate).utcMs, zoneOf(row.site)),
  };
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
