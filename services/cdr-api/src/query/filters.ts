import { createHash } from "node:crypto";
import { Type, type Static } from "@sinclair/typebox";
import type { Config } from "../config";
import { parseZonedTime, startOfNextDay, toSqlDateTime } from "../time";

export const DISPOSITIONS = ["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

const TimeText = (description: string) => Type.String({ maxLength: 40, description });

/** Filters shared by every listing, the CSV exports and, in part, the statistics. */
export const FilterQuery = Type.Object({
  from: Type.Optional(
    TimeText(
      "Start of the range, inclusive: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.ffffff]], read in the time zone of `site`, or of the serving site when all sites are asked for. A trailing Z or ±HH:MM offset makes it absolute.",
    ),
  ),
  to: Type.Optional(
    TimeText(
      "End of the range: a date includes that whole day; a date and time is exclusive. Same time zone rules as `from`.",
    ),
  ),
  src: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: "Exact caller number (src)." })),
  dst: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: "Exact dialled number (dst)." })),
  disposition: Type.Optional(
    Type.Unsafe<Disposition>({ type: "string", enum: [...DISPOSITIONS], description: "Disposition of the record, or of the call in /api/calls." }),
  ),
  site: Type.Optional(
    Type.String({ pattern: "^(all|[a-z0-9_-]{1,16})$", description: "A site code, or `all` (the default) for every site." }),
  ),
});

export const PageQuery = Type.Composite([
  FilterQuery,
  Type.Object({
    limit: Type.Optional(
      Type.Integer({ minimum: 1, description: `Page size, ${DEFAULT_LIMIT} by default; values above ${MAX_LIMIT} are reduced to ${MAX_LIMIT}.` }),
    ),
    cursor: Type.Optional(
      Type.String({ maxLength: 2000, pattern: "^[A-Za-z0-9_-]+$", description: "Opaque `next` or `prev` value from a previous page." }),
    ),
  }),
]);

export type FilterQueryType = Static<typeof FilterQuery>;
export type PageQueryType = Static<typeof PageQuery>;

export interface Filters {
  site: string;
  /** Time zone that `from` and `to` were read in. */
  timeZone: string;
  fromSql?: string;
  toSql?: string;
  fromUtcMs?: number;
  toUtcMs?: number;
  src?: string;
  dst?: string;
  disposition?: Disposition;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** A request rejected with 400, naming every invalid field. */
export class InvalidRequestError extends Error {
  constructor(readonly fields: FieldProblem[]) {
    super(`Invalid query parameters: ${fields.map((problem) => problem.field).join(", ")}`);
  }
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns the schema validator's errors into field problems, one per field. */
export function schemaProblems(validationError: { validation?: unknown } | undefined): FieldProblem[] {
  if (validationError === undefined || !Array.isArray(validationError.validation)) {
    return [];
  }
  const byField = new Map<string, string>();
  for (const error of validationError.validation as AjvError[]) {
    const field =
      (error.instancePath ?? "").replace(/^\//, "").split("/")[0] ||
      String(error.params?.missingProperty ?? error.params?.additionalProperty ?? "query");
    if (byField.has(field)) {
      continue;
    }
    let message = error.message ?? "is invalid";
    if (error.keyword === "enum") {
      message = `must be one of: ${DISPOSITIONS.join(", ")}`;
    }
    byField.set(field, message);
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

/**
 * Checks what the schema cannot (real dates, known sites, from before to) and builds the
 * filters. Collects its problems together with the schema's and throws them all at once.
 */
export function parseFilters(query: FilterQueryType, config: Config, problems: FieldProblem[]): Filters {
  const invalid = new Set(problems.map((problem) => problem.field));
  const site = invalid.has("site") ? "all" : (query.site ?? "all");
  if (site !== "all" && !config.sites.some((known) => known.code === site)) {
    problems.push({
      field: "site",
      message: `unknown site ${JSON.stringify(site)}; expected all or one of: ${config.sites.map((known) => known.code).join(", ")}`,
    });
  }
  const timeZone = config.sites.find((known) => known.code === site)?.timeZone ?? config.timeZone;
  const filters: Filters = { site, timeZone };

  if (query.from !== undefined && !invalid.has("from")) {
    const parsed = parseZonedTime(query.from, timeZone);
    if (parsed === undefined) {
      problems.push({ field: "from", message: "must be a valid date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM[:SS])" });
    } else {
      filters.fromUtcMs = parsed.utcMs;
      filters.fromSql = toSqlDateTime(parsed.utcMs, parsed.micros);
    }
  }
  if (query.to !== undefined && !invalid.has("to")) {
    const parsed = parseZonedTime(query.to, timeZone);
    if (parsed === undefined) {
      problems.push({ field: "to", message: "must be a valid date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM[:SS])" });
    } else if (parsed.dateOnly) {
      filters.toUtcMs = startOfNextDay(parsed, timeZone);
      filters.toSql = toSqlDateTime(filters.toUtcMs);
    } else {
      filters.toUtcMs = parsed.utcMs;
      filters.toSql = toSqlDateTime(parsed.utcMs, parsed.micros);
    }
  }
  if (filters.fromSql !== undefined && filters.toSql !== undefined && filters.fromSql >= filters.toSql) {
    problems.push({ field: "to", message: "must be later than from" });
  }

  if (query.src !== undefined && !invalid.has("src")) {
    filters.src = query.src;
  }
  if (query.dst !== undefined && !invalid.has("dst")) {
    filters.dst = query.dst;
  }
  if (query.disposition !== undefined && !invalid.has("disposition")) {
    filters.disposition = query.disposition;
  }
  return filters;
}

/** Returns a short digest of the filters, stored in cursors so a cursor is only used with the filters that made it. */
export function filterDigest(view: string, filters: Filters): string {
  const material = JSON.stringify([view, filters.site, filters.fromSql, filters.toSql, filters.src, filters.dst, filters.disposition]);
  return createHash("sha256").update(material).digest("base64url").slice(0, 12);
}

/** Appends SQL conditions and their placeholder values for the filters, on table alias `alias`. */
export function filterConditions(filters: Filters, alias: string, conditions: string[], values: unknown[], options: { disposition: boolean }): void {
  if (filters.site !== "all") {
    conditions.push(`${alias}.site = ?`);
    values.push(filters.site);
  }
  if (filters.fromSql !== undefined) {
    conditions.push(`${alias}.calldate >= ?`);
    values.push(filters.fromSql);
  }
  if (filters.toSql !== undefined) {
    conditions.push(`${alias}.calldate < ?`);
    values.push(filters.toSql);
  }
  if (filters.src !== undefined) {
    conditions.push(`${alias}.src = ?`);
    values.push(filters.src);
  }
  if (filters.dst !== undefined) {
    conditions.push(`${alias}.dst = ?`);
    values.push(filters.dst);
  }
  if (options.disposition && filters.disposition !== undefined) {
    conditions.push(`${alias}.disposition = ?`);
    values.push(filters.disposition);
  }
}
