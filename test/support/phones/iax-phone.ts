// An IAX2 phone for tests. Debian has no headless IAX2 softphone, so the phone
// is a second Asterisk in a `phone-test-iax-<extension>-<pid>` container on the
// host network. It registers to the PBX as the extension, answers every
// incoming call at once, and in every call plays a WAV file in a loop while
// MixMonitor records the far end's audio (the `r()` read direction only).
//
// The test process drives it through `asterisk -rx`: `channel originate` places
// calls, `channel redirect` runs SendDTMF, `core show channels concise`
// reports the call state and `iax2 show registry` the registration.

import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { AsteriskContainer } from "./asterisk-container";
import { assertPortsFree } from "./ports";
import { waitFor } from "./wait";

export type IaxCallState = "IDLE" | "CALLING" | "RINGING" | "ESTABLISHED" | "CLOSED";

export interface IaxPhoneOptions {
  /** Extension number, which is also the IAX2 user name at the PBX, e.g. `3001`. */
  readonly extension: string;
  readonly secret: string;
  /** Loopback address of the PBX's IAX2 listener, e.g. `127.0.95.1`. */
  readonly pbxAddress: string;
  /** @default 4569 */
  readonly pbxPort?: number;
  /** Loopback address that this phone's Asterisk binds, e.g. `127.0.95.21`. */
  readonly localAddress: string;
  /** @default 4569 */
  readonly localPort?: number;
  /** WAV file (8 kHz, mono, 16-bit) played in a loop into every call. */
  readonly audioFile: string;
  /** @default "inova/asterisk:dev" */
  readonly image?: string;
}

export interface IaxRegistration {
  /** State column of `iax2 show registry`, e.g. `Registered`, `Request Sent` or `Rejected`. */
  readonly state: string;
  /** Phone address as perceived by the PBX, from the PBX's REGACK. */
  readonly perceivedAddress?: string;
}

/** One row of `core show channels concise`. */
export interface IaxChannel {
  readonly name: string;
  readonly context: string;
  readonly extension: string;
  /** Asterisk channel state, e.g. `Up`, `Ring`, `Ringing`, `Down`. */
  readonly state: string;
  readonly application: string;
  readonly uniqueId: string;
}

const AUDIO_PATH = "/tmp/phone-audio/play.wav";
const RECORDING_DIRECTORY = "/tmp";
const DEFAULT_TIMEOUT_MS = 10_000;
const ORIGINATE_GRACE_MS = 2_000;

export class IaxPhone {
  private lastUniqueId: string | undefined;
  private callSeen = false;
  private callStarted = false;
  /** Date.now() of the last dial(); undefined for incoming calls. */
  private dialedAt: number | undefined;

  private constructor(
    readonly options: IaxPhoneOptions,
    readonly container: AsteriskContainer,
  ) {}

  /** Starts the phone's Asterisk container; registration starts at boot, see register(). */
  static async start(options: IaxPhoneOptions): Promise<IaxPhone> {
    if (!/^[0-9A-Za-z_-]+$/.test(options.extension)) {
      throw new Error(`invalid IAX2 extension "${options.extension}"; expected letters, digits, "_" or "-"`);
    }
    // The secret goes into `register => <extension>:<secret>@<host>` and a config line.
    if (options.secret === "" || /[@:;\s]/.test(options.secret)) {
      throw new Error(`invalid IAX2 secret for ${options.extension}: it must be non-empty without "@", ":", ";" or whitespace`);
    }
    const audio = await readFile(options.audioFile).catch(() => {
      throw new Error(`audio file ${options.audioFile} not found; create it with writeToneWav()`);
    });
    await assertPortsFree(options.localAddress, { udp: [options.localPort ?? 4569] }, `IAX2 phone ${options.extension}`);
    const container = await AsteriskContainer.start({
      name: `phone-test-iax-${options.extension}-${process.pid}`,
      image: options.image,
      files: { ...renderConfiguration(options), [AUDIO_PATH]: audio },
    });
    return new IaxPhone(options, container);
  }

  get name(): string {
    return this.container.name;
  }

  /**
   * Waits until the PBX has accepted the registration; throws when it rejects
   * it or the registration stays unanswered for `timeoutMs`.
   */
  async register(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    let last: IaxRegistration = { state: "unknown" };
    await waitFor(
      async () => {
        last = await this.registration();
        if (last.state === "Rejected" || last.state === "No Authentication") {
          throw new Error(`registration of IAX2 ${this.options.extension} at ${this.pbx} failed: ${last.state}`);
        }
        // Asterisk 22 sets "Request Sent" after sending the REGREQ, so when the whole
        // exchange finishes first (as on loopback), the row keeps that state although
        // the REGACK arrived. The perceived address comes only from a REGACK.
        const acknowledged = last.state === "Request Sent" && last.perceivedAddress !== undefined;
        return last.state === "Registered" || acknowledged;
      },
      { timeoutMs, intervalMs: 100, description: () => `IAX2 ${this.options.extension} to register at ${this.pbx} (state ${last.state})` },
    );
  }

