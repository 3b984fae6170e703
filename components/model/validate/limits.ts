// Ranges of the whole-number settings of extensions, ring groups and IVRs.

import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import type { SiteModel } from "../types";

/** Inclusive bounds of a whole-number setting. */
interface Limit {
  readonly min: number;
  readonly max: number;
}

/** Simultaneous calls per extension; the cap limits toll fraud with a stolen password. */
export const MAX_CALLS_LIMIT: Limit = { min: 1, max: 10 };
/** Seconds a member or group rings before the next step. */
export const RING_SECONDS_LIMIT: Limit = { min: 5, max: 300 };
/** Seconds an IVR waits for a digit. */
export const TIMEOUT_SECONDS_LIMIT: Limit = { min: 1, max: 60 };
/** Failed attempts before an IVR lets the caller go. */
export const MAX_ATTEMPTS_LIMIT: Limit = { min: 1, max: 10 };

export function validateLimits(model: SiteModel): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const check = (value: number, limit: Limit, path: string, name: string): void => {
    if (value < limit.min || value > limit.max) {
      problems.push({ path, code: "E_OUT_OF_RANGE", message: `${name} ${value} is out of range; use ${limit.min} to ${limit.max}.` });
    }
  };

  model.extensions.forEach((extension, index) => {
    check(extension.maxCalls, MAX_CALLS_LIMIT, entryPath("extensions", index, "maxCalls"), "maxCalls");
  });
  model.ringGroups.forEach((group, index) => {
    check(group.ringSeconds, RING_SECONDS_LIMIT, entryPath("ringGroups", index, "ringSeconds"), "ringSeconds");
  });
  model.ivrs.forEach((ivr, index) => {
    check(ivr.timeoutSeconds, TIMEOUT_SECONDS_LIMIT, entryPath("ivrs", index, "timeoutSeconds"), "timeoutSeconds");
    check(ivr.maxAttempts, MAX_ATTEMPTS_LIMIT, entryPath("ivrs", index, "maxAttempts"), "maxAttempts");
  });
  return problems;
}
