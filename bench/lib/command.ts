// Runs commands for the benchmarks and times them with a monotonic clock.

import { spawn } from "node:child_process";

export interface TimedRunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The child gets SIGTERM after this many milliseconds. @default 900000 */
  readonly timeoutMs?: number;
  /**
   * Patterns matched against each line of standard error as it arrives. The
   * result reports, per pattern, the seconds from the start to the first
   * matching line, so one command's phases can be timed from its log.
   */
  readonly marks?: Readonly<Record<string, RegExp>>;
}

export interface TimedRunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, in seconds. */
  readonly seconds: number;
  /** Seconds from the start to the first line matching each pattern in `marks`; a pattern that never matched is absent. */
  readonly markSeconds: Readonly<Record<string, number>>;
}

/** Returns seconds elapsed since `startNs`, a value of `process.hrtime.bigint()`. */
export function secondsSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

/** Runs a command to completion and times it; resolves with any exit code and rejects only on a spawn error or a timeout. */
export function runTimed(command: string, args: readonly string[], options: TimedRunOptions): Promise<TimedRunResult> {
  return new Promise((resolve, reject) => {
    const startNs = process.hrtime.bigint();
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const markSeconds: Record<string, number> = {};
    let stdout = "";
    let stderr = "";
    let pendingLine = "";

    const matchMarks = (line: string, seconds: number) => {
      for (const [name, pattern] of Object.entries(options.marks ?? {})) {
        if (markSeconds[name] === undefined && pattern.test(line)) {
          markSeconds[name] = seconds;
        }
      }
    };

    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stderr += text;
      const seconds = secondsSince(startNs);
      const lines = (pendingLine + text).split("\n");
      pendingLine = lines.pop() ?? "";
      lines.forEach((line) => matchMarks(line, seconds));
    });

    const timeoutMs = options.timeoutMs ?? 900_000;
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`${command} ${args.join(" ")} timed out after ${timeoutMs} ms\n${tail(stdout)}\n${tail(stderr)}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = secondsSince(startNs);
      matchMarks(pendingLine, seconds);
      resolve({ code: code ?? (signal !== null ? 128 : -1), stdout, stderr, seconds, markSeconds });
    });
  });
}

/** Runs a command like `runTimed` and throws with its output when it exits non-zero. */
export async function runChecked(command: string, args: readonly string[], options: TimedRunOptions): Promise<TimedRunResult> {
  const result = await runTimed(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.code}\n${tail(result.stdout)}\n${tail(result.stderr)}`);
  }
  return result;
}

/** Returns the last `length` characters of a command's output, for error messages. */
export function tail(text: string, length = 4_000): string {
  return text.length <= length ? text : `…${text.slice(-length)}`;
}
