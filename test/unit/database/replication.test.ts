import { describe, expect, it } from "vitest";

import {
  renderChangeMaster,
  renderRemoveReplicationStatements,
  renderReplicationStatements,
  replicationPlan,
} from "../../../components/database";
import { MOCHIS, SILICON, TABASCO } from "./fixtures";

describe("replicationPlan", () => {
  it("names one connection per branch", () => {
    expect(replicationPlan(MOCHIS, [TABASCO, SILICON])).toEqual([
      {
        name: "tabasco",
        branch: "tabasco",
        masterHost: "127.0.82.1",
        masterPort: 3306,
        masterUser: "replicator",
        useGtid: "slave_pos",
        connectRetrySeconds: 10,
      },
      {
        name: "silicon",
        branch: "silicon",
        masterHost: "127.0.83.1",
        masterPort: 3306,
        masterUser: "replicator",
        useGtid: "slave_pos",
        connectRetrySeconds: 10,
      },
    ]);
  });

  it("rejects a branch as HQ", () => {
    expect(() => replicationPlan(TABASCO, [SILICON])).toThrow(/expected "hq"/);
  });

  it("rejects HQ as a branch", () => {
    expect(() => replicationPlan(MOCHIS, [MOCHIS])).toThrow(/expected "branch"/);
  });
});

describe("replication statements", () => {
  const [tabasco] = replicationPlan(MOCHIS, [TABASCO]);

  it("renders CHANGE MASTER for a named connection", () => {
    expect(renderChangeMaster(tabasco, "s3cret")).toBe(
      "CHANGE MASTER 'tabasco' TO MASTER_HOST='127.0.82.1', MASTER_PORT=3306, MASTER_USER='replicator', " +
        "MASTER_PASSWORD='s3cret', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=10",
    );
  });

  it("quotes the password", () => {
    expect(renderChangeMaster(tabasco, "it's\\x")).toContain("MASTER_PASSWORD='it''s\\\\x'");
  });

  it("stops, changes and starts an existing connection", () => {
    expect(renderReplicationStatements(tabasco, "pw", { exists: true })).toEqual([
      "STOP SLAVE 'tabasco'",
      renderChangeMaster(tabasco, "pw"),
      "START SLAVE 'tabasco'",
    ]);
  });

  it("creates and starts a new connection", () => {
    expect(renderReplicationStatements(tabasco, "pw", { exists: false })).toEqual([
      renderChangeMaster(tabasco, "pw"),
      "START SLAVE 'tabasco'",
    ]);
  });

  it("removes a connection", () => {
    expect(renderRemoveReplicationStatements("tabasco")).toEqual(["STOP SLAVE 'tabasco'", "RESET SLAVE 'tabasco' ALL"]);
  });
});
