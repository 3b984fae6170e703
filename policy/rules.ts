// Checks of the inova-pbx policy pack as plain functions over resource
// properties, so unit tests run them without the Pulumi engine. Each returns
// the problems it found as messages, and an empty list means the resource passes.
// Messages name resources, properties, files and lines, never a secret's value.

import {
  MIN_CHARACTER_CLASSES,
  MIN_DISTINCT_CHARACTERS,
  MIN_PASSWORD_LENGTH,
} from "../components/model/validate/secrets";

/** Type tokens of the project's dynamic resources, as the engine reports them. */
export const RESOURCE_TYPES = {
  grant: "pulumi-nodejs:dynamic/mariadb:Grant",
  user: "pulumi-nodejs:dynamic/mariadb:User",
  replicaConnection: "pulumi-nodejs:dynamic/mariadb:ReplicaConnection",
  reseed: "pulumi-nodejs:dynamic/mariadb:Reseed",
  container: "pulumi-nodejs:dynamic/docker:Container",
  containerFiles: "pulumi-nodejs:dynamic/docker:ContainerFiles",
  generatedSecret: "pulumi-nodejs:dynamic/inova:GeneratedSecret",
} as const;

/** The one account that may hold ALL or GRANT OPTION: the administrator over the container's Unix socket. */
export const ADMINISTRATOR = { user: "root", host: "localhost" } as const;

const BROAD_PRIVILEGES = new Set(["ALL", "ALL PRIVILEGES", "GRANT OPTION"]);

/**
 * Reports a grant that gives ALL, ALL PRIVILEGES or GRANT OPTION to any
 * account other than root@localhost.
 */
export function checkGrantPrivileges(props: Record<string, unknown>): string[] {
  const user = String(props.user);
  const host = String(props.host);
  if (user === ADMINISTRATOR.user && host === ADMINISTRATOR.host) {
    return [];
  }
  const privileges = Array.isArray(props.privileges) ? props.privileges.map((p) => String(p).trim().toUpperCase()) : [];
  const broad = privileges.filter((privilege) => BROAD_PRIVILEGES.has(privilege.replace(/\s+/g, " ")));
  if (props.grantOption === true && !broad.includes("GRANT OPTION")) {
    broad.push("GRANT OPTION");
  }
  return broad.map(
    (privilege) =>
      `grant on ${String(props.object)} to '${user}'@'${host}' includes ${privilege}; only ` +
      `${ADMINISTRATOR.user}@${ADMINISTRATOR.host} may hold ALL or GRANT OPTION. List only the privileges the account needs.`,
  );
}

/**
 * Properties that contain passwords and that the project's resource classes
 * always store as secrets: `inputs` are wrapped in `pulumi.secret` by the class
 * constructor, and `outputs` are listed in its `additionalSecretOutputs`.
 */
export const SECRET_PROPERTIES: Readonly<Record<string, { inputs: readonly string[]; outputs: readonly string[] }>> = {
  [RESOURCE_TYPES.user]: { inputs: ["password"], outputs: ["passwordHash"] },
  [RESOURCE_TYPES.replicaConnection]: { inputs: ["password"], outputs: ["passwordHash"] },
  [RESOURCE_TYPES.reseed]: { inputs: ["password"], outputs: [] },
  [RESOURCE_TYPES.containerFiles]: { inputs: ["secretFiles"], outputs: ["secretFileHashes"] },
  [RESOURCE_TYPES.generatedSecret]: { inputs: [], outputs: ["value"] },
};

/** Property names that denote a password or another credential. */
const CREDENTIAL_NAME = /pass(word|phrase|wd)|secret|token|credential/i;

/**
 * Reports properties with a credential's name (password, secret, token...)
 * that the resource type does not store as a secret, and secret outputs
 * missing from the resource's `additionalSecretOutputs`. Booleans, numbers
 * and permission modes (`secretMode`) carry no credential and are skipped.
 */
export function checkSecretProperties(
  type: string,
  props: Record<string, unknown>,
  additionalSecretOutputs: readonly string[],
): string[] {
  const problems: string[] = [];
  const declared = SECRET_PROPERTIES[type] ?? { inputs: [], outputs: [] };
  // Values are read only for undeclared credential names, because reading a value that is
  // still unknown during a preview stops the policy for that resource.
  for (const name of Object.keys(props)) {
    if (name.startsWith("__") || !CREDENTIAL_NAME.test(name) || /Mode$/.test(name)) {
      continue;
    }
    if (declared.inputs.includes(name) || declared.outputs.includes(name)) {
      continue;
    }
    const value = props[name];
    if (typeof value !== "boolean" && typeof value !== "number" && value !== undefined && value !== null) {
      problems.push(
        `property ${name} holds a credential but ${type} does not store it as a secret; ` +
          "wrap it in pulumi.secret in the resource class and add it to SECRET_PROPERTIES in policy/rules.ts.",
      );
    }
  }
  for (const output of declared.outputs) {
    if (!additionalSecretOutputs.includes(output)) {
      problems.push(`output ${output} of ${type} is missing from additionalSecretOutputs, so the state would store it in plain text.`);
    }
  }
  return problems;
}

