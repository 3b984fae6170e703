import { readFileSync } from "node:fs";
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const SiteCode = Type.String({ pattern: "^[a-z0-9_-]{1,16}$" });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Host = Type.String({ minLength: 1, maxLength: 255 });

/** A database reached over TCP (`host`, `port`) or over the server's Unix socket (`socketPath`). */
const DatabaseEndpoint = Type.Object(
  {
    host: Type.Optional(Host),
    port: Type.Optional(Port),
    socketPath: Type.Optional(Type.String({ minLength: 1, pattern: "^/" })),
    user: Type.String({ minLength: 1, maxLength: 80 }),
    passwordFile: Type.String({ minLength: 1 }),
    database: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const ConfigFileSchema = Type.Object(
  {
    site: SiteCode,
    timeZone: Type.String({ minLength: 1 }),
    listen: Type.Object(
      { host: Host, port: Type.Integer({ minimum: 0, maximum: 65535 }) },
      { additionalProperties: false },
    ),
    database: DatabaseEndpoint,
    /** Account allowed to run SHOW ALL SLAVES STATUS on the own database (HQ only). */
    monitor: Type.Optional(
      Type.Object(
        { user: Type.String({ minLength: 1, maxLength: 80 }), passwordFile: Type.String({ minLength: 1 }) },
        { additionalProperties: false },
      ),
    ),
    /** HQ's consolidated database; present at branches only. */
    hq: Type.Optional(
      Type.Composite(
        [
          DatabaseEndpoint,
          Type.Object({
            timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 30000 })),
            /** Source address of connections to HQ, which HQ's account for this branch matches. */
            localAddress: Type.Optional(Host),
          }),
        ],
        {
          additionalProperties: false,
        },
      ),
    ),
    auth: Type.Object(
      {
        tokenFile: Type.String({ minLength: 1 }),
        basicUser: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: "^[^:]+$" })),
      },
      { additionalProperties: false },
    ),
    allowedOrigin: Type.String({ pattern: "^https?://[^/\\s]+$" }),
    sites: Type.Array(
      Type.Object(
        { code: SiteCode, name: Type.String({ minLength: 1, maxLength: 80 }), timeZone: Type.String({ minLength: 1 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 64 },
    ),
    /** Non-secret file with the site's call-flow diagram: Mermaid text, or Markdown with a `mermaid` block. */
    callFlowFile: Type.Optional(Type.String({ minLength: 1, pattern: "^/" })),
    replicationLagWarnSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
    logLevel: Type.Optional(Type.Union([Type.Literal("fatal"), Type.Literal("error"), Type.Literal("warn"), Type.Literal("info"), Type.Literal("debug"), Type.Literal("trace"), Type.Literal("silent")])),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;

export interface DatabaseSettings {
  /** TCP host; absent when `socketPath` is set. */
  host?: string;
  port: number;
  /** Unix socket of the server, used in place of `host` and `port`. */
  socketPath?: string;
  /** Source address that TCP connections bind. */
  localAddress?: string;
  user: string;
  password: string;
  database: string;
}

export interface SiteInfo {
  code: string;
  name: string;
  timeZone: string;
}

/** Settings after validation, with every secret read from its file. */
export interface Config {
  site: string;
  timeZone: string;
  role: "hq" | "branch";
  listen: { host: string; port: number };
  database: DatabaseSettings;
  monitor?: { user: string; password: string };
  hq?: DatabaseSettings & { timeoutMs: number };
  auth: { token: string; basicUser: string };
  allowedOrigin: string;
  sites: SiteInfo[];
  replicationLagWarnSeconds: number;
  logLevel: string;
  /** Absolute path of the call-flow diagram file; the page has no call-flow view without it. */
  callFlowFile?: string;
}

export class ConfigError extends Error {}

const DEFAULT_DATABASE = "inova_cdr";
const DEFAULT_HQ_TIMEOUT_MS = 1500;
const DEFAULT_LAG_WARN_SECONDS = 300;
const MIN_TOKEN_LENGTH = 16;

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Reads a secret file and strips one trailing newline, the way `echo` and editors write it. */
function readSecret(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read ${what} file ${path}: ${(error as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "") {
    throw new ConfigError(`${what} file ${path} is empty`);
  }
  return secret;
}

function databaseSettings(endpoint: Static<typeof DatabaseEndpoint>, what: string): DatabaseSettings {
  return {
    ...(endpoint.host === undefined ? {} : { host: endpoint.host }),
    ...(endpoint.socketPath === undefined ? {} : { socketPath: endpoint.socketPath }),
    port: endpoint.port ?? 3306,
    user: endpoint.user,
    password: readSecret(endpoint.passwordFile, `${what} password`),
    database: endpoint.database ?? DEFAULT_DATABASE,
  };
}

/** Validates parsed configuration JSON and reads the secret files it names. Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown): Config {
  const problems = [...Value.Errors(ConfigFileSchema, raw)].map((error) => `${error.path || "/"}: ${error.message}`);
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const file = raw as ConfigFile;

  const zoneProblems: string[] = [];
  if (!isValidTimeZone(file.timeZone)) {
    zoneProblems.push(`/timeZone: unknown time zone ${JSON.stringify(file.timeZone)}`);
  }
  file.sites.forEach((site, index) => {
    if (!isValidTimeZone(site.timeZone)) {
      zoneProblems.push(`/sites/${index}/timeZone: unknown time zone ${JSON.stringify(site.timeZone)}`);
    }
  });
  const codes = file.sites.map((site) => site.code);
  if (new Set(codes).size !== codes.length) {
    zoneProblems.push("/sites: site codes must be unique");
  }
  if (!codes.includes(file.site)) {
    zoneProblems.push(`/sites: the serving site ${JSON.stringify(file.site)} must be listed`);
  }
  for (const [pointer, endpoint] of [["/database", file.database], ["/hq", file.hq]] as const) {
    if (endpoint !== undefined && (endpoint.host === undefined) === (endpoint.socketPath === undefined)) {
      zoneProblems.push(`${pointer}: set exactly one of host (TCP) and socketPath (Unix socket)`);
    }
  }
  if (file.hq?.localAddress !== undefined && file.hq.host === undefined) {
    zoneProblems.push("/hq/localAddress: a source address needs a TCP host; remove localAddress or set host in place of socketPath");
  }
  if (zoneProblems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${zoneProblems.join("\n  ")}`);
  }

  const token = readSecret(file.auth.tokenFile, "API token");
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(`API token in ${file.auth.tokenFile} is shorter than ${MIN_TOKEN_LENGTH} characters`);
  }

  const database = databaseSettings(file.database, "database");
  return {
    site: file.site,
    timeZone: file.timeZone,
    role: file.hq === undefined ? "hq" : "branch",
    listen: file.listen,
    database,
    monitor:
      file.monitor === undefined
        ? undefined
        : { user: file.monitor.user, password: readSecret(file.monitor.passwordFile, "monitor password") },
    hq:
      file.hq === undefined
        ? undefined
        : {
            ...databaseSettings(file.hq, "HQ database"),
            ...(file.hq.localAddress === undefined ? {} : { localAddress: file.hq.localAddress }),
            timeoutMs: file.hq.timeoutMs ?? DEFAULT_HQ_TIMEOUT_MS,
          },
    auth: { token, basicUser: file.auth.basicUser ?? "cdr" },
    allowedOrigin: file.allowedOrigin,
    sites: file.sites,
    replicationLagWarnSeconds: file.replicationLagWarnSeconds ?? DEFAULT_LAG_WARN_SECONDS,
    logLevel: file.logLevel ?? "info",
    ...(file.callFlowFile === undefined ? {} : { callFlowFile: file.callFlowFile }),
  };
}

/** Loads the configuration from the JSON file named by CDR_API_CONFIG_FILE. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const path = env.CDR_API_CONFIG_FILE;
  if (path === undefined || path === "") {
    throw new ConfigError("CDR_API_CONFIG_FILE is not set: point it at the service's JSON configuration file");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  return parseConfig(raw);
}
