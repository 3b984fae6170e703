// `inova-pbx:trunkTls`: TLS signalling and SDES-SRTP media on the PJSIP trunks to other sites.
// A trunk uses them only when both of its sites enable them. The operator supplies a CA
// certificate, this site's certificate and its private key as PEM files.

import * as fs from "node:fs";
import * as path from "node:path";

import type { ValidationProblem } from "./errors";
import { isMapping } from "./guards";
import { childPath, configKey } from "./paths";
import type { SitePorts } from "./types";

/** Stack configuration key, without the namespace. */
export const TRUNK_TLS_KEY = "trunkTls";

/** TLS port of the trunks when the setting gives none. */
export const DEFAULT_TRUNK_TLS_PORT = 5061;

/** The site's trunk TLS setting: file paths are relative to the project directory, or absolute. */
export interface TrunkTlsSettings {
  /** TCP port of the TLS transport on the site's address. @default 5061 */
  readonly port: number;
  /** CA certificate that signed every site's certificate; the trunks accept no other. */
  readonly caFile: string;
  /** This site's certificate, PEM. */
  readonly certificateFile: string;
  /** This site's private key, PEM, unencrypted. */
  readonly keyFile: string;
}

/** PEM contents of the files the setting names. The key and certificate are delivered as secrets. */
export interface TrunkTlsFiles {
  readonly ca: string;
  readonly certificate: string;
  readonly key: string;
}

const FILE_FIELDS = ["caFile", "certificateFile", "keyFile"] as const;
const KNOWN_KEYS = ["port", ...FILE_FIELDS];

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_PEM = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/;

/** Result of reading the setting: `settings` and `files` are undefined when TLS is off or a problem was found. */
export interface ParsedTrunkTls {
  readonly settings?: TrunkTlsSettings;
  readonly files?: TrunkTlsFiles;
  readonly problems: ValidationProblem[];
}

/**
 * Reads `inova-pbx:trunkTls` as parsed from YAML, checks that its port is free on the site's
 * address, and reads the three files, which must exist and contain PEM blocks of the right kind.
 * An absent setting means TLS is off.
 */
export function parseTrunkTls(raw: unknown, projectDir: string, ports: SitePorts): ParsedTrunkTls {
  const base = configKey(TRUNK_TLS_KEY);
  const problems: ValidationProblem[] = [];
  if (raw === undefined || raw === null) {
    return { problems };
  }
  if (!isMapping(raw)) {
    problems.push({
      path: base,
      code: "E_TYPE",
      message: "must be a mapping such as { caFile: tls/ca.pem, certificateFile: tls/site.crt, keyFile: tls/site.key }.",
    });
    return { problems };
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.includes(key)) {
      problems.push({
        path: childPath(base, key),
        code: "E_UNKNOWN_KEY",
        message: `unknown key "${key}"; remove it or use one of the accepted keys: ${KNOWN_KEYS.join(", ")}.`,
      });
    }
  }

  const port = raw.port ?? DEFAULT_TRUNK_TLS_PORT;
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
    problems.push({ path: childPath(base, "port"), code: "E_PORT_RANGE", message: `port ${JSON.stringify(raw.port)} is invalid; use an integer from 1 to 65535, e.g. 5061.` });
  } else {
    for (const [name, used] of [
      ["sip", ports.sip],
      ["iax", ports.iax],
      ["ami", ports.ami],
    ] as const) {
      if (port === used) {
        problems.push({
          path: childPath(base, "port"),
          code: "E_PORT_CONFLICT",
          message: `port ${port} is already the site's ${name} port; choose another, e.g. ${DEFAULT_TRUNK_TLS_PORT}.`,
        });
      }
    }
  }

  const contents: Partial<Record<(typeof FILE_FIELDS)[number], string>> = {};
  for (const field of FILE_FIELDS) {
    const text = readPemFile(raw[field], field, base, projectDir, problems);
    if (text !== undefined) {
      contents[field] = text;
    }
  }
  if (problems.length > 0 || contents.caFile === undefined || contents.certificateFile === undefined || contents.keyFile === undefined) {
    return { problems };
  }

  return {
    settings: {
      port: port as number,
      caFile: raw.caFile as string,
      certificateFile: raw.certificateFile as string,
      keyFile: raw.keyFile as string,
    },
    files: { ca: contents.caFile, certificate: contents.certificateFile, key: contents.keyFile },
    problems,
  };
}

function readPemFile(
  value: unknown,
  field: (typeof FILE_FIELDS)[number],
  base: string,
  projectDir: string,
  problems: ValidationProblem[],
): string | undefined {
  const where = childPath(base, field);
  if (typeof value !== "string" || value === "") {
    problems.push({ path: where, code: "E_REQUIRED", message: `${field} is missing; set it to the path of a PEM file, relative to the project directory or absolute.` });
    return undefined;
  }
  const file = path.resolve(projectDir, value);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : `unreadable (${(error as Error).message})`;
    problems.push({ path: where, code: "E_INVALID_VALUE", message: `file ${value} is ${reason}; create it or fix the path (resolved to ${file}).` });
    return undefined;
  }
  const expected = field === "keyFile" ? KEY_PEM : CERTIFICATE_PEM;
  if (!expected.test(text)) {
    const kind = field === "keyFile" ? "an unencrypted private key (-----BEGIN PRIVATE KEY-----)" : "a certificate (-----BEGIN CERTIFICATE-----)";
    problems.push({ path: where, code: "E_INVALID_VALUE", message: `file ${value} does not contain ${kind} in PEM format; export it as PEM.` });
    return undefined;
  }
  return text;
}
