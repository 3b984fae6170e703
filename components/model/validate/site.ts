// Settings of the site itself: stack name, public number, language, time zone and HQ role.

import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import type { SiteModel } from "../types";
import { describePeer, peerSites, type ValidationContext } from "./context";
import { findTimezoneProblem } from "./timezone";

/** Stack name: it also names contexts, trunks and containers, so it stays short and plain. */
export const SITE_CODE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export function validateSiteSettings(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const { site } = model;

  if (!SITE_CODE_PATTERN.test(site.code)) {
    problems.push({
      path: "stack",
      code: "E_SITE_CODE",
      message:
        `stack name "${site.code}" is invalid; it names Asterisk contexts, trunks and containers, so use ` +
        "up to 32 lowercase letters, digits and \"-\", starting with a letter, e.g. mochis.",
    });
  }

  if (!/^[0-9]{7,15}$/.test(site.publicNumber)) {
    problems.push({
      path: entryPath("site", "publicNumber"),
      code: "E_PUBLIC_NUMBER",
      message:
        `public number "${site.publicNumber}" is invalid; write 7 to 15 digits only, without spaces, ` +
        'dashes or "+", e.g. "6688197328".',
    });
  }

  if (!/^[a-z]{2}(_[A-Z]{2})?$/.test(site.language)) {
    problems.push({
      path: entryPath("site", "language"),
      code: "E_LANGUAGE",
      message: `language "${site.language}" is invalid; use a sound language code of Asterisk such as es, en or es_MX.`,
    });
  }

  const timezoneProblem = findTimezoneProblem(site.timezone);
  if (timezoneProblem !== undefined) {
    problems.push({ path: entryPath("site", "timezone"), code: "E_TIMEZONE", message: timezoneProblem });
  }

  problems.push(...validateRole(model, context));
  return problems;
}

/** Exactly one site of the project is HQ, because every branch replicates its call records there. */
function validateRole(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const path = entryPath("site", "role");
  const otherHqs = peerSites(model, context).filter((peer) => peer.role === "hq");
  if (model.site.role === "hq" && otherHqs.length > 0) {
    return [
      {
        path,
        code: "E_DUPLICATE_HQ",
        message:
          `role "hq" is also set by ${otherHqs.map(describePeer).join(" and ")}; only one site can be HQ, ` +
          'because every branch replicates its call records there. Set role: branch on all other sites.',
      },
    ];
  }
  if (model.site.role === "branch" && otherHqs.length === 0) {
    return [
      {
        path,
        code: "E_NO_HQ",
        message:
          'role is "branch" but no stack of the project has role "hq"; set role: hq on the head-office site, ' +
          "where every branch replicates its call records.",
      },
    ];
  }
  return [];
}
