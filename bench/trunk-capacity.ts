// Trunk capacity: the largest number of concurrent calls that a PJSIP trunk
// between two sites carries before call setup or audio fails. It is measured on
// the sites as the project renders them (mochis calling tabasco's IVR) and on a
// bare Asterisk pair of the same image (see lib/trunk-pairs.ts). Goal: the
// project's capacity is at least 0.9 times the bare pair's.
//
//   node_modules/.bin/ts-node --transpile-only bench/trunk-capacity.ts [--max-calls N]
//
// Each step places N calls with one sipp process at 20 new calls per second.
// The calls play a PCMU tone to the called side, which plays a tone back. The
// ramp is 5, 10, 20, 40, 80, 160, 240 and 300 calls (--max-calls, default 300,
// lowers the upper bound), then bisection between the last step that passed and
// the first that failed, to within 5 % of the passed value.
// Prints progress on standard error and writes bench/results/trunk-capacity.json.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import buildTestImages from "../test/support/global-setup";
import type { AsteriskContainer } from "../test/support/phones/asterisk-container";
import { secondsSince } from "./lib/command";
import { progress, ResultRecorder, roundTo } from "./lib/results";
import { channelRtpStats, PACKETS_PER_SECOND, startTrunkCalls, writeAudioCapture, type ChannelRtpStats, type TrunkCallsResult } from "./lib/trunk-calls";
import {
  CALLED_NUMBER,
  CALLER_ADDRESS,
  CALLER_MEDIA_PORT,
  BENCH_EXTENSIONS,
  MAX_PAIR_CALLS,
  startBarePair,
  startProjectPair,
  writeCalledTone,
  type TrunkPair,
} from "./lib/trunk-pairs";

const NAME = "trunk-capacity";
const RAMP = [5, 10, 20, 40, 80, 160, 240, 300];
const CALLS_PER_SECOND = 20;
/** Seconds after the last call's setup before the first RTP sample, so that every call has audio flowing. */
const SETTLE_SECONDS = 3;
/** Seconds between the two RTP samples of a step. */
const WINDOW_SECONDS = 5;
/** A trunk channel whose packet count grew by less than this share of the expected packets in the window has failed audio. */
const MIN_RECEIVED_SHARE = 0.8;
/** Bisection stops when the failed and the passed value are at most this share of the passed value apart. */
const BISECT_RESOLUTION = 0.05;
/** Seconds of the caller's tone; longer than the longest hold. */
const CALLER_AUDIO_SECONDS = 60;
const GOAL_RATIO = 0.9;
/** Seconds that waitUntilIdle waits for channels to end by themselves. */
const HANGUP_AFTER_SECONDS = 30;

interface StepResult {
  readonly calls: number;
  readonly passed: boolean;
  /** Reasons for a failed step; empty when it passed. */
  readonly reasons: readonly string[];
  readonly sipp: TrunkCallsResult;
  /** Trunk channels on the calling and the called PBX in the second RTP sample. */
  readonly trunkChannels: { readonly calling: number; readonly called: number };
  /** Trunk channels whose received packets grew by less than MIN_RECEIVED_SHARE of the expected count, per PBX. */
  readonly audioFailures: { readonly calling: number; readonly called: number };
  /** Lowest received share among the trunk channels of both PBXs, or null when there was none. */
  readonly lowestReceivedShare: number | null;
  readonly windowSeconds: number;
  readonly codecs: readonly string[];
  /** Channels of the called PBX by the dialplan application they were in at the second sample, e.g. `{ Background: 20 }`. */
  readonly calledApplications: Readonly<Record<string, number>>;
}

interface PairMeasurement {
  readonly label: string;
  /** Largest step that passed; 0 when the first step failed. */
  readonly capacity: number;
  /** No step failed up to the upper bound, so the capacity is at least `capacity`. */
  readonly reachedUpperBound: boolean;
  readonly steps: readonly StepResult[];
}

function maxCallsFromArguments(argv: readonly string[]): number {
  const index = argv.indexOf("--max-calls");
  if (index < 0) {
    return RAMP[RAMP.length - 1];
  }
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAIR_CALLS) {
    throw new Error(`invalid --max-calls "${argv[index + 1]}": use a whole number of calls from 1 to ${MAX_PAIR_CALLS}`);
  }
  return value;
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

async function channelCount(asterisk: AsteriskContainer): Promise<number> {
  const output = await asterisk.cli("core show channels count");
  const match = /(\d+) active channels?/.exec(output);
  if (match === null) {
    throw new Error(`${asterisk.name}: "core show channels count" printed no channel count: ${output}`);
  }
  return Number(match[1]);
}

