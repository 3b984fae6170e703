// Shared set-up of the site call tests: one rendered site PBX on a 127.0.91.x address,
// the company's reference numbers, and phones that each play their own tone so that a
// recording shows who talked to whom.
//
// Addresses: PBX slot n binds 127.0.91.(1 + n) with RTP ports 21000 + 200 n to + 199.
// Phones of a test get 127.0.91.11, .12, ... in the order they start, and are stopped
// after each test, so the next test reuses the addresses.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

import type { RenderOptions } from "../../../components/asterisk";
import type { RawSiteConfig } from "../../../components/model/raw";
import { describeAudio, toneSeconds, writeToneWav } from "../../support/audio";
import { IaxPhone } from "../../support/phones/iax-phone";
import { SipPhone } from "../../support/phones/sip-phone";
import { waitForReachableContact } from "../../support/phones/reachable";
import { waitFor } from "../../support/phones/wait";
import { SitePbx } from "../../support/site-pbx";

export type SiteCode = "mochis" | "tabasco" | "silicon";
export type Protocol = "pjsip" | "iax2";

export interface ReferenceRingGroup {
  readonly number: string;
  readonly strategy: "ringall" | "hunt";
  readonly members: readonly string[];
}

export interface ReferenceSite {
  readonly code: SiteCode;
  /** Extension number to protocol. */
  readonly extensions: Readonly<Record<string, Protocol>>;
  readonly ringGroups: readonly ReferenceRingGroup[];
}

/** The company's extensions and ring groups per site, written out here so that a wrong stack file fails. */
export const REFERENCE: Readonly<Record<SiteCode, ReferenceSite>> = {
  mochis: {
    code: "mochis",
    extensions: {
      "100": "pjsip",
      "101": "pjsip",
      "102": "pjsip",
      "103": "iax2",
      "104": "iax2",
      "105": "pjsip",
      "106": "pjsip",
      "107": "iax2",
      "108": "pjsip",
    },
    ringGroups: [
      { number: "601", strategy: "ringall", members: ["100", "105", "106"] },
      { number: "602", strategy: "hunt", members: ["101", "107", "108"] },
    ],
  },
  tabasco: {
    code: "tabasco",
    extensions: {
      "300": "pjsip",
      "301": "pjsip",
      "302": "pjsip",
      "303": "iax2",
      "304": "iax2",
      "305": "pjsip",
      "306": "pjsip",
      "307": "iax2",
      "308": "pjsip",
    },
    ringGroups: [
      { number: "601", strategy: "ringall", members: ["300", "305", "306"] },
      { number: "602", strategy: "hunt", members: ["301", "307", "308"] },
    ],
  },
  silicon: {
    code: "silicon",
    extensions: {
      "1000": "pjsip",
      "1001": "iax2",
      "1002": "iax2",
      "2000": "pjsip",
      "2001": "pjsip",
      "2002": "pjsip",
      "3000": "pjsip",
      "3001": "pjsip",
      "3002": "pjsip",
      "401": "pjsip",
      "402": "pjsip",
      "403": "pjsip",
    },
    ringGroups: [
      { number: "601", strategy: "ringall", members: ["2000", "2001", "2002"] },
      { number: "602", strategy: "hunt", members: ["1000", "1001", "1002"] },
      { number: "603", strategy: "ringall", members: ["3000", "3001", "3002"] },
    ],
  },
};

export const SITE_CODES: readonly SiteCode[] = ["mochis", "tabasco", "silicon"];

/** Extensions of the site with the given protocol, in the reference order. */
export function extensionsOf(code: SiteCode, protocol: Protocol): string[] {
  return Object.entries(REFERENCE[code].extensions)
    .filter(([, candidate]) => candidate === protocol)
    .map(([number]) => number);
}

/**
 * Tone frequencies handed to phones in turn. They keep clear of the Mexican indication tones
 * (425, 950, 1400 and 1800 Hz) and of the 1 kHz voicemail beep, and are at least 100 Hz apart.
 */
const PHONE_TONES_HZ = [550, 1150, 1550, 2050, 2300, 2550, 2800, 3050, 650, 1950, 2675, 1250];

