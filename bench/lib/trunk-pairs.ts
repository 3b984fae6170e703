// The two PBX pairs that the trunk capacity benchmark compares, each a calling
// PBX with a PJSIP trunk to a called PBX that answers the number CALLED_NUMBER
// and plays a tone into every call:
//
// - project: the mochis and tabasco sites rendered from their stack files by the
//   project's renderers, trunk authentication, ACLs and all; the call reaches
//   tabasco's IVR, whose greetings are replaced with a long tone;
// - bare: two Asterisks of the same image with hand-written pjsip.conf and
//   extensions.conf: one plain PJSIP trunk without authentication or ACL, the
//   same codec list, and a Playback of the same tone.
//
// Addresses 127.0.110.0/24 (calling side) and 127.0.111.0/24 (called side), RTP
// ports 40000-43999, containers named phone-test-bench-trunk-*.

import { readFileSync } from "node:fs";
import { join } from "node:path";

import { CODECS } from "../../components/asterisk/names";
import { loadSite } from "../../components/model/load";
import { writeToneWav } from "../../test/support/audio";
import { AsteriskContainer } from "../../test/support/phones/asterisk-container";
import { waitFor } from "../../test/support/phones/wait";
import { PROJECT_DIR, SitePbx } from "../../test/support/site-pbx";
import { readStackConfig } from "../../test/support/stack-files";
import type { CallerCredentials } from "./trunk-calls";

/** Loopback address of sipp, the phones of the calling PBX. */
export const CALLER_ADDRESS = "127.0.110.10";
/** UDP port of sipp's RTP. */
export const CALLER_MEDIA_PORT = 44000;
/** Number that the callers dial: tabasco's access code and its IVR. */
export const CALLED_NUMBER = "82399";

/** Ports per PBX; the stack files give each site 1000 ports as well. */
const RTP_PORT_COUNT = 1000;
/** Longer than any call the benchmark holds, so the tone never ends during a measurement. */
const TONE_SECONDS = 120;
const TONE_HZ = 660;

const CONTAINER_PREFIX = "phone-test-bench-trunk";

/**
 * Phones added to mochis for the benchmark, each allowed the maximum of 10
 * simultaneous calls, so that together they can hold up to 300 calls: more than
 * the 250 calls that 1000 RTP ports allow a calling PBX (two RTP sessions per
 * call, each taking an RTP and an RTCP port).
 */
export const BENCH_EXTENSIONS = Array.from({ length: 30 }, (_, index) => String(120 + index));
const MAX_CALLS_PER_EXTENSION = 10;
/** Maximum of concurrent calls that the callers of either pair may hold. */
export const MAX_PAIR_CALLS = BENCH_EXTENSIONS.length * MAX_CALLS_PER_EXTENSION;

export interface TrunkPair {
  /** `project` or `bare`. */
  readonly label: string;
  readonly calling: AsteriskContainer;
  readonly called: AsteriskContainer;
  /** SIP address and port of the calling PBX, for sipp. */
  readonly callingServer: string;
  readonly callers: readonly CallerCredentials[];
  /** Prefix of the trunk's channel names as `pjsip show channelstats` prints them, on both PBXs. */
  readonly trunkChannelPrefix: string;
  stop(): Promise<void>;
}

/** Writes the tone that the called PBX of both pairs plays into every call. */
export async function writeCalledTone(directory: string): Promise<string> {
  return writeToneWav(join(directory, "called-tone.wav"), TONE_HZ, TONE_SECONDS);
}

/**
 * Starts mochis (calling, 127.0.110.1) and tabasco (called, 127.0.111.1) from
 * their stack files, with trunks to each other and the extra phones of BENCH_EXTENSIONS at mochis,
 * and waits until each side's PJSIP trunk qualifies as available.
 */
export async function startProjectPair(tonePath: string): Promise<TrunkPair> {
  const calledRaw = readStackConfig(PROJECT_DIR, "tabasco");
  const calledRecordings = loadSite("tabasco", calledRaw, { projectDir: PROJECT_DIR }).recordings;
  const recordings = Object.fromEntries(calledRecordings.map((recording) => [recording.name, tonePath]));

  const calling = await SitePbx.start({
    code: "mochis",
    address: "127.0.110.1",
    rtpStart: 40000,
    rtpPortCount: RTP_PORT_COUNT,
    peerAddresses: { tabasco: "127.0.111.1" },
    containerName: `${CONTAINER_PREFIX}-mochis`,
    editConfig: (raw) => {
      raw.extensions = [
        ...(raw.extensions ?? []),
        ...BENCH_EXTENSIONS.map((number) => ({ number, name: `Carga ${number}`, protocol: "pjsip" as const, maxCalls: MAX_CALLS_PER_EXTENSION })),
      ];
    },
  });
  let called: SitePbx;
  try {
    called = await SitePbx.start({
      code: "tabasco",
      address: "127.0.111.1",
      rtpStart: 41000,
      rtpPortCount: RTP_PORT_COUNT,
      peerAddresses: { mochis: "127.0.110.1" },
      containerName: `${CONTAINER_PREFIX}-tabasco`,
      recordings,
    });
  } catch (error) {
    await calling.stop();
    throw error;
  }

  const pair: TrunkPair = {
    label: "project",
    calling: calling.asterisk,
    called: called.asterisk,
    callingServer: `${calling.address}:5060`,
    callers: BENCH_EXTENSIONS.map((user) => ({ user, password: calling.password(user) })),
    trunkChannelPrefix: "trunk-",
    stop: async () => {
      await Promise.allSettled([calling.stop(), called.stop()]);
    },
  };
  try {
    await waitForTrunkAvailable(calling, "tabasco");
    await waitForTrunkAvailable(called, "mochis");
  } catch (error) {
    await pair.stop();
    throw error;
  }
  return pair;
}

