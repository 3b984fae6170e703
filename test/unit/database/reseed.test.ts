import { describe, expect, it } from "vitest";

import {
  decideReseed,
  formatGtidList,
  gtidsOfDomain,
  parseGtidList,
  renderReseedInsert,
  renderReseedView,
  reseedViewObject,
} from "../../../components/database";

describe("reseed view", () => {
  it("selects one branch's rows as root", () => {
    expect(renderReseedView("tabasco")).toBe(
      "CREATE OR REPLACE DEFINER = 'root'@'localhost' SQL SECURITY DEFINER VIEW `inova_cdr`.`cdr_tabasco` AS " +
        "SELECT * FROM `inova_cdr`.`cdr` WHERE `site` = 'tabasco'",
    );
  });

  it("names the grant object", () => {
    expect(reseedViewObject("silicon")).toBe("inova_cdr.cdr_silicon");
  });

  it("rejects an invalid site code", () => {
    expect(() => renderReseedView("Tab`asco")).toThrow(/invalid site code "Tab`asco"/);
  });
});

describe("GTID lists", () => {
  it("parses and formats a position", () => {
    const gtids = parseGtidList("8101-8101-5,8201-8201-57");
    expect(gtids).toEqual([
      { domain: 8101, serverId: 8101, sequence: 5n },
      { domain: 8201, serverId: 8201, sequence: 57n },
    ]);
    expect(formatGtidList(gtidsOfDomain(gtids, 8201))).toBe("8201-8201-57");
  });

  it("parses an empty position", () => {
    expect(parseGtidList("")).toEqual([]);
  });

  it("rejects malformed text", () => {
    expect(() => parseGtidList("8201-57")).toThrow(/invalid GTID "8201-57"/);
  });
});

describe("decideReseed", () => {
  const hq = parseGtidList("8201-8201-57");

  it("continues an empty branch from HQ's position", () => {
    expect(decideReseed([], hq)).toEqual({ action: "reseed", binlogState: "8201-8201-57" });
  });

  it("copies rows again without touching an equal state", () => {
    expect(decideReseed(parseGtidList("8201-8201-57"), hq)).toEqual({ action: "reseed", binlogState: "" });
  });

  it("keeps a branch with its own history", () => {
    const decision = decideReseed(parseGtidList("8201-8201-60"), hq);
    expect(decision.action).toBe("keep");
  });

  it("starts a fresh history when HQ has none", () => {
    expect(decideReseed([], [])).toEqual({ action: "reseed", binlogState: "" });
  });
});

describe("renderReseedInsert", () => {
  it("inserts every row, ignoring existing keys", () => {
    const { sql, values } = renderReseedInsert([
      { site: "tabasco", uniqueid: "1.1", sequence: 1 },
      { site: "tabasco", uniqueid: "1.2", sequence: 1 },
    ]);
    expect(sql).toBe("INSERT IGNORE INTO `inova_cdr`.`cdr` (`site`, `uniqueid`, `sequence`) VALUES (?, ?, ?), (?, ?, ?)");
    expect(values).toEqual(["tabasco", "1.1", 1, "tabasco", "1.2", 1]);
  });
});
