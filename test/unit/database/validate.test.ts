import { describe, expect, it } from "vitest";

import { assertValidDatabaseSites, databaseSite, validateDatabaseSite, validateDatabaseSites } from "../../../components/database";
import { ALL_SITES, MOCHIS, SILICON, TABASCO } from "./fixtures";

describe("validateDatabaseSites", () => {
  it("accepts the project's sites", () => {
    expect(validateDatabaseSites(ALL_SITES)).toEqual([]);
  });

  it("fills in defaults", () => {
    expect(TABASCO.port).toBe(3306);
    expect(TABASCO.clientAddress).toBe("127.0.82.1");
    expect(TABASCO.binlogExpireSeconds).toBe(604_800);
  });

  it("rejects shared replication identities", () => {
    const problems = validateDatabaseSites([MOCHIS, TABASCO, { ...SILICON, serverId: 82, gtidDomainId: 81 }]);
    expect(problems).toEqual([
      'database sites "tabasco" and "silicon" share serverId 82',
      'database sites "mochis" and "silicon" share gtidDomainId 81',
    ]);
  });

  it("requires exactly one HQ", () => {
    expect(validateDatabaseSites([TABASCO, SILICON])).toEqual([
      'expected exactly one database site with role "hq", found 0',
    ]);
    expect(validateDatabaseSites([MOCHIS, { ...TABASCO, role: "hq" }])).toEqual([
      'expected exactly one database site with role "hq", found 2',
    ]);
  });

  it("rejects a shared address and port", () => {
    expect(validateDatabaseSites([MOCHIS, { ...TABASCO, address: "127.0.81.1" }])).toEqual([
      'database sites "mochis" and "tabasco" share address and port 127.0.81.1:3306',
    ]);
  });

  it("throws with every problem", () => {
    expect(() => assertValidDatabaseSites([TABASCO])).toThrow(/found 0/);
  });
});

describe("validateDatabaseSite", () => {
  const cases: Array<[string, Partial<typeof TABASCO>, RegExp]> = [
    ["a long code", { code: "a-site-code-longer-than-16" }, /invalid code/],
    ["an upper-case code", { code: "Tabasco" }, /invalid code/],
    ["a host name", { address: "db.example" }, /invalid address/],
    ["the wildcard address", { address: "0.0.0.0" }, /would bind every interface/],
    ["a bad client address", { clientAddress: "127.0.0" }, /invalid clientAddress/],
    ["port 0", { port: 0 }, /invalid port/],
    ["server_id 0", { serverId: 0 }, /invalid serverId/],
    ["a fractional domain", { gtidDomainId: 1.5 }, /invalid gtidDomainId/],
    ["a negative expiration", { binlogExpireSeconds: -1 }, /invalid binlogExpireSeconds/],
    ["a 100-day expiration", { binlogExpireSeconds: 100 * 86_400 }, /invalid binlogExpireSeconds/],
  ];
  for (const [name, change, message] of cases) {
    it(`rejects ${name}`, () => {
      const problems = validateDatabaseSite(databaseSite({ ...TABASCO, ...change }));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(message);
    });
  }
});
