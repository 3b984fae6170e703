// Checks for the text that goes into dialplan application arguments, and the
// expressions the generated dialplan evaluates.

/** Error raised when a value cannot be placed into the dialplan safely. */
export class DialplanSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DialplanSyntaxError";
  }
}

// Characters with a meaning in extensions.conf or in application arguments:
// ',' separates arguments, '|' separated them before Asterisk 1.6 and still splits some
// option lists, ';' starts a comment, '$' '[' ']' '{' '}' start substitutions and expressions,
// '(' ')' delimit the argument list, '?' ':' split GotoIf labels, '"' and '\' are quoting,
// '&' joins Dial targets, '^' escapes in some applications, '=' splits Set.
const SYNTAX_CHARACTERS = /[,|;$[\]{}()?:"\\&^=]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

const VARIABLE_NAME = /^_{0,2}[A-Za-z][A-Za-z0-9_]*(\([A-Za-z0-9_/-]+\))?$/;
const GROUP_NAME = /^[A-Za-z0-9_-]+$/;
/** Delimiters that CUT may split on: none of them has a meaning in an argument. */
const CUT_DELIMITER = /^[-/.@_]$/;
const DIAL_TARGET = /^(PJSIP|IAX2)\/[A-Za-z0-9_]+$/;

/**
 * Returns `value` unchanged when it can be a dialplan argument as plain text.
 * An argument passes through several parsers (the config file, variable substitution, the
 * application's own splitting) that treat backslashes differently. So the value is never
 * escaped, and a value with a syntax character is rejected instead.
 */
export function plainArgument(value: string, what: string): string {
  if (CONTROL_CHARACTER.test(value)) {
    throw new DialplanSyntaxError(`${what} "${printable(value)}" contains a line break or another control character; remove it.`);
  }
  const match = SYNTAX_CHARACTERS.exec(value);
  if (match !== null) {
    throw new DialplanSyntaxError(
      `${what} "${value}" contains '${match[0]}', which has a meaning in the Asterisk dialplan; remove or replace it ` +
        `(rejected characters: , | ; $ [ ] { } ( ) ? : " \\ & ^ =).`,
    );
  }
  if (value !== value.trim()) {
    throw new DialplanSyntaxError(`${what} "${value}" starts or ends with whitespace; remove it.`);
  }
  return value;
}

/**
 * Returns `name` when it is a channel variable name, optionally a function call with one
 * argument such as `CHANNEL(language)` or `DEVICE_STATE(PJSIP/100)`.
 */
export function variableName(name: string): string {
  if (!VARIABLE_NAME.test(name)) {
    throw new DialplanSyntaxError(
      `"${name}" is not a valid channel variable: use letters, digits and '_', starting with a letter, optionally followed by (argument).`,
    );
  }
  return name;
}

/**
 * Dialplan text that Asterisk evaluates, such as `${DIALSTATUS}` or `$[${TRIES} + 1]`.
 * Only the builders below create one, so every literal inside has passed `plainArgument`.
 */
export class Expression {
  private constructor(readonly text: string) {}

  /** `${NAME}`: the value of a channel variable or function, e.g. `CALLERID(num)`. */
  static variable(name: string): Expression {
    return new Expression(`\${${variableName(name)}}`);
  }

  /** `$["${NAME}" = "literal"]`: true when the variable equals the literal. */
  static equals(name: string, literal: string): Expression {
    return new Expression(`$["\${${variableName(name)}}" = "${plainArgument(literal, "compared value")}"]`);
  }

  /** `$[${NAME} >= n]`: true when the numeric variable has reached `n`. */
  static atLeast(name: string, n: number): Expression {
    return new Expression(`$[\${${variableName(name)}} >= ${integer(n, "compared number")}]`);
  }

  /** `$[${NAME} + n]`: the numeric variable plus `n`. */
  static plus(name: string, n: number): Expression {
    return new Expression(`$[\${${variableName(name)}} + ${integer(n, "added number")}]`);
  }

  /** `${NAME:offset}`: the variable's value without its first `offset` characters. */
  static substring(name: string, offset: number): Expression {
    return new Expression(`\${${variableName(name)}:${integer(offset, "substring offset")}}`);
  }

  /**
   * `${GROUP_COUNT(group@category)}`: how many channels are in the group, as func_groupcount
   * counts them. `group` is a literal name or an expression such as `${CALLERID(num)}`.
   */
  static groupCount(group: string | Expression, category: string): Expression {
    const groupText = group instanceof Expression ? group.text : checkGroupName(group, "group");
    return new Expression(`\${GROUP_COUNT(${groupText}@${checkGroupName(category, "group category")})}`);
  }

  /** `${CUT(NAME,delimiter,field)}`: field number `field` (from 1) of the variable's value. */
  static cut(name: string, delimiter: string, field: number): Expression {
    if (!CUT_DELIMITER.test(delimiter)) {
      throw new DialplanSyntaxError(`CUT delimiter "${delimiter}" is invalid: expected one of - / . @ _.`);
    }
    if (field < 1) {
      throw new DialplanSyntaxError(`CUT field ${field} is invalid: fields are numbered from 1.`);
    }
    return new Expression(`\${CUT(${variableName(name)},${delimiter},${integer(field, "CUT field")})}`);
  }

  /** `$[left > right]` or `$[left >= right]`: a numeric comparison of two expressions or numbers. */
  static compare(left: Expression | number, operator: ">" | ">=", right: Expression | number): Expression {
    const operand = (value: Expression | number): string => (value instanceof Expression ? value.text : integer(value, "compared number"));
    return new Expression(`$[${operand(left)} ${operator} ${operand(right)}]`);
  }

  /** `prefix${NAME}`: the variable's value after a literal prefix of digits, e.g. an access code. */
  static prefixed(prefix: string, name: string): Expression {
    if (!/^[0-9]+$/.test(prefix)) {
      throw new DialplanSyntaxError(`prefix "${prefix}" is invalid: expected digits.`);
    }
    return new Expression(`${prefix}\${${variableName(name)}}`);
  }

  /**
   * Dial target of a trunk with the dialed number after `skipDigits` digits:
   * `PJSIP/${EXTEN:2}@trunk` or `IAX2/trunk/${EXTEN:2}`.
   */
  static trunkTarget(technology: "PJSIP" | "IAX2", trunk: string, skipDigits: number): Expression {
    checkGroupName(trunk, "trunk name");
    const number = `\${EXTEN:${integer(skipDigits, "access code length")}}`;
    return new Expression(technology === "PJSIP" ? `PJSIP/${number}@${trunk}` : `IAX2/${trunk}/${number}`);
  }

  /** `Local/<extension>@<context>`: a Local channel whose other half runs that extension of the context. */
  static localChannel(extension: Expression, context: string): Expression {
    if (!/^[A-Za-z0-9_-]+$/.test(context)) {
      throw new DialplanSyntaxError(`context "${context}" is invalid: use letters, digits, '_' and '-'.`);
    }
    return new Expression(`Local/${extension.text}@${context}`);
  }

  /** `${NAME}&device`: the Dial target list in the variable with one more device. */
  static withDialTarget(name: string, device: string): Expression {
    if (!DIAL_TARGET.test(device)) {
      throw new DialplanSyntaxError(`Dial target "${device}" is invalid: expected PJSIP/<name> or IAX2/<name>.`);
    }
    return new Expression(`\${${variableName(name)}}&${device}`);
  }
}

function checkGroupName(name: string, what: string): string {
  if (!GROUP_NAME.test(name)) {
    throw new DialplanSyntaxError(`${what} "${name}" is invalid: use letters, digits, '_' and '-'.`);
  }
  return name;
}

/** Returns `n` as text when it is a non-negative integer. */
export function integer(n: number, what: string): string {
  if (!Number.isInteger(n) || n < 0) {
    throw new DialplanSyntaxError(`${what} ${n} is not a non-negative integer.`);
  }
  return String(n);
}

function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
