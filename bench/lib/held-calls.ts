// Concurrent authenticated calls that stay up for a fixed time, made by one
// sipp 3.6 process (Debian package sip-tester) with bench/sipp/held-call.xml.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BENCH_DIR } from "./results";
import { readFinalStats, readOptional } from "./sipp-output";

const SCENARIO = join(BENCH_DIR, "sipp", "held-call.xml");

export interface HeldCallsOptions {
  /** PBX as `address:port`, e.g. `127.0.81.1:5060`. */
  readonly server: string;
  /** Loopback address sipp binds for SIP and media. */
  readonly localAddress: string;
  /** Extension that calls and authenticates. */
  readonly user: string;
  readonly password: string;
  /** Number to call. */
  readonly number: string;
  /** Calls started at once, each one held; they all run at the same time. */
  readonly calls: number;
  /** Seconds between each call's ACK and its BYE. */
  readonly holdSeconds: number;
}

export interface HeldCallsResult {
  /** sipp's exit code: 0 when every call succeeded, 1 when at least one failed. */
  readonly exitCode: number;
  /** Calls that ran the whole scenario, including a 200 response to their BYE (sipp's SuccessfulCall). */
  readonly successful: number;
  /** Calls that sipp aborted (sipp's FailedCall): an unexpected message such as a BYE from the PBX, a timeout or an error response. */
  readonly failed: number;
  /** 200 responses to the authenticated INVITEs: calls that were established. */
  readonly established: number;
  /** BYE requests that the PBX sent. */
  readonly byesFromPbx: number;
  /** 200 responses to the BYEs that sipp sent. */
  readonly byeResponses: number;
  /** Contents of sipp's error file. */
  readonly errors: string;
}

/** A running sipp process and the promise of its result. */
export interface HeldCalls {
  readonly child: ChildProcess;
  readonly result: Promise<HeldCallsResult>;
}

/** Starts the calls and returns at once; `result` settles when sipp exits. */
export function startHeldCalls(options: HeldCallsOptions): HeldCalls {
  const directory = mkdtempSync(join(tmpdir(), "inova-bench-sipp-"));
  const errorFile = join(directory, "errors.log");
  const messageFile = join(directory, "messages.log");
  const statFile = join(directory, "stats.csv");
  const timeoutSeconds = options.holdSeconds + 60;

  const args = [
    options.server,
    "-sf", SCENARIO,
    "-i", options.localAddress,
    "-p", "5060",
    "-mi", options.localAddress,
    "-mp", "6000",
    "-s", options.number,
    "-au", options.user,
    "-ap", options.password,
    "-set", "caller", options.user,
    "-m", String(options.calls),
    "-l", String(options.calls),
    "-r", String(options.calls),
    "-d", String(options.holdSeconds * 1000),
    "-t", "u1",
    // Reply 200 to OPTIONS, INFO, NOTIFY and UPDATE, so that only a BYE or an error aborts a call.
    "-aa",
    "-nostdin",
    "-timeout", `${timeoutSeconds}s`,
    "-timeout_error",
    "-trace_err", "-error_file", errorFile,
    "-trace_msg", "-message_file", messageFile,
    "-trace_stat", "-stf", statFile,
    "-fd", "5",
  ];
  const child = spawn("sipp", args, { cwd: directory, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-8_000)));

  const result = new Promise<HeldCallsResult>((resolve, reject) => {
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
        const messages = readReceivedMessages(messageFile);
        resolve({
          exitCode: code ?? (signal !== null ? 128 : -1),
          successful: stats.successful,
          failed: stats.failed,
          established: messages.filter((m) => m.startLine.startsWith("SIP/2.0 200") && m.cseq === "2 INVITE").length,
          byesFromPbx: messages.filter((m) => m.startLine.startsWith("BYE ")).length,
          byeResponses: messages.filter((m) => m.startLine.startsWith("SIP/2.0 200") && m.cseq === "3 BYE").length,
          errors: `${readOptional(errorFile)}${stderr}`,
        });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
  });
  return { child, result };
}

interface ReceivedMessage {
  /** Request line or status line, e.g. `BYE sip:…` or `SIP/2.0 200 OK`. */
  readonly startLine: string;
  /** Value of the CSeq header, e.g. `2 INVITE`. */
  readonly cseq: string;
}

/** Parses the messages that sipp logged as received; each entry starts with a dashed line and "… message received". */
function readReceivedMessages(file: string): ReceivedMessage[] {
  const entries = readOptional(file).split(/^-{10,}.*$/m);
  const messages: ReceivedMessage[] = [];
  for (const entry of entries) {
    const lines = entry.split("\n").map((line) => line.trim());
    // "Unexpected UDP message received:" repeats a message already logged.
    const header = lines.findIndex((line) => /message received \[\d+\] bytes/.test(line));
    if (header < 0) {
      continue;
    }
    const body = lines.slice(header + 1).filter((line) => line !== "");
    const cseq = body.find((line) => /^CSeq:/i.test(line))?.replace(/^CSeq:\s*/i, "") ?? "";
    messages.push({ startLine: body[0] ?? "", cseq });
  }
  return messages;
}
