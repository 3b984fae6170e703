// Writes bench/RESULTS.md from the raw results in bench/results/*.json, with
// the machine's size and the versions of the software that was measured.
//
//   node_modules/.bin/ts-node --transpile-only bench/report.ts

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { toolchainBinDir } from "../test/support/project-copy";
import { BENCH_DIR, machineSize, RESULTS_DIR, type BenchmarkResult, type MachineSize, type ResultRow } from "./lib/results";

/** Benchmarks in the order RESULTS.md shows them; bench/run.sh runs them in the same order. */
const BENCHMARKS = ["deploy-time", "preview", "update", "records", "rebuild", "trunk-capacity", "ci-fresh"] as const;

/**
 * Fresh-machine build times, measured on 2026-12-04 on a machine of this kind
 * (2 cores, 24 GiB). A run of `bench/run.sh --fresh` measures them again.
 */
const EARLIER_FRESH_MACHINE_FIGURES: readonly { readonly step: string; readonly seconds: string }[] = [
  { step: "Pulumi CLI, cold Go build", seconds: "329" },
  { step: "Node.js language host, Go build", seconds: "24" },
  { step: "Debian base image, debootstrap", seconds: "about 60" },
  { step: "PBX image build", seconds: "25" },
];

function commandOutput(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, [...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 }).trim();
  } catch (error) {
    return `unknown (${command} failed: ${(error as Error).message.split("\n")[0]})`;
  }
}

/** Returns the path of the project's pulumi, or plain `pulumi` when the set-up step uses one from PATH. */
function pulumiCommand(): string {
  try {
    return path.join(toolchainBinDir(), "pulumi");
  } catch {
    return "pulumi";
  }
}

/** Returns the version that `sipp -v` prints; sipp 3.6 exits with 99 after printing it. */
function sippVersion(): string {
  const result = spawnSync("sipp", ["-v"], { encoding: "utf8", timeout: 10_000 });
  return /SIPp v[^\s,]+?(?=\.?\s)/.exec(result.stdout ?? "")?.[0] ?? "unknown (sipp -v printed no version)";
}

/** Returns the sum of the results' run times in minutes, which stays right when benchmarks ran at different times. */
function runMinutes(results: readonly BenchmarkResult[]): number {
  const milliseconds = results.reduce((sum, result) => sum + Date.parse(result.finishedAt) - Date.parse(result.startedAt), 0);
  return Math.round(milliseconds / 60_000);
}

function readResults(): Map<string, BenchmarkResult> {
  const results = new Map<string, BenchmarkResult>();
  for (const name of BENCHMARKS) {
    const file = path.join(RESULTS_DIR, `${name}.json`);
    if (fs.existsSync(file)) {
      results.set(name, JSON.parse(fs.readFileSync(file, "utf8")) as BenchmarkResult);
    }
  }
  return results;
}

function formatValue(row: ResultRow): string {
  if (row.value === null) {
    return "not measured";
  }
  if (typeof row.value === "boolean") {
    return row.value ? "yes" : "no";
  }
  return row.unit ? `${row.value} ${row.unit}` : String(row.value);
}

