// Shared parts of the IVR call tests. Tone files stand in for the prompts, and
// phones answer with a tone of their own, so a caller's recording shows the
// order of what played. Asterisk's verbose log shows the dialplan steps of a call.

import { join } from "node:path";

import { goertzelPower, readWav, toneSeconds, writeToneWav } from "../../support/audio";
import { IaxPhone } from "../../support/phones/iax-phone";
import { waitForReachableContact } from "../../support/phones/reachable";
import { SipPhone } from "../../support/phones/sip-phone";
import { waitFor } from "../../support/phones/wait";
import type { RawSiteConfig } from "../../../components/model/raw";
import type { SitePbx } from "../../support/site-pbx";

/**
 * Tone of each replaced prompt, in Hz, so that a recording shows which prompt played. The
 * greetings stay clear of the ring-back tones of indications.conf (425 Hz for mx, 440+480 Hz for us).
 */
export const PROMPT_TONES: Readonly<Record<string, number>> = {
  "ivr-dia": 540,
  "ivr-tarde": 640,
  "ivr-noche": 740,
  agotado: 880,
  error: 990,
  "no-disponible": 1100,
  despedida: 1200,
};

/** Length of every prompt tone. */
export const PROMPT_SECONDS = 0.6;

/** IVR timeout used in the tests instead of the stack's value, so that a timeout costs little. */
export const MENU_TIMEOUT_SECONDS = 2;

/** A site under test: its stack, IVR number, test addresses and the extension that calls the IVR. */
export interface TestSite {
  readonly code: "mochis" | "tabasco" | "silicon";
  readonly ivr: string;
  readonly address: string;
  readonly rtpStart: number;
  /** PJSIP extension that is no target of the IVR, except as the last member of a hunt group. */
  readonly caller: string;
  /** First of the loopback addresses that this site's phones bind, one per phone. */
  readonly firstPhoneHost: number;
}

export const TEST_SITES: readonly TestSite[] = [
  { code: "mochis", ivr: "199", address: "127.0.92.1", rtpStart: 22000, caller: "108", firstPhoneHost: 10 },
  { code: "tabasco", ivr: "399", address: "127.0.92.2", rtpStart: 22200, caller: "308", firstPhoneHost: 40 },
  { code: "silicon", ivr: "400", address: "127.0.92.3", rtpStart: 22400, caller: "402", firstPhoneHost: 70 },
];

/** Tone that the phone of `extension` plays into its calls: distinct per extension of a site. */
export function phoneTone(extension: string): number {
  // 1400-2500 Hz in 100 Hz steps, above the prompt tones (at most 1200 Hz).
  const tones: Readonly<Record<string, number>> = {
    "100": 1400, "101": 1500, "102": 1600, "103": 1700, "105": 1800, "106": 1900, "107": 2000, "108": 2100,
    "300": 1400, "301": 1500, "302": 1600, "303": 1700, "305": 1800, "306": 1900, "307": 2000, "308": 2100,
    "1000": 1400, "1001": 1500, "1002": 1600, "2000": 1700, "2001": 1800, "2002": 1900,
    "3000": 2000, "3001": 2100, "3002": 2200, "401": 2300, "402": 2400, "403": 2500,
  };
  const hz = tones[extension];
  if (hz === undefined) {
    throw new Error(`no test tone for extension ${extension}; add it to phoneTone()`);
  }
  return hz;
}

/** Writes one tone file per prompt into `directory` and returns them by recording name. */
export async function writePromptTones(directory: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [name, hz] of Object.entries(PROMPT_TONES)) {
    files[name] = await writeToneWav(join(directory, `prompt-${name}.wav`), hz, PROMPT_SECONDS);
  }
  return files;
}

/** Stack edit for the tests: a short IVR timeout, with every other value kept. */
export function shortMenuTimeout(raw: RawSiteConfig): void {
  for (const ivr of raw.ivrs ?? []) {
    ivr.timeoutSeconds = MENU_TIMEOUT_SECONDS;
  }
}

/** Phones of one site, each on its own loopback address, stopped together. */
export class PhoneSet {
  private readonly phones: (SipPhone | IaxPhone)[] = [];
  private nextHost: number;

