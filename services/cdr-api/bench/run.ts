// Benchmark of the call records API on 1,000,000 generated cdr rows:
//   1. a filtered page of 50 through the API vs the same SQL through the mariadb driver,
//      at the same concurrency (throughput and latency percentiles), first page and a deep page;
//   2. the same deep page by OFFSET and by an unpaged query, for contrast;
//   3. CSV export of every record: the service's peak RSS and speed vs `mariadb --batch --quick`.
// Starts its own MariaDB on 127.0.97.20 and the built service (dist/) on 127.0.97.21, then
// writes bench/RESULTS.md. Run with `npm run build && npm run bench`. ROWS, DURATION_SECONDS, ROUNDS,
// WARMUP_SECONDS and CONCURRENCY override the defaults. The HTTP client is undici's request
// API: in this benchmark Node's fetch used about 1.8 times its CPU per page request, and
// the client shares the two cores with the service and the database.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as mariadb from "mariadb";
import { Pool as HttpPool, request as httpRequest } from "undici";
import { recordsSql } from "../src/query/records";
import type { Filters } from "../src/query/filters";
import { encodeCursor } from "../src/query/cursor";
import { filterDigest } from "../src/query/filters";
import { ADMIN_PASSWORD, ADMIN_USER, createSchema, startMariaDb } from "../test/support/mariadb";
import { generateRows } from "./generate";

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const DURATION_MS = Number(process.env.DURATION_SECONDS ?? 15) * 1000;
/** Unmeasured run of each page workload before its measured run, so JIT compilation and pool growth fall outside it. */
const WARMUP_MS = Number(process.env.WARMUP_SECONDS ?? 5) * 1000;
/**
 * Slices that an API page step and its driver step alternate in, each getting DURATION_MS in
 * total. Load from other work changes within seconds, and alternating exposes both sides of
 * a ratio to it alike, where one block after the other could give it all to one side.
 */
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const DB = { host: "127.0.97.20", port: 3306 };
const SERVICE = { host: "127.0.97.21", port: 18481 };
const TOKEN = "bench-token-0123456789abcdef";
const DB_USER = "cdr_api";
const DB_PASSWORD = "bench-db-password";

interface LoadResult {
  requests: number;
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/** Latencies in milliseconds and elapsed seconds of one run of a task. */
interface Sample {
  latencies: number[];
  seconds: number;
}

/** Runs `task` from CONCURRENCY workers until the time budget (or request cap) is spent. */
async function run(task: () => Promise<unknown>, budgetMs: number, maxRequests = Infinity): Promise<Sample> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + budgetMs;
  const worker = async () => {
    while (performance.now() < deadline && latencies.length < maxRequests) {
      const begin = performance.now();
      await task();
      latencies.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** Combines samples of one task into its throughput and latency percentiles. */
function summarise(samples: Sample[]): LoadResult {
  const latencies = samples.flatMap((sample) => sample.latencies).sort((a, b) => a - b);
  const seconds = samples.reduce((sum, sample) => sum + sample.seconds, 0);
  return {
    requests: latencies.length,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1],
  };
}

async function load(task: () => Promise<unknown>, budgetMs = DURATION_MS, maxRequests = Infinity): Promise<LoadResult> {
  return summarise([await run(task, budgetMs, maxRequests)]);
}

/** NODE_OPTIONS of the image, read from the Dockerfile, so the benchmark runs the service as deployed. */
function imageNodeOptions(): string {
  const match = /NODE_OPTIONS="([^"]*)"/.exec(readFileSync(join(__dirname, "..", "Dockerfile"), "utf8"));
  if (match === null) {
    throw new Error("no NODE_OPTIONS=\"...\" in the Dockerfile; the benchmark runs the service with the image's Node options");
  }
  return match[1];
}

