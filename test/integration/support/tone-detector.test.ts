import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  describeAudio,
  dominantFrequencies,
  hasTone,
  isSilent,
  parseWav,
  toneSeconds,
  writeChordWav,
  writeNoiseWav,
  writeSilenceWav,
  writeToneSequenceWav,
  writeToneWav,
} from "../../support/audio";

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "tone-detector-"));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function file(name: string): string {
  return join(directory, name);
}

describe("hasTone", () => {
  it("finds a pure tone", async () => {
    const wav = await writeToneWav(file("700.wav"), 700, 2);

    expect(await hasTone(wav, 700)).toBe(true);
    expect(await toneSeconds(wav, 700)).toBeGreaterThan(1.9);
  });

  it("rejects other frequencies", async () => {
    const wav = await writeToneWav(file("700-only.wav"), 700, 2);

    expect(await hasTone(wav, 1300)).toBe(false);
    expect(await hasTone(wav, 750)).toBe(false);
    expect(await hasTone(wav, 650)).toBe(false);
  });

  it("accepts a frequency within tolerance", async () => {
    const wav = await writeToneWav(file("1004.wav"), 1004, 2);

    expect(await hasTone(wav, 1000)).toBe(true);
    expect(await hasTone(wav, 1000, { toleranceHz: 0 })).toBe(true);
  });

  it("requires minSeconds of tone", async () => {
    const wav = await writeToneSequenceWav(file("short.wav"), [
      { hz: 0, seconds: 1 },
      { hz: 900, seconds: 0.5 },
      { hz: 0, seconds: 1 },
    ]);

    expect(await hasTone(wav, 900, { minSeconds: 0.4 })).toBe(true);
    expect(await hasTone(wav, 900, { minSeconds: 0.8 })).toBe(false);
  });

  it("finds both tones of a chord", async () => {
    const wav = await writeChordWav(file("chord.wav"), [700, 1300], 2);

    expect(await hasTone(wav, 700)).toBe(true);
    expect(await hasTone(wav, 1300)).toBe(true);
    expect(await hasTone(wav, 1000)).toBe(false);
  });

  it("finds no tone in white noise", async () => {
    const wav = await writeNoiseWav(file("noise.wav"), 2);

    for (const hz of [400, 700, 1000, 1300, 2000]) {
      expect(await toneSeconds(wav, hz), `${hz} Hz`).toBe(0);
    }
  });

  it("finds a tone under noise", async () => {
    const tone = await writeToneWav(file("tone-for-mix.wav"), 1300, 2, { amplitude: 0.5 });
    const noise = await writeNoiseWav(file("noise-for-mix.wav"), 2, { amplitude: 0.1 });
    const mixed = await mixWavFiles(file("tone-under-noise.wav"), [tone, noise]);

    expect(await hasTone(mixed, 1300)).toBe(true);
    expect(await hasTone(mixed, 700)).toBe(false);
  });

  it("ignores a tone below the level floor", async () => {
    const wav = await writeToneWav(file("quiet.wav"), 700, 2, { amplitude: 0.001 });

    expect(await hasTone(wav, 700)).toBe(false);
    expect(await hasTone(wav, 700, { minLevelDbfs: -70 })).toBe(true);
  });
});

describe("dominantFrequencies", () => {
  it("lists sequential tones longest first", async () => {
    const wav = await writeToneSequenceWav(file("sequence.wav"), [
      { hz: 700, seconds: 1 },
      { hz: 0, seconds: 0.5 },
      { hz: 1300, seconds: 2 },
    ]);

    const found = await dominantFrequencies(wav);

    expect(found).toHaveLength(2);
    expect(found[0].hz).toBeGreaterThanOrEqual(1290);
    expect(found[0].hz).toBeLessThanOrEqual(1310);
    expect(found[0].seconds).toBeGreaterThan(1.8);
    expect(found[1].hz).toBeGreaterThanOrEqual(690);
    expect(found[1].hz).toBeLessThanOrEqual(710);
    expect(found[1].seconds).toBeGreaterThan(0.8);
  });

  it("returns nothing for noise", async () => {
    const wav = await writeNoiseWav(file("noise-dominant.wav"), 1);

    expect(await dominantFrequencies(wav)).toEqual([]);
  });

  it("returns nothing for silence", async () => {
    const wav = await writeSilenceWav(file("silence-dominant.wav"), 1);

    expect(await dominantFrequencies(wav)).toEqual([]);
  });
});

describe("isSilent", () => {
  it("accepts digital silence", async () => {
    expect(await isSilent(await writeSilenceWav(file("silence.wav"), 1))).toBe(true);
  });

  it("rejects a tone", async () => {
    expect(await isSilent(await writeToneWav(file("loud.wav"), 440, 1))).toBe(false);
  });

  it("rejects noise", async () => {
    expect(await isSilent(await writeNoiseWav(file("hiss.wav"), 1, { amplitude: 0.05 }))).toBe(false);
  });
});

describe("parseWav", () => {
  it("reads a header whose data size was never patched", async () => {
    const sampleRate = 8000;
    const samples = new Int16Array(sampleRate);
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(16000 * Math.sin((2 * Math.PI * 500 * i) / sampleRate));
    }
    const wav = Buffer.concat([wavHeader(sampleRate, 0), Buffer.from(samples.buffer)]);
    const path = file("unpatched.wav");
    await writeFile(path, wav);

    const audio = parseWav(wav);

    expect(audio.sampleRate).toBe(sampleRate);
    expect(audio.samples.length).toBe(sampleRate);
    expect(await hasTone(path, 500, { minSeconds: 0.9 })).toBe(true);
  });

  it("mixes stereo down to mono", () => {
    const frames = new Int16Array([1000, 3000, -2000, -4000]);
    const wav = Buffer.concat([wavHeader(8000, frames.byteLength, 2), Buffer.from(frames.buffer)]);

    const audio = parseWav(wav);

    expect(Array.from(audio.samples)).toEqual([2000 / 32768, -3000 / 32768]);
  });

  it("rejects a file that is not WAV", () => {
    expect(() => parseWav(Buffer.from("OggS not a wav file"))).toThrow(/not a RIFF\/WAVE file/);
  });
});

describe("describeAudio", () => {
  it("names the dominant tone", async () => {
    const wav = await writeToneWav(file("described.wav"), 700, 1);

    expect(await describeAudio(wav)).toMatch(/dominant 70\d Hz for 1\.0 s/);
  });
});

/** Adds two WAV files sample by sample at full volume. */
async function mixWavFiles(path: string, inputs: [string, string]): Promise<string> {
  await promisify(execFile)("sox", ["-m", "-v", "1", inputs[0], "-v", "1", inputs[1], path]);
  return path;
}

/** Builds a 44-byte PCM WAV header for 16-bit samples. */
function wavHeader(sampleRate: number, dataSize: number, channels = 1): Buffer {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(dataSize === 0 ? 0 : 36 + dataSize, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(dataSize, 40);
  return header;
}
