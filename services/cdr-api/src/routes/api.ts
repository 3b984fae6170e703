import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config";
import type { Databases, Lease } from "../db";
import { CALL_CSV_COLUMNS, RECORD_CSV_COLUMNS, callCsvRow, csvWriter, recordCsvLine } from "../csv";
import { fetchCallsPage, type CallItem } from "../query/calls";
import { decodeCursor, type Cursor } from "../query/cursor";
import {
  DEFAULT_LIMIT,
  FilterQuery,
  InvalidRequestError,
  MAX_LIMIT,
  PageQuery,
  filterDigest,
  parseFilters,
  schemaProblems,
  type FieldProblem,
  type FilterQueryType,
  type Filters,
  type PageQueryType,
} from "../query/filters";
import { fetchRecordsPage, streamRecords, type CdrTuple } from "../query/records";
import { MAX_STATS_DAYS, daysBetween, fetchStats } from "../query/stats";
import { CallsResponse, ErrorResponse, RecordsResponse, SitesResponse, StatsResponse } from "../schemas";

export const SOURCE_HEADER = "x-cdr-source";

const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  503: ErrorResponse,
};

type View = "records" | "calls";

interface PageRequest {
  filters: Filters;
  limit: number;
  cursor: Cursor | undefined;
  digest: string;
}

/** Validates a listing request, throwing InvalidRequestError that names every invalid field. */
function parsePageRequest(request: FastifyRequest, config: Config, view: View): PageRequest {
  const query = request.query as PageQueryType;
  const problems: FieldProblem[] = schemaProblems(request.validationError);
  const invalid = new Set(problems.map((problem) => problem.field));
  const filters = parseFilters(query, config, problems);
  const limit = invalid.has("limit") ? DEFAULT_LIMIT : Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const digest = filterDigest(view, filters);
  const cursor = query.cursor === undefined || invalid.has("cursor") ? undefined : decodeCursor(query.cursor, digest, problems);
  if (problems.length > 0) {
    throw new InvalidRequestError(problems);
  }
  return { filters, limit, cursor, digest };
}

function parseFilterRequest(request: FastifyRequest, config: Config): Filters {
  const problems = schemaProblems(request.validationError);
  const filters = parseFilters(request.query as FilterQueryType, config, problems);
  if (problems.length > 0) {
    throw new InvalidRequestError(problems);
  }
  return filters;
}

function csvFileName(view: View, filters: Filters): string {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return `cdr-${view}-${filters.site}-${stamp}.csv`;
}

/**
 * Streams rows as CSV. On success the connection returns to the pool. When the client goes
 * away or the query fails mid-stream, the connection is destroyed, which also stops the query.
 */
