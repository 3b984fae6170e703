// Test calls through a running site PBX, driven with the Asterisk CLI over `docker exec`.
//
// Each call is a Local channel pair. The caller side runs the context `synthetic-check`, which
// `dialplan add extension` creates for the check and `dialplan remove context` deletes at the
// end. No phone or trunk context includes it. It marks the call with the account code, then dials the
// number in the site's own local context, so the call follows the site's real dialplan and
// writes a real call record. The check samples `core show channels concise` until the call
// reaches the state that proves the feature, then hangs it up.

import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

import type { ChannelSample, DeviceStates } from "./plan";

const run = promisify(execFile);

/** Account code of every test call, so call records and their readers can tell them apart. */
export const TEST_ACCOUNT_CODE = "synthetic-check";

/** Dialplan context of the test callers; it exists only while a check runs. */
export const CHECK_CONTEXT = "synthetic-check";

/** Line that ends each sample in the sampler's output. */
const SAMPLE_END = "--- end of sample ---";

/** Milliseconds between two samples of the PBX's channels. */
const SAMPLE_INTERVAL_MS = 200;

/**
 * Pause before the digits, in Dial's `w` units of 0.5 s: 3 s after the answer. An IVR waits
 * 1 s after answering before its greeting starts, and a digit sent before the greeting is lost.
 */
const DIGIT_DELAY = "wwwwww";

export interface CallResult {
  readonly reached: boolean;
  /** Unique ids of every channel of the call, for finding its call records. */
  readonly uniqueIds: readonly string[];
  /** True when the call ended by itself before reaching its target. */
  readonly endedEarly: boolean;
}

export class PbxContainer {
  constructor(readonly name: string) {}

