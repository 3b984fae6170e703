// One run of sipp 3.6 (Debian package sip-tester) for the call benchmarks: the
// options that every benchmark scenario shares, the guard against a sipp that
// never exits, and the statistics and errors that it leaves behind.

import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";

import { readFinalStats, readOptional } from "./sipp-output";

export interface SippRunOptions {
  /** Temporary directory for the run's files and sipp's working directory. It is removed once sipp exits. */
  readonly directory: string;
  /** Remote address first, then the options of the scenario: scenario file, addresses, numbers, call counts and rates. */
  readonly args: readonly string[];
  /** sipp's -timeout for the whole run, in seconds. */
  readonly timeoutSeconds: number;
  /** Seconds between two lines of the statistics file (-fd). */
  readonly statisticsIntervalSeconds: number;
  /** Characters kept from the end of sipp's standard error. */
  readonly stderrCharacters: number;
}

/** Outcome of a finished sipp run: its exit code, final call counts and errors. */
export interface SippExit {
  /** sipp's exit code: 0 when every call succeeded, 1 when at least one failed, 128 when a signal ended it. */
  readonly exitCode: number;
  /** Calls that ran the whole scenario (sipp's SuccessfulCall). */
  readonly successful: number;
  /** Calls that sipp aborted (sipp's FailedCall). */
  readonly failed: number;
  /** sipp's error file followed by the kept end of its standard error. */
  readonly errors: string;
}

/** A running sipp process and the promise of its result. */
export interface SippRun<T> {
  readonly child: ChildProcess;
  readonly result: Promise<T>;
}

/**
 * Starts sipp over UDP with `options.args` and returns at once. When sipp exits,
 * `summarize` receives its outcome and may read more files from the directory
 * before it is removed. `result` settles with what `summarize` returns.
 */
export function runSipp<T>(options: SippRunOptions, summarize: (exit: SippExit) => T): SippRun<T> {
  const { directory, timeoutSeconds } = options;
  const errorFile = join(directory, "errors.log");
  const statFile = join(directory, "stats.csv");
  const args = [
    ...options.args,
    "-t", "u1",
    // Reply 200 to OPTIONS, INFO, NOTIFY and UPDATE, so that only a BYE or an error aborts a call.
    "-aa",
    "-nostdin",
    "-timeout", `${timeoutSeconds}s`,
    "-timeout_error",
    "-trace_err", "-error_file", errorFile,
    "-trace_stat", "-stf", statFile,
    "-fd", String(options.statisticsIntervalSeconds),
  ];
  const child = spawn("sipp", args, { cwd: directory, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-options.stderrCharacters)));

  const result = new Promise<T>((resolve, reject) => {
    // Kills a sipp that outlives its own -timeout by more than a minute.
    const guard = setTimeout(() => child.kill("SIGKILL"), (timeoutSeconds + 60) * 1000);
    child.once("error", (error) => {
      clearTimeout(guard);
      rmSync(directory, { recursive: true, force: true });
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(guard);
      try {
        const stats = readFinalStats(statFile);
        resolve(
          summarize({
            exitCode: code ?? (signal !== null ? 128 : -1),
            successful: stats.successful,
            failed: stats.failed,
            errors: `${readOptional(errorFile)}${stderr}`,
          }),
        );
      } catch (error) {
        reject(error);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
  });
  return { child, result };
}
