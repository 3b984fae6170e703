// Builds the service under test against the test databases, with secrets in temporary files.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/app";
import { parseConfig, type Config } from "../../src/config";
import { FIXTURE_SITES } from "../fixtures/calls";
import { API_DB_PASSWORD, API_DB_USER, API_TOKEN, BRANCH_DB, HQ_DB, MONITOR_PASSWORD, MONITOR_USER, SERVICE_HOST } from "./environment";

export const ALLOWED_ORIGIN = "http://127.0.97.1:8480";

function secretFile(directory: string, name: string, value: string): string {
  const path = join(directory, name);
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return path;
}

export interface ServiceOptions {
  role: "hq" | "branch";
  /** HQ database endpoint for a branch; HQ's real database when absent. */
  hqEndpoint?: { host: string; port: number };
  hqTimeoutMs?: number;
  /** Account at HQ for a branch; the shared test account when absent. */
  hqUser?: string;
  /** Source address of the branch's connections to HQ; the kernel's choice when absent. */
  hqLocalAddress?: string;
  /** The service's own database; the site's real test database when absent. */
  ownDatabase?: { host: string; port: number };
}

/** Builds a validated configuration whose secret files live in `directory`. */
export function testConfig(options: ServiceOptions, directory: string): Config {
  const passwordFile = secretFile(directory, "db-password", API_DB_PASSWORD);
  const site = options.role === "hq" ? "mochis" : "tabasco";
  const own = options.ownDatabase ?? (options.role === "hq" ? HQ_DB : BRANCH_DB);
  const hq = options.hqEndpoint ?? HQ_DB;
  return parseConfig({
    site,
    timeZone: FIXTURE_SITES.find((entry) => entry.code === site)!.timeZone,
    listen: { host: SERVICE_HOST, port: 0 },
    database: { host: own.host, port: own.port, user: API_DB_USER, passwordFile },
    ...(options.role === "hq"
      ? { monitor: { user: MONITOR_USER, passwordFile: secretFile(directory, "monitor-password", MONITOR_PASSWORD) } }
      : {
          hq: {
            host: hq.host,
            port: hq.port,
            user: options.hqUser ?? API_DB_USER,
            passwordFile,
            timeoutMs: options.hqTimeoutMs ?? 1500,
            ...(options.hqLocalAddress === undefined ? {} : { localAddress: options.hqLocalAddress }),
          },
        }),
    auth: { tokenFile: secretFile(directory, "token", API_TOKEN) },
    allowedOrigin: ALLOWED_ORIGIN,
    sites: FIXTURE_SITES.map(({ code, name, timeZone }) => ({ code, name, timeZone })),
    logLevel: "info",
  });
}

export interface RunningService {
  app: FastifyInstance;
  baseUrl: string;
  /** Every log line the service wrote. */
  logs: string[];
  close(): Promise<void>;
}

/** Starts the service on an ephemeral port of SERVICE_HOST, capturing its log. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const directory = mkdtempSync(join(tmpdir(), "cdr-api-secrets-"));
  const app = await buildApp(testConfig(options, directory), { logStream });
  await app.listen({ host: SERVICE_HOST, port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") {
    throw new Error("service did not bind a TCP port");
  }
  return {
    app,
    baseUrl: `http://${SERVICE_HOST}:${address.port}`,
    logs,
    close: async () => {
      await app.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export const AUTH = { authorization: `Bearer ${API_TOKEN}` };

/** GETs a JSON API path with the test token. */
export async function getJson(baseUrl: string, path: string): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: AUTH });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the assertion message.
  }
  return { status: response.status, headers: response.headers, body };
}
