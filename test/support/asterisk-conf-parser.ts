// Reads Asterisk configuration text back into data, so tests can assert what a rendered
// file means rather than how it is spelled. Covers the syntax the renderers produce:
// `[name](flags)` headers, `key = value` and `key => value` lines, `;` comments, `\;`
// escapes, `#include`, and dialplan `exten`/`same`/`include` lines.

export interface ParsedEntry {
  readonly key: string;
  readonly value: string;
  readonly operator: "=" | "=>";
}

export interface ParsedSection {
  readonly name: string;
  /** Contents of the parentheses after the header, split on commas: `!`, `+` or template names. */
  readonly flags: readonly string[];
  readonly entries: ParsedEntry[];
}

export interface ParsedFile {
  readonly sections: ParsedSection[];
  /** Files named by `#include`, in order. */
  readonly includes: string[];
}

/** Parses one configuration file. Throws on a line it cannot read. */
export function parseConf(text: string): ParsedFile {
  const sections: ParsedSection[] = [];
  const includes: string[] = [];
  let current: ParsedSection | undefined;

  text.split("\n").forEach((rawLine, index) => {
    const line = stripComment(rawLine).trim();
    if (line === "") {
      return;
    }

    const include = /^#include\s+(\S+)$/.exec(line);
    if (include !== null) {
      includes.push(include[1]);
      return;
    }

    const header = /^\[([^\]]+)\](?:\(([^)]*)\))?$/.exec(line);
    if (header !== null) {
      current = { name: header[1], flags: header[2] === undefined ? [] : header[2].split(","), entries: [] };
      sections.push(current);
      return;
    }

    const setting = /^([^=\s]+)\s*(=>|=)\s*(.*)$/.exec(line);
    if (setting === null || current === undefined) {
      throw new Error(`line ${index + 1} is not a section header, #include or setting: ${rawLine}`);
    }
    current.entries.push({ key: setting[1], operator: setting[2] as "=" | "=>", value: setting[3].trim() });
  });

  return { sections, includes };
}

/** Removes a `;` comment, keeping `\;` as a literal `;` the way Asterisk does. */
function stripComment(line: string): string {
  let output = "";
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index];
    if (character === "\\" && line[index + 1] === ";") {
      output += ";";
      index += 1;
      continue;
    }
    if (character === ";") {
      break;
    }
    output += character;
  }
  return output;
}

/**
 * Joins files the way Asterisk reads them: `#include`d files are read where they are named
 * (here, appended), and a `(+)` section adds its entries to the earlier section of that name.
 */
export function mergeFiles(main: string, included: Readonly<Record<string, string>>): ParsedSection[] {
  const root = parseConf(main);
  const merged: ParsedSection[] = root.sections.map((section) => ({ ...section, entries: [...section.entries] }));

  for (const file of root.includes) {
    const text = included[file];
    if (text === undefined) {
      throw new Error(`#include ${file} names a file that was not rendered`);
    }
    for (const section of parseConf(text).sections) {
      if (section.flags.includes("+")) {
        const target = [...merged].reverse().find((candidate) => candidate.name === section.name);
        if (target === undefined) {
          throw new Error(`[${section.name}](+) in ${file} extends a section that does not exist`);
        }
        target.entries.push(...section.entries);
      } else {
        merged.push({ ...section, entries: [...section.entries] });
      }
    }
  }
  return merged;
}

/** Returns every value of `key` in the section, in order. */
export function values(section: ParsedSection, key: string): string[] {
  return section.entries.filter((entry) => entry.key === key).map((entry) => entry.value);
}

/** Returns the single value of `key`, or throws when it is missing or repeated. */
export function value(section: ParsedSection, key: string): string {
  const found = values(section, key);
  if (found.length !== 1) {
    throw new Error(`[${section.name}] has ${found.length} values for "${key}", expected 1`);
  }
  return found[0];
}

/** Finds the sections named `name`, optionally only those with `type = <type>` (PJSIP). */
export function sectionsNamed(sections: readonly ParsedSection[], name: string, type?: string): ParsedSection[] {
  return sections.filter(
    (section) => section.name === name && (type === undefined || values(section, "type").includes(type)),
  );
}

// ---------------------------------------------------------------------------------------
// Dialplan

export interface ParsedApplication {
  readonly name: string;
  /** Arguments split on top-level commas (commas inside (), [] and {} stay). */
  readonly args: string[];
  /** Everything between the parentheses. */
  readonly raw: string;
}

export interface ParsedPriority {
  readonly number: number;
  readonly label?: string;
  readonly application: ParsedApplication;
}

export interface ParsedExtension {
  readonly name: string;
  hint?: string;
  readonly priorities: ParsedPriority[];
}

