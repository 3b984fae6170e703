import { Transform } from "node:stream";
import type { CallItem } from "./query/calls";
import { CDR_COLUMNS, type CdrTuple } from "./query/records";
import { sqlToIsoTexts } from "./time";

// The CSV writer is hand-written rather than csv-stringify because the library cost too
// much in the records export benchmark (bench/run.ts, 1,000,000 rows, 2-core AMD EPYC VM,
// Node.js 20). We measured csv-stringify 6.9.0's sync API on batches of 32 rows, with
// escape_formulas and quote_record_delimiter, against this writer in the same three runs.
// The library used about 8.0 µs of service CPU per row against 5.8 µs, and raised the
// service's peak RSS to 96-97 MiB against 87-89 MiB, close to the 100 MiB goal. It exported
// 0.55-0.67 times as many rows per second as `mariadb --batch`, this writer 0.51-0.78.

/**
 * Tells whether text starts with a character that makes spreadsheet programs read a cell as
 * a formula (OWASP's list for CSV injection: = + - @, tab and carriage return). Such text
 * cells get a leading apostrophe.
 */
function startsLikeFormula(value: string): boolean {
  switch (value.charCodeAt(0)) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // carriage return
      return true;
    default:
      return false;
  }
}

export function neutraliseFormula(value: string): string {
  return startsLikeFormula(value) ? `'${value}` : value;
}

/** Text that must be quoted in a CSV cell (RFC 4180): the delimiter, a quote or a line break. */
const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;
/** Bytes of CSV text gathered before a chunk is passed on, because fewer, larger chunks cost less per row. */
const CHUNK_BYTES = 64 * 1024;
/**
 * Rows buffered on the writable side before the database stream is paused. More than a few
 * rows let the database keep sending while a chunk is written to the client: in the records
 * export benchmark, 256 rows (about 0.5 MiB) exported about 8% more rows per second than 16.
 */
const BUFFERED_ROWS = 256;

function textCell(value: string): string {
  const text = neutraliseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text;
}

/** Formats one cell: empty for null, numbers as they are, text neutralised and quoted when needed. */
export function csvCell(value: unknown): string {
  if (typeof value === "string") {
    return textCell(value);
  }
  if (value === null || value === undefined) {
    return "";
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  return textCell(String(value));
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
 * Gathers text into UTF-8 chunks of up to {@link CHUNK_BYTES}. Each line is encoded as soon
 * as it is added, so the many short strings that formed it die young. Appending lines to one
 * string until a chunk was full kept every piece of them alive through garbage collections.
 */
class ChunkBuilder {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  /** Adds text and returns the chunk that it completed, if any. */
  add(text: string): Buffer | undefined {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const maxBytes = text.length * 3;
    let full: Buffer | undefined;
    if (this.used > 0 && this.used + maxBytes > CHUNK_BYTES) {
      full = this.take();
    }
    if (maxBytes > CHUNK_BYTES) {
      // Longer than a chunk: passed on by itself.
      return full === undefined ? Buffer.from(text, "utf8") : Buffer.concat([full, Buffer.from(text, "utf8")]);
    }
    this.used += this.chunk.write(text, this.used, "utf8");
    return full;
  }

  /** Returns the text gathered so far, or undefined when there is none. */
  take(): Buffer | undefined {
    if (this.used === 0) {
      return undefined;
    }
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    return full;
  }
}

/**
 * Returns a stream that turns rows into CSV text: a UTF-8 byte order mark, the header, then
 * one CRLF-terminated line per row. `toCsvRow` gives each row as an object with `columns`,
 * or as a line that {@link csvLine} formatted. Text is passed on in chunks of up to 64 KiB,
 * and the writable side buffers at most {@link BUFFERED_ROWS} rows, so memory stays bounded
 * and a slow client slows the database read down (backpressure).
 */
export function csvWriter<Row>(columns: readonly string[], toCsvRow: (row: Row) => Record<string, unknown> | string): Transform {
  const chunks = new ChunkBuilder();
  chunks.add(`\uFEFF${csvLine(columns)}`);
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: BUFFERED_ROWS,
    transform(input: Row, _encoding, callback) {
      let line: string;
      try {
        const row = toCsvRow(input);
        line = typeof row === "string" ? row : csvLine(columns.map((column) => row[column]));
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback(null, chunks.add(line));
    },
    flush(callback) {
      callback(null, chunks.take());
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
export function recordCsvLine(row: CdrTuple, zoneOf: (site: string) => string): string {
  const times = sqlToIsoTexts(row[CALLDATE_INDEX] as string, zoneOf(row[SITE_INDEX] as string));
  let line = "";
  for (let index = 0; index < row.length; index++) {
    if (index > 0) {
      line += ",";
    }
    line += index === CALLDATE_INDEX ? `${csvCell(times.utc)},${csvCell(times.local)}` : csvCell(row[index]);
  }
  return `${line}\r\n`;
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