  constructor(
    private readonly pbx: SitePbx,
    private readonly site: TestSite,
    private readonly directory: string,
  ) {
    this.nextHost = site.firstPhoneHost;
  }

  /** Starts and registers a SIP phone for `extension` that plays its own tone. */
  async sip(extension: string): Promise<SipPhone> {
    const audioFile = await writeToneWav(join(this.directory, `phone-${extension}.wav`), phoneTone(extension), 60);
    const phone = await SipPhone.start({
      user: extension,
      password: this.pbx.password(extension),
      server: `${this.pbx.address}:5060`,
      localAddress: this.nextAddress(),
      audioFile,
    });
    this.phones.push(phone);
    await phone.register();
    await waitForReachableContact((command) => this.pbx.cli(command), extension);
    return phone;
  }

  /** Starts and registers an IAX2 phone for `extension` that answers at once and plays its own tone. */
  async iax(extension: string): Promise<IaxPhone> {
    const audioFile = await writeToneWav(join(this.directory, `phone-${extension}.wav`), phoneTone(extension), 5);
    const phone = await IaxPhone.start({
      extension,
      secret: this.pbx.password(extension),
      pbxAddress: this.pbx.address,
      localAddress: this.nextAddress(),
      audioFile,
    });
    this.phones.push(phone);
    await phone.register(20_000);
    return phone;
  }

  /** Returns the last log lines of every phone, for failure reports. */
  async logs(): Promise<string> {
    const parts: string[] = [];
    for (const phone of this.phones) {
      const extension = phone instanceof SipPhone ? phone.options.user : phone.options.extension;
      const log = await phone.logTail(20).catch((error: Error) => error.message);
      parts.push(`--- ${extension}\n${log}`);
    }
    return parts.join("\n");
  }

  async stopAll(): Promise<void> {
    const phones = this.phones.splice(0);
    await Promise.allSettled(phones.map((phone) => phone.stop()));
    this.nextHost = this.site.firstPhoneHost;
  }

  private nextAddress(): string {
    const address = `127.0.92.${this.nextHost}`;
    this.nextHost += 1;
    return address;
  }
}

/** A run of 40 ms blocks of a recording that carry the same known tone. */
export interface HeardTone {
  /** Name of the tone, e.g. `error` or `phone 100`. */
  readonly name: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
}

const BLOCK_SECONDS = 0.04;
/** Blocks quieter than this count as silence, in dBFS. */
const SILENCE_DBFS = -45;
/** Minimum fraction of a block's energy at the tone's frequency. */
const MIN_SHARE = 0.5;
/** Runs shorter than this are transitions between tones and are left out. */
const MIN_RUN_SECONDS = 0.2;

/**
 * Lists the known tones heard in a WAV recording, in order. `tones` maps a name to its
 * frequency in Hz, and a block belongs to the tone that carries most of its energy. Two runs of
 * the same tone separated by less than MIN_RUN_SECONDS of anything else form one run.
 */
export async function heardTones(wavPath: string, tones: Readonly<Record<string, number>>): Promise<HeardTone[]> {
  const audio = await readWav(wavPath);
  const blockLength = Math.round(audio.sampleRate * BLOCK_SECONDS);
  const blockNames: (string | undefined)[] = [];
  for (let start = 0; start + blockLength <= audio.samples.length; start += blockLength) {
    blockNames.push(classifyBlock(audio.samples, start, blockLength, audio.sampleRate, tones));
  }

  const runs: HeardTone[] = [];
  let runStart = 0;
  for (let index = 1; index <= blockNames.length; index++) {
    if (index < blockNames.length && blockNames[index] === blockNames[runStart]) {
      continue;
    }
    const name = blockNames[runStart];
    const startSeconds = runStart * BLOCK_SECONDS;
    const endSeconds = index * BLOCK_SECONDS;
    if (name !== undefined && endSeconds - startSeconds >= MIN_RUN_SECONDS) {
      const previous = runs[runs.length - 1];
      if (previous !== undefined && previous.name === name && startSeconds - previous.endSeconds < MIN_RUN_SECONDS) {
        runs[runs.length - 1] = { name, startSeconds: previous.startSeconds, endSeconds };
      } else {
        runs.push({ name, startSeconds, endSeconds });
      }
    }
    runStart = index;
  }
  return runs.map((run) => ({ name: run.name, startSeconds: round(run.startSeconds), endSeconds: round(run.endSeconds) }));
}

