// Tone detection by Goertzel filter over short blocks of a recording.
//
// Each block is BLOCK_SECONDS long. A block contains a tone at `hz` when the
// block is louder than `minLevelDbfs` and the Goertzel power at `hz` carries at
// least `minShare` of the block's energy. A pure sine scores close to 1, each of
// two equal simultaneous sines close to 0.5, and white noise below 0.05.

import { readWav, type PcmAudio } from "./wav";

/** Block length: 40 ms, or 320 samples at 8 kHz, which resolves about 25 Hz. */
export const BLOCK_SECONDS = 0.04;

export interface ToneOptions {
  /** Minimum total time, in seconds, over which the tone must be present. @default 1 */
  readonly minSeconds?: number;
  /** Largest difference, in Hz, between the expected and the measured frequency. @default 15 */
  readonly toleranceHz?: number;
  /** Minimum fraction (0..1) of a block's energy that the tone must carry. @default 0.3 */
  readonly minShare?: number;
  /** Blocks quieter than this RMS level, in dBFS, count as silence. @default -45 */
  readonly minLevelDbfs?: number;
}

export interface DominantFrequency {
  /** Frequency in Hz, averaged over the blocks of its cluster and rounded. */
  readonly hz: number;
  /** Total time, in seconds, of the blocks in which this frequency dominates. */
  readonly seconds: number;
}

export interface DominantFrequencyOptions {
  /** Frequencies that dominate for less than this many seconds are left out. @default 0.2 */
  readonly minSeconds?: number;
  /** @default 0.3 */
  readonly minShare?: number;
  /** @default -45 */
  readonly minLevelDbfs?: number;
  /** Lowest frequency scanned, in Hz. @default 100 */
  readonly minHz?: number;
  /** Highest frequency scanned, in Hz. @default just under half the sample rate */
  readonly maxHz?: number;
}

export interface SilenceOptions {
  /** The recording is silent when no block is louder than this RMS level, in dBFS. @default -50 */
  readonly maxLevelDbfs?: number;
}

const SCAN_STEP_HZ = 10;
const TOLERANCE_STEP_HZ = 5;

interface Block {
  readonly start: number;
  readonly length: number;
  /** Sum of squared samples. */
  readonly energy: number;
  readonly levelDbfs: number;
}