function startService(configPath: string): ChildProcess {
  const child = spawn(process.execPath, [join(__dirname, "..", "dist", "server.js")], {
    env: { ...process.env, CDR_API_CONFIG_FILE: configPath, NODE_OPTIONS: imageNodeOptions(), MALLOC_ARENA_MAX: "2" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return child;
}

async function waitForService(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://${SERVICE.host}:${SERVICE.port}/readyz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("service did not become ready within 30 s");
}

function rssKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match === null ? 0 : Number(match[1]);
}

/** Results of an API step and its driver step, with the CPU per request of each (see cpuPerOperation). */
interface Comparison {
  api: LoadResult;
  driver: LoadResult;
  apiCpu: string;
  driverCpu: string;
}

/**
 * Warms both tasks up for WARMUP_MS each, then runs them in ROUNDS alternating slices that
 * add up to DURATION_MS per task, and adds up each task's requests, time and CPU.
 */
async function compare(api: () => Promise<unknown>, driver: () => Promise<unknown>, cpu: () => CpuSample, databaseKnown: boolean): Promise<Comparison> {
  await run(api, WARMUP_MS);
  await run(driver, WARMUP_MS);
  const samples = { api: [] as Sample[], driver: [] as Sample[] };
  const used = { api: zeroCpu(), driver: zeroCpu() };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of ["api", "driver"] as const) {
      const before = cpu();
      samples[side].push(await run(side === "api" ? api : driver, DURATION_MS / ROUNDS));
      addCpu(used[side], before, cpu());
    }
  }
  const results = { api: summarise(samples.api), driver: summarise(samples.driver) };
  return {
    ...results,
    apiCpu: cpuPerOperation(zeroCpu(), used.api, results.api.requests, databaseKnown),
    driverCpu: cpuPerOperation(zeroCpu(), used.driver, results.driver.requests, databaseKnown),
  };
}

/** Counts line feeds with Buffer.indexOf, which costs the client far less than testing every byte. */
function countLines(chunk: Buffer): number {
  let lines = 0;
  for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) {
    lines += 1;
  }
  return lines;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** Returns the CPU time (user and system) of a process in milliseconds from /proc, or 0 without a pid. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) {
    return 0;
  }
  // Fields after the command name: state is the first, utime the 12th and stime the 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

interface CpuSample {
  client: number;
  service: number;
  database: number;
}

/** Returns the CPU milliseconds used so far by this process (the client), the service and the database server. */
function sampleCpu(servicePid: number | undefined, databasePid: number | undefined): CpuSample {
  const own = process.cpuUsage();
  return { client: (own.user + own.system) / 1000, service: processCpuMs(servicePid), database: processCpuMs(databasePid) };
}

function zeroCpu(): CpuSample {
  return { client: 0, service: 0, database: 0 };
}

/** Adds the CPU used between two samples to `total`. */
function addCpu(total: CpuSample, before: CpuSample, after: CpuSample): void {
  for (const key of ["client", "service", "database"] as const) {
    total[key] += after[key] - before[key];
  }
}

/** Formats the CPU used between two samples per operation, in microseconds. */
function cpuPerOperation(before: CpuSample, after: CpuSample, operations: number, databaseKnown: boolean): string {
  const perOperation = (key: keyof CpuSample) => (((after[key] - before[key]) * 1000) / operations).toFixed(1);
  const database = databaseKnown ? `${perOperation("database")} µs` : "not measured (container)";
  return `benchmark process ${perOperation("client")} µs, service ${perOperation("service")} µs, mariadbd ${database}`;
}