function sendCsv(
  request: FastifyRequest,
  reply: FastifyReply,
  lease: Lease,
  rows: Readable,
  toCsvRow: (row: never) => Record<string, unknown> | string,
  columns: readonly string[],
  fileName: string,
): FastifyReply {
  let rowCount = 0;
  const csv = csvWriter(columns, (row: never) => {
    rowCount += 1;
    return toCsvRow(row);
  });
  let settled = false;
  const settle = (completed: boolean, error?: Error) => {
    if (settled) {
      return;
    }
    settled = true;
    if (completed) {
      lease.connection.release();
      request.log.info({ rows: rowCount, source: lease.source }, "CSV export finished");
    } else {
      lease.connection.destroy();
      if (error !== undefined) {
        request.log.error({ err: error, rows: rowCount }, "CSV export failed");
      } else {
        request.log.warn({ rows: rowCount }, "CSV export stopped: client closed the connection");
      }
    }
  };
  const fail = (error: Error) => {
    settle(false, error);
    csv.destroy(error);
  };
  rows.on("error", fail);
  csv.on("error", (error) => settle(false, error));
  csv.on("end", () => settle(true));
  reply.raw.on("close", () => {
    if (!settled) {
      settle(false);
      rows.destroy();
    }
  });
  rows.pipe(csv);

  reply
    .header(SOURCE_HEADER, lease.source)
    .header("content-type", "text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${fileName}"`)
    .header("cache-control", "no-store");
  return reply.send(csv);
}

/** Yields every call matching the filters, a few hundred at a time, so memory stays bounded. */
async function* allCalls(lease: Lease, filters: Filters, digest: string, zoneOf: (site: string) => string): AsyncGenerator<CallItem> {
  let cursor: Cursor | undefined;
  for (;;) {
    const page = await fetchCallsPage(lease.connection, filters, cursor, MAX_LIMIT, digest, zoneOf);
    yield* page.calls;
    if (page.links.next === null) {
      return;
    }
    cursor = decodeCursor(page.links.next, digest, []);
  }
}

/**
 * Statistics scan every row of their range (grouping by call needs all legs), which takes
 * seconds on a few hundred thousand rows, so each result is reused for a minute.
 */
const STATS_CACHE_TTL_MS = 60_000;
const STATS_CACHE_ENTRIES = 100;

export function registerApiRoutes(app: FastifyInstance, config: Config, databases: Databases): void {
  const statsCache = new Map<string, { stats: Awaited<ReturnType<typeof fetchStats>>; expiresAt: number }>();
  const zones = new Map(config.sites.map((site) => [site.code, site.timeZone]));
  const zoneOf = (site: string) => zones.get(site) ?? config.timeZone;
  const tags = ["records"];
  const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { basicAuth: [] }];

  app.get(
    "/api/sites",
    {
      schema: { summary: "Serving site and the sites it knows", tags, security, response: { 200: SitesResponse, 401: ErrorResponse } },
    },
    async () => ({ site: config.site, role: config.role, timeZone: config.timeZone, sites: config.sites }),
  );

  app.get(
    "/api/records",
    {
      attachValidation: true,
      schema: {
        summary: "Raw cdr records, newest first, with keyset paging",
        tags,
        security,
        querystring: PageQuery,
        response: { 200: RecordsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const page = parsePageRequest(request, config, "records");
      const lease = await databases.lease(page.filters.site);
      try {
        const { items, links } = await fetchRecordsPage(lease.connection, page.filters, page.cursor, page.limit, page.digest, zoneOf);
        reply.header(SOURCE_HEADER, lease.source);
        return {
          source: lease.source,
          site: page.filters.site,
          timeZone: page.filters.timeZone,
          limit: page.limit,
          page: links,
          items,
        };
      } finally {
        lease.connection.release();
      }
    },
  );

  app.get(
    "/api/calls",
    {
      attachValidation: true,
      schema: {
        summary: "Calls: the records of one call grouped into one row, newest first",
        description:
          "Groups records sharing site and linkedid; with site=all, other sites' records whose userfield holds the call's linkedid join it. " +
          "src and dst match the call's first record; disposition matches the call's disposition at its starting site.",
        tags,
        security,
        querystring: PageQuery,
        response: { 200: CallsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const page = parsePageRequest(request, config, "calls");
      const lease = await databases.lease(page.filters.site);
      try {
        const { calls, links } = await fetchCallsPage(lease.connection, page.filters, page.cursor, page.limit, page.digest, zoneOf);
        reply.header(SOURCE_HEADER, lease.source);
        return {
          source: lease.source,
          site: page.filters.site,
          timeZone: page.filters.timeZone,
          limit: page.limit,
          page: links,
          items: calls,
        };
      } finally {
        lease.connection.release();
      }
    },
  );

  app.get(
    "/api/records.csv",
    {
      attachValidation: true,
      schema: {
        summary: "All matching records as CSV, streamed",
        description: "Text cells starting with = + - @, tab or carriage return get a leading apostrophe.",
        tags,
        security,
        querystring: FilterQuery,
        produces: ["text/csv"],
        response: { 200: { description: "CSV file", type: "string" }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const filters = parseFilterRequest(request, config);
      const lease = await databases.lease(filters.site);
      let rows: Readable;
      try {
        rows = streamRecords(lease.connection, filters);
      } catch (error) {
        lease.connection.release();
        throw error;
      }
      return sendCsv(request, reply, lease, rows, (row: CdrTuple) => recordCsvLine(row, zoneOf), RECORD_CSV_COLUMNS, csvFileName("records", filters));
    },
  );

  app.get(
    "/api/calls.csv",
    {
      attachValidation: true,
      schema: {
        summary: "All matching calls as CSV, streamed",
        description: "Same grouping as /api/calls. Text cells starting with = + - @, tab or carriage return get a leading apostrophe.",
        tags,
        security,
        querystring: FilterQuery,
        produces: ["text/csv"],
        response: { 200: { description: "CSV file", type: "string" }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const filters = parseFilterRequest(request, config);
      const lease = await databases.lease(filters.site);
      const rows = Readable.from(allCalls(lease, filters, filterDigest("calls", filters), zoneOf), { objectMode: true });
      return sendCsv(request, reply, lease, rows, (call: CallItem) => callCsvRow(call), CALL_CSV_COLUMNS, csvFileName("calls", filters));
    },
  );

  app.get(
    "/api/stats",
    {
      attachValidation: true,
      schema: {
        summary: "Calls per day, site and disposition",
        description: `Days are calendar days at each call's site. Without from, the range is the 30 days up to the newest record; at most ${MAX_STATS_DAYS} days.`,
        tags,
        security,
        querystring: FilterQuery,
        response: { 200: StatsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const filters = parseFilterRequest(request, config);
      if (filters.fromUtcMs !== undefined && filters.toUtcMs !== undefined && filters.toUtcMs - filters.fromUtcMs > MAX_STATS_DAYS * 86_400_000) {
        throw new InvalidRequestError([{ field: "to", message: `the range must not exceed ${MAX_STATS_DAYS} days` }]);
      }
      const lease = await databases.lease(filters.site);
      try {
        const cacheKey = [lease.source, filters.site, filters.fromSql, filters.toSql].join("|");
        const cached = statsCache.get(cacheKey);
        const stats =
          cached !== undefined && cached.expiresAt > Date.now()
            ? cached.stats
            : await fetchStats(lease.connection, filters, config.sites, config.timeZone);
        if (cached === undefined || cached.stats !== stats) {
          if (statsCache.size >= STATS_CACHE_ENTRIES) {
            statsCache.delete(statsCache.keys().next().value as string);
          }
          statsCache.set(cacheKey, { stats, expiresAt: Date.now() + STATS_CACHE_TTL_MS });
        }
        reply.header(SOURCE_HEADER, lease.source);
        return {
          source: lease.source,
          site: filters.site,
          timeZone: filters.timeZone,
          from: new Date(stats.fromUtcMs).toISOString(),
          to: new Date(stats.toUtcMs).toISOString(),
          days: daysBetween(stats.fromUtcMs, stats.toUtcMs, filters.timeZone),
          rows: stats.rows,
        };
      } finally {
        lease.connection.release();
      }
    },
  );
}
