// Privilege names of MariaDB 11.8, their aliases, and parsing of SHOW GRANTS lines.

/**
 * Privileges in the order that SHOW GRANTS of MariaDB 11.8.9 prints them,
 * checked by granting all but SELECT on `*.*` (all of them print as ALL
 * PRIVILEGES). GRANT OPTION is left out because the plans never give it.
 */
export const PRIVILEGE_ORDER: readonly string[] = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "RELOAD",
  "SHUTDOWN",
  "PROCESS",
  "FILE",
  "REFERENCES",
  "INDEX",
  "ALTER",
  "SHOW DATABASES",
  "SUPER",
  "CREATE TEMPORARY TABLES",
  "LOCK TABLES",
  "EXECUTE",
  "REPLICATION SLAVE",
  "BINLOG MONITOR",
  "CREATE VIEW",
  "SHOW VIEW",
  "CREATE ROUTINE",
  "ALTER ROUTINE",
  "CREATE USER",
  "EVENT",
  "TRIGGER",
  "CREATE TABLESPACE",
  "DELETE HISTORY",
  "SET USER",
  "FEDERATED ADMIN",
  "CONNECTION ADMIN",
  "READ_ONLY ADMIN",
  "REPLICATION SLAVE ADMIN",
  "REPLICATION MASTER ADMIN",
  "BINLOG ADMIN",
  "BINLOG REPLAY",
  "SLAVE MONITOR",
  "SHOW CREATE ROUTINE",
];

/** Other names that MariaDB accepts for a privilege, mapped to the name SHOW GRANTS prints. */
const PRIVILEGE_ALIASES: Readonly<Record<string, string>> = {
  "REPLICATION REPLICA": "REPLICATION SLAVE",
  "REPLICATION CLIENT": "BINLOG MONITOR",
  "REPLICA MONITOR": "SLAVE MONITOR",
  "REPLICATION REPLICA ADMIN": "REPLICATION SLAVE ADMIN",
  "READ ONLY ADMIN": "READ_ONLY ADMIN",
};

/** Privileges that a managed grant may not contain, with the reason. */
const REJECTED_PRIVILEGES: Readonly<Record<string, string>> = {
  ALL: "ALL grants every privilege; list the privileges the account needs",
  "ALL PRIVILEGES": "ALL PRIVILEGES grants every privilege; list the privileges the account needs",
  "GRANT OPTION": "GRANT OPTION lets the account pass its privileges on; only root over the Unix socket may have it",
  USAGE: "USAGE is no privilege; an account without grants has it already",
};

/**
 * Returns the name SHOW GRANTS prints for a privilege, or an error message
 * when the name is unknown or not allowed in a managed grant.
 */
export function canonicalPrivilege(name: string): { privilege: string } | { error: string } {
  const upper = name.trim().replace(/\s+/g, " ").toUpperCase();
  const rejection = REJECTED_PRIVILEGES[upper];
  if (rejection !== undefined) {
    return { error: rejection };
  }
  const canonical = PRIVILEGE_ALIASES[upper] ?? upper;
  if (!PRIVILEGE_ORDER.includes(canonical)) {
    return { error: `unknown privilege ${JSON.stringify(name)}` };
  }
  return { privilege: canonical };
}

/** Removes duplicates and sorts privilege names into the order SHOW GRANTS uses; unknown names go last, sorted. */
export function sortPrivileges(privileges: readonly string[]): string[] {
  const rank = (privilege: string) => {
    const index = PRIVILEGE_ORDER.indexOf(privilege);
    return index === -1 ? PRIVILEGE_ORDER.length : index;
  };
  return [...new Set(privileges)].sort((left, right) => rank(left) - rank(right) || left.localeCompare(right));
}

/** Privileges on one object, as one line of SHOW GRANTS lists them. */
export interface ShowGrantsEntry {
  readonly user: string;
  readonly host: string;
  /** `*.*`, `db.*` or `db.table`; routines keep their `PROCEDURE`/`FUNCTION`/`PACKAGE` prefix. */
  readonly object: string;
  /** Privilege names as printed, column lists included (e.g. `SELECT (src, dst)`); USAGE is left out. */
  readonly privileges: readonly string[];
  readonly grantOption: boolean;
}

/**
 * Parses one line of SHOW GRANTS into its privileges and object. Returns
 * undefined for lines that grant no privileges on an object: role grants
 * (`GRANT role TO user`) and PROXY grants.
 */
export function parseShowGrantsLine(line: string): ShowGrantsEntry | undefined {
  if (!line.startsWith("GRANT ")) {
    return undefined;
  }
  const onAt = findKeyword(line, " ON ", "GRANT ".length);
  if (onAt === undefined) {
    return undefined;
  }
  const toAt = findKeyword(line, " TO ", onAt + " ON ".length);
  if (toAt === undefined) {
    return undefined;
  }
  const user = readQuotedName(line, toAt + " TO ".length);
  if (user === undefined || line[user.end] !== "@") {
    return undefined;
  }
  const host = readQuotedName(line, user.end + 1);
  if (host === undefined) {
    return undefined;
  }

  const privileges = splitTopLevel(line.slice("GRANT ".length, onAt))
    .map((privilege) => privilege.trim())
    .filter((privilege) => privilege !== "USAGE");
  if (privileges.includes("PROXY")) {
    return undefined;
  }
  const objectText = line.slice(onAt + " ON ".length, toAt).trim();
  return {
    user: user.name,
    host: host.name,
    object: unquoteObject(objectText),
    privileges,
    grantOption: / WITH GRANT OPTION\b/.test(line.slice(host.end)),
  };
}

/** Turns `` `db`.`table` `` into `db.table`, keeping `*` and any routine prefix. */
function unquoteObject(text: string): string {
  return text.replace(/`((?:[^`]|``)*)`/g, (_match, name: string) => name.replace(/``/g, "`"));
}

/** Splits on commas outside parentheses and backticks. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inBackticks = false;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === "`") {
      inBackticks = !inBackticks;
    } else if (!inBackticks && character === "(") {
      depth++;
    } else if (!inBackticks && character === ")") {
      depth--;
    } else if (!inBackticks && depth === 0 && character === ",") {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Returns the index of `keyword` at or after `from`, outside quotes and parentheses. */
function findKeyword(text: string, keyword: string, from: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let index = from; index < text.length; index++) {
    const character = text[index];
    if (quote !== undefined) {
      if (character === quote) {
        quote = undefined;
      }
    } else if (character === "`" || character === "'") {
      quote = character;
    } else if (character === "(") {
      depth++;
    } else if (character === ")") {
      depth--;
    } else if (depth === 0 && text.startsWith(keyword, index)) {
      return index;
    }
  }
  return undefined;
}

/** Reads a name quoted with backticks or single quotes at `start`, undoing doubled quotes. */
function readQuotedName(text: string, start: number): { name: string; end: number } | undefined {
  const quote = text[start];
  if (quote !== "`" && quote !== "'") {
    return undefined;
  }
  let name = "";
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] !== quote) {
      name += text[index];
    } else if (text[index + 1] === quote) {
      name += quote;
      index++;
    } else {
      return { name, end: index + 1 };
    }
  }
  return undefined;
}
