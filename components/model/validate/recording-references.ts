// Every place the stack configuration names a recording, for checks on recording names.

import { entryPath } from "../paths";
import type { SiteModel } from "../types";

export interface RecordingReference {
  readonly name: string;
  /** Path of the setting that names the recording; for a default of an IVR, the path it would have. */
  readonly path: string;
  /** Origin of the name, for messages, e.g. `played by IVR "199"`. */
  readonly origin: string;
  /** True for a key of `inova-pbx:recordings`, false for a recording that an IVR plays. */
  readonly supplied: boolean;
}

/** Lists the recordings each IVR plays, then those the operator supplies, in configuration order. */
export function recordingReferences(model: SiteModel): RecordingReference[] {
  const references: RecordingReference[] = [];
  model.ivrs.forEach((ivr, ivrIndex) => {
    const origin = `played by IVR "${ivr.number}"`;
    ivr.greetings.forEach((band, bandIndex) => {
      const path = entryPath("ivrs", ivrIndex, "greetings", bandIndex, "recording");
      references.push({ name: band.recording, path, origin, supplied: false });
    });
    const prompts = [
      ["timeoutRecording", ivr.timeoutRecording],
      ["invalidRecording", ivr.invalidRecording],
      ["unavailableRecording", ivr.unavailableRecording],
      ["goodbyeRecording", ivr.goodbyeRecording],
    ] as const;
    for (const [key, name] of prompts) {
      references.push({ name, path: entryPath("ivrs", ivrIndex, key), origin, supplied: false });
    }
  });

  for (const recording of model.recordings) {
    if (recording.generated !== true) {
      const path = entryPath("recordings", recording.name);
      references.push({ name: recording.name, path, origin: `at ${path}`, supplied: true });
    }
  }
  return references;
}
