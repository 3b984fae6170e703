// Concurrent authenticated calls that stay up for a fixed time, made by one
// sipp 3.6 process (Debian package sip-tester) with bench/sipp/held-call.xml.

import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BENCH_DIR } from "./results";
import { readOptional } from "./sipp-output";
import { runSipp } from "./sipp-run";

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
  /** sipp's error file followed by the last 8,000 characters of its standard error. */
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
  const messageFile = join(directory, "messages.log");
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
    "-trace_msg", "-message_file", messageFile,
  ];
  return runSipp(
    { directory, args, timeoutSeconds: options.holdSeconds + 60, statisticsIntervalSeconds: 5, stderrCharacters: 8_000 },
    (exit): HeldCallsResult => {
      const messages = readReceivedMessages(messageFile);
      return {
        ...exit,
        established: messages.filter((m) => m.startLine.startsWith("SIP/2.0 200") && m.cseq === "2 INVITE").length,
        byesFromPbx: messages.filter((m) => m.startLine.startsWith("BYE ")).length,
        byeResponses: messages.filter((m) => m.startLine.startsWith("SIP/2.0 200") && m.cseq === "3 BYE").length,
      };
    },
  );
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