export interface ParsedContext {
  readonly name: string;
  readonly includes: string[];
  readonly extensions: Map<string, ParsedExtension>;
}

/** Parses extensions.conf into contexts; `[general]` and `[globals]` are skipped. */
export function parseDialplan(text: string): Map<string, ParsedContext> {
  const contexts = new Map<string, ParsedContext>();

  for (const section of parseConf(text).sections) {
    if (section.name === "general" || section.name === "globals") {
      continue;
    }
    const context: ParsedContext = { name: section.name, includes: [], extensions: new Map() };
    contexts.set(section.name, context);
    let last: ParsedExtension | undefined;

    for (const entry of section.entries) {
      if (entry.key === "include") {
        context.includes.push(entry.value);
      } else if (entry.key === "exten") {
        last = parseExtenLine(context, entry.value);
      } else if (entry.key === "same") {
        if (last === undefined) {
          throw new Error(`"same => ${entry.value}" in [${section.name}] has no preceding exten line`);
        }
        addPriority(last, entry.value.replace(/^n/, ""), nextNumber(last));
      } else {
        throw new Error(`unexpected key "${entry.key}" in dialplan context [${section.name}]`);
      }
    }
  }
  return contexts;
}

function parseExtenLine(context: ParsedContext, text: string): ParsedExtension {
  const [name, rest] = splitOnce(text, ",");
  const extension = context.extensions.get(name) ?? { name, priorities: [] };
  context.extensions.set(name, extension);

  const [priority, body] = splitOnce(rest, ",");
  if (priority === "hint") {
    extension.hint = body;
    return extension;
  }
  const numberMatch = /^(\d+)/.exec(priority);
  if (numberMatch === null) {
    throw new Error(`exten line "${text}" has no priority number`);
  }
  addPriority(extension, `${priority.slice(numberMatch[1].length)},${body}`, Number(numberMatch[1]));
  return extension;
}

/** Adds `(label),App(args)` or `,App(args)` as priority `number`. */
function addPriority(extension: ParsedExtension, text: string, number: number): void {
  const match = /^(?:\(([^)]+)\))?,([A-Za-z]+)\((.*)\)$/.exec(text);
  if (match === null) {
    throw new Error(`cannot read priority "${text}" of extension ${extension.name}`);
  }
  extension.priorities.push({
    number,
    ...(match[1] === undefined ? {} : { label: match[1] }),
    application: { name: match[2], raw: match[3], args: splitArguments(match[3]) },
  });
}

function nextNumber(extension: ParsedExtension): number {
  const last = extension.priorities[extension.priorities.length - 1];
  return last === undefined ? 1 : last.number + 1;
}

/** Splits application arguments on commas that are not inside (), [] or {}. */
export function splitArguments(raw: string): string[] {
  if (raw === "") {
    return [];
  }
  const args: string[] = [];
  let depth = 0;
  let current = "";
  for (const character of raw) {
    if ("([{".includes(character)) {
      depth += 1;
    } else if (")]}".includes(character)) {
      depth -= 1;
    }
    if (character === "," && depth === 0) {
      args.push(current);
      current = "";
    } else {
      current += character;
    }
  }
  args.push(current);
  return args;
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  if (index === -1) {
    throw new Error(`expected "${separator}" in "${text}"`);
  }
  return [text.slice(0, index), text.slice(index + 1)];
}

/** A resolved jump: `[[context,]extension,]priority` made absolute. */
export interface JumpTarget {
  readonly context: string;
  readonly extension: string;
  readonly priority: string;
}

/**
 * Reads a Goto-style label (`ctx,ext,prio`, `ext,prio` or `prio`) relative to where it
 * appears, as Asterisk resolves it.
 */
export function resolveLabel(label: string, context: string, extension: string): JumpTarget {
  const parts = label.split(",");
  if (parts.length === 3) {
    return { context: parts[0], extension: parts[1], priority: parts[2] };
  }
  if (parts.length === 2) {
    return { context, extension: parts[0], priority: parts[1] };
  }
  return { context, extension, priority: parts[0] };
}

/** Returns the jump targets of a Goto, GotoIf or GotoIfTime application. */
export function jumpTargets(application: ParsedApplication, context: string, extension: string): JumpTarget[] {
  if (application.name === "Goto") {
    return [resolveLabel(application.raw, context, extension)];
  }
  if (application.name === "GotoIf" || application.name === "GotoIfTime") {
    const labels = application.raw.slice(application.raw.lastIndexOf("?") + 1);
    return labels
      .split(":")
      .filter((label) => label !== "")
      .map((label) => resolveLabel(label, context, extension));
  }
  return [];
}
