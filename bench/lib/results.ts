// Raw results of one benchmark, written to bench/results/<name>.json and
// turned into bench/RESULTS.md by bench/report.ts.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const BENCH_DIR = path.resolve(__dirname, "..");
export const RESULTS_DIR = path.join(BENCH_DIR, "results");

/** One line of a benchmark's table in RESULTS.md. */
export interface ResultRow {
  readonly measure: string;
  readonly value: number | string | boolean | null;
  /** Unit of `value`, e.g. `s`; absent for counts, ratios and yes/no values. */
  readonly unit?: string;
  /** Target for the value, e.g. `≤ 1.25`; absent for a value with no goal. */
  readonly goal?: string;
  /** Whether `value` meets `goal`; null when the run could not tell. */
  readonly goalMet?: boolean | null;
}

export interface BenchmarkResult {
  readonly name: string;
  readonly title: string;
  /** Method of the benchmark in one or two sentences, for RESULTS.md. */
  readonly description: string;
  /** ISO 8601 start and end of the run. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** 1-, 5- and 15-minute load averages at the start and at the end of the run. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  /**
   * Commit of the repository and the number of files that differ from it. The
   * benchmarks copy the working tree, so uncommitted changes are part of what they measure.
   */
  readonly source: { readonly commit: string; readonly uncommittedFiles: number };
  /** Versions read while the benchmark ran, e.g. `{ asterisk: "Asterisk 22.6.0" }`. */
  readonly software: Readonly<Record<string, string>>;
  /** Size of the machine that ran the benchmark; results written before it was recorded lack it. */
  readonly machine?: MachineSize;
  readonly rows: readonly ResultRow[];
  /** Facts a reader needs next to the table, e.g. which measurement was invalid. */
  readonly notes: readonly string[];
  /** Every sample and intermediate value, for checking the table. */
  readonly raw: unknown;
}

/** Cores, memory and CPU model of a machine, as RESULTS.md shows them. */
export interface MachineSize {
  readonly cores: number;
  readonly memoryGiB: string;
  readonly cpuModel: string;
}

/** Returns the size of this machine. */
export function machineSize(): MachineSize {
  const meminfo = fs.readFileSync("/proc/meminfo", "utf8");
  const memoryKiB = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? NaN);
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  return {
    cores: os.availableParallelism(),
    memoryGiB: Number.isNaN(memoryKiB) ? "unknown" : (memoryKiB / 1024 / 1024).toFixed(1),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? "unknown",
  };
}

/** Collects a benchmark's measurements between its start and `write`. */
export class ResultRecorder {
  private readonly startedAt = new Date();
  private readonly loadAtStart = os.loadavg();
  private readonly rows: ResultRow[] = [];
  private readonly notes: string[] = [];
  private readonly software: Record<string, string> = {};
  private readonly source = readSourceState();

  constructor(
    private readonly name: string,
    private readonly title: string,
    private readonly description: string,
  ) {}

  row(row: ResultRow): void {
    this.rows.push(row);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  version(name: string, value: string): void {
    this.software[name] = value;
  }

  /** Writes bench/results/<name>.json and returns its path. */
  write(raw: unknown): string {
    const result: BenchmarkResult = {
      name: this.name,
      title: this.title,
      description: this.description,
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      loadAverage: { start: round(this.loadAtStart), end: round(os.loadavg()) },
      source: this.source,
      software: this.software,
      machine: machineSize(),
      rows: this.rows,
      notes: this.notes,
      raw,
    };
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${this.name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    return file;
  }
}

function readSourceState(): { commit: string; uncommittedFiles: number } {
  const git = (args: string[]) => execFileSync("git", args, { cwd: path.dirname(BENCH_DIR), encoding: "utf8" });
  try {
    const changed = git(["status", "--porcelain", "--untracked-files=all"])
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.slice(3).startsWith("bench/results/"));
    return { commit: git(["rev-parse", "--short", "HEAD"]).trim(), uncommittedFiles: changed.length };
  } catch {
    return { commit: "unknown (not a git checkout)", uncommittedFiles: 0 };
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new Error("median of an empty list");
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Rounds to `digits` decimals, for values written to the results. */
export function roundTo(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function round(values: readonly number[]): number[] {
  return values.map((value) => roundTo(value));
}

/** Prints a progress line on standard error, prefixed with the benchmark's name. */
export function progress(name: string, message: string): void {
  process.stderr.write(`bench ${name}: ${message}\n`);
}