/** Seconds of tone in each phone's WAV file, longer than any test call because baresip hangs up when its file ends. */
const TONE_FILE_SECONDS = 180;

/** Bytes per second of the 8 kHz 16-bit mono WAV that app_voicemail writes, and its header size. */
const PCM_BYTES_PER_SECOND = 16_000;
const WAV_HEADER_BYTES = 44;

const FIRST_PHONE_HOST = 11;
const LAST_PHONE_HOST = 99;

export interface SiteLabOptions {
  readonly code: SiteCode;
  /** 0 to 4: picks the PBX address 127.0.91.(1 + slot) and RTP ports 21000 + 200 slot. */
  readonly slot?: number;
  readonly editConfig?: (raw: RawSiteConfig) => void;
  readonly renderOptions?: Omit<RenderOptions, "peers">;
}

export interface SipPhoneOptions {
  /** Loopback address of the phone. @default the next free 127.0.91.x */
  readonly address?: string;
  /** Sends REGISTER and waits for the 200. @default true */
  readonly register?: boolean;
  /** @default the extension's password */
  readonly password?: string;
}

export interface IaxPhoneOptions {
  /** Loopback address of the phone. @default the next free 127.0.91.x */
  readonly address?: string;
  /** Waits until the PBX has accepted the registration. @default true */
  readonly register?: boolean;
  /** @default the extension's password */
  readonly secret?: string;
  /** Rings on incoming calls and never answers them (the IAX2 phone otherwise answers at once). @default false */
  readonly ringOnly?: boolean;
}