/** A `password = value` or `secret = value` line of an Asterisk or ODBC configuration file. */
const CREDENTIAL_LINE = /^\s*(password|secret|passwd)\s*=>?\s*(\S.*?)\s*$/i;

interface CredentialLine {
  readonly file: string;
  readonly line: number;
  readonly key: string;
  readonly value: string;
}

/** Finds the credential lines in a map of file path to content; unknown contents are skipped. */
export function findCredentialLines(files: unknown): CredentialLine[] {
  if (files === null || typeof files !== "object") {
    return [];
  }
  const found: CredentialLine[] = [];
  for (const [file, content] of Object.entries(files as Record<string, unknown>)) {
    if (typeof content !== "string") {
      continue;
    }
    content.split("\n").forEach((text, index) => {
      const match = CREDENTIAL_LINE.exec(text);
      if (match !== null) {
        found.push({ file, line: index + 1, key: match[1].toLowerCase(), value: match[2] });
      }
    });
  }
  return found;
}

/** Reports credential lines in a container's non-secret files (`files`), which the state stores in plain text. */
export function checkPlainFiles(props: Record<string, unknown>): string[] {
  return findCredentialLines(props.files).map(
    (entry) =>
      `${entry.file} line ${entry.line} sets ${entry.key} in a non-secret file of ${String(props.directory)}; ` +
      "move the credential into secretFiles.",
  );
}

/** Environment variable names that denote a credential. */
const CREDENTIAL_VARIABLE = /PASS(WORD|PHRASE|WD)?$|SECRET|TOKEN|_PIN$/i;

/** Reports container environment variables that carry a credential, which any `docker inspect` shows. */
export function checkContainerEnvironment(props: Record<string, unknown>): string[] {
  const env = props.env;
  if (env === null || typeof env !== "object") {
    return [];
  }
  return Object.keys(env as Record<string, unknown>)
    .filter((name) => CREDENTIAL_VARIABLE.test(name))
    .map(
      (name) =>
        `environment variable ${name} of container ${String(props.name)} carries a credential, which docker inspect shows; ` +
        "write it into a secret file instead.",
    );
}

/**
 * Length from which a password counts as long enough to need only two
 * character classes. The project generates passwords of 24 or more random
 * letters and digits, which lack digits with probability (52/62)^24, about 1.5%, at 24.
 */
export const LONG_PASSWORD_LENGTH = 24;

/**
 * Returns what makes a password weak, as phrases following "it", or an empty
 * list. Rules: at least 16 characters and 8 different ones, and 3 of the 4
 * classes (lowercase, uppercase, digits, symbols), or 2 classes from 24 characters on.
 */
export function findWeaknesses(password: string): string[] {
  const weaknesses: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) {
    weaknesses.push(`is shorter than ${MIN_PASSWORD_LENGTH} characters`);
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
  const requiredClasses = password.length >= LONG_PASSWORD_LENGTH ? 2 : MIN_CHARACTER_CLASSES;
  if (classes < requiredClasses) {
    weaknesses.push(`uses ${classes} of the 4 character classes, fewer than ${requiredClasses}`);
  }
  if (new Set(password).size < MIN_DISTINCT_CHARACTERS) {
    weaknesses.push(`has fewer than ${MIN_DISTINCT_CHARACTERS} different characters`);
  }
  return weaknesses;
}

/**
 * Reports weak passwords among those a policy can read: a database
 * account's `password` and the credential lines of a container's secret files.
 * Values still unknown during a preview are skipped.
 */
export function checkSecretStrength(type: string, props: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if ((type === RESOURCE_TYPES.user || type === RESOURCE_TYPES.replicaConnection) && typeof props.password === "string") {
    const weaknesses = findWeaknesses(props.password);
    if (weaknesses.length > 0) {
      problems.push(`the password of database account ${String(props.user ?? props.masterUser)} is weak: it ${weaknesses.join(", it ")}.`);
    }
  }
  if (type === RESOURCE_TYPES.containerFiles) {
    for (const entry of findCredentialLines(props.secretFiles)) {
      const weaknesses = findWeaknesses(entry.value);
      if (weaknesses.length > 0) {
        problems.push(`the ${entry.key} on ${entry.file} line ${entry.line} is weak: it ${weaknesses.join(", it ")}.`);
      }
    }
  }
  return problems;
}
