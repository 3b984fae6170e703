// Writer for Asterisk's INI-style configuration files (main/config.c syntax).
// Renderers describe a file as ordered blocks; this module turns them into text,
// escapes what the syntax allows and rejects what it cannot carry.

/** Error raised when a value, key or name cannot be written into an Asterisk configuration file. */
export class ConfigSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigSyntaxError";
  }
}

/** `key = value`, or `key => value` for the object form that dialplan lines and some modules use. */
export interface ConfigSetting {
  readonly kind: "setting";
  readonly key: string;
  readonly value: string;
  readonly operator: "=" | "=>";
}

/** A `; text` line inside a section. */
export interface ConfigComment {
  readonly kind: "comment";
  readonly text: string;
}

/** An empty line that separates groups of lines inside a section. */
export interface ConfigBlankLine {
  readonly kind: "blank";
}

export type ConfigLine = ConfigSetting | ConfigComment | ConfigBlankLine;

/** A `[name]` category with its lines, in order. */
export interface ConfigSection {
  readonly kind: "section";
  readonly name: string;
  /** Renders `(!)`: the section is a template that other sections inherit from. */
  readonly isTemplate?: boolean;
  /** Renders `(name1,name2)`: templates whose settings the section inherits. */
  readonly inherits?: readonly string[];
  /** Renders `(+)`: the lines are added to a section of the same name defined earlier. */
  readonly appends?: boolean;
  /** Comment lines written above the `[name]` line. */
  readonly comments?: readonly string[];
  readonly lines: readonly ConfigLine[];
}

/** `#include file`: Asterisk reads the named file (relative to /etc/asterisk) at that point. */
export interface ConfigInclude {
  readonly kind: "include";
  readonly file: string;
  readonly comments?: readonly string[];
}

export type ConfigBlock = ConfigSection | ConfigInclude;

/** Origin of a generated file, which its header comment names. */
export interface FileOrigin {
  /** Stack name of the site, e.g. `mochis`. */
  readonly siteCode: string;
  /** Display name of the site, e.g. `Los Mochis`. */
  readonly siteName: string;
  /** Module under components/asterisk/ that renders the file, without extension, e.g. `pjsip`. */
  readonly renderer: string;
}

export interface ConfigFile {
  readonly origin: FileOrigin;
  /** One line that states what the file configures. It opens the header comment. */
  readonly description: string;
  readonly blocks: readonly ConfigBlock[];
}

const SECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@+*-]*$/;
const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.+*/()-]*$/;
const INCLUDE_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.conf$/;
// Control characters end a line or corrupt it; Asterisk has no escape for them.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export function setting(key: string, value: string | number): ConfigSetting {
  return { kind: "setting", key, value: String(value), operator: "=" };
}

export function objectSetting(key: string, value: string | number): ConfigSetting {
  return { kind: "setting", key, value: String(value), operator: "=>" };
}

export function comment(text: string): ConfigComment {
  return { kind: "comment", text };
}

export function blankLine(): ConfigBlankLine {
  return { kind: "blank" };
}

export function section(
  name: string,
  lines: readonly ConfigLine[],
  flags: Omit<ConfigSection, "kind" | "name" | "lines"> = {},
): ConfigSection {
  return { kind: "section", name, lines, ...flags };
}

export function include(file: string, comments: readonly string[] = []): ConfigInclude {
  return { kind: "include", file, comments };
}

/** Returns `yes` or `no`, the boolean spelling Asterisk configuration files use. */
export function yesNo(value: boolean): string {
  return value ? "yes" : "no";
}

/**
 * Escapes a value for the right-hand side of `key = value`.
 * `;` starts a comment, so it becomes `\;` (Asterisk removes the backslash when it reads the file).
 * Throws a `ConfigSyntaxError` for line breaks and other control characters, which cannot be escaped,
 * and for leading or trailing whitespace, which Asterisk strips.
 */
