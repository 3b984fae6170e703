// Structural checks of a dialplan before it is rendered: every jump lands on an
// existing context, extension and priority, and menus keep the extensions they need.

import { applicationTargets, contextName, formatTarget, labelName } from "./applications";
import { DialplanSyntaxError, Expression } from "./arguments";
import type { Context, Dialplan, DialplanExtension, GotoTarget } from "./model";
import { extensionName, isPattern, matchesExtension } from "./patterns";

/** Error listing every problem `validateDialplan` found. */
export class DialplanValidationError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`The dialplan has ${problems.length} problem(s):\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "DialplanValidationError";
    this.problems = problems;
  }
}

/**
 * Checks the dialplan and throws a `DialplanValidationError` listing every problem:
 * invalid or duplicate names, includes of missing contexts, Goto targets that do not resolve,
 * missing required extensions (`i`, `t`), and WaitExten anywhere but last in its extension.
 */
export function validateDialplan(dialplan: Dialplan): void {
  const problems: string[] = [];
  const contexts = new Map<string, Context>();

  for (const context of dialplan.contexts) {
    collect(problems, () => contextName(context.name));
    if (contexts.has(context.name)) {
      problems.push(`context "${context.name}" is defined twice.`);
    }
    contexts.set(context.name, context);
  }

  for (const context of dialplan.contexts) {
    checkContext(context, contexts, problems);
  }

  if (problems.length > 0) {
    throw new DialplanValidationError(problems);
  }
}

function checkContext(context: Context, contexts: ReadonlyMap<string, Context>, problems: string[]): void {
  for (const included of context.includes ?? []) {
    if (!contexts.has(included)) {
      problems.push(`context "${context.name}" includes "${included}", which does not exist.`);
    }
  }

  const names = new Set<string>();
  for (const extension of context.extensions) {
    const where = `${extension.name}@${context.name}`;
    collect(problems, () => extensionName(extension.name));
    if (names.has(extension.name)) {
      problems.push(`extension ${where} is defined twice.`);
    }
    names.add(extension.name);
    checkExtension(extension, where, problems);

    for (const priority of extension.priorities) {
      for (const target of applicationTargets(priority.application)) {
        const problem = resolveTarget(target, context, extension, contexts);
        if (problem !== undefined) {
          problems.push(`${priority.application.app} in ${where} jumps to ${describeTarget(target)}: ${problem}`);
        }
      }
    }
  }

  for (const required of context.requiredExtensions ?? []) {
    if (!names.has(required)) {
      problems.push(`context "${context.name}" has no "${required}" extension, which it requires.`);
    }
  }
}

function checkExtension(extension: DialplanExtension, where: string, problems: string[]): void {
  if (extension.priorities.length === 0) {
    problems.push(`extension ${where} has no priorities.`);
  }

  const labels = new Set<string>();
  for (const priority of extension.priorities) {
    if (priority.label === undefined) {
      continue;
    }
    collect(problems, () => labelName(priority.label as string));
    if (labels.has(priority.label)) {
      problems.push(`extension ${where} uses label "${priority.label}" twice.`);
    }
    labels.add(priority.label);
  }

  // Asterisk jumps to `t` on timeout only when WaitExten is the last priority; after
  // any other priority, the call would fall through to it instead.
  extension.priorities.forEach((priority, index) => {
    if (priority.application.app === "WaitExten" && index !== extension.priorities.length - 1) {
      problems.push(`extension ${where} has WaitExten at priority ${index + 1}, but WaitExten must be the last priority.`);
    }
  });
}

/** Returns why the target does not resolve, or undefined when it does. */
function resolveTarget(
  target: GotoTarget,
  current: Context,
  currentExtension: DialplanExtension,
  contexts: ReadonlyMap<string, Context>,
): string | undefined {
  try {
    formatTarget(target);
  } catch (error) {
    return (error as Error).message;
  }

  const context = target.context === undefined ? current : contexts.get(target.context);
  if (context === undefined) {
    return `context "${target.context}" does not exist.`;
  }

  if (target.extension instanceof Expression) {
    // Known only when the call jumps; formatTarget has required the context.
    return undefined;
  }

  let extension: DialplanExtension | undefined;
  if (target.extension === undefined) {
    extension = currentExtension;
  } else {
    const found = findExtension(context, target.extension, contexts, new Set());
    if (found === undefined) {
      return `no extension of context "${context.name}" or its includes matches "${target.extension}".`;
    }
    if ("problem" in found) {
      return found.problem;
    }
    extension = found.extension;
  }

  if (typeof target.priority === "number") {
    return target.priority <= extension.priorities.length
      ? undefined
      : `extension ${extension.name} has only ${extension.priorities.length} priorities.`;
  }
  return extension.priorities.some((priority) => priority.label === target.priority)
    ? undefined
    : `extension ${extension.name} has no priority labelled "${target.priority}".`;
}

/** Result of `findExtension`: the extension, nothing, or an ambiguity it cannot resolve. */
type Lookup = { readonly extension: DialplanExtension } | { readonly problem: string } | undefined;

/**
 * Finds the extension Asterisk would run for `dialed` in `context`: an exact name first,
 * then a pattern, then the included contexts in order. Several matching patterns in one
 * context are reported as a problem, because Asterisk's choice then depends on its
 * pattern ordering, which this check does not model.
 */
function findExtension(
  context: Context,
  dialed: string,
  contexts: ReadonlyMap<string, Context>,
  visited: Set<string>,
): Lookup {
  visited.add(context.name);
  const exact = context.extensions.find((extension) => !isPattern(extension.name) && extension.name === dialed);
  if (exact !== undefined) {
    return { extension: exact };
  }

  const patterns = context.extensions.filter((extension) => isPattern(extension.name) && safeMatch(extension.name, dialed));
  if (patterns.length > 1) {
    const names = patterns.map((pattern) => pattern.name).join(", ");
    return { problem: `${patterns.length} patterns of context "${context.name}" match "${dialed}" (${names}).` };
  }
  if (patterns.length === 1) {
    return { extension: patterns[0] };
  }

  for (const included of context.includes ?? []) {
    const next = contexts.get(included);
    if (next === undefined || visited.has(included)) {
      continue;
    }
    const found = findExtension(next, dialed, contexts, visited);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

function safeMatch(pattern: string, dialed: string): boolean {
  try {
    return matchesExtension(pattern, dialed);
  } catch {
    return false;
  }
}

function describeTarget(target: GotoTarget): string {
  const extension = target.extension instanceof Expression ? target.extension.text : target.extension;
  return [target.context, extension, target.priority].filter((part) => part !== undefined).join(",");
}

function collect(problems: string[], check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (error instanceof DialplanSyntaxError) {
      problems.push(error.message);
      return;
    }
    throw error;
  }
}
