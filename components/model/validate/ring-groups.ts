// Ring-group members: at least one, each an existing extension of the site, none twice.

import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import type { SiteModel } from "../types";
import { findDialable } from "./dialables";

export function validateRingGroups(model: SiteModel): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  model.ringGroups.forEach((group, groupIndex) => {
    if (group.members.length === 0) {
      problems.push({
        path: entryPath("ringGroups", groupIndex, "members"),
        code: "E_EMPTY_RING_GROUP",
        message: `ring group "${group.number}" has no members; list at least one extension, e.g. members: ["100"].`,
      });
    }

    const listed = new Set<string>();
    group.members.forEach((member, memberIndex) => {
      const path = entryPath("ringGroups", groupIndex, "members", memberIndex);
      if (listed.has(member)) {
        problems.push({
          path,
          code: "E_DUPLICATE_MEMBER",
          message: `member "${member}" is listed more than once; list each extension once.`,
        });
        return;
      }
      listed.add(member);

      const target = findDialable(model, member);
      if (target === undefined) {
        problems.push({
          path,
          code: "E_UNKNOWN_MEMBER",
          message: `member "${member}" is not an extension of this site; use a number from inova-pbx:extensions or add the extension.`,
        });
      } else if (target.kind !== "extension") {
        problems.push({
          path,
          code: "E_MEMBER_NOT_EXTENSION",
          message: `member "${member}" is the ${target.kind} "${target.name}", not an extension; list extensions only.`,
        });
      }
    });
  });
  return problems;
}