/**
 * Waits until neither PBX of the pair has a channel left from an earlier step.
 * Channels still up after HANGUP_AFTER_SECONDS, e.g. of calls that sipp aborted
 * without a BYE, are hung up with `channel request hangup all`.
 */
async function waitUntilIdle(pair: TrunkPair, timeoutSeconds = 120): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const hangupAt = Date.now() + HANGUP_AFTER_SECONDS * 1000;
  let hungUp = false;
  for (;;) {
    const counts = [await channelCount(pair.calling), await channelCount(pair.called)];
    if (counts.every((count) => count === 0)) {
      return;
    }
    if (!hungUp && Date.now() >= hangupAt) {
      progress(NAME, `${pair.label}: hanging up ${counts.join(" and ")} channels left from the last step`);
      await pair.calling.cli("channel request hangup all");
      await pair.called.cli("channel request hangup all");
      hungUp = true;
    }
    if (Date.now() >= deadline) {
      throw new Error(`the ${pair.label} pair still has ${counts.join(" and ")} channels ${timeoutSeconds} s after the calls ended`);
    }
    await sleep(1);
  }
}

/** Waits until both PBXs have `calls` trunk channels, sipp has exited or `timeoutSeconds` have passed. */
async function waitForTrunkChannels(pair: TrunkPair, calls: number, sippDone: () => boolean, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline && !sippDone()) {
    const calling = await channelRtpStats(pair.calling, pair.trunkChannelPrefix);
    const called = await channelRtpStats(pair.called, pair.trunkChannelPrefix);
    if (calling.length >= calls && called.length >= calls) {
      return;
    }
    await sleep(1);
  }
}

/**
 * Returns how many channels received less than MIN_RECEIVED_SHARE of `expected`
 * packets between two samples, and the lowest share. Channels pair up by
 * position because the samples are sorted but the names are cut. When the number
 * of channels changed, calls ended or started during the window, so every
 * channel counts as failed.
 */
function audioShortfall(first: readonly ChannelRtpStats[], second: readonly ChannelRtpStats[], expected: number): { failures: number; lowestShare: number | null } {
  if (first.length !== second.length) {
    return { failures: Math.max(first.length, second.length), lowestShare: null };
  }
  let failures = 0;
  let lowestShare: number | null = null;
  second.forEach((stats, index) => {
    const share = (stats.receivedPackets - first[index].receivedPackets) / expected;
    lowestShare = lowestShare === null ? share : Math.min(lowestShare, share);
    if (share < MIN_RECEIVED_SHARE) {
      failures++;
    }
  });
  return { failures, lowestShare };
}

/** Counts the called PBX's channels by their current dialplan application, from `core show channels concise`. */
async function applicationCounts(asterisk: AsteriskContainer): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const line of (await asterisk.cli("core show channels concise")).split("\n")) {
    // Channel!Context!Extension!Priority!State!Application!Data!…
    const application = line.split("!")[5];
    if (application !== undefined && application !== "") {
      counts[application] = (counts[application] ?? 0) + 1;
    }
  }
  return counts;
}

async function sampleBoth(pair: TrunkPair): Promise<{ calling: ChannelRtpStats[]; called: ChannelRtpStats[]; at: bigint }> {
  const [calling, called] = await Promise.all([channelRtpStats(pair.calling, pair.trunkChannelPrefix), channelRtpStats(pair.called, pair.trunkChannelPrefix)]);
  return { calling, called, at: process.hrtime.bigint() };
}

