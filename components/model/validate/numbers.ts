// Dialable numbers: format, uniqueness, reserved numbers and clashes with access codes.
//
// Rule for access codes: the dialplan sends every number that starts with a site's access
// code over the trunk to that site (81 + 100 reaches extension 100 in Los Mochis). A local
// number that starts with any site's access code, this site's included, would shadow or be
// shadowed by that route, so it is rejected. Local numbers may otherwise share prefixes
// (10 and 100), because phones send the whole number at once.

import type { ValidationProblem } from "../errors";
import { EMERGENCY_NUMBER, RESERVED_NUMBERS } from "../reserved";
import type { SiteModel } from "../types";
import { describePeer, peerSites, type ValidationContext } from "./context";
import { describeDialable, listDialables } from "./dialables";
import { ACCESS_CODE_PATTERN } from "./network";

/** A dialable number: 2 to 6 digits, the first not 0. */
export const NUMBER_PATTERN = /^[1-9][0-9]{1,5}$/;

export function validateNumbers(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const accessCodes = [
    { code: model.site.accessCode, owner: "this site" },
    ...peerSites(model, context).flatMap((peer) =>
      peer.accessCode === undefined ? [] : [{ code: peer.accessCode, owner: describePeer(peer) }],
    ),
  ].filter((entry) => ACCESS_CODE_PATTERN.test(entry.code));

  const seen = new Map<string, ReturnType<typeof listDialables>[number]>();
  for (const dialable of listDialables(model)) {
    const { number, path } = dialable;
    if (!NUMBER_PATTERN.test(number)) {
      problems.push({
        path,
        code: "E_NUMBER_FORMAT",
        message: `number "${number}" is invalid; use 2 to 6 digits, the first not 0, e.g. "100".`,
      });
      continue;
    }

    const first = seen.get(number);
    if (first !== undefined) {
      problems.push({
        path,
        code: "E_DUPLICATE_NUMBER",
        message:
          `number "${number}" is already used by ${describeDialable(first)} at ${first.path}; ` +
          "give each extension, ring group and IVR its own number.",
      });
    } else {
      seen.set(number, dialable);
    }

    const reserved = RESERVED_NUMBERS.get(number);
    if (reserved !== undefined) {
      problems.push({ path, code: "E_RESERVED_NUMBER", message: `number "${number}" is ${reserved}; choose another number.` });
    } else if (number.startsWith(EMERGENCY_NUMBER)) {
      problems.push({
        path,
        code: "E_RESERVED_NUMBER",
        message:
          `number "${number}" starts with the emergency number ${EMERGENCY_NUMBER}, so a phone that sends digits ` +
          `one by one would wait for more digits before calling ${EMERGENCY_NUMBER}; choose a number that does not start with ${EMERGENCY_NUMBER}.`,
      });
    }

    const clash = accessCodes.find((entry) => number.startsWith(entry.code));
    if (clash !== undefined) {
      problems.push({
        path,
        code: "E_ACCESS_CODE_PREFIX",
        message:
          `number "${number}" starts with ${clash.code}, the access code of ${clash.owner}, so the dialplan ` +
          "would route it to that site; choose a number that does not start with any site's access code.",
      });
    }
  }
  return problems;
}