/** Returns |X(hz)|² of `length` samples from `start`, computed with the Goertzel recurrence. */
export function goertzelPower(samples: Float32Array, start: number, length: number, hz: number, sampleRate: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (let i = start; i < start + length; i++) {
    const current = samples[i] + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
}

function splitIntoBlocks(audio: PcmAudio): Block[] {
  const length = Math.max(1, Math.round(audio.sampleRate * BLOCK_SECONDS));
  const blocks: Block[] = [];
  for (let start = 0; start + length <= audio.samples.length; start += length) {
    let energy = 0;
    for (let i = start; i < start + length; i++) {
      energy += audio.samples[i] * audio.samples[i];
    }
    const rms = Math.sqrt(energy / length);
    blocks.push({ start, length, energy, levelDbfs: rms > 0 ? 20 * Math.log10(rms) : -Infinity });
  }
  return blocks;
}

/** Fraction of the block's energy at `hz`: 1 for a pure sine at exactly `hz`. */
function toneShare(audio: PcmAudio, block: Block, hz: number): number {
  if (block.energy === 0) {
    return 0;
  }
  const power = goertzelPower(audio.samples, block.start, block.length, hz, audio.sampleRate);
  return (2 * power) / (block.length * block.energy);
}

/** Returns the total time, in seconds, during which a tone at `hz` is present in `audio`. */
export function measureToneSeconds(audio: PcmAudio, hz: number, options: ToneOptions = {}): number {
  const toleranceHz = options.toleranceHz ?? 15;
  const minShare = options.minShare ?? 0.3;
  const minLevelDbfs = options.minLevelDbfs ?? -45;

  let seconds = 0;
  for (const block of splitIntoBlocks(audio)) {
    if (block.levelDbfs < minLevelDbfs) {
      continue;
    }
    let best = 0;
    for (let offset = -toleranceHz; offset <= toleranceHz; offset += TOLERANCE_STEP_HZ) {
      best = Math.max(best, toneShare(audio, block, hz + offset));
    }
    if (best >= minShare) {
      seconds += block.length / audio.sampleRate;
    }
  }
  return seconds;
}

/** Lists the frequencies that dominate the audible blocks of `audio`, longest first. */
export function findDominantFrequencies(audio: PcmAudio, options: DominantFrequencyOptions = {}): DominantFrequency[] {
  const minSeconds = options.minSeconds ?? 0.2;
  const minShare = options.minShare ?? 0.3;
  const minLevelDbfs = options.minLevelDbfs ?? -45;
  const minHz = options.minHz ?? 100;
  const maxHz = options.maxHz ?? audio.sampleRate / 2 - 50;

  // Time per scanned frequency (a multiple of SCAN_STEP_HZ) at which it was the block's peak.
  const secondsByPeak = new Map<number, number>();
  for (const block of splitIntoBlocks(audio)) {
    if (block.levelDbfs < minLevelDbfs) {
      continue;
    }
    let peakHz = 0;
    let peakShare = 0;
    for (let hz = minHz; hz <= maxHz; hz += SCAN_STEP_HZ) {
      const share = toneShare(audio, block, hz);
      if (share > peakShare) {
        peakShare = share;
        peakHz = hz;
      }
    }
    if (peakShare >= minShare) {
      secondsByPeak.set(peakHz, (secondsByPeak.get(peakHz) ?? 0) + block.length / audio.sampleRate);
    }
  }

  return clusterPeaks(secondsByPeak)
    .filter((peak) => peak.seconds >= minSeconds)
    .sort((a, b) => b.seconds - a.seconds);
}

/** Merges peaks on neighbouring scan frequencies, which one tone produces across blocks. */
function clusterPeaks(secondsByPeak: Map<number, number>): DominantFrequency[] {
  const peaks = [...secondsByPeak.entries()].sort((a, b) => a[0] - b[0]);
  const clusters: DominantFrequency[] = [];
  let weightedHz = 0;
  let seconds = 0;
  let lastHz = -Infinity;

  const close = (): void => {
    if (seconds > 0) {
      clusters.push({ hz: Math.round(weightedHz / seconds), seconds: roundSeconds(seconds) });
    }
  };
  for (const [hz, blockSeconds] of peaks) {
    if (hz - lastHz > 2 * SCAN_STEP_HZ) {
      close();
      weightedHz = 0;
      seconds = 0;
    }
    weightedHz += hz * blockSeconds;
    seconds += blockSeconds;
    lastHz = hz;
  }
  close();
  return clusters;
}

function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Returns the RMS level, in dBFS, of the loudest block of `audio`; -Infinity for digital silence. */
export function peakBlockLevelDbfs(audio: PcmAudio): number {
  let peak = -Infinity;
  for (const block of splitIntoBlocks(audio)) {
    peak = Math.max(peak, block.levelDbfs);
  }
  return peak;
}

/** Returns the seconds during which a tone at `hz` is present in the WAV file. */
export async function toneSeconds(wavPath: string, hz: number, options: ToneOptions = {}): Promise<number> {
  return roundSeconds(measureToneSeconds(await readWav(wavPath), hz, options));
}

/** Tells whether the WAV file contains a tone at `hz` for at least `minSeconds` in total. */
export async function hasTone(wavPath: string, hz: number, options: ToneOptions = {}): Promise<boolean> {
  const seconds = await toneSeconds(wavPath, hz, options);
  return seconds >= (options.minSeconds ?? 1);
}

/** Lists the frequencies that dominate the WAV file, longest first. */
export async function dominantFrequencies(wavPath: string, options: DominantFrequencyOptions = {}): Promise<DominantFrequency[]> {
  return findDominantFrequencies(await readWav(wavPath), options);
}

/** Tells whether no 40 ms block of the WAV file is louder than `maxLevelDbfs`. */
export async function isSilent(wavPath: string, options: SilenceOptions = {}): Promise<boolean> {
  return peakBlockLevelDbfs(await readWav(wavPath)) <= (options.maxLevelDbfs ?? -50);
}

/**
 * Summarises a WAV file for assertion messages, e.g.
 * `/tmp/heard.wav: 6.2 s at 8000 Hz, peak -6.0 dBFS, dominant 700 Hz for 5.8 s, 1300 Hz for 0.2 s`.
 */
export async function describeAudio(wavPath: string): Promise<string> {
  let audio: PcmAudio;
  try {
    audio = await readWav(wavPath);
  } catch (error) {
    return `${wavPath}: unreadable (${(error as Error).message})`;
  }
  const duration = (audio.samples.length / audio.sampleRate).toFixed(1);
  const peak = peakBlockLevelDbfs(audio);
  const peakText = Number.isFinite(peak) ? `${peak.toFixed(1)} dBFS` : "digital silence";
  const dominant = findDominantFrequencies(audio)
    .slice(0, 4)
    .map((frequency) => `${frequency.hz} Hz for ${frequency.seconds.toFixed(1)} s`);
  const dominantText = dominant.length > 0 ? `dominant ${dominant.join(", ")}` : "no dominant tone";
  return `${wavPath}: ${duration} s at ${audio.sampleRate} Hz, peak ${peakText}, ${dominantText}`;
}