function formatGoal(row: ResultRow): string {
  if (row.goal === undefined) {
    return "";
  }
  if (row.goalMet === true) {
    return `${row.goal} (met)`;
  }
  if (row.goalMet === false) {
    return `${row.goal} (not met)`;
  }
  return `${row.goal} (unknown)`;
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** Escapes the characters that would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function describeSource(result: BenchmarkResult): string {
  if (result.source === undefined) {
    return "an unrecorded commit";
  }
  const { commit, uncommittedFiles } = result.source;
  if (uncommittedFiles === 0) {
    return `commit ${commit}`;
  }
  return `commit ${commit} plus ${uncommittedFiles} uncommitted files in the working tree`;
}

function describeMachine(machine: MachineSize): string {
  return `${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}`;
}

/**
 * Returns the section of benchmark `name` in the page written earlier, or undefined. The raw
 * results are not committed, so on another checkout the page itself keeps the earlier runs.
 */
function earlierSection(earlierPage: string, name: string): string[] | undefined {
  const lines = earlierPage.split("\n");
  const start = lines.findIndex((line) => line.startsWith("## ") && line.endsWith(`(\`bench/${name}.ts\`)`));
  if (start === -1) {
    return undefined;
  }
  const next = lines.findIndex((line, index) => index > start && line.startsWith("## "));
  const machine = earlierMachine(earlierPage);
  return lines
    .slice(start, next === -1 ? lines.length : next)
    .map((line) =>
      line.startsWith("Run ") && !line.includes(", on a machine with ") && machine !== undefined
        ? line.replace(/\. Load average/, `, on a machine with ${machine}. Load average`)
        : line,
    );
}

/** Returns the machine that the earlier page's table names, as describeMachine writes it. */
function earlierMachine(earlierPage: string): string | undefined {
  const row = (label: RegExp) => earlierPage.split("\n").find((line) => label.test(line))?.split("|")[2]?.trim();
  const cores = row(/^\| cores\b/);
  const memory = row(/^\| memory \|/);
  const cpuModel = row(/^\| CPU model\b/);
  if (cores === undefined || memory === undefined || cpuModel === undefined) {
    return undefined;
  }
  return `${cores} cores, ${memory}, ${cpuModel}`;
}

function benchmarkSection(name: string, result: BenchmarkResult | undefined, earlierPage: string): string[] {
  if (result === undefined) {
    return (
      earlierSection(earlierPage, name) ?? [
        `## ${name}`,
        "",
        `No result: bench/results/${name}.json is missing, so the last run of this benchmark failed or never ran.`,
        "",
      ]
    );
  }
  const lines = [
    `## ${result.title} (\`bench/${result.name}.ts\`)`,
    "",
    result.description,
    "",
    `Run ${formatTime(result.startedAt)} to ${formatTime(result.finishedAt)} on ${describeSource(result)}` +
      (result.machine === undefined ? ". " : `, on a machine with ${describeMachine(result.machine)}. `) +
      `Load average (1, 5, 15 min) ${result.loadAverage.start.join(", ")} at the start and ` +
      `${result.loadAverage.end.join(", ")} at the end.`,
    "",
    "| measure | value | goal |",
    "|---|---|---|",
    ...result.rows.map((row) => `| ${cell(row.measure)} | ${cell(formatValue(row))} | ${cell(formatGoal(row))} |`),
    "",
  ];
  for (const note of result.notes) {
    lines.push(`Note: ${note}`, "");
  }
  lines.push(`Every sample: \`bench/results/${result.name}.json\`.`, "");
  return lines;
}

function main(): void {
  const results = readResults();
  const machine = machineSize();
  const file = path.join(BENCH_DIR, "RESULTS.md");
  const earlierPage = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const keptEarlier = BENCHMARKS.some((name) => !results.has(name) && earlierSection(earlierPage, name) !== undefined);
  const asterisk = [...results.values()].map((result) => result.software.asterisk).find((value) => value !== undefined);

  const lines = [
    "# Deployment benchmarks",
    "",
    `Written ${formatTime(new Date().toISOString())} by \`bash bench/run.sh\` (also \`npm run bench\`). Each section ` +
      "comes from the last run of its benchmark, which may be an earlier run than the others; its commit, time and " +
      "load are in the section, and `bash bench/run.sh <name>` runs it again. The deployment benchmarks deploy the real `mochis` stack from private copies of the project, each " +
      "on its own file backend, so no container named `inova-mochis-pbx` may exist while they run. The trunk capacity " +
      "benchmark deploys nothing: it starts test PBXs from the same image." +
      (results.size > 0 && !keptEarlier ? ` The benchmarks below ran for ${runMinutes([...results.values()])} minutes in all.` : "") +
      (keptEarlier ? " Sections whose raw results are not on this machine are kept from the page as it was written before." : ""),
    "",
    "## Machine and software",
    "",
    "| | |",
    "|---|---|",
    `| cores | ${machine.cores} |`,
    `| memory | ${machine.memoryGiB} GiB |`,
    `| CPU model (/proc/cpuinfo) | ${cell(machine.cpuModel)} |`,
    `| Pulumi CLI | ${cell(commandOutput(pulumiCommand(), ["version"]))} |`,
    `| Docker engine | ${cell(commandOutput("docker", ["version", "--format", "{{.Server.Version}}"]))} |`,
    `| Asterisk | ${cell(asterisk ?? "unknown (no benchmark recorded it)")} |`,
    `| Node.js | ${process.version} |`,
    `| sipp | ${cell(sippVersion())} |`,
    "",
    "The machine may be shared with other work while the benchmarks run. The load averages in each section " +
      "show how busy it was, and timings taken under a load above the core count are noisy.",
    "",
  ];
  for (const name of BENCHMARKS) {
    lines.push(...benchmarkSection(name, results.get(name), earlierPage));
  }
  lines.push(
    "## Records API (`services/cdr-api/bench/run.ts`)",
    "",
    "The records API has its own benchmark on 1,000,000 generated records: pages of 50 and the CSV export " +
      "against the mariadb driver and `mariadb --batch`, with a table of its goals. Run it with " +
      "`npm run build && npm run bench` in services/cdr-api; it writes " +
      "[services/cdr-api/bench/RESULTS.md](../services/cdr-api/bench/RESULTS.md).",
    "",
  );

  lines.push(
    "## Fresh machine (earlier measurement)",
    "",
    "Measured on 2026-12-04 on a machine of this kind (2 cores, 24 GiB) and not by the run above, because a " +
      "fresh build keeps both cores busy for minutes. `bash bench/run.sh --fresh` measures it again, with an empty " +
      "cache directory, an empty Go build cache and a new base image tag, and adds the figures to the deploy time table.",
    "",
    "| step | time |",
    "|---|---|",
    ...EARLIER_FRESH_MACHINE_FIGURES.map((figure) => `| ${figure.step} | ${figure.seconds} s |`),
    "",
  );

  fs.writeFileSync(file, lines.join("\n"));
  process.stderr.write(`bench: wrote ${file}\n`);
}

main();
