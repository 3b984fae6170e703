import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { companySecretFile, readCompanySecret, sharedPassword } from "../../../components/company-secret";

const SECRET = "unit-test-company-secret-0123456789abcdefgh";
const directory = mkdtempSync(join(tmpdir(), "company-secret-"));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("companySecretFile", () => {
  it("prefers INOVA_COMPANY_SECRET_FILE", () => {
    expect(companySecretFile({ INOVA_COMPANY_SECRET_FILE: "/srv/secret", INOVA_CACHE_DIR: "/cache" })).toBe("/srv/secret");
  });

  it("uses the cache directory", () => {
    expect(companySecretFile({ INOVA_CACHE_DIR: "/cache" })).toBe("/cache/company-secret");
  });

  it("falls back to the user's cache folder", () => {
    expect(companySecretFile({ HOME: "/home/ops" })).toBe("/home/ops/.cache/inova-pbx/company-secret");
    expect(companySecretFile({ HOME: "/home/ops", XDG_CACHE_HOME: "/xdg" })).toBe("/xdg/inova-pbx/company-secret");
  });
});

describe("readCompanySecret", () => {
  it("prefers the stack setting", () => {
    expect(readCompanySecret(SECRET, { INOVA_COMPANY_SECRET_FILE: "/nonexistent" })).toEqual({
      value: SECRET,
      source: "inova-pbx:companySecret",
    });
  });

  it("reads the file without its line break", () => {
    const file = join(directory, "secret");
    writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    expect(readCompanySecret(undefined, { INOVA_COMPANY_SECRET_FILE: file }).value).toBe(SECRET);
  });

  it("names the setup command when the file is missing", () => {
    const file = join(directory, "missing");
    expect(() => readCompanySecret(undefined, { INOVA_COMPANY_SECRET_FILE: file })).toThrow(
      `company secret file ${file} not found; run "bash scripts/setup.sh"`,
    );
  });

  it("rejects a short secret without printing it", () => {
    const file = join(directory, "short");
    writeFileSync(file, "short-secret\n");
    let message = "";
    try {
      readCompanySecret(undefined, { INOVA_COMPANY_SECRET_FILE: file });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("has 12 characters, fewer than 32");
    expect(message).not.toContain("short-secret");
  });
});

describe("sharedPassword", () => {
  it("gives both sites of a pair the same value", () => {
    expect(sharedPassword(SECRET, "replication", "mochis", "tabasco")).toBe(
      sharedPassword(SECRET, "replication", "mochis", "tabasco"),
    );
  });

  it("is 48 hex digits", () => {
    expect(sharedPassword(SECRET, "replication", "mochis", "tabasco")).toMatch(/^[0-9a-f]{48}$/);
  });

  it("differs per pair, purpose, order and secret", () => {
    const values = [
      sharedPassword(SECRET, "replication", "mochis", "tabasco"),
      sharedPassword(SECRET, "replication", "mochis", "silicon"),
      sharedPassword(SECRET, "backup", "mochis", "tabasco"),
      sharedPassword(SECRET, "replication", "tabasco", "mochis"),
      sharedPassword(`${SECRET}x`, "replication", "mochis", "tabasco"),
    ];
    expect(new Set(values).size).toBe(values.length);
  });

  it("rejects labels with a colon", () => {
    expect(() => sharedPassword(SECRET, "replication", "a:b")).toThrow(/invalid derivation label/);
  });
});
