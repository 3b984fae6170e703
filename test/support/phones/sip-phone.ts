// A SIP phone for tests: one baresip 1.0.0 process, controlled over its
// ctrl_tcp module, that registers to a PBX over UDP, plays a WAV file into
// every call and records what it hears.
//
// ctrl_tcp is used rather than stdin because it returns one JSON response per
// command and sends every call and registration event as JSON, while the
// stdin UI prints free text mixed with status lines.
//
// Audio: the aufile module reads the source WAV (8 kHz, mono, 16-bit), and
// baresip ends the call when the file runs out, so the file must be longer
// than the call. The sndfile module writes the decoded far-end audio of each
// call to `dump-<start time>-dec.wav` in the phone's folder. The player is an
// aubridge device that nothing reads, so no sound card is needed.

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { BaresipControl, type BaresipEvent } from "./baresip-control";
import { assertPortsFree } from "./ports";
import { isRunning, stopChild, trackChild } from "./processes";
import { sleep } from "./wait";

export type SipCallState = "IDLE" | "CALLING" | "INCOMING" | "RINGING" | "ESTABLISHED" | "CLOSED";

export interface SipPhoneOptions {
  /** SIP user name, also used as the authentication user, e.g. `2001`. */
  readonly user: string;
  readonly password: string;
  /** Registrar as `address:port`, e.g. `127.0.95.1:5060`; requests go there over UDP. */
  readonly server: string;
  /** Loopback address that this phone binds for SIP, RTP and ctrl_tcp, e.g. `127.0.95.11`. */
  readonly localAddress: string;
  /** WAV file (8 kHz, mono, 16-bit) played into every call; must last longer than any call. */
  readonly audioFile: string;
  /** Local SIP port; baresip also listens for TCP on it and for TLS on the next port. @default 5060 */
  readonly sipPort?: number;
  /** ctrl_tcp port. @default 4444 */
  readonly controlPort?: number;
  /** Inclusive local RTP port range. @default [32000, 32999] */
  readonly rtpPorts?: readonly [number, number];
  /** Registration interval in seconds. @default 300 */
  readonly registrationIntervalSeconds?: number;
  /** Folder for configuration, log and recordings; created when missing. @default a new temporary folder */
  readonly workDirectory?: string;
  /** Time allowed for baresip to start, in milliseconds. @default 10000 */
  readonly startTimeoutMs?: number;
}