async function measureStep(pair: TrunkPair, calls: number, audioCapture: string): Promise<StepResult> {
  await waitUntilIdle(pair);
  const setupSeconds = Math.ceil(calls / CALLS_PER_SECOND);
  const holdSeconds = setupSeconds + SETTLE_SECONDS + WINDOW_SECONDS + 5;
  const run = startTrunkCalls({
    server: pair.callingServer,
    localAddress: CALLER_ADDRESS,
    mediaPort: CALLER_MEDIA_PORT,
    number: CALLED_NUMBER,
    callers: pair.callers,
    calls,
    callsPerSecond: CALLS_PER_SECOND,
    holdSeconds,
    audioCapture,
  });
  let sippDone = false;
  const sippResult = run.result.finally(() => (sippDone = true));

  let first: Awaited<ReturnType<typeof sampleBoth>>;
  let second: Awaited<ReturnType<typeof sampleBoth>>;
  let calledApplications: Record<string, number>;
  try {
    await waitForTrunkChannels(pair, calls, () => sippDone, setupSeconds + 10);
    await sleep(SETTLE_SECONDS);
    first = await sampleBoth(pair);
    await sleep(WINDOW_SECONDS);
    second = await sampleBoth(pair);
    calledApplications = await applicationCounts(pair.called);
  } catch (error) {
    run.stop();
    await sippResult.catch(() => undefined);
    throw error;
  }
  const sipp = await sippResult;

  const windowSeconds = Number(second.at - first.at) / 1e9;
  const expected = PACKETS_PER_SECOND * windowSeconds;
  const calling = audioShortfall(first.calling, second.calling, expected);
  const called = audioShortfall(first.called, second.called, expected);
  const shares = [calling.lowestShare, called.lowestShare].filter((share): share is number => share !== null);

  const reasons: string[] = [];
  if (sipp.failed > 0 || sipp.successful < calls) {
    reasons.push(`sipp: ${sipp.successful} of ${calls} calls completed, ${sipp.failed} failed`);
  }
  if (second.calling.length < calls || second.called.length < calls) {
    reasons.push(`trunk channels during the sample: ${second.calling.length} calling, ${second.called.length} called, expected ${calls} each`);
  }
  if (calling.failures + called.failures > 0) {
    reasons.push(`audio: ${calling.failures} calling and ${called.failures} called trunk channels received less than ${MIN_RECEIVED_SHARE * 100} % of the expected packets`);
  }
  return {
    calls,
    passed: reasons.length === 0,
    reasons,
    sipp,
    trunkChannels: { calling: second.calling.length, called: second.called.length },
    audioFailures: { calling: calling.failures, called: called.failures },
    lowestReceivedShare: shares.length === 0 ? null : roundTo(Math.min(...shares), 3),
    windowSeconds: roundTo(windowSeconds, 2),
    codecs: [...new Set([...second.calling, ...second.called].map((stats) => stats.codec))],
    calledApplications,
  };
}

/** Ramps the calls up to `maxCalls`, then bisects between the last passed and the first failed step. */
async function measurePair(pair: TrunkPair, maxCalls: number, audioCapture: string): Promise<PairMeasurement> {
  const steps: StepResult[] = [];
  const step = async (calls: number): Promise<boolean> => {
    const result = await measureStep(pair, calls, audioCapture);
    steps.push(result);
    const outcome = result.passed ? "passed" : `failed (${result.reasons.join("; ")})`;
    progress(NAME, `${pair.label}: ${calls} calls ${outcome}; lowest received share ${result.lowestReceivedShare ?? "none"}`);
    if (!result.passed && result.sipp.errors.trim() !== "") {
      progress(NAME, `sipp errors, first lines:\n${result.sipp.errors.slice(0, 1_500)}`);
    }
    return result.passed;
  };

  const ramp = [...RAMP.filter((calls) => calls < maxCalls), maxCalls];
  let passed = 0;
  let failed: number | undefined;
  for (const calls of ramp) {
    if (await step(calls)) {
      passed = calls;
    } else {
      failed = calls;
      break;
    }
  }
  while (failed !== undefined && failed - passed > Math.max(1, Math.floor(passed * BISECT_RESOLUTION))) {
    const middle = Math.floor((passed + failed) / 2);
    if (await step(middle)) {
      passed = middle;
    } else {
      failed = middle;
    }
  }
  return { label: pair.label, capacity: passed, reachedUpperBound: failed === undefined, steps };
}

async function measure(label: string, start: () => Promise<TrunkPair>, maxCalls: number, audioCapture: string, recorder: ResultRecorder): Promise<PairMeasurement> {
  progress(NAME, `starting the ${label} pair`);
  const startedNs = process.hrtime.bigint();
  const pair = await start();
  progress(NAME, `${label} pair ready after ${roundTo(secondsSince(startedNs), 1)} s`);
  try {
    if (label === "project") {
      recorder.version("asterisk", (await pair.calling.exec(["asterisk", "-V"])).stdout.trim());
    }
    return await measurePair(pair, maxCalls, audioCapture);
  } finally {
    await pair.stop();
  }
}

function capacityText(measurement: PairMeasurement): string {
  return measurement.reachedUpperBound ? `${measurement.capacity} or more` : String(measurement.capacity);
}

/** Describes the smallest failed step of a pair and why it failed, for the results table. */
function firstFailureText(measurement: PairMeasurement): string {
  const failed = measurement.steps.filter((step) => !step.passed).sort((a, b) => a.calls - b.calls)[0];
  return failed === undefined ? "none" : `${failed.calls} calls: ${failed.reasons.join("; ")}`;
}

