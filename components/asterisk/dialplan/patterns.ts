// Asterisk extension names and patterns: `100`, `s`, or `_` followed by
// X (0-9), Z (1-9), N (2-9), [class], literals, and a trailing `.` (one or more
// more characters) or `!` (zero or more).

import { DialplanSyntaxError } from "./arguments";

const EXACT_EXTENSION = /^[A-Za-z0-9*#+-]+$/;
const PATTERN_BODY = /^(?:[0-9*#+XNZxnz]|\[[0-9*#+-]+\])+[.!]?$/;

export function isPattern(name: string): boolean {
  return name.startsWith("_");
}

/** Checks an extension name or pattern and returns it. */
export function extensionName(name: string): string {
  if (isPattern(name) ? PATTERN_BODY.test(name.slice(1)) : EXACT_EXTENSION.test(name)) {
    return name;
  }
  throw new DialplanSyntaxError(
    `extension "${name}" is invalid: expected digits, '*', '#', '+', a word such as 's', or a pattern such as _82X.`,
  );
}

/** True when Asterisk would run extension `name` (exact or pattern) for the dialed string. */
export function matchesExtension(name: string, dialed: string): boolean {
  if (!isPattern(name)) {
    return name === dialed;
  }
  return patternToRegExp(extensionName(name)).test(dialed);
}

function patternToRegExp(pattern: string): RegExp {
  let source = "";
  const body = pattern.slice(1);
  for (let index = 0; index < body.length; index += 1) {
    const character = body[index];
    switch (character.toUpperCase()) {
      case "X":
        source += "[0-9]";
        break;
      case "Z":
        source += "[1-9]";
        break;
      case "N":
        source += "[2-9]";
        break;
      case ".":
        source += ".+";
        break;
      case "!":
        source += ".*";
        break;
      case "[": {
        const end = body.indexOf("]", index);
        source += `[${body.slice(index + 1, end).replace(/[\\^\]]/g, "\\$&")}]`;
        index = end;
        break;
      }
      default:
        source += character.replace(/[*+#]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}
