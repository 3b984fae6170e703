import { describe, expect, it } from "vitest";

import {
  grantObjectSql,
  parseGrantObject,
  quoteAccount,
  quoteIdentifier,
  quoteString,
} from "../../../components/database";

describe("SQL quoting", () => {
  it("doubles backticks in identifiers", () => {
    expect(quoteIdentifier("a`b")).toBe("`a``b`");
  });

  it("escapes string literals", () => {
    expect(quoteString("it's")).toBe("'it''s'");
    expect(quoteString("a\\b")).toBe("'a\\\\b'");
    expect(quoteString("line\nbreak\0")).toBe("'line\\nbreak\\0'");
  });

  it("quotes accounts", () => {
    expect(quoteAccount("pbx_writer", "127.0.82.1")).toBe("'pbx_writer'@'127.0.82.1'");
  });
});

describe("grant objects", () => {
  it("parses the three forms", () => {
    expect(parseGrantObject("*.*")).toEqual({ database: "*", table: "*" });
    expect(parseGrantObject("inova_cdr.*")).toEqual({ database: "inova_cdr", table: "*" });
    expect(parseGrantObject("inova_cdr.cdr")).toEqual({ database: "inova_cdr", table: "cdr" });
  });

  it("rejects other forms", () => {
    for (const text of ["*", "inova_cdr", "*.cdr", "a.b.c", "in`va.cdr", "inova_cdr.c dr"]) {
      expect(parseGrantObject(text)).toBeUndefined();
    }
  });

  it("renders SQL objects", () => {
    expect(grantObjectSql("*.*")).toBe("*.*");
    expect(grantObjectSql("inova_cdr.*")).toBe("`inova_cdr`.*");
    expect(grantObjectSql("inova_cdr.cdr")).toBe("`inova_cdr`.`cdr`");
    expect(() => grantObjectSql("cdr")).toThrow(/invalid grant object "cdr"/);
  });
});