async function main(): Promise<void> {
  const maxCalls = maxCallsFromArguments(process.argv.slice(2));
  // The same image builds as the tests run; the Docker layer cache makes it a few seconds.
  buildTestImages();
  const recorder = new ResultRecorder(
    NAME,
    "Trunk capacity",
    "Concurrent calls across the PJSIP trunk from mochis to tabasco, both rendered from their stack files by the " +
      "project's renderers, with tabasco's IVR answering. The same is measured on a bare pair of Asterisks of the same " +
      "image, with a plain PJSIP trunk in hand-written pjsip.conf and extensions.conf and a Playback of the same tone. " +
      `One sipp process places N calls at ${CALLS_PER_SECOND} per second from phones of the calling PBX. Each call ` +
      "sends a PCMU tone, and the called PBX plays a tone back. The ramp is 5, 10, 20, 40, 80, 160, 240 and 300 calls, then " +
      "bisection to within 5 %. A step fails when call setup fails: sipp counts a failed call, or fewer than N calls " +
      "complete with a 200 response to their BYE. It also fails when audio fails: either PBX has fewer than N trunk " +
      `channels, or a trunk channel received less than ${MIN_RECEIVED_SHARE * 100} % of the ${PACKETS_PER_SECOND} RTP ` +
      `packets per second expected over a ${WINDOW_SECONDS} s window while all N calls were up. The packet counts come ` +
      "from `pjsip show channelstats` on both PBXs, so both directions of the trunk count. Capacity is the largest " +
      "step that passed.",
  );
  const directory = mkdtempSync(join(tmpdir(), "inova-bench-trunk-"));
  try {
    const audioCapture = await writeAudioCapture(join(directory, "caller-tone.pcap"), CALLER_AUDIO_SECONDS);
    const tone = await writeCalledTone(directory);
    const project = await measure("project", () => startProjectPair(tone), maxCalls, audioCapture, recorder);
    const bare = await measure("bare", () => startBarePair(tone), maxCalls, audioCapture, recorder);

    const ratio = bare.capacity === 0 ? null : roundTo(project.capacity / bare.capacity, 2);
    recorder.row({ measure: "upper bound of the ramp", value: maxCalls, unit: "calls" });
    recorder.row({ measure: "capacity, project's sites", value: capacityText(project), unit: "calls" });
    recorder.row({ measure: "capacity, bare Asterisk pair", value: capacityText(bare), unit: "calls" });
    recorder.row({ measure: "ratio project / bare", value: ratio, goal: `≥ ${GOAL_RATIO}`, goalMet: ratio === null ? null : ratio >= GOAL_RATIO });
    const codecs = [...new Set([...project.steps, ...bare.steps].flatMap((step) => step.codecs))];
    recorder.row({ measure: "codec on the trunk", value: codecs.join(", ") || "none seen" });
    recorder.row({ measure: "smallest failed step, project's sites", value: firstFailureText(project) });
    recorder.row({ measure: "smallest failed step, bare Asterisk pair", value: firstFailureText(bare) });
    if (project.reachedUpperBound && bare.reachedUpperBound) {
      recorder.note(`Both pairs carried the upper bound of ${maxCalls} calls, so the ratio shows only that the project's sites cost no capacity up to that bound.`);
    }
    if (bare.reachedUpperBound && !project.reachedUpperBound) {
      recorder.note(`The bare pair carried the upper bound of ${maxCalls} calls, so its capacity may be higher and the real ratio at most ${ratio}.`);
    }
    if (bare.capacity === 0) {
      recorder.note("The bare pair failed its first step, so no ratio could be computed; the steps in the raw results give the reasons.");
    }
    recorder.note(
      `The project's mochis gets ${BENCH_EXTENSIONS.length} more phones (extensions ${BENCH_EXTENSIONS[0]} to ` +
        `${BENCH_EXTENSIONS[BENCH_EXTENSIONS.length - 1]}), each with the validator's maximum of 10 ` +
        "simultaneous calls, because one phone may not hold more. Every PBX of both pairs has 1000 RTP ports, as the " +
        "stack files give each site; a calling PBX needs 4 of them per call (an RTP and an RTCP port for the phone's " +
        "leg and for the trunk's), so neither pair can carry more than 250 calls. The bare calling PBX also challenges the phone with digest authentication, so " +
        "sipp runs the same scenario against both pairs.",
    );
    recorder.note(
      "sipp, both PBXs and the RTP of every call share the same machine, so the capacity is that of the whole set-up " +
        "on this machine, not of Asterisk alone. Asterisk runs threads per call, so the load average at the end " +
        "mostly counts the benchmark's own calls.",
    );
    const file = recorder.write({ project, bare });
    progress(NAME, `project ${capacityText(project)}, bare ${capacityText(bare)}, ratio ${ratio ?? "none"}; wrote ${file}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench ${NAME}: error: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
