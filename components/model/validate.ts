// Validation of a loaded site model against every rule, reported all at once.

import { SiteValidationError, type ValidationProblem } from "./errors";
import type { SiteModel } from "./types";
import type { ValidationContext } from "./validate/context";
import { validateCarrier } from "./validate/carrier";
import { validateGreetings } from "./validate/greetings";
import { validateIvrs } from "./validate/ivr";
import { validateLimits } from "./validate/limits";
import { validateNames } from "./validate/names";
import { validateNetwork } from "./validate/network";
import { validateNumbers } from "./validate/numbers";
import { validateRecordings } from "./validate/recordings";
import { validateRingGroups } from "./validate/ring-groups";
import { validateSecrets } from "./validate/secrets";
import { validateSiteSettings } from "./validate/site";

export type { ValidationContext } from "./validate/context";
export { validateRawShape } from "./validate/shape";

/**
 * Checks a site model (from `loadSite`) and its operator-set secrets against every rule,
 * including uniqueness across the project's other stacks. Returns the problems in the order
 * of the stack file: site, extensions, ring groups, IVRs, recordings, then secrets.
 */
export function validateSite(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const problems = [
    ...validateSiteSettings(model, context),
    ...validateNetwork(model, context),
    ...validateNumbers(model, context),
    ...validateNames(model),
    ...validateLimits(model),
    ...validateRingGroups(model),
    ...validateIvrs(model, context),
    ...validateGreetings(model),
    ...validateRecordings(model, context),
    ...validateSecrets(model, context.secrets),
    ...validateCarrier(model, context),
  ];
  return sortByConfigOrder(problems);
}

/** Throws one `SiteValidationError` listing every problem that `validateSite` finds. */
export function assertValidSite(model: SiteModel, context: ValidationContext): void {
  const problems = validateSite(model, context);
  if (problems.length > 0) {
    throw new SiteValidationError(model.site.code, problems);
  }
}

const KEY_ORDER = ["stack", "site", "extensions", "ringGroups", "ivrs", "recordings", "extensionPasswords", "voicemailPins", "carrier", "carrierPassword"];

/** Sort key of a path: rank of its top-level key in stack-file order, then its list indices. */
function configOrderKey(path: string): number[] {
  const rest = path.slice(path.indexOf(":") + 1);
  const topKey = (/^[A-Za-z]*/.exec(rest) as RegExpExecArray)[0];
  const rank = KEY_ORDER.indexOf(topKey);
  const indices = [...rest.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
  return [rank === -1 ? KEY_ORDER.length : rank, ...indices];
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return a[i] - b[i];
    }
  }
  return a.length - b.length;
}

/** Sorts problems by where their setting appears. The sort is stable, so problems of one setting keep rule order. */
function sortByConfigOrder(problems: readonly ValidationProblem[]): ValidationProblem[] {
  return problems
    .map((problem) => ({ problem, key: configOrderKey(problem.path) }))
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((entry) => entry.problem);
}