export function escapeValue(value: string, where: string): string {
  if (CONTROL_CHARACTER.test(value)) {
    throw new ConfigSyntaxError(
      `${where}: the value contains a line break or another control character, which an Asterisk configuration file cannot carry; remove it.`,
    );
  }
  if (value !== value.trim()) {
    throw new ConfigSyntaxError(
      `${where}: the value starts or ends with whitespace, which Asterisk strips when it reads the file; remove the whitespace.`,
    );
  }
  return value.replace(/;/g, "\\;");
}

/** Renders a configuration file: the header comment, then every block in the given order. */
export function renderConfigFile(file: ConfigFile): string {
  const output: string[] = [...renderHeader(file)];

  for (const block of file.blocks) {
    output.push("");
    if (block.kind === "include") {
      output.push(...renderInclude(block));
    } else {
      output.push(...renderSection(block));
    }
  }

  return output.join("\n") + "\n";
}

function renderHeader(file: ConfigFile): string[] {
  const { siteCode, siteName, renderer } = file.origin;
  return [
    commentLine(file.description, "file description"),
    commentLine(`Generated by inova-pbx for site ${siteCode} (${siteName}).`, "file header"),
    commentLine(
      `Do not edit: change Pulumi.${siteCode}.yaml or components/asterisk/${renderer}.ts and run pulumi up.`,
      "file header",
    ),
  ];
}

function renderInclude(block: ConfigInclude): string[] {
  if (!INCLUDE_FILE.test(block.file)) {
    throw new ConfigSyntaxError(
      `#include "${block.file}": expected a file name in /etc/asterisk ending in .conf (letters, digits, '.', '_' and '-').`,
    );
  }
  const comments = (block.comments ?? []).map((text) => commentLine(text, `#include ${block.file}`));
  return [...comments, `#include ${block.file}`];
}

function renderSection(block: ConfigSection): string[] {
  checkSectionName(block.name, `section [${block.name}]`);
  const flags: string[] = [];
  if (block.isTemplate === true) {
    flags.push("!");
  }
  if (block.appends === true) {
    flags.push("+");
  }
  for (const template of block.inherits ?? []) {
    checkSectionName(template, `template "${template}" of section [${block.name}]`);
    flags.push(template);
  }
  checkAllowAfterDisallow(block);

  const header = flags.length === 0 ? `[${block.name}]` : `[${block.name}](${flags.join(",")})`;
  const output = (block.comments ?? []).map((text) => commentLine(text, `section [${block.name}]`));
  output.push(header);

  for (const line of block.lines) {
    if (line.kind === "blank") {
      output.push("");
      continue;
    }
    if (line.kind === "comment") {
      output.push(commentLine(line.text, `section [${block.name}]`));
      continue;
    }
    const where = `[${block.name}] ${line.key}`;
    if (!KEY.test(line.key)) {
      throw new ConfigSyntaxError(
        `${where}: invalid key; a key starts with a letter, digit or '_' and contains no spaces, '=', ';', '[' or ']'.`,
      );
    }
    output.push(`${line.key} ${line.operator} ${escapeValue(line.value, where)}`);
  }

  return output;
}

function checkSectionName(name: string, where: string): void {
  if (!SECTION_NAME.test(name)) {
    throw new ConfigSyntaxError(
      `${where}: invalid section name; use letters, digits and '_', '.', '@', '+', '*' or '-' (no spaces or brackets).`,
    );
  }
}

/** Asterisk applies codec lines in order, so an `allow` before `disallow = all` would be undone. */
function checkAllowAfterDisallow(block: ConfigSection): void {
  const keys = block.lines.flatMap((line) => (line.kind === "setting" ? [line.key] : []));
  const firstAllow = keys.indexOf("allow");
  const lastDisallow = keys.lastIndexOf("disallow");
  if (firstAllow !== -1 && lastDisallow > firstAllow) {
    throw new ConfigSyntaxError(
      `[${block.name}]: 'disallow' comes after 'allow', which would drop the allowed codecs; put 'disallow' first.`,
    );
  }
}

function commentLine(text: string, where: string): string {
  if (CONTROL_CHARACTER.test(text)) {
    throw new ConfigSyntaxError(`${where}: a comment contains a line break or another control character; remove it.`);
  }
  return text === "" ? ";" : `; ${text}`;
}
