// IVR menus: options and their digits, option targets and the operator extension.

import type { ValidationProblem } from "../errors";
import { childPath, configKey, entryPath } from "../paths";
import { didYouMean } from "../suggest";
import type { IvrTarget, SiteModel } from "../types";
import { peerSites, type ValidationContext } from "./context";
import { findDialable, type DialableKind } from "./dialables";

type LocalTargetKind = "extension" | "ringGroup" | "ivr";

/** Kind of dialable that each local target kind, which is also the option's key, must name. */
const DIALABLE_KIND: Readonly<Record<LocalTargetKind, DialableKind>> = {
  extension: "extension",
  ringGroup: "ring group",
  ivr: "IVR",
};

/** Option key that names each kind of dialable. */
const TARGET_KEY: Readonly<Record<DialableKind, LocalTargetKind>> = {
  extension: "extension",
  "ring group": "ringGroup",
  IVR: "ivr",
};

export function validateIvrs(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  model.ivrs.forEach((ivr, ivrIndex) => {
    if (ivr.options.length === 0) {
      problems.push({
        path: entryPath("ivrs", ivrIndex, "options"),
        code: "E_NO_OPTIONS",
        message: `IVR "${ivr.number}" has no options; add at least one, e.g. { digit: "1", label: Soporte, ringGroup: "601" }.`,
      });
    }

    const digits = new Map<string, number>();
    ivr.options.forEach((option, optionIndex) => {
      const optionPath = entryPath("ivrs", ivrIndex, "options", optionIndex);
      const digitPath = childPath(optionPath, "digit");
      if (!/^[0-9]$/.test(option.digit)) {
        problems.push({
          path: digitPath,
          code: "E_IVR_DIGIT",
          message: `digit "${option.digit}" is invalid; an option is chosen with a single digit from 0 to 9.`,
        });
      } else if (digits.has(option.digit)) {
        const firstIndex = digits.get(option.digit) as number;
        problems.push({
          path: digitPath,
          code: "E_DUPLICATE_DIGIT",
          message:
            `digit "${option.digit}" is already used by option "${ivr.options[firstIndex].label}" at ` +
            `${entryPath("ivrs", ivrIndex, "options", firstIndex)}; give each option its own digit.`,
        });
      } else {
        digits.set(option.digit, optionIndex);
      }

      problems.push(...validateTarget(model, context, option.target, optionPath));
    });

    if (ivr.operator !== undefined) {
      problems.push(
        ...validateLocalTarget(model, { kind: "extension", number: ivr.operator }, entryPath("ivrs", ivrIndex, "operator"), "operator"),
      );
    }
  });
  return problems;
}

function validateTarget(model: SiteModel, context: ValidationContext, target: IvrTarget, optionPath: string): ValidationProblem[] {
  if (target.kind !== "remoteIvr") {
    return validateLocalTarget(model, target, childPath(optionPath, target.kind), target.kind);
  }

  const path = childPath(optionPath, "site");
  if (target.site === model.site.code) {
    const ownIvr = model.ivrs[0].number;
    return [
      {
        path,
        code: "E_SELF_SITE",
        message: `site "${target.site}" is this site; to offer one of its own IVRs write ivr: "${ownIvr}" instead.`,
      },
    ];
  }

  const peers = peerSites(model, context);
  const peer = peers.find((site) => site.code === target.site);
  if (peer === undefined) {
    const codes = peers.map((site) => site.code);
    return [
      {
        path,
        code: "E_UNKNOWN_SITE",
        message:
          `site "${target.site}" has no stack file Pulumi.${target.site}.yaml in the project.` +
          `${didYouMean(target.site, codes)} Use the stack name of another site` +
          (codes.length > 0 ? ` (${codes.join(", ")}).` : "."),
      },
    ];
  }
  if (peer.ivrNumbers.length === 0) {
    return [
      {
        path,
        code: "E_SITE_WITHOUT_IVR",
        message: `site "${target.site}" has no IVR in ${peer.stackFile}; add one to inova-pbx:ivrs there, or send this option elsewhere.`,
      },
    ];
  }
  return [];
}

/** Checks that a local target exists and is of the kind its key names. */
function validateLocalTarget(
  model: SiteModel,
  target: { readonly kind: LocalTargetKind; readonly number: string },
  path: string,
  key: string,
): ValidationProblem[] {
  const expected = DIALABLE_KIND[target.kind];
  const found = findDialable(model, target.number);
  if (found === undefined) {
    const list = configKey(`${target.kind}s`);
    return [
      {
        path,
        code: "E_UNKNOWN_TARGET",
        message: `${key} "${target.number}" does not exist; use a number from ${list}.`,
      },
    ];
  }
  if (found.kind !== expected) {
    const fix = key === "operator" ? "set an extension instead" : `write ${TARGET_KEY[found.kind]}: "${target.number}" instead`;
    return [
      {
        path,
        code: "E_WRONG_TARGET_KIND",
        message: `${key} "${target.number}" is the ${found.kind} "${found.name}", not ${article(expected)} ${expected}; ${fix}.`,
      },
    ];
  }
  return [];
}

function article(kind: DialableKind): string {
  return kind === "extension" || kind === "IVR" ? "an" : "a";
}