  /** Returns the phone's row of `iax2 show registry` for the PBX. */
  async registration(): Promise<IaxRegistration> {
    const output = await this.container.cli("iax2 show registry");
    const row = output.split("\n").find((line) => line.trim().startsWith(`${this.pbx} `));
    if (!row) {
      return { state: "missing" };
    }
    // Columns: Host, dnsmgr, Username, Perceived, Refresh, State. State may contain a space.
    const [, , , perceived, , ...state] = row.trim().split(/\s+/);
    return {
      state: state.join(" "),
      perceivedAddress: perceived && perceived !== "<Unregistered>" ? perceived : undefined,
    };
  }

  /** Calls `number` at the PBX; the call plays the phone's WAV and records the far end once answered. */
  async dial(number: string): Promise<void> {
    if (!/^[0-9*#+]+$/.test(number)) {
      throw new Error(`invalid number "${number}"; expected digits, *, # or +`);
    }
    this.beginCall();
    this.dialedAt = Date.now();
    await this.container.cli(`channel originate IAX2/pbx/${number} extension s@phone-out`);
  }

  /** Waits for an incoming call, which the phone answers by itself. */
  async waitForIncoming(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<IaxChannel> {
    this.beginCall();
    return this.waitForChannel((channel) => channel.context === "from-pbx" || channel.context === "phone-audio", timeoutMs, "an incoming call");
  }

  /** Incoming calls are answered by the dialplan; this only checks that a call is up. */
  async answer(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.waitForState("ESTABLISHED", timeoutMs);
  }

  /** Sends digits on the established call with SendDTMF, 250 ms per digit. */
  async sendDtmf(digits: string): Promise<void> {
    if (!/^[0-9*#A-D]+$/.test(digits)) {
      throw new Error(`invalid DTMF digits "${digits}"; expected 0-9, *, # or A-D`);
    }
    const channel = (await this.channels()).find((candidate) => candidate.state === "Up");
    if (!channel) {
      throw new Error(`cannot send DTMF from IAX2 ${this.options.extension}: no established call`);
    }
    // The redirect interrupts the playback loop; phone-dtmf sends the digits and resumes it.
    await this.container.cli(`channel redirect ${channel.name} phone-dtmf,${digits},1`);
    await waitFor(async () => !(await this.channels()).some((candidate) => candidate.context === "phone-dtmf"), {
      timeoutMs: 2_000 + digits.length * 500,
      description: `IAX2 ${this.options.extension} to finish sending ${digits}`,
    });
  }

  /** Hangs up every call of the phone. */
  async hangup(): Promise<void> {
    await this.container.cli("channel request hangup all");
  }

  /** Returns the state of the current call, read from `core show channels concise`. */
  async state(): Promise<IaxCallState> {
    const channels = await this.channels();
    if (channels.length === 0) {
      if (this.callSeen) {
        return "CLOSED";
      }
      return this.callStarted ? "CALLING" : "IDLE";
    }
    this.callSeen = true;
    this.lastUniqueId = channels[0].uniqueId;
    if (channels.some((channel) => channel.state === "Up")) {
      return "ESTABLISHED";
    }
    return channels.some((channel) => channel.state === "Ringing" || channel.state === "Ring") ? "RINGING" : "CALLING";
  }

  /**
   * Waits until the current call has reached `state`. Waiting for ESTABLISHED
   * fails at once when the call was seen and then disappeared.
   */
  async waitForState(state: "ESTABLISHED" | "CLOSED", timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    let current: IaxCallState = "IDLE";
    await waitFor(
      async () => {
        current = await this.state();
        if (state === "CLOSED") {
          return current === "CLOSED" || current === "IDLE";
        }
        // Originate creates the channel within milliseconds, so none after this grace time
        // means that the PBX rejected the call before the first poll.
        const vanished = current === "CALLING" && this.dialedAt !== undefined && Date.now() - this.dialedAt > ORIGINATE_GRACE_MS;
        if (current === "CLOSED" || vanished) {
          throw new Error(`call of IAX2 ${this.options.extension} closed before it was established; phone log:\n${await this.container.logTail(20)}`);
        }
        return current === state;
      },
      { timeoutMs, intervalMs: 100, description: () => `the call of IAX2 ${this.options.extension} to be ${state} (state ${current})` },
    );
  }

  /** Lists the phone's channels. */
  async channels(): Promise<IaxChannel[]> {
    const output = await this.container.cli("core show channels concise");
    return output
      .split("\n")
      .filter((line) => line.includes("!"))
      .map((line) => {
        const fields = line.split("!");
        return {
          name: fields[0],
          context: fields[1],
          extension: fields[2],
          state: fields[4],
          application: fields[5],
          uniqueId: fields[13] ?? "",
        };
      });
  }

  /**
   * Copies the far-end recording of the most recent call into `directory` and
   * returns its path. MixMonitor completes the file when the call ends.
   */
  async recording(directory = tmpdir()): Promise<string> {
    const remotePath = await this.remoteRecordingPath();
    const target = join(directory, `iax-${this.options.extension}-${remotePath.split("/").pop()}`);
    await writeFile(target, await this.container.readFile(remotePath));
    return target;
  }

  /** Returns the last lines of the phone's Asterisk log, for failure reports. */
  async logTail(lines = 40): Promise<string> {
    return this.container.logTail(lines);
  }

  /** Removes the container. */
  async stop(): Promise<void> {
    await this.container.remove();
  }

  private get pbx(): string {
    return `${this.options.pbxAddress}:${this.options.pbxPort ?? 4569}`;
  }

  private beginCall(): void {
    this.dialedAt = undefined;
    this.callStarted = true;
    this.callSeen = false;
    this.lastUniqueId = undefined;
  }

  private async waitForChannel(match: (channel: IaxChannel) => boolean, timeoutMs: number, description: string): Promise<IaxChannel> {
    return waitFor(
      async () => {
        const channel = (await this.channels()).find(match);
        if (channel) {
          this.callSeen = true;
          this.lastUniqueId = channel.uniqueId;
        }
        return channel;
      },
      { timeoutMs, intervalMs: 100, description: `${description} on IAX2 ${this.options.extension}` },
    );
  }

  private async remoteRecordingPath(): Promise<string> {
    if (this.lastUniqueId) {
      return `${RECORDING_DIRECTORY}/heard-${this.lastUniqueId}.wav`;
    }
    // The call ended before any state poll saw it: take the newest recording.
    const listing = await this.container.exec(["sh", "-c", `ls -1t ${RECORDING_DIRECTORY}/heard-*.wav 2>/dev/null | head -n 1`]);
    const newest = listing.stdout.trim();
    if (!newest) {
      throw new Error(`no recording in ${this.name}:${RECORDING_DIRECTORY}: no call of IAX2 ${this.options.extension} has been answered yet`);
    }
    return newest;
  }
}

function renderConfiguration(options: IaxPhoneOptions): Record<string, string> {
  const pbxPort = options.pbxPort ?? 4569;
  const { extension, secret, pbxAddress } = options;

  const iax = `[general]
bindaddr = ${options.localAddress}
bindport = ${options.localPort ?? 4569}
disallow = all
allow = ulaw
allow = alaw
jitterbuffer = no
autokill = yes
delayreject = no
register => ${extension}:${secret}@${pbxAddress}:${pbxPort}

; Outgoing calls: IAX2/pbx/<number>.
[pbx]
type = peer
host = ${pbxAddress}
port = ${pbxPort}
username = ${extension}
secret = ${secret}
auth = md5
qualify = no

; Incoming calls that the PBX authenticates as this extension.
[${extension}]
type = user
secret = ${secret}
auth = md5
context = from-pbx
requirecalltoken = no

; Incoming calls that carry no user name.
[guest]
type = user
context = from-pbx
requirecalltoken = no
`;

  const extensions = `[general]
static = yes
writeprotect = yes

; Incoming calls: answer at once. Dial(IAX2/<peer>) with no number asks for s.
[from-pbx]
exten => _[0-9*#+a-z]!,1,Goto(s,1)
exten => s,1,Answer()
 same => n,MixMonitor(${RECORDING_DIRECTORY}/both-\${UNIQUEID}.wav,r(${RECORDING_DIRECTORY}/heard-\${UNIQUEID}.wav))
 same => n,Goto(phone-audio,s,1)

; Calls placed with channel originate, once the PBX answers.
[phone-out]
exten => s,1,MixMonitor(${RECORDING_DIRECTORY}/both-\${UNIQUEID}.wav,r(${RECORDING_DIRECTORY}/heard-\${UNIQUEID}.wav))
 same => n,Goto(phone-audio,s,1)

[phone-audio]
exten => s,1,Playback(${AUDIO_PATH.replace(/\.wav$/, "")})
 same => n,Goto(s,1)

; Reached by channel redirect: sends the digits in the extension, then resumes the audio.
[phone-dtmf]
exten => _[0-9A-D*#]!,1,SendDTMF(\${EXTEN},250)
 same => n,Goto(phone-audio,s,1)
`;

  return {
    "/etc/asterisk/asterisk.conf": "[options]\nverbose = 3\n",
    "/etc/asterisk/logger.conf": "[general]\ndateformat = %F %T.%3q\n\n[logfiles]\nmessages.log => notice,warning,error,verbose(3),dtmf\n",
    "/etc/asterisk/cdr.conf": "[general]\nenable = no\n",
    "/etc/asterisk/modules.conf": MODULES_CONF,
    "/etc/asterisk/iax.conf": iax,
    "/etc/asterisk/extensions.conf": extensions,
  };
}

// Only what the phone needs, so that nothing else binds a port on the host network.
const MODULES_CONF = `[modules]
autoload = no
load = res_timing_timerfd.so
load = chan_iax2.so
load = pbx_config.so
load = res_clioriginate.so
load = codec_ulaw.so
load = codec_alaw.so
load = codec_a_mu.so
load = format_wav.so
load = format_pcm.so
load = app_playback.so
load = app_mixmonitor.so
load = app_senddtmf.so
load = app_verbose.so
`;
