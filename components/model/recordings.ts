// The site's recordings: those the operator supplies, plus generated speech for every other
// recording that an IVR plays, so the dialplan never refers to a missing prompt.

import * as path from "node:path";
import { DEFAULT_VOICE, type DayPart } from "./defaults";
import type { RawRecording } from "./raw";
import { dayPartAt, greetingText, PROMPT_TEXTS, type PromptRole } from "./speech";
import type { Ivr, Recording, RecordingSource } from "./types";

/** An IVR of the model, with the parts of the day of its greeting bands when they are the defaults. */
export interface LoadedIvr {
  readonly ivr: Ivr;
  /** Parts of the day of the default bands, in band order; undefined when the operator set the bands. */
  readonly defaultParts?: readonly DayPart[];
}

/** Builds the recordings of a site, sorted by name. */
export function buildRecordings(
  ivrs: readonly LoadedIvr[],
  supplied: Readonly<Record<string, RawRecording>>,
  projectDir: string,
): Recording[] {
  const recordings = new Map<string, Recording>();
  for (const [name, raw] of Object.entries(supplied)) {
    recordings.set(name, { name, source: operatorSource(raw, projectDir) });
  }

  const generate = (name: string, text: string): void => {
    if (!recordings.has(name)) {
      recordings.set(name, { name, source: { kind: "speech", text, voice: DEFAULT_VOICE }, generated: true });
    }
  };

  for (const { ivr, defaultParts } of ivrs) {
    ivr.greetings.forEach((band, index) => {
      const part = defaultParts?.[index] ?? dayPartAt(band.from);
      generate(band.recording, greetingText(part, ivr.options));
    });
    const prompts: readonly [string, PromptRole][] = [
      [ivr.timeoutRecording, "timeout"],
      [ivr.invalidRecording, "invalid"],
      [ivr.unavailableRecording, "unavailable"],
      [ivr.goodbyeRecording, "goodbye"],
    ];
    for (const [name, role] of prompts) {
      generate(name, PROMPT_TEXTS[role]);
    }
  }

  return [...recordings.values()].sort(compareNames);
}

/** Orders recordings by name in code-point order, the same on every machine and locale. */
function compareNames(a: Recording, b: Recording): number {
  if (a.name === b.name) {
    return 0;
  }
  return a.name < b.name ? -1 : 1;
}

/** Names of every recording that some IVR plays. */
export function playedRecordingNames(ivrs: readonly Ivr[]): Set<string> {
  const names = new Set<string>();
  for (const ivr of ivrs) {
    for (const band of ivr.greetings) {
      names.add(band.recording);
    }
    for (const name of [ivr.timeoutRecording, ivr.invalidRecording, ivr.unavailableRecording, ivr.goodbyeRecording]) {
      names.add(name);
    }
  }
  return names;
}

function operatorSource(raw: RawRecording, projectDir: string): RecordingSource {
  if ("file" in raw && typeof raw.file === "string") {
    return { kind: "file", path: projectRelativePath(raw.file, projectDir) };
  }
  const speech = raw as { text: string; voice?: string };
  return { kind: "speech", text: speech.text, voice: speech.voice ?? DEFAULT_VOICE };
}

/**
 * Normalises a path the operator wrote (relative to the project directory, or absolute) to a
 * path relative to the project directory with `/` separators. A path outside the project
 * starts with `..`, which validation reports.
 */
export function projectRelativePath(file: string, projectDir: string): string {
  const absolute = path.resolve(projectDir, file);
  return path.relative(path.resolve(projectDir), absolute).split(path.sep).join("/");
}
