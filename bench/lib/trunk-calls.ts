// Concurrent calls across a trunk between two PBXs, placed by one sipp 3.6
// process (Debian package sip-tester) with bench/sipp/trunk-call.xml, and the
// RTP packet counts that Asterisk reports for the trunk's channels.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import type { AsteriskContainer } from "../../test/support/phones/asterisk-container";
import { tail } from "./command";
import { BENCH_DIR } from "./results";
import { runSipp } from "./sipp-run";

const execFileAsync = promisify(execFile);

const SCENARIO = join(BENCH_DIR, "sipp", "trunk-call.xml");

/** RTP packets per second of G.711 audio in 20 ms packets, the packet time that sipp offers and Asterisk uses by default. */
export const PACKETS_PER_SECOND = 50;
const SAMPLES_PER_PACKET = 160;

/** A phone at the calling PBX: the user and password that sipp authenticates with. */
export interface CallerCredentials {
  readonly user: string;
  readonly password: string;
}

export interface TrunkCallsOptions {
  /** Calling PBX as `address:port`. */
  readonly server: string;
  /** Loopback address that sipp binds for SIP and RTP. */
  readonly localAddress: string;
  /** UDP port of sipp's RTP; the SDP of every call offers it. */
  readonly mediaPort: number;
  /** Number that the callers dial. */
  readonly number: string;
  /** Call i authenticates as callers[i % callers.length]. */
  readonly callers: readonly CallerCredentials[];
  readonly calls: number;
  /** New calls started per second. */
  readonly callsPerSecond: number;
  /** Seconds between each call's ACK and its BYE. */
  readonly holdSeconds: number;
  /** Capture of the RTP packets that every call plays once it is answered; see writeAudioCapture. */
  readonly audioCapture: string;
}

export interface TrunkCallsResult {
  /** sipp's exit code: 0 when every call succeeded, 1 when at least one failed. */
  readonly exitCode: number;
  /** Calls that ran the whole scenario, including a 200 response to their BYE (sipp's SuccessfulCall). */
  readonly successful: number;
  /** Calls that sipp aborted (sipp's FailedCall): an error response, a BYE from the PBX or a timeout. */
  readonly failed: number;
  /** Last 4,000 characters of sipp's error file and standard error. */
  readonly errors: string;
}

/** A running sipp process and the promise of its result. */
export interface TrunkCalls {
  readonly result: Promise<TrunkCallsResult>;
  /** Sends SIGKILL to sipp; `result` then settles with what sipp wrote so far. */
  stop(): void;
}

/** Starts the calls and returns at once; `result` settles when sipp exits. */
export function startTrunkCalls(options: TrunkCallsOptions): TrunkCalls {
  if (options.callers.length === 0) {
    throw new Error("startTrunkCalls needs at least one caller");
  }
  const directory = mkdtempSync(join(tmpdir(), "inova-bench-trunk-sipp-"));
  const scenario = join(directory, "trunk-call.xml");
  writeFileSync(scenario, readFileSync(SCENARIO, "utf8").split("@AUDIO_PCAP@").join(options.audioCapture));
  const injection = join(directory, "callers.csv");
  const lines = ["SEQUENTIAL"];
  for (let index = 0; index < options.calls; index++) {
    const caller = options.callers[index % options.callers.length];
    lines.push(`${caller.user};[authentication username=${caller.user} password=${caller.password}];`);
  }
  writeFileSync(injection, `${lines.join("\n")}\n`, { mode: 0o600 });

  const setupSeconds = Math.ceil(options.calls / options.callsPerSecond);
  const args = [
    options.server,
    "-sf", scenario,
    "-inf", injection,
    "-i", options.localAddress,
    "-p", "5060",
    "-mi", options.localAddress,
    "-mp", String(options.mediaPort),
    "-s", options.number,
    "-m", String(options.calls),
    "-l", String(options.calls),
    "-r", String(options.callsPerSecond),
    "-d", String(options.holdSeconds * 1000),
  ];
  const run = runSipp(
    { directory, args, timeoutSeconds: setupSeconds + options.holdSeconds + 60, statisticsIntervalSeconds: 1, stderrCharacters: 4_000 },
    (exit): TrunkCallsResult => ({ ...exit, errors: tail(exit.errors) }),
  );
  return { result: run.result, stop: () => run.child.kill("SIGKILL") };
}

/**
 * Writes a pcap file of `seconds` of a PCMU tone in RTP packets of 20 ms, for sipp's
 * play_pcap_audio. The payload comes from sox; the Ethernet, IPv4 and UDP headers
 * are written here because sipp replays only the UDP payload and its timing.
 */
