// Quoting of identifiers, string literals and accounts in SQL text for MariaDB.
//
// String literals escape backslashes, so they are read correctly only while
// the session's sql_mode lacks NO_BACKSLASH_ESCAPES, as in MariaDB's default.

/** Quotes an identifier with backticks, doubling any backtick inside it. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

/** Quotes a string literal with single quotes. */
export function quoteString(value: string): string {
  const escaped = value.replace(/[\0\n\r\x1a'\\]/g, (character) => {
    switch (character) {
      case "\0":
        return "\\0";
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\x1a":
        return "\\Z";
      case "'":
        return "''";
      default:
        return "\\\\";
    }
  });
  return `'${escaped}'`;
}

/** Formats `user@host` as an account name for CREATE USER, GRANT and the like. */
export function quoteAccount(user: string, host: string): string {
  return `${quoteString(user)}@${quoteString(host)}`;
}

/** Formats an account the way SHOW GRANTS prints it: `` `user`@`host` ``. */
export function showGrantsAccount(user: string, host: string): string {
  return `${quoteIdentifier(user)}@${quoteIdentifier(host)}`;
}

/** Database and table parts of a grant object; `*` stands for all. */
export interface GrantObject {
  readonly database: string;
  readonly table: string;
}

/** Identifier form accepted in grant objects: letters, digits, `_` and `$`. */
const PLAIN_IDENTIFIER = /^[A-Za-z0-9_$]{1,64}$/;

/**
 * Parses `*.*`, `db.*` or `db.table` into its parts. Returns undefined for any
 * other form, including names with characters outside letters, digits, `_` and `$`.
 */
export function parseGrantObject(text: string): GrantObject | undefined {
  if (text === "*.*") {
    return { database: "*", table: "*" };
  }
  const parts = text.split(".");
  if (parts.length !== 2 || !PLAIN_IDENTIFIER.test(parts[0])) {
    return undefined;
  }
  if (parts[1] !== "*" && !PLAIN_IDENTIFIER.test(parts[1])) {
    return undefined;
  }
  return { database: parts[0], table: parts[1] };
}

/** Formats a grant object as SQL: `*.*`, `` `db`.* `` or `` `db`.`table` ``. */
export function renderGrantObject(object: GrantObject): string {
  if (object.database === "*") {
    return "*.*";
  }
  const table = object.table === "*" ? "*" : quoteIdentifier(object.table);
  return `${quoteIdentifier(object.database)}.${table}`;
}

/** Formats the `db.table` text form of a grant object. */
export function grantObjectText(object: GrantObject): string {
  return `${object.database}.${object.table}`;
}

/** Parses a grant object in text form and renders it as SQL; throws on an invalid one. */
export function grantObjectSql(text: string): string {
  const object = parseGrantObject(text);
  if (object === undefined) {
    throw new Error(`invalid grant object ${JSON.stringify(text)}: expected *.*, db.* or db.table`);
  }
  return renderGrantObject(object);
}
