// Conversions between UTC instants (how the cdr table stores calldate) and wall-clock
// times in an IANA time zone, using the zone data of Node's ICU.

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * Offsets are cached per UTC day, so a year of records in one zone fills 366 entries and
 * needs about 730 offset computations through Intl, which cost several microseconds each.
 * NOTE: a day whose two ends have the same offset is assumed to have no change inside,
 * which fails only for a zone that changes its offset and back within one day.
 */
const OFFSET_BUCKET_MS = DAY_MS;
const OFFSET_CACHE_LIMIT = 50_000;

/** Offsets within a day that has one change: `before` until `changeAtMs`, `after` from it on. */
interface ChangingOffset {
  before: number;
  after: number;
  changeAtMs: number;
}

/** Offsets by zone, then by day. Numeric keys keep a lookup cheap enough for every CSV row. */
const offsetCache = new Map<string, Map<number, number | ChangingOffset>>();
let offsetCacheSize = 0;

/**
 * Returns the zone's offset from UTC in minutes (east positive) at the given instant. Results
 * are cached per UTC day. For a day with a change, the cache stores the second at which the
 * change happens, found by binary search, so every instant of that day gets its exact offset.
 */
export function offsetMinutes(zone: string, utcMs: number): number {
  const bucket = Math.floor(utcMs / OFFSET_BUCKET_MS);
  let zoneCache = offsetCache.get(zone);
  let cached = zoneCache?.get(bucket);
  if (cached === undefined) {
    cached = bucketOffsets(zone, bucket);
    if (offsetCacheSize >= OFFSET_CACHE_LIMIT) {
      offsetCache.clear();
      offsetCacheSize = 0;
      zoneCache = undefined;
    }
    if (zoneCache === undefined) {
      zoneCache = new Map();
      offsetCache.set(zone, zoneCache);
    }
    zoneCache.set(bucket, cached);
    offsetCacheSize += 1;
  }
  if (typeof cached === "number") {
    return cached;
  }
  return utcMs < cached.changeAtMs ? cached.before : cached.after;
}

function bucketOffsets(zone: string, bucket: number): number | ChangingOffset {
  const before = computeOffsetMinutes(zone, bucket * OFFSET_BUCKET_MS);
  const after = computeOffsetMinutes(zone, (bucket + 1) * OFFSET_BUCKET_MS - 1000);
  if (before === after) {
    return before;
  }
  const changeAtMs = findChangeMs(
    (utcMs) => computeOffsetMinutes(zone, utcMs),
    before,
    (bucket * OFFSET_BUCKET_MS) / 1000,
    ((bucket + 1) * OFFSET_BUCKET_MS) / 1000 - 1,
  );
  return { before, after, changeAtMs };
}

/**
 * Returns the UTC instant, in milliseconds, of the first whole second after `lowSeconds` whose
 * offset differs from `before`. The offset at `lowSeconds` must be `before` and the offset at
 * `highSeconds` must differ. The search is in whole seconds because zone changes happen on
 * second boundaries.
 */
function findChangeMs(offsetAt: (utcMs: number) => number, before: number, lowSeconds: number, highSeconds: number): number {
  let low = lowSeconds;
  let high = highSeconds;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle * 1000) === before) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return high * 1000;
}

function computeOffsetMinutes(zone: string, utcMs: number): number {
  const wholeSecondMs = Math.floor(utcMs / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(wholeSecondMs))) {
    if (part.type !== "literal") {
      parts[part.type] = Number(part.value);
    }
  }
  const wallMs = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((wallMs - wholeSecondMs) / MINUTE_MS);
}

/**
 * Converts a wall-clock time (given as if it were UTC milliseconds) in `zone` to a UTC instant.
 * An ambiguous time (clocks set back) resolves to its first occurrence. A time skipped by
 * clocks set forward resolves to the same distance past the change, like Temporal's
 * "compatible" disambiguation, so 02:30 on a spring-forward night becomes 03:30.
 */
export function wallClockToUtc(zone: string, wallMs: number): number {
  const offsetBefore = offsetMinutes(zone, wallMs - DAY_MS);
  const offsetAfter = offsetMinutes(zone, wallMs + DAY_MS);
  const candidates = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => wallMs - offset * MINUTE_MS)
    .filter((utcMs) => offsetMinutes(zone, utcMs) * MINUTE_MS === wallMs - utcMs);
  if (candidates.length > 0) {
    return Math.min(...candidates);
  }
  return wallMs - offsetBefore * MINUTE_MS;
}

const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

export interface ParsedTime {
  /** UTC instant in milliseconds. */
  utcMs: number;
  /** Extra microseconds beyond utcMs (0–999), kept so bounds match DATETIME(6) exactly. */
  micros: number;
  dateOnly: boolean;
}

/**
 * Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff]]`, optionally followed by `Z` or an
 * offset such as `-06:00`. Without an offset the value is a wall-clock time in `zone`.
 * Returns undefined for a malformed or impossible date (such as February 30).
 */