export async function writeAudioCapture(path: string, seconds: number, hz = 440): Promise<string> {
  const raw = `${path}.ulaw`;
  await execFileAsync("sox", ["-n", "-r", "8000", "-c", "1", "-t", "ul", raw, "synth", String(seconds), "sine", String(hz), "vol", "0.5"]);
  const payload = readFileSync(raw);
  rmSync(raw, { force: true });

  const packets: Buffer[] = [pcapFileHeader()];
  const count = Math.floor(payload.length / SAMPLES_PER_PACKET);
  for (let index = 0; index < count; index++) {
    const audio = payload.subarray(index * SAMPLES_PER_PACKET, (index + 1) * SAMPLES_PER_PACKET);
    packets.push(pcapRecord(index * 20_000, rtpPacket(index, audio)));
  }
  writeFileSync(path, Buffer.concat(packets));
  return path;
}

/** Global header of a little-endian pcap file (format 2.4) with Ethernet link type. */
function pcapFileHeader(): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65_535, 16);
  header.writeUInt32LE(1, 20);
  return header;
}

/** RTP header (RFC 3550) with payload type 0, PCMU, and the marker bit on the first packet. */
function rtpPacket(sequence: number, audio: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt8(0x80, 0);
  header.writeUInt8(sequence === 0 ? 0x80 : 0x00, 1);
  header.writeUInt16BE(sequence & 0xffff, 2);
  header.writeUInt32BE((sequence * SAMPLES_PER_PACKET) >>> 0, 4);
  header.writeUInt32BE(0x1a2b3c4d, 8);
  return Buffer.concat([header, audio]);
}

/** Wraps a UDP payload in a pcap record of an Ethernet frame with IPv4 from 127.0.0.1:6000 to 127.0.0.1:6000. */
function pcapRecord(microseconds: number, udpPayload: Buffer): Buffer {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(6000, 0);
  udp.writeUInt16BE(6000, 2);
  udp.writeUInt16BE(8 + udpPayload.length, 4);

  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + udp.length + udpPayload.length, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(17, 9);
  ip.writeUInt32BE(0x7f000001, 12);
  ip.writeUInt32BE(0x7f000001, 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);

  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);

  const frame = Buffer.concat([ethernet, ip, udp, udpPayload]);
  const record = Buffer.alloc(16);
  record.writeUInt32LE(Math.floor(microseconds / 1_000_000), 0);
  record.writeUInt32LE(microseconds % 1_000_000, 4);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([record, frame]);
}

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let offset = 0; offset < header.length; offset += 2) {
    sum += header.readUInt16BE(offset);
  }
  while (sum > 0xffff) {
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}

/** RTP counters of one channel, as `pjsip show channelstats` prints them. */
export interface ChannelRtpStats {
  /** Channel name without the `PJSIP/` technology, cut to 18 characters, e.g. `trunk-tabasco-0000`. */
  readonly channel: string;
  readonly codec: string;
  readonly receivedPackets: number;
  readonly receivedLost: number;
  readonly sentPackets: number;
}

/**
 * Reads `pjsip show channelstats` and returns the channels whose name starts with
 * `prefix`, in the printed order. Asterisk 22's chan_pjsip sorts that list by
 * bridge id and then channel name, and cuts names to 18 characters, so the names
 * of a trunk's channels are not unique. A channel outside a bridge has an empty
 * bridge column, so the fields are read from the end of the line.
 */
export async function channelRtpStats(asterisk: AsteriskContainer, prefix: string): Promise<ChannelRtpStats[]> {
  const output = await asterisk.cli("pjsip show channelstats");
  const stats: ChannelRtpStats[] = [];
  for (const line of output.split("\n")) {
    const fields = line.trim().split(/\s+/);
    // Channel, up time, codec, then receive count, lost, percent and jitter, then
    // transmit count, lost, percent, jitter and round-trip time.
    const at = fields.length - 12;
    if (at < 0 || !/^\d+:\d+:\d+$/.test(fields[at + 1])) {
      continue;
    }
    const channel = fields[at];
    if (!channel.startsWith(prefix)) {
      continue;
    }
    stats.push({
      channel,
      codec: fields[at + 2],
      receivedPackets: Number(fields[at + 3]),
      receivedLost: Number(fields[at + 4]),
      sentPackets: Number(fields[at + 7]),
    });
  }
  return stats;
}
