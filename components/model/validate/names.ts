// Display names and labels (no Asterisk syntax characters) and recording names (a safe
// identifier, unique within the site even ignoring case).

import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import type { SiteModel } from "../types";
import { recordingReferences } from "./recording-references";
import { findSyntaxProblem } from "./text";

/** A recording name: letters, digits, `-` and `_`, starting with a letter or digit. It also names a sound file. */
export const RECORDING_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function validateNames(model: SiteModel): ValidationProblem[] {
  return [...validateDisplayNames(model), ...validateRecordingNames(model)];
}

function validateDisplayNames(model: SiteModel): ValidationProblem[] {
  const texts: { path: string; what: string; value: string }[] = [
    { path: entryPath("site", "name"), what: "name", value: model.site.name },
    ...model.extensions.map((extension, index) => ({ path: entryPath("extensions", index, "name"), what: "name", value: extension.name })),
    ...model.ringGroups.map((group, index) => ({ path: entryPath("ringGroups", index, "name"), what: "name", value: group.name })),
    ...model.ivrs.flatMap((ivr, ivrIndex) => [
      { path: entryPath("ivrs", ivrIndex, "name"), what: "name", value: ivr.name },
      ...ivr.options.map((option, optionIndex) => ({
        path: entryPath("ivrs", ivrIndex, "options", optionIndex, "label"),
        what: "label",
        value: option.label,
      })),
    ]),
  ];

  const problems: ValidationProblem[] = [];
  for (const text of texts) {
    const problem = findSyntaxProblem(text.value);
    if (problem !== undefined) {
      problems.push({ path: text.path, code: "E_SYNTAX_CHARACTER", message: `${text.what} ${JSON.stringify(text.value)} ${problem}.` });
    }
  }
  return problems;
}

function validateRecordingNames(model: SiteModel): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const references = recordingReferences(model);

  for (const reference of references) {
    if (!RECORDING_NAME_PATTERN.test(reference.name)) {
      problems.push({
        path: reference.path,
        code: "E_INVALID_NAME",
        message:
          `recording name ${JSON.stringify(reference.name)} is invalid; it also names a sound file, so use up to 64 ` +
          'letters, digits, "-" and "_", starting with a letter or digit, e.g. ivr-dia.',
      });
    }
  }

  // Names that differ only in case would clash as files on case-insensitive file systems.
  const firstByLowercase = new Map<string, (typeof references)[number]>();
  for (const reference of references) {
    const key = reference.name.toLowerCase();
    const first = firstByLowercase.get(key);
    if (first === undefined) {
      firstByLowercase.set(key, reference);
    } else if (first.name !== reference.name) {
      problems.push({
        path: reference.path,
        code: "E_DUPLICATE_NAME",
        message:
          `recording name "${reference.name}" differs only in case from "${first.name}" ${first.origin}; ` +
          `recording names also name sound files, so write "${first.name}" if both mean the same recording, or choose a distinct name.`,
      });
    }
  }
  return problems;
}
