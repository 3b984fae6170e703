import { describe, expect, it } from "vitest";

import { canonicalPrivilege, parseShowGrantsLine, sortPrivileges } from "../../../components/database";

describe("parseShowGrantsLine", () => {
  it("parses a table grant", () => {
    expect(parseShowGrantsLine("GRANT INSERT ON `inova_cdr`.`cdr` TO `pbx_writer`@`127.0.82.1`")).toEqual({
      user: "pbx_writer",
      host: "127.0.82.1",
      object: "inova_cdr.cdr",
      privileges: ["INSERT"],
      grantOption: false,
    });
  });

  it("drops USAGE from the global line", () => {
    const entry = parseShowGrantsLine(
      "GRANT USAGE ON *.* TO `api_reader`@`127.0.82.1` IDENTIFIED BY PASSWORD '*2B602296A79E0A8784ACC5C88D92E46588CCA3C3'",
    );
    expect(entry?.object).toBe("*.*");
    expect(entry?.privileges).toEqual([]);
  });

  it("parses several privileges and the grant option", () => {
    const entry = parseShowGrantsLine("GRANT SELECT, INSERT, DELETE ON `inova_cdr`.* TO `x`@`%` WITH GRANT OPTION");
    expect(entry?.privileges).toEqual(["SELECT", "INSERT", "DELETE"]);
    expect(entry?.object).toBe("inova_cdr.*");
    expect(entry?.grantOption).toBe(true);
  });

  it("keeps column lists whole", () => {
    const entry = parseShowGrantsLine("GRANT SELECT (`src`, `dst`), INSERT ON `inova_cdr`.`cdr` TO `x`@`127.0.0.1`");
    expect(entry?.privileges).toEqual(["SELECT (`src`, `dst`)", "INSERT"]);
  });

  it("reads quoted names with doubled quotes", () => {
    const entry = parseShowGrantsLine("GRANT SELECT ON `we``ird`.`t` TO `o``dd`@`127.0.0.1`");
    expect(entry?.user).toBe("o`dd");
    expect(entry?.object).toBe("we`ird.t");
  });

  it("parses a global privilege with a password", () => {
    const entry = parseShowGrantsLine(
      "GRANT REPLICATION SLAVE ON *.* TO `replicator`@`127.0.81.1` IDENTIFIED BY PASSWORD '*2B602296A79E0A8784ACC5C88D92E46588CCA3C3'",
    );
    expect(entry?.privileges).toEqual(["REPLICATION SLAVE"]);
    expect(entry?.grantOption).toBe(false);
  });

  it("skips role and PROXY grants", () => {
    expect(parseShowGrantsLine("GRANT `reporting` TO `x`@`127.0.0.1`")).toBeUndefined();
    expect(parseShowGrantsLine("GRANT PROXY ON ``@`%` TO `root`@`localhost` WITH GRANT OPTION")).toBeUndefined();
  });
});

describe("canonicalPrivilege", () => {
  const cases: Array<[string, string]> = [
    ["insert", "INSERT"],
    ["replication  replica", "REPLICATION SLAVE"],
    ["REPLICA MONITOR", "SLAVE MONITOR"],
    ["replication client", "BINLOG MONITOR"],
  ];
  for (const [name, expected] of cases) {
    it(`maps ${name} to ${expected}`, () => {
      expect(canonicalPrivilege(name)).toEqual({ privilege: expected });
    });
  }

  for (const name of ["ALL", "all privileges", "GRANT OPTION", "USAGE"]) {
    it(`rejects ${name}`, () => {
      expect(canonicalPrivilege(name)).toHaveProperty("error");
    });
  }

  it("rejects an unknown name", () => {
    expect(canonicalPrivilege("INSRT")).toEqual({ error: 'unknown privilege "INSRT"' });
  });
});

describe("sortPrivileges", () => {
  it("orders like SHOW GRANTS and removes duplicates", () => {
    expect(sortPrivileges(["SLAVE MONITOR", "DELETE", "SELECT", "DELETE", "REPLICATION SLAVE"])).toEqual([
      "SELECT",
      "DELETE",
      "REPLICATION SLAVE",
      "SLAVE MONITOR",
    ]);
  });
});