export function parseZonedTime(input: string, zone: string): ParsedTime | undefined {
  const match = DATE_TIME_PATTERN.exec(input);
  if (match === null) {
    return undefined;
  }
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const dateOnly = hour === undefined;
  if (dateOnly && offset !== undefined) {
    return undefined;
  }
  const fields = [Number(year), Number(month), Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0)];
  const wallMs = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  const check = new Date(wallMs);
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] - 1 ||
    check.getUTCDate() !== fields[2] ||
    check.getUTCHours() !== fields[3] ||
    check.getUTCMinutes() !== fields[4] ||
    check.getUTCSeconds() !== fields[5]
  ) {
    return undefined;
  }
  const fractionMicros = Number((fraction ?? "").padEnd(6, "0"));
  const fractionMs = Math.floor(fractionMicros / 1000);
  const micros = fractionMicros % 1000;

  let utcMs: number;
  if (offset === undefined) {
    utcMs = wallClockToUtc(zone, wallMs);
  } else if (offset === "Z") {
    utcMs = wallMs;
  } else {
    const sign = offset.startsWith("-") ? -1 : 1;
    const [offsetHours, offsetMinutesPart] = offset.slice(1).split(":").map(Number);
    if (offsetHours > 23 || offsetMinutesPart > 59) {
      return undefined;
    }
    utcMs = wallMs - sign * (offsetHours * 60 + offsetMinutesPart) * MINUTE_MS;
  }
  return { utcMs: utcMs + fractionMs, micros, dateOnly };
}

/** Returns the UTC instant of the first wall-clock moment of the day after a date-only value. */
export function startOfNextDay(input: ParsedTime, zone: string): number {
  const offset = offsetMinutes(zone, input.utcMs);
  const wallMs = input.utcMs + offset * MINUTE_MS;
  return wallClockToUtc(zone, wallMs + DAY_MS);
}

/** "00" to "99", because formatting every CSV row's times with padStart costs more than a table lookup. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, "0"));

function pad(value: number, width = 2): string {
  return width === 2 && value >= 0 && value < 100 ? TWO_DIGITS[value] : String(value).padStart(width, "0");
}

/** Formats a UTC instant as the `YYYY-MM-DD HH:MM:SS.ffffff` text that DATETIME(6) columns compare with. */
export function toSqlDateTime(utcMs: number, micros = 0): string {
  const date = new Date(utcMs);
  const fraction = date.getUTCMilliseconds() * 1000 + micros;
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(fraction, 6)}`
  );
}

const SQL_DATE_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

function matchSqlDateTime(text: string): RegExpExecArray {
  const match = SQL_DATE_TIME_PATTERN.exec(text);
  if (match === null) {
    throw new Error(`invalid DATETIME value: ${text}`);
  }
  return match;
}

function utcOfMatch(match: RegExpExecArray): { utcMs: number; micros: number } {
  const [, year, month, day, hour, minute, second, fraction] = match;
  const fractionMicros = Number((fraction ?? "").padEnd(6, "0"));
  return {
    utcMs:
      Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) +
      Math.floor(fractionMicros / 1000),
    micros: fractionMicros % 1000,
  };
}

function isoUtcOfMatch(match: RegExpExecArray): string {
  const [, year, month, day, hour, minute, second, fraction] = match;
  const fractionText = fraction === undefined || Number(fraction) === 0 ? "" : `.${fraction.padEnd(6, "0")}`;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${fractionText}Z`;
}

/** Parses DATETIME(6) text (as the driver returns it with dateStrings) holding a UTC time. */
export function parseSqlDateTime(text: string): { utcMs: number; micros: number } {
  return utcOfMatch(matchSqlDateTime(text));
}

/** Formats DATETIME(6) UTC text as ISO 8601 with `Z`, keeping microseconds when present. */
export function sqlToIsoUtc(text: string): string {
  return isoUtcOfMatch(matchSqlDateTime(text));
}

/**
 * Formats DATETIME(6) UTC text as {@link sqlToIsoUtc} and {@link formatInZone} do, parsing it
 * once: `utc` is ISO 8601 UTC, `local` the wall-clock time in `zone` with its offset.
 */
export function sqlToIsoTexts(text: string, zone: string): { utc: string; local: string } {
  const match = matchSqlDateTime(text);
  return { utc: isoUtcOfMatch(match), local: formatInZone(utcOfMatch(match).utcMs, zone) };
}

/** Formats a UTC instant as wall-clock time in `zone` with its offset, e.g. `2024-03-10T03:30:00-07:00`. */
export function formatInZone(utcMs: number, zone: string): string {
  const offset = offsetMinutes(zone, utcMs);
  const wall = new Date(Math.floor(utcMs / 1000) * 1000 + offset * MINUTE_MS);
  const sign = offset < 0 ? "-" : "+";
  const absolute = Math.abs(offset);
  return (
    `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`
  );
}

/** Returns the calendar date (`YYYY-MM-DD`) in `zone` at a UTC instant. */
export function dateInZone(utcMs: number, zone: string): string {
  return formatInZone(utcMs, zone).slice(0, 10);
}

export interface OffsetSegment {
  /** The segment applies to instants before this UTC time; undefined for the last segment. */
  untilUtcMs: number | undefined;
  offsetMinutes: number;
}

/**
 * Splits [fromUtcMs, toUtcMs) into runs of constant UTC offset in `zone`. Daily samples find
 * each change, then a binary search finds its exact second, so a year costs about 400 lookups.
 * Assumes at most one change per day, which holds for every zone in use today.
 */
export function offsetSegments(zone: string, fromUtcMs: number, toUtcMs: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let current = offsetMinutes(zone, fromUtcMs);
  let cursor = fromUtcMs;
  while (cursor < toUtcMs) {
    const next = Math.min(cursor + DAY_MS, toUtcMs);
    const nextOffset = offsetMinutes(zone, next);
    if (nextOffset !== current) {
      const untilUtcMs = findChangeMs((utcMs) => offsetMinutes(zone, utcMs), current, Math.floor(cursor / 1000), Math.floor(next / 1000));
      segments.push({ untilUtcMs, offsetMinutes: current });
      current = nextOffset;
    }
    cursor = next;
  }
  segments.push({ untilUtcMs: undefined, offsetMinutes: current });
  return segments;
}
