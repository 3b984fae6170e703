// Recognises audio files by their content (magic bytes), never by their name.

import * as fs from "node:fs";

export type AudioFormat = "WAV" | "MP3" | "Ogg" | "FLAC" | "AIFF" | "AU";

/** Formats the deployment converts, as listed in messages. */
export const SUPPORTED_FORMATS = "WAV, MP3, Ogg, FLAC, AIFF or AU";

/** Bytes read from the start of a file: enough for every header below and 16 GSM frames. */
const PROBE_BYTES = 33 * 16;

/** Size of a raw GSM 06.10 frame in bytes; each frame starts with the signature nibble 0xD. */
const GSM_FRAME_BYTES = 33;

/** Result of probing a file: its format, or why it is not usable audio. */
export type ProbeResult = { readonly format: AudioFormat } | { readonly reason: string };

/** Reads the start of a file and probes it. The caller has checked that the file exists. */
export function probeAudioFile(file: string): ProbeResult {
  const size = fs.statSync(file).size;
  const descriptor = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(Math.min(size, PROBE_BYTES));
    fs.readSync(descriptor, head, 0, head.length, 0);
    return probeAudio(head, size);
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Probes the first bytes of a file of `size` bytes. */
export function probeAudio(head: Buffer, size: number): ProbeResult {
  const format = detectFormat(head);
  if (format !== undefined) {
    return { format };
  }
  if (size === 0) {
    return { reason: "is empty" };
  }
  if (head.toString("latin1", 0, 64).startsWith("version https://git-lfs")) {
    return { reason: "is a Git LFS pointer, not the audio itself; run git lfs pull" };
  }
  if (looksLikeRawGsm(head, size)) {
    return { reason: `is raw GSM, which has no header and is not accepted; convert it to ${SUPPORTED_FORMATS}` };
  }
  return { reason: `is not audio in a supported format; its content matches none of ${SUPPORTED_FORMATS}, so convert it to one of them` };
}

function detectFormat(head: Buffer): AudioFormat | undefined {
  const ascii = (start: number, length: number): string => head.toString("latin1", start, start + length);
  if ((ascii(0, 4) === "RIFF" || ascii(0, 4) === "RF64") && ascii(8, 4) === "WAVE") {
    return "WAV";
  }
  if (ascii(0, 3) === "ID3" || isMpegAudioFrame(head)) {
    return "MP3";
  }
  if (ascii(0, 4) === "OggS") {
    return "Ogg";
  }
  if (ascii(0, 4) === "fLaC") {
    return "FLAC";
  }
  if (ascii(0, 4) === "FORM" && (ascii(8, 4) === "AIFF" || ascii(8, 4) === "AIFC")) {
    return "AIFF";
  }
  if (ascii(0, 4) === ".snd") {
    return "AU";
  }
  return undefined;
}

/** True when the file starts with an MPEG-1, -2 or -2.5 audio frame header (layers I to III). */
function isMpegAudioFrame(head: Buffer): boolean {
  if (head.length < 4 || head[0] !== 0xff || (head[1] & 0xe0) !== 0xe0) {
    return false;
  }
  const version = (head[1] >> 3) & 0x03;
  const layer = (head[1] >> 1) & 0x03;
  const bitrate = head[2] >> 4;
  const sampleRate = (head[2] >> 2) & 0x03;
  // Version 1 and layer 0 are reserved; bitrate 15 and sample rate 3 are invalid.
  return version !== 1 && layer !== 0 && bitrate !== 0x0f && sampleRate !== 0x03;
}

function looksLikeRawGsm(head: Buffer, size: number): boolean {
  if (size % GSM_FRAME_BYTES !== 0) {
    return false;
  }
  for (let offset = 0; offset < head.length; offset += GSM_FRAME_BYTES) {
    if (head[offset] >> 4 !== 0x0d) {
      return false;
    }
  }
  return true;
}
