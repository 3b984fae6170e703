import type { FieldProblem } from "./filters";

/** Position of one cdr row in listing order: (calldate, site, uniqueid, sequence), newest first. */
export type RowKey = [calldate: string, site: string, uniqueid: string, sequence: number];

export interface Cursor {
  /** "next" lists rows older than the key, "prev" rows newer than it. */
  direction: "next" | "prev";
  key: RowKey;
  /** Whether the row at the key itself belongs to the page (used after an empty page). */
  inclusive: boolean;
  /** Digest of the view and filters that produced the cursor. */
  digest: string;
}

export function encodeCursor(cursor: Cursor): string {
  const payload = { d: cursor.direction === "next" ? "n" : "p", k: cursor.key, i: cursor.inclusive ? 1 : 0, f: cursor.digest };
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

const CALLDATE_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

/** Decodes a cursor and checks that it belongs to the same view and filters; adds a problem otherwise. */
export function decodeCursor(text: string, digest: string, problems: FieldProblem[]): Cursor | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    payload = undefined;
  }
  const record = payload as { d?: unknown; k?: unknown; i?: unknown; f?: unknown } | undefined;
  const key = record?.k;
  const valid =
    record !== undefined &&
    record !== null &&
    (record.d === "n" || record.d === "p") &&
    (record.i === 0 || record.i === 1) &&
    typeof record.f === "string" &&
    Array.isArray(key) &&
    key.length === 4 &&
    typeof key[0] === "string" &&
    CALLDATE_PATTERN.test(key[0]) &&
    typeof key[1] === "string" &&
    key[1].length <= 16 &&
    typeof key[2] === "string" &&
    key[2].length <= 150 &&
    Number.isInteger(key[3]);
  if (!valid) {
    problems.push({ field: "cursor", message: "is not a cursor returned by this API" });
    return undefined;
  }
  if (record.f !== digest) {
    problems.push({ field: "cursor", message: "was made for other filters; start again without a cursor" });
    return undefined;
  }
  return {
    direction: record.d === "n" ? "next" : "prev",
    key: key as RowKey,
    inclusive: record.i === 1,
    digest: record.f as string,
  };
}

/**
 * Appends the keyset condition for a cursor on table alias `alias`. The expanded OR form plus
 * the plain calldate bound lets MariaDB scan the (…, calldate, site, uniqueid, sequence)
 * indexes as a range, so a page costs the same at any depth.
 */
export function keysetCondition(cursor: Cursor, alias: string, conditions: string[], values: unknown[]): void {
  const [calldate, site, uniqueid, sequence] = cursor.key;
  const strict = cursor.direction === "next" ? "<" : ">";
  const bound = cursor.direction === "next" ? "<=" : ">=";
  const last = cursor.inclusive ? bound : strict;
  conditions.push(`${alias}.calldate ${bound} ?`);
  values.push(calldate);
  conditions.push(
    `(${alias}.calldate ${strict} ? OR (${alias}.calldate = ? AND (${alias}.site ${strict} ? OR (${alias}.site = ? AND ` +
      `(${alias}.uniqueid ${strict} ? OR (${alias}.uniqueid = ? AND ${alias}.sequence ${last} ?))))))`,
  );
  values.push(calldate, calldate, site, site, uniqueid, uniqueid, sequence);
}

export function orderBy(alias: string, direction: "next" | "prev"): string {
  const order = direction === "next" ? "DESC" : "ASC";
  return `ORDER BY ${alias}.calldate ${order}, ${alias}.site ${order}, ${alias}.uniqueid ${order}, ${alias}.sequence ${order}`;
}

export interface PageLinks {
  next: string | null;
  prev: string | null;
}

/**
 * Trims a fetched batch (limit + 1 rows in cursor order) to a page in newest-first order and
 * builds the next/prev cursors.
 */
export function paginate<T>(
  rows: T[],
  limit: number,
  cursor: Cursor | undefined,
  digest: string,
  keyOf: (row: T) => RowKey,
): { items: T[]; links: PageLinks } {
  const direction = cursor?.direction ?? "next";
  const hasMore = rows.length > limit;
  const items = rows.slice(0, limit);
  if (direction === "prev") {
    items.reverse();
  }
  const make = (dir: "next" | "prev", key: RowKey, inclusive = false) =>
    encodeCursor({ direction: dir, key, inclusive, digest });

  let next: string | null = null;
  let prev: string | null = null;
  if (direction === "next") {
    if (hasMore) {
      next = make("next", keyOf(items[items.length - 1]));
    }
    if (cursor !== undefined) {
      prev = items.length > 0 ? make("prev", keyOf(items[0])) : make("prev", cursor.key, !cursor.inclusive);
    }
  } else {
    if (hasMore) {
      prev = make("prev", keyOf(items[0]));
    }
    next = items.length > 0 ? make("next", keyOf(items[items.length - 1])) : make("next", cursor!.key, !cursor!.inclusive);
  }
  return { items, links: { next, prev } };
}
