// Non-secret data of every stack of the project, read from the Pulumi.<stack>.yaml files, for
// checks across sites (addresses, ports, access codes) and for trunks between sites.

import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { DEFAULT_PORTS } from "./defaults";
import { isMapping } from "./guards";
import { configKey } from "./paths";
import { DEFAULT_TRUNK_TLS_PORT, TRUNK_TLS_KEY } from "./trunk-tls";
import type { PortRange, SiteCode, SiteRole } from "./types";

/**
 * One stack of the project as its stack file states it. A field is undefined when the file
 * does not set a value of the right type there; that stack's own validation reports it.
 * Ports that the file leaves out have their defaults.
 */
export interface ProjectSite {
  readonly code: SiteCode;
  /** File name relative to the project directory, e.g. `Pulumi.tabasco.yaml`. */
  readonly stackFile: string;
  readonly name?: string;
  /** IANA time zone, e.g. `America/Mexico_City`. */
  readonly timezone?: string;
  readonly role?: SiteRole;
  readonly address?: string;
  readonly accessCode?: string;
  readonly ports: {
    readonly sip?: number;
    readonly iax?: number;
    readonly ami?: number;
    readonly rtp?: PortRange;
  };
  /** Numbers of the site's IVRs in configuration order; other sites reach the first. */
  readonly ivrNumbers: readonly string[];
  /** Port of the site's trunk TLS transport; undefined when the stack file does not enable `trunkTls`. */
  readonly trunkTlsPort?: number;
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/**
 * Reads every `Pulumi.<stack>.yaml` in the project directory, sorted by stack name.
 * Throws when a stack file is not valid YAML, naming the file.
 */
export function loadProjectSites(projectDir: string): ProjectSite[] {
  const files = fs
    .readdirSync(projectDir)
    .filter((file) => STACK_FILE.test(file))
    .sort();
  return files.map((file) => readStackFile(projectDir, file));
}

/**
 * Stack files already read in this process, by absolute path, with the size and
 * modification time they had. The program reads the peers' files for the trunks
 * and again for the call records, and parsing YAML is the costly part.
 */
const readFiles = new Map<string, { readonly stamp: string; readonly site: ProjectSite }>();

function readStackFile(projectDir: string, file: string): ProjectSite {
  const filePath = path.resolve(projectDir, file);
  const stats = fs.statSync(filePath);
  const stamp = `${stats.size}:${stats.mtimeMs}`;
  const known = readFiles.get(filePath);
  if (known !== undefined && known.stamp === stamp) {
    return known.site;
  }
  const site = parseStackFile(filePath, file);
  readFiles.set(filePath, { stamp, site });
  return site;
}

function parseStackFile(filePath: string, file: string): ProjectSite {
  const code = (STACK_FILE.exec(file) as RegExpExecArray)[1];
  let document: unknown;
  try {
    document = parse(fs.readFileSync(filePath, "utf8"));
  } catch (error) {
    throw new Error(`Cannot parse ${file}: ${(error as Error).message}. Fix the YAML syntax of that stack file.`);
  }

  const config = isMapping(document) && isMapping(document.config) ? document.config : {};
  const site = isMapping(config[configKey("site")]) ? (config[configKey("site")] as Record<string, unknown>) : {};
  const ports = isMapping(site.ports) ? site.ports : {};
  const ivrs = Array.isArray(config[configKey("ivrs")]) ? (config[configKey("ivrs")] as unknown[]) : [];

  return {
    code,
    stackFile: file,
    name: stringOrUndefined(site.name),
    timezone: stringOrUndefined(site.timezone),
    role: site.role === "hq" || site.role === "branch" ? site.role : undefined,
    address: stringOrUndefined(site.address),
    accessCode: stringOrUndefined(site.accessCode),
    ports: {
      sip: portOrDefault(ports.sip, DEFAULT_PORTS.sip),
      iax: portOrDefault(ports.iax, DEFAULT_PORTS.iax),
      ami: portOrDefault(ports.ami, DEFAULT_PORTS.ami),
      rtp: readRange(site.rtpPorts),
    },
    ivrNumbers: ivrs.flatMap((ivr) => (isMapping(ivr) && typeof ivr.number === "string" ? [ivr.number] : [])),
    ...trunkTlsPort(config[configKey(TRUNK_TLS_KEY)]),
  };
}

function trunkTlsPort(value: unknown): { trunkTlsPort?: number } {
  if (!isMapping(value)) {
    return {};
  }
  const port = portOrDefault(value.port, DEFAULT_TRUNK_TLS_PORT);
  return port === undefined ? {} : { trunkTlsPort: port };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function portOrDefault(value: unknown, fallback: number): number | undefined {
  if (value === undefined || value === null) {
    return fallback;
  }
  return Number.isInteger(value) ? (value as number) : undefined;
}

function readRange(value: unknown): PortRange | undefined {
  if (!isMapping(value) || !Number.isInteger(value.start) || !Number.isInteger(value.end)) {
    return undefined;
  }
  return { start: value.start as number, end: value.end as number };
}
