// A second Asterisk that plays a carrier of the public telephone network for the sites'
// trunks. It answers every call from a site with a tone of its own, records the call, and
// logs the dialed number and caller ID; it can also call a site's public number and press
// a digit once the site answers.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { writeToneWav } from "../audio";
import { AsteriskContainer } from "./asterisk-container";
import { waitFor } from "./wait";

/** A site that the carrier serves: its PBX address and the trunk credentials. */
export interface CarrierCustomer {
  /** Site code; names the carrier's endpoint `site-<code>`. */
  readonly code: string;
  /** Address of the site's PBX; the carrier accepts calls from there only. */
  readonly address: string;
  readonly sipPort: number;
  readonly username: string;
  readonly password: string;
}

export interface TestCarrierOptions {
  /** Container name; must start with `phone-test-`. */
  readonly name: string;
  /** Loopback address that the carrier's SIP transport binds. */
  readonly address: string;
  /** Inclusive RTP port range of the carrier. */
  readonly rtpPorts: readonly [number, number];
  /** Tone that the carrier plays into every call it answers, in Hz. */
  readonly toneHz: number;
  readonly customers: readonly CarrierCustomer[];
}

/** A call that reached the carrier, as its dialplan logged it. */
export interface CarrierCall {
  /** Number the site sent, e.g. `5512345678` or `911`. */
  readonly dialed: string;
  /** Caller ID number that the site sent. */
  readonly callerId: string;
  /** Asterisk's unique ID of the call, which names its recording. */
  readonly uniqueId: string;
}

/** The result of a call that the carrier placed to a site. */
export interface CarrierDialResult {
  /** DIALSTATUS, e.g. `ANSWER` or `CONGESTION`. */
  readonly status: string;
  /** Q.850 cause of the hang-up, e.g. `16` or `1`. */
  readonly cause: string;
}

const MESSAGES_LOG = "/var/log/asterisk/messages.log";
const MONITOR_DIRECTORY = "/var/spool/asterisk/monitor";
const TONE_PATH = "/var/lib/inova/carrier-tone";

/** Half-seconds the carrier waits after the site answers before it presses CARRIER_DIGIT. */
const DIGIT_DELAY_HALF_SECONDS = 6;
const CARRIER_DIGIT = "1";

export class TestCarrier {
  /** Unique IDs of the calls that waitForCall() has returned, so each call is returned once. */
  private readonly returnedCalls = new Set<string>();

  private constructor(
    readonly options: TestCarrierOptions,
    readonly asterisk: AsteriskContainer,
    private readonly directory: string,
  ) {}

  static async start(options: TestCarrierOptions): Promise<TestCarrier> {
    const directory = await mkdtemp(join(tmpdir(), "test-carrier-"));
    const tone = await writeToneWav(join(directory, "tone.wav"), options.toneHz, 120);
    const asterisk = await AsteriskContainer.start({
      name: options.name,
      files: { ...configFiles(options), [`${TONE_PATH}.wav`]: await readFile(tone) },
    });
    return new TestCarrier(options, asterisk, directory);
  }

  /** Lists the calls from sites that the carrier answered, oldest first. */
  async calls(): Promise<CarrierCall[]> {
    const log = await this.asterisk.exec(["cat", MESSAGES_LOG]);
    return [...log.stdout.matchAll(/CARRIER-CALL dialed=([^\s")]+) callerid=([^\s")]*) uniqueid=([^\s")]+)/g)].map((match) => ({
      dialed: match[1],
      callerId: match[2],
      uniqueId: match[3],
    }));
  }

  /** Waits for a call to `dialed` from `callerId` that no earlier wait returned, and returns it. */
  async waitForCall(dialed: string, callerId: string, timeoutMs = 20_000): Promise<CarrierCall> {
    let seen: CarrierCall[] = [];
    return waitFor(
      async () => {
        seen = await this.calls();
        const call = seen.find((candidate) => candidate.dialed === dialed && candidate.callerId === callerId && !this.returnedCalls.has(candidate.uniqueId));
        if (call !== undefined) {
          this.returnedCalls.add(call.uniqueId);
        }
        return call;
      },
      {
        timeoutMs,
        intervalMs: 250,
        description: () => `a call to ${dialed} from ${callerId} at the carrier ${this.options.name} (calls so far: ${JSON.stringify(seen)})`,
      },
    );
  }

  /**
   * Calls `number` at the site `code` and, three seconds after the site answers, presses 1.
   * The call is recorded as `outbound-<number>`. Returns at once; see waitForDialResult.
   */
  async dial(code: string, number: string): Promise<void> {
    await this.asterisk.cli(`channel originate Local/${number}@carrier-dial-${code} application Wait 60`);
  }

  /** Waits for the carrier's call to `number` to end, and returns its status and hang-up cause. */
  async waitForDialResult(number: string, timeoutMs = 60_000): Promise<CarrierDialResult> {
    return waitFor(
      async () => {
        const log = await this.asterisk.exec(["cat", MESSAGES_LOG]);
        const match = new RegExp(`CARRIER-RESULT number=${number} status=([^\\s")]*) cause=([^\\s")]*)`).exec(log.stdout);
        return match === null ? undefined : { status: match[1], cause: match[2] };
      },
      { timeoutMs, intervalMs: 250, description: () => `the end of the carrier's call to ${number}` },
    );
  }