function classifyBlock(samples: Float32Array, start: number, length: number, sampleRate: number, tones: Readonly<Record<string, number>>): string | undefined {
  let energy = 0;
  for (let i = start; i < start + length; i++) {
    energy += samples[i] * samples[i];
  }
  if (energy === 0 || 10 * Math.log10(energy / length) < SILENCE_DBFS) {
    return undefined;
  }
  let bestName: string | undefined;
  let bestShare = 0;
  for (const [name, hz] of Object.entries(tones)) {
    // Within ±10 Hz, because a 40 ms block resolves about 25 Hz.
    for (const offset of [-10, -5, 0, 5, 10]) {
      const share = (2 * goertzelPower(samples, start, length, hz + offset, sampleRate)) / (length * energy);
      if (share > bestShare) {
        bestShare = share;
        bestName = name;
      }
    }
  }
  return bestShare >= MIN_SHARE ? bestName : undefined;
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}

/** Formats heard tones for assertion messages, e.g. `ivr-noche 1.04-1.64, error 2.1-2.7`. */
export function describeHeard(heard: readonly HeardTone[]): string {
  return heard.length === 0 ? "no known tone" : heard.map((tone) => `${tone.name} ${tone.startSeconds}-${tone.endSeconds}`).join(", ");
}

/** Names of the tones of `extensions`' phones, keyed `phone <extension>`, plus the prompt tones. */
export function knownTones(extensions: readonly string[]): Record<string, number> {
  const tones: Record<string, number> = { ...PROMPT_TONES };
  for (const extension of extensions) {
    tones[`phone ${extension}`] = phoneTone(extension);
  }
  return tones;
}

/** One dialplan priority that Asterisk executed for a channel, from its verbose log. */
export interface DialplanStep {
  /** When Asterisk logged the step, in milliseconds on its own clock. */
  readonly atMs: number;
  readonly context: string;
  readonly extension: string;
  readonly priority: number;
  readonly application: string;
  readonly data: string;
}

/** Log file, relative to /var/log/asterisk, that receives verbose messages while tests run. */
const TRACE_LOG = "ivr-test-trace";
const TRACE_PATH = `/var/log/asterisk/${TRACE_LOG}`;
const EXECUTING = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})\] .*pbx\.c: Executing \[(.+)@([^@:]+):(\d+)\] (\w+)\("([^"]*)", "(.*)"\) in new stack$/;

/**
 * Reads the dialplan priorities executed for the calls that start after start(). Asterisk logs
 * them at verbose level 3, so start() adds a log channel at that level to the running Asterisk.
 * The rendered logger.conf stays unchanged, so a restarted Asterisk needs start() again.
 */
export class DialplanTrace {
  private constructor(
    private readonly pbx: SitePbx,
    /** Size of the log when the trace started. Earlier lines belong to earlier calls. */
    private readonly offset: number,
  ) {}

  static async start(pbx: SitePbx): Promise<DialplanTrace> {
    const channels = await pbx.cli("logger show channels");
    if (!channels.includes(TRACE_PATH)) {
      await pbx.cli(`logger add channel ${TRACE_LOG} verbose(3)`);
      const added = await pbx.cli("logger show channels");
      if (!added.includes(TRACE_PATH)) {
        throw new Error(`logger add channel ${TRACE_LOG} failed at ${pbx.address}: ${added}`);
      }
    }
    const size = await pbx.asterisk.exec(["sh", "-c", `touch ${TRACE_PATH} && stat -c %s ${TRACE_PATH}`]);
    return new DialplanTrace(pbx, Number(size.stdout.trim()));
  }