function format(result: LoadResult): string {
  return `${result.requests} | ${result.throughput.toFixed(0)} | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)} | ${result.max.toFixed(1)}`;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "cdr-api-bench-"));
  const loadAtStart = loadavg()[0];
  const server = await startMariaDb({ name: "bench", ...DB, serverId: 90, bufferPoolMb: 4096 });
  let service: ChildProcess | undefined;
  try {
    const admin = await server.admin();
    await createSchema(admin);
    await admin.query("USE inova_cdr");
    await admin.query(`CREATE USER '${DB_USER}'@'%' IDENTIFIED BY '${DB_PASSWORD}'`);
    await admin.query(`GRANT SELECT ON inova_cdr.* TO '${DB_USER}'@'%'`);
    process.stderr.write(`generating ${ROWS} rows…\n`);
    const generateSeconds = await generateRows(admin, ROWS);
    const [{ count }] = await admin.query("SELECT COUNT(*) AS count FROM inova_cdr.cdr");
    const [{ version }] = await admin.query("SELECT VERSION() AS version");
    const dataMiB = (await admin.query(
      "SELECT ROUND((data_length + index_length) / 1048576) AS mib FROM information_schema.tables WHERE table_schema = 'inova_cdr' AND table_name = 'cdr'",
    ))[0].mib;
    await admin.end();

    writeFileSync(join(work, "db-password"), DB_PASSWORD);
    writeFileSync(join(work, "token"), TOKEN);
    const sites = [
      { code: "mochis", name: "Los Mochis", timeZone: "America/Mazatlan" },
      { code: "tabasco", name: "Villahermosa", timeZone: "America/Mexico_City" },
      { code: "silicon", name: "Silicon Valley", timeZone: "America/Los_Angeles" },
    ];
    writeFileSync(
      join(work, "config.json"),
      JSON.stringify({
        site: "mochis",
        timeZone: "America/Mazatlan",
        listen: SERVICE,
        database: { ...DB, user: DB_USER, passwordFile: join(work, "db-password") },
        auth: { tokenFile: join(work, "token") },
        allowedOrigin: `http://${SERVICE.host}:${SERVICE.port}`,
        sites,
      }),
    );
    service = startService(join(work, "config.json"));
    await waitForService();
    const base = `http://${SERVICE.host}:${SERVICE.port}`;
    const headers = { authorization: `Bearer ${TOKEN}` };
    // One keep-alive connection per concurrent client, like the driver pool below.
    const http = new HttpPool(base, { connections: CONCURRENCY });
    /** Requests a page and reads its whole body. Any status but 200 fails the benchmark. */
    const getPage = async (path: string): Promise<void> => {
      const response = await http.request({ method: "GET", path, headers });
      await response.body.arrayBuffer();
      if (response.statusCode !== 200) {
        throw new Error(`GET ${path} returned ${response.statusCode}`);
      }
    };

    // The unpaged contrast query takes tens of seconds on a busy machine, so workers wait long for a connection.
    const pool = mariadb.createPool({
      ...DB,
      user: DB_USER,
      password: DB_PASSWORD,
      database: "inova_cdr",
      connectionLimit: CONCURRENCY,
      dateStrings: true,
      acquireTimeout: 600_000,
    });

    // Filtered page: one site's answered records, the newest 50 (site+disposition use the (site, calldate) index).
    const filters: Filters = { site: "tabasco", timeZone: "America/Mexico_City", disposition: "ANSWERED" };
    const query = "site=tabasco&disposition=ANSWERED&limit=50";
    const firstPage = recordsSql(filters, undefined, 51);

    // A deep page: the cursor of the row at position 100,000 of the same filter (or half way, on small tables).
    const [{ matching }] = await pool.query("SELECT COUNT(*) AS matching FROM cdr WHERE site = 'tabasco' AND disposition = 'ANSWERED'");
    const depth = Math.min(100_000, Math.floor(Number(matching) / 2));
    const [deepRow] = await pool.query(`${recordsSql(filters, undefined, 1).sql} OFFSET ${depth}`, recordsSql(filters, undefined, 1).values);
    const deepCursor = { direction: "next" as const, key: [deepRow.calldate, deepRow.site, deepRow.uniqueid, deepRow.sequence] as [string, string, string, number], inclusive: false, digest: filterDigest("records", filters) };
    const deepPage = recordsSql(filters, deepCursor, 51);
    const deepCursorText = encodeCursor(deepCursor);

    const check = (await (await http.request({ method: "GET", path: `/api/records?${query}&cursor=${deepCursorText}`, headers })).body.json()) as { items?: unknown[] };
    if (check.items?.length !== 50) {
      throw new Error(`deep page returned ${JSON.stringify(check).slice(0, 300)}`);
    }

    const explain = await pool.query(`EXPLAIN ${deepPage.sql}`, deepPage.values);

    process.stderr.write("page benchmarks…\n");
    const cpu = () => sampleCpu(service!.pid, server.pid);
    const first = await compare(
      () => getPage(`/api/records?${query}`),
      () => pool.query(firstPage.sql, firstPage.values),
      cpu,
      server.pid !== undefined,
    );
    const deep = await compare(
      () => getPage(`/api/records?${query}&cursor=${deepCursorText}`),
      () => pool.query(deepPage.sql, deepPage.values),
      cpu,
      server.pid !== undefined,
    );
    const apiFirst = first.api;
    const driverFirst = first.driver;
    const apiDeep = deep.api;
    const driverDeep = deep.driver;
    await run(() => getPage(`/api/calls?${query}`), WARMUP_MS);
    const apiCalls = await load(() => getPage(`/api/calls?${query}`));

    process.stderr.write("contrast queries…\n");
    const offsetSql = `${recordsSql(filters, undefined, 50).sql} OFFSET ${depth}`;
    const offsetValues = recordsSql(filters, undefined, 50).values;
    const driverOffset = await load(async () => {
      await pool.query(offsetSql, offsetValues);
    }, DURATION_MS, 400);
    const unpaged = recordsSql(filters, undefined, undefined);
    let unpagedRows = 0;
    const driverUnpaged = await load(async () => {
      const rows = await pool.query(unpaged.sql, unpaged.values);
      unpagedRows = rows.length;
      rows.slice(depth, depth + 50);
    }, DURATION_MS, 40);

    process.stderr.write("CSV export…\n");
    // mariadb --batch runs before and after the API export, and the ratio uses the mean of
    // the two, so a change in background load during the export weighs on both sides.
    const allSql = recordsSql({ site: "all", timeZone: "America/Mazatlan" }, undefined, undefined).sql.replace(/\bc\./g, "").replace(" cdr c ", " cdr ");
    const runCli = (): { seconds: number; bytes: number } => {
      const started = performance.now();
      const output = execFileSync(
        "sh",
        ["-c", `mariadb --batch --quick --host=${DB.host} --port=${DB.port} --user=${ADMIN_USER} --password=${ADMIN_PASSWORD} inova_cdr -e "$1" | wc -c`, "sh", allSql],
        { encoding: "utf8", maxBuffer: 1 << 20 },
      );
      return { seconds: (performance.now() - started) / 1000, bytes: Number(output.trim()) };
    };
    const cliBefore = runCli();
    const pid = service.pid!;
    const rssBefore = rssKiB(pid, "VmRSS");
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssKiB(pid, "VmRSS"));
    }, 20);
    const csvCpuBefore = sampleCpu(pid, server.pid);
    const csvStarted = performance.now();
    const csvResponse = await httpRequest(`${base}/api/records.csv`, { headers });
    if (csvResponse.statusCode !== 200) {
      throw new Error(`GET /api/records.csv returned ${csvResponse.statusCode}`);
    }
    let csvBytes = 0;
    let csvLines = 0;
    for await (const chunk of csvResponse.body as AsyncIterable<Buffer>) {
      csvBytes += chunk.byteLength;
      csvLines += countLines(chunk);
    }
    const csvSeconds = (performance.now() - csvStarted) / 1000;
    const csvCpu = cpuPerOperation(csvCpuBefore, sampleCpu(pid, server.pid), Math.max(1, csvLines - 1), server.pid !== undefined);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, rssKiB(pid, "VmRSS"));
    const cliAfter = runCli();
    const cliSeconds = (cliBefore.seconds + cliAfter.seconds) / 2;

    await pool.end();
    await http.close();

    const csvRowsPerSecond = (csvLines - 1) / csvSeconds;
    const cliRowsPerSecond = count / cliSeconds;
    const goals: Array<[string, string, boolean]> = [
      ["CSV export peak RSS ≤ 100 MiB", `${(peakRss / 1024).toFixed(0)} MiB`, peakRss / 1024 <= 100],
      ["CSV export speed ≥ 0.5 × mariadb --batch", `${(csvRowsPerSecond / cliRowsPerSecond).toFixed(2)} ×`, csvRowsPerSecond / cliRowsPerSecond >= 0.5],
    ];
    for (const [what, api, driver] of [
      ["first page", apiFirst, driverFirst],
      ["keyset page", apiDeep, driverDeep],
    ] as const) {
      const throughputRatio = api.throughput / driver.throughput;
      const p99Ratio = api.p99 / driver.p99;
      goals.push([`${what}: throughput ≥ 0.5 × driver loop`, `${throughputRatio.toFixed(2)} ×`, throughputRatio >= 0.5]);
      goals.push([`${what}: p99 ≤ 3 × driver loop`, `${p99Ratio.toFixed(2)} ×`, p99Ratio <= 3]);
    }
    const memoryGiB = (totalmem() / 1024 ** 3).toFixed(1);
    const lines = [
      "# cdr-api benchmark",
      "",
      `Measured by \`bench/run.ts\` (\`npm run build && npm run bench\`) on ${new Date().toISOString().slice(0, 10)}.`,
      "",
      "## Machine",
      "",
      `- ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${memoryGiB} GiB memory (${(freemem() / 1024 ** 3).toFixed(1)} GiB free at the end)`,
      `- Node.js ${process.version}, MariaDB ${version} (host mariadbd, 4 GiB buffer pool, data fully cached)`,
      `- ${count.toLocaleString("en-US")} cdr rows (${Number(matching).toLocaleString("en-US")} match the page filter), ${dataMiB} MiB data and indexes, generated in ${generateSeconds.toFixed(0)} s with INSERT … SELECT from the sequence engine`,
      `- Service and database on the same machine over loopback; ${CONCURRENCY} concurrent clients; each page step runs ${DURATION_MS / 1000} s after an unmeasured warm-up of ${WARMUP_MS / 1000} s`,
      `- An API page step and its driver step alternate in ${ROUNDS} slices of ${DURATION_MS / ROUNDS / 1000} s each, so both see the same background load`,
      `- Service started with NODE_OPTIONS="${imageNodeOptions()}" and MALLOC_ARENA_MAX=2, as in the image, at its default log level (info), standard output to /dev/null`,
      `- 1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end: other work on the machine shares the two cores`,
      "",
      "## Goals",
      "",
      "| goal | measured | met |",
      "| --- | ---: | --- |",
      ...goals.map(([goal, measured, met]) => `| ${goal} | ${measured} | ${met ? "yes" : "no"} |`),
      "",
      "Ratios compare rows of this run, measured on the same loaded machine. The page steps and",
      "their driver steps alternate, and `mariadb --batch` runs before and after the CSV export.",
      "",
      "## Filtered page of 50 (site=tabasco, disposition=ANSWERED)",
      "",
      "| what | requests | per second | p50 ms | p99 ms | max ms |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      `| API /api/records, first page | ${format(apiFirst)} |`,
      `| mariadb driver, same SQL, first page | ${format(driverFirst)} |`,
      `| API /api/records, keyset page at row ${depth.toLocaleString("en-US")} | ${format(apiDeep)} |`,
      `| mariadb driver, same SQL, keyset page at row ${depth.toLocaleString("en-US")} | ${format(driverDeep)} |`,
      `| API /api/calls, first page (grouped) | ${format(apiCalls)} |`,
      `| mariadb driver, LIMIT 50 OFFSET ${depth} (contrast) | ${format(driverOffset)} |`,
      `| mariadb driver, unpaged query (${unpagedRows.toLocaleString("en-US")} rows), then slice (contrast) | ${format(driverUnpaged)} |`,
      "",
      "The API numbers include HTTP, authentication, validation, JSON serialisation, one log line",
      "per request and the client's own work: undici's request API over one keep-alive connection",
      "per concurrent client, in the benchmark process, on the same two cores. The driver loop",
      "runs the same SQL through a pool of the same size and builds an object per row.",
      "",
      "CPU per request on the first page, from /proc and process.cpuUsage():",
      "",
      `- API: ${first.apiCpu}`,
      `- driver loop: ${first.driverCpu}`,
      "",
      "Query plan of the keyset page:",
      "",
      "```",
      ...explain.map((row: Record<string, unknown>) => `${row.table} type=${row.type} key=${row.key} rows=${row.rows} Extra=${row.Extra}`),
      "```",
      "",
      "## CSV export of every record",
      "",
      "| what | rows | MiB | seconds | rows per second |",
      "| --- | ---: | ---: | ---: | ---: |",
      `| API /api/records.csv | ${(csvLines - 1).toLocaleString("en-US")} | ${(csvBytes / 1048576).toFixed(0)} | ${csvSeconds.toFixed(1)} | ${((csvLines - 1) / csvSeconds).toFixed(0)} |`,
      ...(
        [
          ["before", cliBefore],
          ["after", cliAfter],
        ] as const
      ).map(
        ([when, cli]) =>
          `| mariadb --batch --quick, same ORDER BY, ${when} the export | ${count.toLocaleString("en-US")} | ${(cli.bytes / 1048576).toFixed(0)} | ${cli.seconds.toFixed(1)} | ${(count / cli.seconds).toFixed(0)} |`,
      ),
      "",
      `The speed goal compares the export with the mean time of the two \`mariadb --batch\` runs (${cliSeconds.toFixed(1)} s, ${(count / cliSeconds).toFixed(0)} rows per second).`,
      "",
      `Service RSS: ${(rssBefore / 1024).toFixed(0)} MiB before the export, peak ${(peakRss / 1024).toFixed(0)} MiB during it (sampled every 20 ms from /proc).`,
      `CPU per exported row: ${csvCpu}. The client reads the body with undici and counts lines with Buffer.indexOf.`,
      "The CSV carries more columns than the client's tab-separated output (UTC and local",
      "time, quoting), so the byte counts differ.",
      "",
      "## Reading the numbers",
      "",
      "- A keyset page reads about `limit` index entries from the cursor on, whatever its depth.",
      "  OFFSET and the unpaged query read every matching row before the page, so their cost",
      "  grows with the depth and with the number of matching rows.",
      "- `/api/calls` runs one anchor query with per-row subqueries on the linkedid index, then",
      "  loads every leg of the page's calls, so it costs several record pages.",
      "- A page through the API costs CPU in three processes (client, service, MariaDB), the",
      "  driver loop in two, and all of them share the two cores. When the cores are busy, the",
      "  throughput ratio is bounded by the ratio of the total CPU per request above.",
      "- The CSV export runs MariaDB's scan and the service's formatting at the same time, each",
      "  on at most one core, so its speed is bounded by the larger of the two CPU costs per row",
      "  above. It streams with backpressure, so its RSS does not grow with the row count.",
      "",
    ];
    writeFileSync(join(__dirname, "RESULTS.md"), lines.join("\n"));
    process.stdout.write(lines.join("\n"));
  } finally {
    if (service !== undefined && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once("exit", resolve));
      service.kill("SIGTERM");
      await exited;
    }
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
