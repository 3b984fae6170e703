// Scripted SIP user agent for cases a softphone cannot produce on demand,
// using sipp 3.6 (Debian package sip-tester) with the scenarios in ./sipp/.

import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { stopChild, trackChild } from "./processes";
import { withTimeout } from "./wait";

const SCENARIO_DIRECTORY = join(__dirname, "sipp");
/** Folder of the RFC 4733 telephone-event captures (payload type 101) that sip-tester ships. */
export const SIPP_PCAP_DIRECTORY = "/usr/share/sip-tester";

export interface SippOptions {
  /** Scenario file, absolute or relative to test/support/phones/sipp/, e.g. `register.xml`. */
  readonly scenario: string;
  /** Target as `address:port`, e.g. `127.0.95.1:5060`. */
  readonly server: string;
  /** Loopback address for SIP and media, e.g. `127.0.95.31`. */
  readonly localAddress: string;
  /** @default 5060 */
  readonly localPort?: number;
  /** Local RTP port for pcap playback. @default 6000 */
  readonly mediaPort?: number;
  /** Value of `-s`: the user to register or the number to call. */
  readonly service: string;
  readonly authUser?: string;
  readonly password?: string;
  /** Scenario variables declared with `<Global variables="…"/>`, passed with `-set`. */
  readonly variables?: Readonly<Record<string, string>>;
  /** Text replacements applied to the scenario before sipp reads it, e.g. `{ "@DTMF_PCAP@": "/path" }`. */
  readonly replacements?: Readonly<Record<string, string>>;
  /** Whole-run limit, in milliseconds; sipp is killed after it. @default 20000 */
  readonly timeoutMs?: number;
}

export interface SippResult {
  /** 0: every call succeeded; 1: at least one failed; 97, 99, 254, 255: see sipp(1). */
  readonly exitCode: number;
  readonly succeeded: boolean;
  /** Status lines of the SIP responses received, in order, e.g. `SIP/2.0 401 Unauthorized`. */
  readonly responses: readonly string[];
  /** Contents of sipp's error file: why a call failed. */
  readonly errors: string;
  readonly output: string;
}

/** Runs one sipp call (`-m 1`) of the scenario and reports how it ended. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const directory = await mkdtemp(join(tmpdir(), "sipp-"));
  try {
    const scenario = join(directory, "scenario.xml");
    let text = await readFile(options.scenario.startsWith("/") ? options.scenario : join(SCENARIO_DIRECTORY, options.scenario), "utf8");
    for (const [placeholder, value] of Object.entries(options.replacements ?? {})) {
      text = text.split(placeholder).join(value);
    }
    await writeFile(scenario, text);

    const errorFile = join(directory, "errors.log");
    const messageFile = join(directory, "messages.log");
    const timeoutSeconds = Math.ceil((options.timeoutMs ?? 20_000) / 1000);
    const args = [
      options.server,
      "-sf", scenario,
      "-i", options.localAddress,
      "-p", String(options.localPort ?? 5060),
      "-mi", options.localAddress,
      "-mp", String(options.mediaPort ?? 6000),
      "-s", options.service,
      "-m", "1",
      "-t", "u1",
      "-timeout", `${timeoutSeconds}s`,
      "-timeout_error",
      // Abort on an unexpected response, but send no BYE for the aborted call: a REGISTER has no dialog.
      "-default_behaviors", "all,-bye",
      "-trace_err", "-error_file", errorFile,
      "-trace_msg", "-message_file", messageFile,
    ];
    if (options.authUser !== undefined) {
      args.push("-au", options.authUser);
    }
    if (options.password !== undefined) {
      args.push("-ap", options.password);
    }
    for (const [name, value] of Object.entries(options.variables ?? {})) {
      args.push("-set", name, value);
    }

    const child = spawn("sipp", args, { stdio: ["ignore", "pipe", "pipe"], cwd: directory });
    trackChild(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : -1)));
    });

    let exitCode: number;
    try {
      // sipp's own -timeout normally ends the run first; this guards against a hung process.
      exitCode = await withTimeout(exited, (timeoutSeconds + 5) * 1000, `sipp ${options.scenario} to finish`);
    } catch (error) {
      await stopChild(child, 1_000);
      throw error;
    }

    const messages = await readFile(messageFile, "utf8").catch(() => "");
    return {
      exitCode,
      succeeded: exitCode === 0,
      responses: receivedStatusLines(messages),
      errors: await readFile(errorFile, "utf8").catch(() => ""),
      output,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export interface SippRegisterOptions {
  readonly server: string;
  readonly localAddress: string;
  readonly localPort?: number;
  readonly user: string;
  readonly password: string;
}

/** Sends REGISTER with digest authentication; `succeeded` is true only for a final 200. */
export function sippRegister(options: SippRegisterOptions): Promise<SippResult> {
  return runSipp({
    scenario: "register.xml",
    server: options.server,
    localAddress: options.localAddress,
    localPort: options.localPort,
    service: options.user,
    authUser: options.user,
    password: options.password,
    timeoutMs: 10_000,
  });
}

export interface SippDtmfCallOptions extends SippRegisterOptions {
  /** Number to call. */
  readonly number: string;
  /** One of 0-9, * or #: the sip-tester capture that is played after the call is answered. */
  readonly digit: string;
  readonly mediaPort?: number;
}

/** Calls `number`, sends `digit` as RFC 4733 telephone-events about 0.5 s after the answer, and hangs up 1.5 s later. */
export function sippCallWithDtmf(options: SippDtmfCallOptions): Promise<SippResult> {
  const captureNames: Record<string, string> = { "*": "star", "#": "pound" };
  if (!/^[0-9*#]$/.test(options.digit)) {
    throw new Error(`invalid DTMF digit "${options.digit}"; sip-tester ships captures for 0-9, * and #`);
  }
  const capture = join(SIPP_PCAP_DIRECTORY, `dtmf_2833_${captureNames[options.digit] ?? options.digit}.pcap`);
  return runSipp({
    scenario: "call-dtmf.xml",
    server: options.server,
    localAddress: options.localAddress,
    localPort: options.localPort,
    mediaPort: options.mediaPort,
    service: options.number,
    authUser: options.user,
    password: options.password,
    variables: { caller: options.user },
    replacements: { "@DTMF_PCAP@": capture },
    timeoutMs: 15_000,
  });
}

/** Extracts the status lines of received responses from a sipp message file. */
function receivedStatusLines(messages: string): string[] {
  const lines = messages.split("\n");
  const statusLines: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    // "Unexpected UDP message received:" repeats a message already logged, so only the
    // first logging ("UDP message received [436] bytes :") counts.
    if (!/message received \[\d+\] bytes/.test(lines[i])) {
      continue;
    }
    const status = lines.slice(i + 1, i + 4).find((line) => line.startsWith("SIP/2.0 "));
    if (status) {
      statusLines.push(status.trim());
    }
  }
  return statusLines;
}