interface Stoppable {
  stop(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

/** One row of `core show channels concise` on the PBX. */
export interface PbxChannel {
  readonly name: string;
  readonly context: string;
  readonly extension: string;
  readonly state: string;
  readonly application: string;
  readonly data: string;
}

export class SiteLab {
  private readonly phones: Stoppable[] = [];
  private readonly tones = new Map<string, number>();
  private nextHost = FIRST_PHONE_HOST;

  private constructor(
    readonly pbx: SitePbx,
    readonly code: SiteCode,
    readonly directory: string,
  ) {}

  /** Renders the site from its stack file and starts its PBX. */
  static async start(options: SiteLabOptions): Promise<SiteLab> {
    const slot = options.slot ?? 0;
    if (!Number.isInteger(slot) || slot < 0 || slot > 4) {
      throw new Error(`invalid PBX slot ${slot}; expected 0 to 4, which keeps RTP inside 21000-21999`);
    }
    const directory = await mkdtemp(join(tmpdir(), `site-lab-${options.code}-`));
    const pbx = await SitePbx.start({
      code: options.code,
      address: `127.0.91.${1 + slot}`,
      rtpStart: 21000 + 200 * slot,
      editConfig: options.editConfig,
      renderOptions: options.renderOptions,
    });
    return new SiteLab(pbx, options.code, directory);
  }

  /** Voicemail context of the site, which is also the spool folder under /var/spool/asterisk/voicemail. */
  get voicemailContext(): string {
    return this.code;
  }

  /** Tone that the phone of `extension` plays in this test. */
  hz(extension: string): number {
    let hz = this.tones.get(extension);
    if (hz === undefined) {
      hz = PHONE_TONES_HZ[this.tones.size];
      if (hz === undefined) {
        throw new Error(`a test may use at most ${PHONE_TONES_HZ.length} extensions; ${extension} is one too many`);
      }
      this.tones.set(extension, hz);
    }
    return hz;
  }

  /** Starts a baresip phone as `extension` on the next free address and, by default, registers it. */
  async sipPhone(extension: string, options: SipPhoneOptions = {}): Promise<SipPhone> {
    const audioFile = await this.toneFile(extension);
    const phone = await SipPhone.start({
      user: extension,
      password: options.password ?? this.pbx.password(extension),
      server: `${this.pbx.address}:5060`,
      localAddress: options.address ?? this.nextAddress(),
      audioFile,
    });
    this.phones.push(phone);
    if (options.register ?? true) {
      await phone.register();
      await waitForReachableContact((command) => this.pbx.cli(command), extension);
    }
    return phone;
  }

  /** Starts an IAX2 phone as `extension` on the next free address and, by default, waits for its registration. */
  async iaxPhone(extension: string, options: IaxPhoneOptions = {}): Promise<IaxPhone> {
    const audioFile = await this.toneFile(extension);
    const phone = await IaxPhone.start({
      extension,
      secret: options.secret ?? this.pbx.password(extension),
      pbxAddress: this.pbx.address,
      localAddress: options.address ?? this.nextAddress(),
      audioFile,
    });
    this.phones.push(phone);
    if (options.ringOnly === true) {
      await ringWithoutAnswering(phone);
    }
    if (options.register ?? true) {
      await phone.register();
    }
    return phone;
  }

  /** Stops every phone of the test; prints their logs and the PBX log first when the test failed. */
  async endTest(failed: boolean): Promise<void> {
    if (failed) {
      for (const phone of this.phones) {
        console.log(await phone.logTail(40).catch((error: Error) => error.message));
      }
      console.log(await this.pbx.asterisk.logTail(60).catch((error: Error) => error.message));
    }
    const phones = this.phones.splice(0);
    await Promise.allSettled(phones.map((phone) => phone.stop()));
    this.tones.clear();
    this.nextHost = FIRST_PHONE_HOST;
  }

  async stop(): Promise<void> {
    await this.endTest(false);
    await this.pbx.stop();
    await rm(this.directory, { recursive: true, force: true });
  }

  /** Lists the PBX's channels. */
  async channels(): Promise<PbxChannel[]> {
    const output = await this.pbx.cli("core show channels concise");
    return output
      .split("\n")
      .filter((line) => line.includes("!"))
      .map((line) => {
        const fields = line.split("!");
        return { name: fields[0], context: fields[1], extension: fields[2], state: fields[4], application: fields[5], data: fields[6] };
      });
  }

  /** Path of a box's folder in the PBX's voicemail spool. */
  mailboxPath(box: string, folder = "INBOX"): string {
    return `/var/spool/asterisk/voicemail/${this.voicemailContext}/${box}/${folder}`;
  }

  /** Lists the files of a box's folder, or none when the folder does not exist yet. */
  async mailboxFiles(box: string, folder = "INBOX"): Promise<string[]> {
    const result = await this.pbx.asterisk.exec(["sh", "-c", `ls -1 ${this.mailboxPath(box, folder)} 2>/dev/null || true`]);
    return result.stdout.split("\n").filter((name) => name !== "").sort();
  }

  /**
   * Waits until app_voicemail has recorded `seconds` of a message into the box. Recording
   * starts after the greeting and the beep, into `tmp/` as 8 kHz 16-bit WAV among others.
   */
  async waitForRecordedSeconds(box: string, seconds: number, timeoutMs = 45_000): Promise<void> {
    const folder = this.mailboxPath(box, "tmp");
    let recordedBytes = 0;
    await waitFor(
      async () => {
        const result = await this.pbx.asterisk.exec(["sh", "-c", `stat -c %s ${folder}/*.wav 2>/dev/null || true`]);
        recordedBytes = Math.max(0, ...result.stdout.split("\n").filter((line) => line !== "").map(Number));
        return recordedBytes >= WAV_HEADER_BYTES + seconds * PCM_BYTES_PER_SECOND;
      },
      { timeoutMs, intervalMs: 200, description: () => `${seconds} s of message in ${folder} (${recordedBytes} bytes so far)` },
    );
  }

  /** Waits for message `msg<index>` in the box's INBOX and copies its 8 kHz PCM WAV file to the host. */
  async waitForMessage(box: string, index = 0, timeoutMs = 15_000): Promise<string> {
    const name = `msg${String(index).padStart(4, "0")}`;
    await waitFor(
      async () => {
        const files = await this.mailboxFiles(box);
        return files.includes(`${name}.txt`) && files.includes(`${name}.wav`);
      },
      { timeoutMs, intervalMs: 200, description: () => `${name}.txt and ${name}.wav in ${this.mailboxPath(box)}` },
    );
    const target = join(this.directory, `${this.code}-${box}-${name}-${Date.now()}.wav`);
    await writeFile(target, await this.pbx.asterisk.readFile(`${this.mailboxPath(box)}/${name}.wav`));
    return target;
  }

  /** Deletes every message of the site's boxes, so that each test starts with empty boxes. */
  async clearVoicemail(): Promise<void> {
    await this.pbx.asterisk.exec(["sh", "-c", `rm -rf /var/spool/asterisk/voicemail/${this.voicemailContext}/*`]);
  }

  /** Returns a log file that the renderer configures (SECURITY_LOG or MESSAGES_LOG), as far as Asterisk has written it. */
  async log(name: string): Promise<string> {
    const result = await this.pbx.asterisk.exec(["sh", "-c", `cat /var/log/asterisk/${name} 2>/dev/null || true`]);
    return result.stdout;
  }

  /** Waits until a line of the log file matches every pattern, and returns that line. */
  async waitForLogLine(name: string, patterns: readonly RegExp[], timeoutMs = 10_000): Promise<string> {
    return waitFor(
      async () => (await this.log(name)).split("\n").find((line) => patterns.every((pattern) => pattern.test(line))),
      { timeoutMs, intervalMs: 200, description: `a line of ${name} matching ${patterns.join(" and ")}` },
    );
  }

  private async toneFile(extension: string): Promise<string> {
    const hz = this.hz(extension);
    return writeToneWav(join(this.directory, `tone-${hz}.wav`), hz, TONE_FILE_SECONDS);
  }

  private nextAddress(): string {
    if (this.nextHost > LAST_PHONE_HOST) {
      throw new Error(`a test may start at most ${LAST_PHONE_HOST - FIRST_PHONE_HOST + 1} phones`);
    }
    return `127.0.91.${this.nextHost++}`;
  }
}

/**
 * Makes an IAX2 phone ring on incoming calls and never answer, by changing the first step of
 * its incoming-call context from Answer() to Ringing() and a long Wait().
 */
async function ringWithoutAnswering(phone: IaxPhone): Promise<void> {
  const path = "/etc/asterisk/extensions.conf";
  const text = (await phone.container.readFile(path)).toString("utf8");
  const answer = "exten => s,1,Answer()";
  if (!text.includes(answer)) {
    throw new Error(`cannot make IAX2 phone ${phone.options.extension} ring without answering: "${answer}" is missing from its ${path}`);
  }
  await phone.container.putFiles({ [path]: text.replace(answer, "exten => s,1,Ringing()\n same => n,Wait(600)\n same => n,Answer()") });
  await phone.container.cli("dialplan reload");
}

/** Seconds of the tone at `hz` in the WAV file must reach `minSeconds`. */
export async function expectTone(wavPath: string, hz: number, minSeconds = 1): Promise<void> {
  const seconds = await toneSeconds(wavPath, hz);
  expect(seconds, `${hz} Hz in ${await describeAudio(wavPath)}`).toBeGreaterThanOrEqual(minSeconds);
}

/** The WAV file must carry less than 0.2 s of the tone at `hz`. */
export async function expectNoTone(wavPath: string, hz: number): Promise<void> {
  const seconds = await toneSeconds(wavPath, hz);
  expect(seconds, `${hz} Hz in ${await describeAudio(wavPath)}`).toBeLessThan(0.2);
}

/**
 * Waits until the SIP phone's recording of its current call carries `minSeconds` of the tone
 * at `hz`. The recording is read while baresip still writes it.
 */
export async function waitForHeardTone(phone: SipPhone, hz: number, minSeconds = 1, timeoutMs = 20_000): Promise<void> {
  let heard = 0;
  await waitFor(
    async () => {
      const recording = await phone.recording().catch(() => undefined);
      heard = recording === undefined ? 0 : await toneSeconds(recording, hz).catch(() => 0);
      return heard >= minSeconds;
    },
    { timeoutMs, intervalMs: 250, description: () => `${phone.options.user} to hear ${minSeconds} s of ${hz} Hz (${heard} s so far)` },
  );
}

/** Places a call from a SIP phone to `number`, answers it on `callee` and waits until both sides are up. */
export async function connectSip(caller: SipPhone, callee: SipPhone, number: string): Promise<void> {
  await caller.dial(number);
  await callee.waitForIncoming();
  await callee.answer();
  await caller.waitForState("ESTABLISHED");
  await callee.waitForState("ESTABLISHED");
}
