// Database endpoints in the configuration: TCP or Unix socket, and the source address of
// connections to HQ.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ConfigError, parseConfig } from "../src/config";
import { endpointOptions } from "../src/db";

let directory: string;
let passwordFile: string;
let tokenFile: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "cdr-api-config-"));
  passwordFile = join(directory, "db-password");
  tokenFile = join(directory, "token");
  writeFileSync(passwordFile, "db-password\n", { mode: 0o600 });
  writeFileSync(tokenFile, "token-0123456789abcdef\n", { mode: 0o600 });
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function branchConfig(database: Record<string, unknown>, hq: Record<string, unknown>): unknown {
  return {
    site: "tabasco",
    timeZone: "America/Mexico_City",
    listen: { host: "127.0.97.1", port: 0 },
    database: { user: "api_reader", passwordFile, ...database },
    hq: { user: "api_tabasco", passwordFile, ...hq },
    auth: { tokenFile },
    allowedOrigin: "http://127.0.97.1:8480",
    sites: [{ code: "tabasco", name: "Villahermosa", timeZone: "America/Mexico_City" }],
  };
}

describe("database endpoints", () => {
  test("socket for own, TCP with source for HQ", () => {
    const config = parseConfig(branchConfig({ socketPath: "/run/mariadbd/mysqld.sock" }, { host: "127.0.97.2", localAddress: "127.0.97.3" }));
    expect(endpointOptions(config.database)).toEqual({ socketPath: "/run/mariadbd/mysqld.sock" });
    const hq = endpointOptions(config.hq!);
    expect(hq.host).toBe("127.0.97.2");
    expect(hq.port).toBe(3306);
    expect(typeof (hq as { stream?: unknown }).stream).toBe("function");
  });

  test("plain TCP has no stream hook", () => {
    const config = parseConfig(branchConfig({ host: "127.0.97.3", port: 3307 }, { host: "127.0.97.2" }));
    expect(endpointOptions(config.database)).toEqual({ host: "127.0.97.3", port: 3307 });
  });

  test("rejects both host and socketPath", () => {
    expect(() => parseConfig(branchConfig({ host: "127.0.97.3", socketPath: "/run/x.sock" }, { host: "127.0.97.2" }))).toThrow(
      /\/database: set exactly one of host \(TCP\) and socketPath/,
    );
  });

  test("rejects an endpoint without either", () => {
    expect(() => parseConfig(branchConfig({}, { host: "127.0.97.2" }))).toThrow(ConfigError);
  });

  test("rejects a source address over a socket", () => {
    expect(() => parseConfig(branchConfig({ host: "127.0.97.3" }, { socketPath: "/run/x.sock", localAddress: "127.0.97.3" }))).toThrow(
      /\/hq\/localAddress: a source address needs a TCP host/,
    );
  });
});
