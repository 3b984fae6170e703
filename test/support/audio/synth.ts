// Test audio written with sox: 8 kHz, mono, signed 16-bit PCM by default, the
// format that baresip's aufile source and Asterisk's format_wav read.

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface WavFormat {
  /** @default 8000 */
  readonly sampleRate?: number;
  /** Peak amplitude as a fraction of full scale. @default 0.5 */
  readonly amplitude?: number;
}

/** One step of a tone sequence; `hz: 0` is silence. */
export interface ToneStep {
  readonly hz: number;
  readonly seconds: number;
}

function outputArguments(path: string, format: WavFormat): string[] {
  return ["-r", String(format.sampleRate ?? 8000), "-c", "1", "-b", "16", "-e", "signed-integer", path];
}

async function sox(args: string[]): Promise<void> {
  try {
    await execFileAsync("sox", args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`sox ${args.join(" ")} failed: ${(error as Error).message} ${stderr}`.trim());
  }
}

function checkSeconds(seconds: number): void {
  if (!(seconds > 0)) {
    throw new Error(`invalid duration ${seconds} s; expected a positive number of seconds`);
  }
}

/** Writes a sine tone at `hz` lasting `seconds` to `path`. */
export async function writeToneWav(path: string, hz: number, seconds: number, format: WavFormat = {}): Promise<string> {
  checkSeconds(seconds);
  const amplitude = format.amplitude ?? 0.5;
  await sox(["-n", ...outputArguments(path, format), "synth", String(seconds), "sine", String(hz), "vol", String(amplitude)]);
  return path;
}

/** Writes digital silence lasting `seconds` to `path`. */
export async function writeSilenceWav(path: string, seconds: number, format: WavFormat = {}): Promise<string> {
  checkSeconds(seconds);
  await sox(["-n", ...outputArguments(path, format), "trim", "0", String(seconds)]);
  return path;
}

/** Writes white noise lasting `seconds` to `path`. */
export async function writeNoiseWav(path: string, seconds: number, format: WavFormat = {}): Promise<string> {
  checkSeconds(seconds);
  const amplitude = format.amplitude ?? 0.5;
  await sox(["-n", ...outputArguments(path, format), "synth", String(seconds), "whitenoise", "vol", String(amplitude)]);
  return path;
}

/** Writes several tones sounding at once, each at `amplitude / frequencies.length`. */
export async function writeChordWav(path: string, frequencies: readonly number[], seconds: number, format: WavFormat = {}): Promise<string> {
  if (frequencies.length === 0) {
    throw new Error("writeChordWav needs at least one frequency");
  }
  const parts = await mkdtemp(join(tmpdir(), "chord-"));
  try {
    const inputs: string[] = [];
    for (const [index, hz] of frequencies.entries()) {
      inputs.push(await writeToneWav(join(parts, `${index}.wav`), hz, seconds, format));
    }
    // `-m` mixes the inputs and scales each by 1/n, so the sum cannot clip.
    await sox(inputs.length > 1 ? ["-m", ...inputs, ...outputArguments(path, format)] : [...inputs, ...outputArguments(path, format)]);
  } finally {
    await rm(parts, { recursive: true, force: true });
  }
  return path;
}

/** Writes the steps one after another to `path`. */
export async function writeToneSequenceWav(path: string, steps: readonly ToneStep[], format: WavFormat = {}): Promise<string> {
  if (steps.length === 0) {
    throw new Error("writeToneSequenceWav needs at least one step");
  }
  const parts = await mkdtemp(join(tmpdir(), "sequence-"));
  try {
    const inputs: string[] = [];
    for (const [index, step] of steps.entries()) {
      const part = join(parts, `${index}.wav`);
      inputs.push(step.hz === 0 ? await writeSilenceWav(part, step.seconds, format) : await writeToneWav(part, step.hz, step.seconds, format));
    }
    await sox([...inputs, ...outputArguments(path, format)]);
  } finally {
    await rm(parts, { recursive: true, force: true });
  }
  return path;
}