  /** Lists the priorities executed for channels whose name starts with `channelPrefix`, e.g. `PJSIP/108-`. */
  async steps(channelPrefix: string): Promise<DialplanStep[]> {
    const result = await this.pbx.asterisk.exec(["tail", "-c", `+${this.offset + 1}`, TRACE_PATH]);
    const steps: DialplanStep[] = [];
    for (const line of result.stdout.split("\n")) {
      const match = EXECUTING.exec(line);
      if (match !== null && match[7].startsWith(channelPrefix)) {
        // The rendered logger.conf sets dateformat %F %T.%3q. Only differences between steps matter.
        const atMs = Date.parse(`${match[1]}T${match[2]}Z`);
        steps.push({ atMs, extension: match[3], context: match[4], priority: Number(match[5]), application: match[6], data: match[8] });
      }
    }
    return steps;
  }

  /** Waits until the channel has entered WaitExten in an IVR context `count` times in total. */
  async waitForMenu(channelPrefix: string, count: number, timeoutMs = 15_000): Promise<DialplanStep[]> {
    return this.waitForSteps(
      channelPrefix,
      (steps) => steps.filter((step) => step.context.startsWith("ivr-") && step.application === "WaitExten").length >= count,
      `the IVR to wait for a digit for the ${ordinal(count)} time`,
      timeoutMs,
    );
  }

  /** Polls the steps of the channel until `done` accepts them, and returns them. */
  async waitForSteps(channelPrefix: string, done: (steps: DialplanStep[]) => boolean, description: string, timeoutMs = 15_000): Promise<DialplanStep[]> {
    let last: DialplanStep[] = [];
    return waitFor(
      async () => {
        last = await this.steps(channelPrefix);
        return done(last) ? last : undefined;
      },
      { timeoutMs, intervalMs: 100, description: () => `${description} on ${channelPrefix}; steps: ${describeSteps(last)}` },
    );
  }
}

/** Returns the first step that has every field of `fields`, or throws with the steps seen. */
export function findStep(steps: readonly DialplanStep[], fields: Partial<DialplanStep>): DialplanStep {
  const found = steps.find((step) => Object.entries(fields).every(([key, value]) => step[key as keyof DialplanStep] === value));
  if (found === undefined) {
    throw new Error(`no dialplan step with ${JSON.stringify(fields)}; steps: ${describeSteps(steps)}`);
  }
  return found;
}

/** Formats steps for assertion messages, e.g. `s@ivr-mochis-199:16 WaitExten > i@ivr-mochis-199:2 Playback`. */
export function describeSteps(steps: readonly DialplanStep[]): string {
  return steps.length === 0 ? "none" : steps.map((step) => `${step.extension}@${step.context}:${step.priority} ${step.application}`).join(" > ");
}

function ordinal(count: number): string {
  const suffixes: Readonly<Record<number, string>> = { 1: "st", 2: "nd", 3: "rd" };
  return `${count}${suffixes[count] ?? "th"}`;
}

/** Waits until the far-end audio of the phone's current call contains `minSeconds` of a tone at `hz`. */
export async function waitForHeardTone(phone: SipPhone, hz: number, minSeconds: number, timeoutMs = 10_000): Promise<void> {
  let heard = 0;
  await waitFor(
    async () => {
      // The recording grows while the call lasts, and readWav accepts a header not yet patched.
      heard = await toneSeconds(await phone.recording(), hz).catch(() => 0);
      return heard >= minSeconds;
    },
    { timeoutMs, intervalMs: 200, description: () => `${phone.options.user} to hear ${minSeconds} s of ${hz} Hz (heard ${heard} s)` },
  );
}

/**
 * Waits until the far-end audio of the phone's current call contains `count` known tones, the last
 * one for at least PROMPT_SECONDS - 0.2 s, so that a hang-up right after does not cut it short.
 */
export async function waitForHeardCount(phone: SipPhone, tones: Readonly<Record<string, number>>, count: number, timeoutMs = 5_000): Promise<void> {
  let heard: HeardTone[] = [];
  await waitFor(
    async () => {
      heard = await heardTones(await phone.recording(), tones).catch(() => []);
      const last = heard[count - 1];
      return heard.length > count || (last !== undefined && last.endSeconds - last.startSeconds >= PROMPT_SECONDS - 0.2);
    },
    { timeoutMs, intervalMs: 100, description: () => `${phone.options.user} to hear ${count} tones (heard ${describeHeard(heard)})` },
  );
}