  /** Copies the recording of a call, both directions mixed, to the host once the call has ended. */
  async recording(name: string): Promise<string> {
    const path = `${MONITOR_DIRECTORY}/${name}.wav`;
    const target = join(this.directory, `${name}-${Date.now()}.wav`);
    await waitFor(
      async () => {
        const status = await this.asterisk.exec(["sh", "-c", `test -s ${path} && ! asterisk -rx 'core show channels concise' | grep -q .`]);
        return status.exitCode === 0;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: () => `the recording ${path} to be complete` },
    );
    await writeFile(target, await this.asterisk.readFile(path));
    return target;
  }

  async logTail(lines = 60): Promise<string> {
    return this.asterisk.logTail(lines);
  }

  async stop(): Promise<void> {
    await this.asterisk.remove();
    await rm(this.directory, { recursive: true, force: true });
  }
}

function configFiles(options: TestCarrierOptions): Record<string, string> {
  const endpoints = options.customers.map((customer) => customerSections(customer)).join("\n");
  const pjsip = `[transport-udp]
type = transport
protocol = udp
bind = ${options.address}:5060

${endpoints}`;

  const dialContexts = options.customers
    .map(
      (customer) => `[carrier-dial-${customer.code}]
exten => _X.,1,Set(__RECORDING=outbound-\${EXTEN})
 same => n,Dial(PJSIP/\${EXTEN}@site-${customer.code},30,b(carrier-record^s^1)gD(${"w".repeat(DIGIT_DELAY_HALF_SECONDS)}${CARRIER_DIGIT}))
 same => n,Verbose(1,CARRIER-RESULT number=\${EXTEN} status=\${DIALSTATUS} cause=\${HANGUPCAUSE})
 same => n,Hangup()
`,
    )
    .join("\n");

  const extensions = `[general]
static = yes
writeprotect = yes

; Calls from a site: log them, record both directions, answer with the carrier's tone.
[carrier-in]
exten => _X.,1,Verbose(1,CARRIER-CALL dialed=\${EXTEN} callerid=\${CALLERID(num)} uniqueid=\${UNIQUEID})
 same => n,Answer()
 same => n,MixMonitor(\${UNIQUEID}.wav)
 same => n,Playback(${TONE_PATH})
 same => n,Hangup()

; Pre-dial handler: records the dialed channel, so the recording starts when the site answers.
[carrier-record]
exten => s,1,MixMonitor(\${RECORDING}.wav)
 same => n,Return()

${dialContexts}`;

  return {
    "/etc/asterisk/asterisk.conf": "[options]\nverbose = 3\n",
    "/etc/asterisk/logger.conf": "[general]\ndateformat = %F %T.%3q\n\n[logfiles]\nmessages.log => notice,warning,error,verbose(1)\n",
    "/etc/asterisk/cdr.conf": "[general]\nenable = no\n",
    "/etc/asterisk/rtp.conf": `[general]\nrtpstart = ${options.rtpPorts[0]}\nrtpend = ${options.rtpPorts[1]}\n`,
    "/etc/asterisk/modules.conf": MODULES_CONF,
    "/etc/asterisk/pjsip.conf": pjsip,
    "/etc/asterisk/extensions.conf": extensions,
  };
}

/** Renders the carrier's side of a site's trunk, which challenges the site's calls and responds to the site's challenges. */
function customerSections(customer: CarrierCustomer): string {
  const name = `site-${customer.code}`;
  return `[${name}]
type = endpoint
transport = transport-udp
context = carrier-in
disallow = all
allow = ulaw
allow = alaw
auth = ${name}-auth
outbound_auth = ${name}-auth
aors = ${name}
identify_by = ip
direct_media = no
dtmf_mode = rfc4733

[${name}-auth]
type = auth
auth_type = digest
username = ${customer.username}
password = ${customer.password}

[${name}]
type = aor
contact = sip:${customer.address}:${customer.sipPort}

[${name}-identify]
type = identify
endpoint = ${name}
match = ${customer.address}
`;
}

// Only what the carrier needs, so that nothing else binds a port on the host network.
const MODULES_CONF = `[modules]
autoload = no
load = res_sorcery_config.so
load = res_sorcery_memory.so
load = res_sorcery_astdb.so
load = res_timing_timerfd.so
load = res_pjproject.so
load = res_pjsip.so
load = res_pjsip_session.so
load = res_pjsip_pubsub.so
load = res_pjsip_authenticator_digest.so
load = res_pjsip_outbound_authenticator_digest.so
load = res_pjsip_endpoint_identifier_ip.so
load = res_pjsip_caller_id.so
load = res_pjsip_sdp_rtp.so
load = res_pjsip_dtmf_info.so
load = chan_pjsip.so
load = res_rtp_asterisk.so
load = bridge_simple.so
load = bridge_native_rtp.so
load = pbx_config.so
load = res_clioriginate.so
load = codec_ulaw.so
load = codec_alaw.so
load = codec_a_mu.so
load = format_wav.so
load = format_pcm.so
load = app_dial.so
load = app_stack.so
load = app_playback.so
load = app_mixmonitor.so
load = app_verbose.so
load = func_callerid.so
`;
