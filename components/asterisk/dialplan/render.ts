// Rendering of a validated dialplan into extensions.conf sections.

import { objectSetting, blankLine, comment, section, type ConfigLine, type ConfigSection } from "../writer";
import { renderApplication } from "./applications";
import { DialplanSyntaxError } from "./arguments";
import type { Context, Dialplan, DialplanExtension } from "./model";
import { validateDialplan } from "./validate";

const HINT_DEVICE = /^(PJSIP|IAX2)\/[A-Za-z0-9_]+$/;

/**
 * Validates the dialplan and returns one section per context, in the given order.
 * Priorities are written as `exten => name,1,App(...)` followed by `same => n,App(...)`.
 */
export function renderDialplan(dialplan: Dialplan): ConfigSection[] {
  validateDialplan(dialplan);
  return dialplan.contexts.map(renderContext);
}

function renderContext(context: Context): ConfigSection {
  const lines: ConfigLine[] = (context.includes ?? []).map((included) => objectSetting("include", included));

  for (const extension of context.extensions) {
    if (lines.length > 0) {
      lines.push(blankLine());
    }
    lines.push(...renderExtension(extension));
  }

  return section(context.name, lines, { comments: context.comments ?? [] });
}

function renderExtension(extension: DialplanExtension): ConfigLine[] {
  const lines: ConfigLine[] = [];
  if (extension.comment !== undefined) {
    lines.push(comment(extension.comment));
  }
  if (extension.hint !== undefined) {
    if (!HINT_DEVICE.test(extension.hint)) {
      throw new DialplanSyntaxError(`hint "${extension.hint}" of extension ${extension.name} is invalid: expected PJSIP/<name> or IAX2/<name>.`);
    }
    lines.push(objectSetting("exten", `${extension.name},hint,${extension.hint}`));
  }

  extension.priorities.forEach((priority, index) => {
    const label = priority.label === undefined ? "" : `(${priority.label})`;
    const application = renderApplication(priority.application);
    if (index === 0) {
      lines.push(objectSetting("exten", `${extension.name},1${label},${application}`));
    } else {
      lines.push(objectSetting("same", `n${label},${application}`));
    }
  });

  return lines;
}