/** Raised by register() when the registrar rejects the phone. */
export class RegistrationError extends Error {
  constructor(
    message: string,
    /** Status line from the registrar, e.g. `401 Unauthorized`. */
    readonly reason: string,
  ) {
    super(message);
    this.name = "RegistrationError";
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class SipPhone {
  /** Every ctrl_tcp event received, oldest first. */
  readonly events: BaresipEvent[] = [];
  /** Digits received from the far end as RFC 4733 telephone-events, in order. */
  receivedDigits = "";
  private callState: SipCallState = "IDLE";
  private reachedStates = new Set<SipCallState>();
  private closeReason = "";
  private peerUri = "";
  /** Incoming calls received, and how many of them waitForIncoming() has returned. */
  private incomingCalls = 0;
  private awaitedIncomingCalls = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly options: SipPhoneOptions,
    readonly workDirectory: string,
    private readonly child: ChildProcess,
    private readonly control: BaresipControl,
    private readonly ownsWorkDirectory: boolean,
  ) {
    control.on("event", (event) => this.handleEvent(event));
    control.on("close", () => this.notify());
    child.once("exit", () => this.notify());
  }

  /** Starts baresip with this phone's configuration and connects to its ctrl_tcp. */
  static async start(options: SipPhoneOptions): Promise<SipPhone> {
    await access(options.audioFile).catch(() => {
      throw new Error(`audio file ${options.audioFile} not found; create it with writeToneWav()`);
    });
    // baresip 1.0.0 ends an account parameter value at `;` or whitespace and keeps quotes as part of it.
    for (const [name, value] of [["user", options.user], ["password", options.password]] as const) {
      if (value === "" || /[;\s<>]/.test(value)) {
        const valueText = name === "password" ? "" : ` "${value}"`;
        throw new Error(`invalid SIP ${name}${valueText} for ${options.user}: baresip account parameters cannot carry an empty value, ";", "<", ">" or whitespace`);
      }
    }
    const sipPort = options.sipPort ?? 5060;
    const controlPort = options.controlPort ?? 4444;
    // A second baresip on a taken ctrl_tcp port would leave this phone talking to the first one.
    await assertPortsFree(options.localAddress, { tcp: [controlPort, sipPort, sipPort + 1], udp: [sipPort] }, `SIP phone ${options.user}`);

    const ownsWorkDirectory = options.workDirectory === undefined;
    const workDirectory = options.workDirectory ?? (await mkdtemp(join(tmpdir(), `sip-phone-${options.user}-`)));
    await mkdir(join(workDirectory, "recordings"), { recursive: true });
    await writeFile(join(workDirectory, "config"), renderConfig(options, workDirectory));
    // Accounts are created with `uanew` once ctrl_tcp is connected, so that no registration event is missed.
    await writeFile(join(workDirectory, "accounts"), "");

    const log = createWriteStream(join(workDirectory, "baresip.log"));
    const child = spawn("baresip", ["-f", workDirectory], { stdio: ["ignore", "pipe", "pipe"] });
    trackChild(child);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);

    let control: BaresipControl;
    try {
      control = await BaresipControl.connect(options.localAddress, controlPort, options.startTimeoutMs ?? DEFAULT_TIMEOUT_MS, () => isRunning(child));
    } catch (error) {
      await stopChild(child).catch(() => undefined);
      const logText = await readFile(join(workDirectory, "baresip.log"), "utf8").catch(() => "");
      throw new Error(`SIP phone ${options.user} failed to start: ${(error as Error).message}\nbaresip log:\n${tail(logText, 30)}`);
    }
    return new SipPhone(options, workDirectory, child, control, ownsWorkDirectory);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** State of the current or last call. */
  get state(): SipCallState {
    return this.callState;
  }

  /** Remote URI of the current or last call. */
  get remoteUri(): string {
    return this.peerUri;
  }

  /** Creates the account and waits for the registrar to accept it; throws RegistrationError when it rejects it. */
  async register(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const firstEvent = this.events.length;
    await this.control.send("uanew", this.accountLine());

    const outcome = await this.waitForEvent(
      (event) => event.type === "REGISTER_OK" || event.type === "REGISTER_FAIL",
      timeoutMs,
      `${this.options.user} to register at ${this.options.server}`,
      firstEvent,
    );
    if (outcome.type === "REGISTER_FAIL") {
      const reason = outcome.param ?? "unknown reason";
      throw new RegistrationError(`registration of ${this.options.user} at ${this.options.server} failed: ${reason}`, reason);
    }
  }

  /**
   * Starts a call. `target` is a full SIP URI or a number, which is sent to
   * the registrar as `sip:<number>@<server>`.
   */
  async dial(target: string): Promise<void> {
    const uri = target.startsWith("sip:") ? target : `sip:${target}@${this.options.server}`;
    this.beginCall("CALLING", uri);
    await this.control.send("dial", uri);
  }

  /** Waits for an incoming call and returns the caller's URI. */
  async waitForIncoming(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    await this.waitUntil(() => this.incomingCalls > this.awaitedIncomingCalls, timeoutMs, `an incoming call to ${this.options.user}`);
    this.awaitedIncomingCalls = this.incomingCalls;
    return this.peerUri;
  }

  /** Answers the ringing incoming call. */
  async answer(): Promise<void> {
    await this.control.send("accept");
  }

  /**
   * Sends digits as RFC 4733 telephone-events on the established call: one
   * `sndcode` command per digit, `gapMs` apart. Asterisk 22 measured each
   * digit sent this way by baresip 1.0.0 as 180 ms long.
   */
  async sendDtmf(digits: string, gapMs = 300): Promise<void> {
    if (!/^[0-9*#A-D]+$/.test(digits)) {
      throw new Error(`invalid DTMF digits "${digits}"; expected 0-9, *, # or A-D`);
    }
    if (this.callState !== "ESTABLISHED") {
      throw new Error(`cannot send DTMF from ${this.options.user}: the call is ${this.callState}, not ESTABLISHED`);
    }
    for (const digit of digits) {
      await this.control.send("sndcode", digit);
      await sleep(gapMs);
    }
  }

  /** Ends the current call, whatever its state. */
  async hangup(): Promise<void> {
    await this.control.send("hangup");
  }

  /**
   * Waits until the current call has reached `state`. Waiting for ESTABLISHED
   * or RINGING fails at once when the call closes first, with the close
   * reason. Waiting for CLOSED returns at once when there has been no call.
   */
  async waitForState(state: "ESTABLISHED" | "CLOSED" | "RINGING", timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.waitUntil(
      () => {
        if (this.reachedStates.has(state) || (state === "CLOSED" && this.callState === "IDLE")) {
          return true;
        }
        // A call answered without a provisional response never rings.
        if (state === "RINGING" && this.reachedStates.has("ESTABLISHED")) {
          return true;
        }
        if (state !== "CLOSED" && this.reachedStates.has("CLOSED")) {
          throw new Error(`call of ${this.options.user} with ${this.peerUri} closed before ${state}: ${this.closeReason || "no reason given"}`);
        }
        return false;
      },
      timeoutMs,
      `the call of ${this.options.user} to be ${state}`,
    );
  }

  /**
   * Returns the path of the WAV file with the far-end audio of the most recent
   * call. The file is complete once the call has closed.
   */
  async recording(): Promise<string> {
    const directory = join(this.workDirectory, "recordings");
    const names = (await readdir(directory)).filter((name) => name.endsWith("-dec.wav")).sort();
    if (names.length === 0) {
      throw new Error(`no recording in ${directory}: no call of ${this.options.user} has carried audio yet`);
    }
    // NOTE: sndfile names files by the second the audio started, so a second call started
    // within the same second as the previous one overwrites its recording.
    return join(directory, names[names.length - 1]);
  }

  /** Returns the last lines of baresip's output, for failure reports. */
  async logTail(lines = 40): Promise<string> {
    return tail(await readFile(join(this.workDirectory, "baresip.log"), "utf8").catch(() => ""), lines);
  }

  /**
   * Quits baresip (SIGTERM, then SIGKILL, when it does not exit in time) and
   * deletes the work folder when start() created it and `keepFiles` is false.
   */
  async stop(keepFiles = false): Promise<void> {
    if (isRunning(this.child)) {
      await this.control.send("quit", "", 1_000).catch(() => undefined);
    }
    this.control.close();
    await stopChild(this.child);
    if (this.ownsWorkDirectory && !keepFiles) {
      await rm(this.workDirectory, { recursive: true, force: true });
    }
  }

  private accountLine(): string {
    const { user, password, server } = this.options;
    const interval = this.options.registrationIntervalSeconds ?? 300;
    // baresip reads `;key=value` account parameters after the bracketed address.
    return `<sip:${user}@${server};transport=udp>;auth_user=${user};auth_pass=${password};regint=${interval};answermode=manual;ptime=20`;
  }

  private beginCall(state: SipCallState, peerUri: string): void {
    this.reachedStates = new Set([state]);
    this.callState = state;
    this.closeReason = "";
    this.peerUri = peerUri;
  }

  private handleEvent(event: BaresipEvent): void {
    this.events.push(event);
    switch (event.type) {
      case "CALL_INCOMING":
        this.incomingCalls++;
        this.beginCall("INCOMING", event.peeruri ?? "");
        break;
      case "CALL_RINGING":
      case "CALL_PROGRESS":
        this.enterState("RINGING");
        break;
      case "CALL_ESTABLISHED":
        this.enterState("ESTABLISHED");
        break;
      case "CALL_CLOSED":
        this.closeReason = event.param ?? "";
        this.enterState("CLOSED");
        break;
      case "CALL_DTMF_START":
        this.receivedDigits += event.param ?? "";
        break;
    }
    this.notify();
  }

  private enterState(state: SipCallState): void {
    this.callState = state;
    this.reachedStates.add(state);
  }

  private notify(): void {
    for (const waiter of this.waiters) {
      waiter();
    }
  }

  private waitForEvent(match: (event: BaresipEvent) => boolean, timeoutMs: number, description: string, fromIndex = 0): Promise<BaresipEvent> {
    return this.waitUntil(() => this.events.slice(fromIndex).find(match), timeoutMs, description);
  }

  /** Resolves with the first truthy result of `check`, re-run on every event; rejects on timeout or when baresip exits. */
  private waitUntil<T>(check: () => T | false | undefined, timeoutMs: number, description: string): Promise<T> {
    return new Promise<T>((resolvePromise, reject) => {
      const finish = (error: Error | undefined, value?: T): void => {
        clearTimeout(timer);
        this.waiters.delete(evaluate);
        if (error) {
          reject(error);
        } else {
          resolvePromise(value as T);
        }
      };
      const evaluate = (): void => {
        let result: T | false | undefined;
        try {
          result = check();
        } catch (error) {
          finish(error as Error);
          return;
        }
        if (result) {
          finish(undefined, result);
        } else if (!isRunning(this.child)) {
          finish(new Error(`baresip of ${this.options.user} exited (code ${this.child.exitCode}, signal ${this.child.signalCode}) while waiting for ${description}`));
        }
      };
      const timer = setTimeout(() => {
        const recent = this.events
          .slice(-6)
          .map((event) => `${event.type}${event.param ? ` (${event.param})` : ""}`)
          .join(", ");
        finish(new Error(`timed out after ${timeoutMs} ms waiting for ${description}; call state ${this.callState}; last events: ${recent || "none"}`));
      }, timeoutMs);
      this.waiters.add(evaluate);
      evaluate();
    });
  }
}

function renderConfig(options: SipPhoneOptions, workDirectory: string): string {
  const [rtpStart, rtpEnd] = options.rtpPorts ?? [32000, 32999];
  const address = options.localAddress;
  const lines = [
    "poll_method epoll",
    `sip_listen ${address}:${options.sipPort ?? 5060}`,
    "call_local_timeout 60",
    "call_max_calls 2",
    // baresip 1.0.0 accepts an IP address here and binds SIP and RTP to it.
    `net_interface ${address}`,
    // SIP URIs in tests carry IP addresses; a loopback resolver keeps any lookup on this machine.
    `dns_server ${address}:53`,
    `rtp_ports ${rtpStart}-${rtpEnd}`,
    "rtp_timeout 0",
    `audio_source aufile,${resolve(options.audioFile)}`,
    "audio_player aubridge,null-player",
    "audio_alert aubridge,null-alert",
    "ausrc_srate 8000",
    "auplay_srate 8000",
    "ausrc_channels 1",
    "auplay_channels 1",
    "module_path /usr/lib/baresip/modules",
    "module g711.so",
    "module aufile.so",
    "module aubridge.so",
    "module sndfile.so",
    "module_app account.so",
    "module_app menu.so",
    "module_app ctrl_tcp.so",
    `ctrl_tcp_listen ${address}:${options.controlPort ?? 4444}`,
    `snd_path ${join(workDirectory, "recordings")}`,
    "statmode_default off",
    "",
  ];
  return lines.join("\n");
}

function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}