  /** Runs an Asterisk CLI command in the container and returns its output; throws when docker exec fails. */
  async cli(command: string): Promise<string> {
    const { stdout } = await run("docker", ["exec", this.name, "asterisk", "-rx", command], { maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  }

  /** Runs a command in the container; resolves with its exit code and output, never rejects on a non-zero exit. */
  async exec(command: readonly string[]): Promise<{ code: number; output: string }> {
    try {
      const { stdout, stderr } = await run("docker", ["exec", this.name, ...command]);
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string; message: string };
      return { code: typeof failed.code === "number" ? failed.code : 1, output: `${failed.stdout ?? ""}${failed.stderr ?? failed.message}` };
    }
  }

  /** Returns the device state of every extension hint in `context`, keyed by extension number. */
  async deviceStates(context: string): Promise<DeviceStates> {
    const states: Record<string, string> = {};
    for (const line of (await this.cli("core show hints")).split("\n")) {
      const match = /^\s*([^@\s]+)@(\S+)\s*:\s*\S+\s+State:(\S+)/.exec(line);
      if (match !== null && match[2] === context) {
        states[match[1]] = match[3];
      }
    }
    return states;
  }

  /** Returns the channels that carry the test account code. */
  async testChannels(): Promise<ChannelSample[]> {
    return parseTestChannels(await this.cli("core show channels concise"));
  }

  /**
   * Places one test call to `number` in `localContext`, sends `digits` three seconds after the
   * call is answered, and samples the channels until `reached` holds, the call ends or
   * `timeoutSeconds` pass. The call is hung up in every case.
   */
  async call(
    probeId: string,
    localContext: string,
    number: string,
    digits: string | undefined,
    reached: (samples: readonly ChannelSample[]) => boolean,
    timeoutSeconds: number,
  ): Promise<CallResult> {
    const limitMs = timeoutSeconds * 1000;
    const dialOptions = digits === undefined ? `L(${limitMs})` : `D(${DIGIT_DELAY}${digits})L(${limitMs})`;
    // MASTER_CHANNEL is the originating side (;1). That side runs its own dialplan only once the
    // call is answered, so it gets the account code here, or an unanswered call's record lacks it.
    const priorities = [
      `Set(CHANNEL(accountcode)=${TEST_ACCOUNT_CODE})`,
      `Set(MASTER_CHANNEL(CHANNEL(accountcode))=${TEST_ACCOUNT_CODE})`,
      `Set(CALLERID(name)=${TEST_ACCOUNT_CODE})`,
      `Dial(Local/${number}@${localContext}/n,${timeoutSeconds},${dialOptions})`,
      "Hangup()",
    ];
    // The originating side keeps an answered call up.
    const hold = [`Wait(${timeoutSeconds + 5})`, "Hangup()"];
    await this.cliBatch([
      ...priorities.map((application, index) => `dialplan add extension ${probeId},${index + 1},${application} into ${CHECK_CONTEXT} replace`),
      ...hold.map((application, index) => `dialplan add extension ${probeId}-hold,${index + 1},${application} into ${CHECK_CONTEXT} replace`),
      `channel originate Local/${probeId}@${CHECK_CONTEXT}/n extension ${probeId}-hold@${CHECK_CONTEXT}`,
    ]);

    const seen: ChannelSample[] = [];
    let started = false;
    let success = false;
    let endedEarly = false;
    // Calls run one after another, and each waits until the previous one is gone, so every
    // test channel seen now belongs to this call.
    await this.sampleChannels(probeId, timeoutSeconds, (current) => {
      if (current.length === 0 && started) {
        endedEarly = true;
        return true;
      }
      started ||= current.length > 0;
      seen.push(...current);
      // Hanging up before the originating side carries the account code would leave that
      // side's call record without it.
      const marked = current.some((sample) => sample.channel.startsWith(`Local/${probeId}@${CHECK_CONTEXT}-`) && sample.channel.endsWith(";1") && sample.accountCode === TEST_ACCOUNT_CODE);
      success = marked && reached(seen);
      return success;
    });
    await this.hangUp(probeId);
    return { reached: success, uniqueIds: [...new Set(seen.map((sample) => sample.uniqueId))], endedEarly };
  }

  /** Runs several Asterisk CLI commands with one `docker exec`; throws when one fails. */
  private async cliBatch(commands: readonly string[]): Promise<void> {
    const script = 'for command in "$@"; do asterisk -rx "$command" >/dev/null || exit 1; done';
    await run("docker", ["exec", this.name, "sh", "-c", script, "sh", ...commands]);
  }

  /**
   * Streams samples of the test channels from a loop inside the container, one every
   * SAMPLE_INTERVAL_MS, until `done` returns true or `timeoutSeconds` pass. The loop stops
   * itself at the deadline, or earlier when the stop file appears.
   */
  private sampleChannels(probeId: string, timeoutSeconds: number, done: (current: ChannelSample[]) => boolean): Promise<void> {
    const stopFile = `/tmp/${CHECK_CONTEXT}-${probeId}.stop`;
    const rounds = Math.ceil((timeoutSeconds * 1000) / SAMPLE_INTERVAL_MS);
    const script =
      `rm -f ${stopFile}; i=0; while [ $i -lt ${rounds} ] && [ ! -e ${stopFile} ]; do ` +
      `asterisk -rx 'core show channels concise'; echo ${SAMPLE_END}; i=$((i + 1)); sleep ${SAMPLE_INTERVAL_MS / 1000}; done; rm -f ${stopFile}`;
    return new Promise((resolve, reject) => {
      const child = spawn("docker", ["exec", this.name, "sh", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
      let buffer = "";
      let finished = false;
      const finish = (): void => {
        if (finished) {
          return;
        }
        finished = true;
        void this.exec(["touch", stopFile]).then(() => resolve(), reject);
      };
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("utf8");
        let end = buffer.indexOf(`${SAMPLE_END}\n`);
        while (end !== -1 && !finished) {
          const sample = buffer.slice(0, end);
          buffer = buffer.slice(end + SAMPLE_END.length + 1);
          if (done(parseTestChannels(sample))) {
            finish();
          }
          end = buffer.indexOf(`${SAMPLE_END}\n`);
        }
      });
      child.on("error", reject);
      child.on("close", () => finish());
    });
  }

  /** Hangs up every channel of a test call that is still up; the other channels of the pair follow. */
  private async hangUp(probeId: string): Promise<void> {
    for (const sample of await this.testChannels()) {
      if (sample.channel.startsWith(`Local/${probeId}@${CHECK_CONTEXT}-`)) {
        await this.cli(`channel request hangup ${sample.channel}`);
      }
    }
    // Waits until the call's channels are gone, so the next call starts on a quiet PBX.
    for (let attempt = 0; attempt < 25; attempt += 1) {
      if ((await this.testChannels()).length === 0) {
        return;
      }
      await sleep(SAMPLE_INTERVAL_MS);
    }
  }

  /** Removes the test callers' context. */
  async removeCheckContext(): Promise<void> {
    await this.cli(`dialplan remove context ${CHECK_CONTEXT}`);
  }
}

/** Parses `core show channels concise` and keeps the channels that carry the test account code. */
function parseTestChannels(output: string): ChannelSample[] {
  const samples: ChannelSample[] = [];
  for (const line of output.split("\n")) {
    const fields = line.split("!");
    if (fields.length < 14) {
      continue;
    }
    const [channel, context, exten, , state, application, data, , accountCode, peerAccount] = fields;
    if (accountCode !== TEST_ACCOUNT_CODE && peerAccount !== TEST_ACCOUNT_CODE) {
      continue;
    }
    samples.push({ channel, context, exten, state, application, data, accountCode, uniqueId: fields[fields.length - 1].trim() });
  }
  return samples;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