async function waitForTrunkAvailable(pbx: SitePbx, peer: string): Promise<void> {
  let last = "";
  await waitFor(
    async () => {
      last = await pbx.cli(`pjsip show aor trunk-${peer}`);
      return /Contact:\s+trunk-\S+\s+\S+\s+Avail/.test(last);
    },
    { timeoutMs: 30_000, intervalMs: 500, description: () => `the PJSIP trunk of ${pbx.model.site.code} to ${peer} to qualify; last output:\n${last}` },
  );
}

/** Password of the bare pair's phone; the bare calling PBX challenges the phone as the project's sites do. */
const BARE_PHONE_PASSWORD = "BenchPhonePass4271";
const BARE_TONE_PATH = "/var/lib/inova/bench-tone";

/** Starts the bare pair: calling PBX on 127.0.110.2, called PBX on 127.0.111.2. */
export async function startBarePair(tonePath: string): Promise<TrunkPair> {
  const calling = await AsteriskContainer.start({
    name: `${CONTAINER_PREFIX}-bare-calling`,
    files: bareFiles({
      address: "127.0.110.2",
      peerAddress: "127.0.111.2",
      trunk: "trunk-tabasco",
      rtpStart: 42000,
      extensions: `[phones]\nexten => _82X.,1,Dial(PJSIP/\${EXTEN:2}@trunk-tabasco)\n same => n,Hangup()\n\n[trunk-in]\n`,
      phone: true,
    }),
  });
  let called: AsteriskContainer;
  try {
    called = await AsteriskContainer.start({
      name: `${CONTAINER_PREFIX}-bare-called`,
      files: {
        ...bareFiles({
          address: "127.0.111.2",
          peerAddress: "127.0.110.2",
          trunk: "trunk-mochis",
          rtpStart: 43000,
          extensions: `[trunk-in]\nexten => 399,1,Answer()\n same => n,Playback(${BARE_TONE_PATH})\n same => n,Hangup()\n`,
          phone: false,
        }),
        [`${BARE_TONE_PATH}.wav`]: readFileSync(tonePath),
      },
    });
  } catch (error) {
    await calling.remove();
    throw error;
  }
  return {
    label: "bare",
    calling,
    called,
    callingServer: "127.0.110.2:5060",
    callers: [{ user: "phone", password: BARE_PHONE_PASSWORD }],
    trunkChannelPrefix: "trunk-",
    stop: async () => {
      await Promise.allSettled([calling.remove(), called.remove()]);
    },
  };
}

interface BareOptions {
  readonly address: string;
  readonly peerAddress: string;
  /** Endpoint name of the trunk, as the project names it, so both pairs' channels share a prefix. */
  readonly trunk: string;
  readonly rtpStart: number;
  readonly extensions: string;
  /** Adds the endpoint `phone`, which authenticates with BARE_PHONE_PASSWORD and calls in context `phones`. */
  readonly phone: boolean;
}

function bareFiles(options: BareOptions): Record<string, string> {
  const codecs = ["disallow = all", ...CODECS.map((codec) => `allow = ${codec}`)].join("\n");
  const phone = options.phone
    ? `[phone]
type = endpoint
transport = transport-udp
context = phones
${codecs}
auth = phone-auth
aors = phone
direct_media = no

[phone-auth]
type = auth
auth_type = digest
username = phone
password = ${BARE_PHONE_PASSWORD}

[phone]
type = aor
`
    : "";
  const pjsip = `[transport-udp]
type = transport
protocol = udp
bind = ${options.address}:5060

[${options.trunk}]
type = endpoint
transport = transport-udp
context = trunk-in
${codecs}
aors = ${options.trunk}
direct_media = no

[${options.trunk}]
type = aor
contact = sip:${options.peerAddress}:5060

[${options.trunk}-identify]
type = identify
endpoint = ${options.trunk}
match = ${options.peerAddress}

${phone}`;

  return {
    "/etc/asterisk/asterisk.conf": "[options]\nverbose = 1\n",
    "/etc/asterisk/logger.conf": "[general]\ndateformat = %F %T.%3q\n\n[logfiles]\nmessages.log => notice,warning,error\n",
    "/etc/asterisk/cdr.conf": "[general]\nenable = no\n",
    "/etc/asterisk/rtp.conf": `[general]\nrtpstart = ${options.rtpStart}\nrtpend = ${options.rtpStart + RTP_PORT_COUNT - 1}\n`,
    "/etc/asterisk/modules.conf": BARE_MODULES,
    "/etc/asterisk/pjsip.conf": pjsip,
    "/etc/asterisk/extensions.conf": `[general]\nstatic = yes\nwriteprotect = yes\n\n${options.extensions}`,
  };
}

// Only what a trunk call needs, so that nothing else binds a port on the host network.
const BARE_MODULES = `[modules]
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
load = res_pjsip_endpoint_identifier_ip.so
load = res_pjsip_endpoint_identifier_user.so
load = res_pjsip_caller_id.so
load = res_pjsip_sdp_rtp.so
load = chan_pjsip.so
load = res_rtp_asterisk.so
load = bridge_simple.so
load = bridge_native_rtp.so
load = pbx_config.so
load = codec_ulaw.so
load = codec_alaw.so
load = codec_gsm.so
load = format_wav.so
load = app_dial.so
load = app_playback.so
`;
