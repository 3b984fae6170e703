// Minimal RIFF/WAVE reader for the recordings that phones and Asterisk write in
// tests: integer PCM (8, 16, 24 or 32 bit) or 32-bit float, any channel count.
// Channels are averaged to mono because the detectors work on one signal.

import { readFile } from "node:fs/promises";

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Mono audio as floats in [-1, 1]. */
export interface PcmAudio {
  readonly sampleRate: number;
  readonly samples: Float32Array;
}

interface FormatChunk {
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly blockAlign: number;
  readonly bitsPerSample: number;
}

/** Reads a WAV file and returns its audio mixed down to mono. */
export async function readWav(path: string): Promise<PcmAudio> {
  const bytes = await readFile(path);
  try {
    return parseWav(bytes);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/**
 * Parses WAV bytes into mono samples.
 *
 * A data chunk whose declared size is 0 or runs past the end of the buffer is
 * read up to the end of the buffer. A writer that is still recording, or was
 * killed, has not yet patched the sizes in the header.
 */
export function parseWav(bytes: Buffer): PcmAudio {
  if (bytes.length < 12 || bytes.toString("ascii", 0, 4) !== "RIFF" || bytes.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error("not a RIFF/WAVE file");
  }

  let format: FormatChunk | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString("ascii", offset, offset + 4);
    const declaredSize = bytes.readUInt32LE(offset + 4);
    const bodyStart = offset + 8;

    if (id === "fmt ") {
      format = parseFormatChunk(bytes, bodyStart, declaredSize);
    } else if (id === "data") {
      if (!format) {
        throw new Error("data chunk comes before the fmt chunk");
      }
      const available = bytes.length - bodyStart;
      const size = declaredSize === 0 || declaredSize > available ? available : declaredSize;
      return { sampleRate: format.sampleRate, samples: decodeSamples(bytes, bodyStart, size, format) };
    }

    // Chunks are padded to an even length.
    offset = bodyStart + declaredSize + (declaredSize % 2);
  }
  throw new Error("no data chunk found");
}

function parseFormatChunk(bytes: Buffer, start: number, size: number): FormatChunk {
  if (size < 16 || start + 16 > bytes.length) {
    throw new Error(`fmt chunk is too short (${size} bytes)`);
  }
  let formatTag = bytes.readUInt16LE(start);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE && size >= 26) {
    // The first two bytes of the SubFormat GUID carry the actual format tag.
    formatTag = bytes.readUInt16LE(start + 24);
  }
  const chunk: FormatChunk = {
    formatTag,
    channels: bytes.readUInt16LE(start + 2),
    sampleRate: bytes.readUInt32LE(start + 4),
    blockAlign: bytes.readUInt16LE(start + 12),
    bitsPerSample: bytes.readUInt16LE(start + 14),
  };
  if (chunk.formatTag !== WAVE_FORMAT_PCM && chunk.formatTag !== WAVE_FORMAT_IEEE_FLOAT) {
    throw new Error(`unsupported WAV format tag 0x${chunk.formatTag.toString(16)}; expected PCM or IEEE float`);
  }
  if (chunk.channels < 1 || chunk.sampleRate < 1 || chunk.blockAlign < 1) {
    throw new Error(`invalid fmt chunk: ${chunk.channels} channels, ${chunk.sampleRate} Hz, block align ${chunk.blockAlign}`);
  }
  return chunk;
}

function decodeSamples(bytes: Buffer, start: number, size: number, format: FormatChunk): Float32Array {
  const bytesPerSample = format.blockAlign / format.channels;
  const readSample = sampleReader(bytes, format, bytesPerSample);
  const frames = Math.floor(size / format.blockAlign);
  const samples = new Float32Array(frames);

  for (let frame = 0; frame < frames; frame++) {
    const frameStart = start + frame * format.blockAlign;
    let sum = 0;
    for (let channel = 0; channel < format.channels; channel++) {
      sum += readSample(frameStart + channel * bytesPerSample);
    }
    samples[frame] = sum / format.channels;
  }
  return samples;
}

function sampleReader(bytes: Buffer, format: FormatChunk, bytesPerSample: number): (offset: number) => number {
  if (format.formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bytesPerSample === 4) return (offset) => bytes.readFloatLE(offset);
    if (bytesPerSample === 8) return (offset) => bytes.readDoubleLE(offset);
  } else {
    if (bytesPerSample === 1) return (offset) => (bytes.readUInt8(offset) - 128) / 128;
    if (bytesPerSample === 2) return (offset) => bytes.readInt16LE(offset) / 32768;
    if (bytesPerSample === 3) return (offset) => bytes.readIntLE(offset, 3) / 8388608;
    if (bytesPerSample === 4) return (offset) => bytes.readInt32LE(offset) / 2147483648;
  }
  throw new Error(`unsupported sample size of ${bytesPerSample} bytes (${format.bitsPerSample} bits)`);
}
