// Operator-supplied recordings: files that exist inside the project and contain audio, text
// that is not empty in a known voice, and nothing supplied that no IVR plays.

import * as fs from "node:fs";
import * as path from "node:path";
import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import { EMERGENCY_RECORDINGS } from "../carrier";
import { playedRecordingNames } from "../recordings";
import { closestMatch } from "../suggest";
import type { Recording, SiteModel } from "../types";
import { probeAudioFile } from "./audio";
import type { ValidationContext } from "./context";

/** An espeak-ng voice: a language tag such as `es-419`, optionally with a variant such as `+f3`. */
const VOICE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*(\+[a-z0-9]+)?$/;

export function validateRecordings(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const played = new Set([...playedRecordingNames(model.ivrs), ...Object.values(EMERGENCY_RECORDINGS)]);
  const playedLowercase = new Set([...played].map((name) => name.toLowerCase()));

  for (const recording of model.recordings) {
    if (recording.generated === true) {
      continue;
    }
    problems.push(...validateSource(recording, context.projectDir));

    // A name that differs from a played one only in case is reported as a duplicate name.
    if (!played.has(recording.name) && !playedLowercase.has(recording.name.toLowerCase())) {
      const match = closestMatch(recording.name, played);
      const fix = match === undefined ? "; remove it." : `. Did you mean "${match}"? Otherwise remove it.`;
      problems.push({
        path: entryPath("recordings", recording.name),
        code: "E_RECORDING_UNUSED",
        message: `recording "${recording.name}" is not played by any IVR${fix}`,
      });
    }
  }
  return problems;
}

function validateSource(recording: Recording, projectDir: string): ValidationProblem[] {
  const { source } = recording;
  if (source.kind === "speech") {
    const problems: ValidationProblem[] = [];
    if (source.text.trim() === "") {
      problems.push({
        path: entryPath("recordings", recording.name, "text"),
        code: "E_EMPTY_TEXT",
        message: "text is empty; write what the prompt says, or remove the recording to use the generated one.",
      });
    }
    if (!VOICE_PATTERN.test(source.voice)) {
      problems.push({
        path: entryPath("recordings", recording.name, "voice"),
        code: "E_VOICE",
        message: `voice "${source.voice}" is not an espeak-ng voice name; use e.g. es-419 (Latin American Spanish).`,
      });
    }
    return problems;
  }

  const filePath = entryPath("recordings", recording.name, "file");
  if (source.path === ".." || source.path.startsWith("../") || path.isAbsolute(source.path)) {
    return [
      {
        path: filePath,
        code: "E_RECORDING_OUTSIDE_PROJECT",
        message:
          `file "${source.path}" is outside the project directory, so other checkouts would not find it; ` +
          "copy it into the repository, e.g. to assets/recordings/, and give that path.",
      },
    ];
  }

  const absolute = path.join(projectDir, source.path);
  const stat = fs.statSync(absolute, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isFile()) {
    const state = stat === undefined ? "does not exist" : "is not a regular file";
    return [
      {
        path: filePath,
        code: "E_RECORDING_NOT_FOUND",
        message: `file "${source.path}" ${state} in the project directory; add the file or correct the path.`,
      },
    ];
  }

  const probe = probeAudioFile(absolute);
  if ("reason" in probe) {
    return [{ path: filePath, code: "E_RECORDING_NOT_AUDIO", message: `file "${source.path}" ${probe.reason}.` }];
  }
  return [];
}
