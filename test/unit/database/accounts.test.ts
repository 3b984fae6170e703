import { describe, expect, it } from "vitest";

import {
  accountPlan,
  databaseSite,
  expectedShowGrants,
  nativePasswordHash,
  renderAccountStatements,
  renderGrant,
  renderRevoke,
  type PlannedAccount,
} from "../../../components/database";
import { ALL_SITES, MOCHIS, SILICON, TABASCO } from "./fixtures";

function grantsByUser(accounts: readonly PlannedAccount[]): Record<string, string> {
  const summary: Record<string, string> = {};
  for (const account of accounts) {
    summary[`${account.user}@${account.host}`] = account.grants
      .map((grant) => `${grant.privileges.join(", ")} ON ${grant.object}`)
      .join("; ");
  }
  return summary;
}

describe("accountPlan", () => {
  it("plans a branch's accounts", () => {
    expect(grantsByUser(accountPlan(TABASCO, ALL_SITES))).toEqual({
      "pbx_writer@127.0.82.1": "INSERT ON inova_cdr.cdr",
      "api_reader@127.0.82.1": "SELECT ON inova_cdr.*",
      "replicator@127.0.81.1": "REPLICATION SLAVE ON *.*",
    });
  });

  it("plans HQ's accounts", () => {
    expect(grantsByUser(accountPlan(MOCHIS, ALL_SITES))).toEqual({
      "pbx_writer@127.0.81.1": "INSERT ON inova_cdr.cdr",
      "api_reader@127.0.81.1": "SELECT ON inova_cdr.*",
      "monitor@127.0.81.1": "SLAVE MONITOR ON *.*",
      "reseed@127.0.82.1": "SELECT ON inova_cdr.cdr_tabasco",
      "reseed@127.0.83.1": "SELECT ON inova_cdr.cdr_silicon",
    });
  });

  it("uses client addresses as hosts", () => {
    const hq = databaseSite({ ...MOCHIS, clientAddress: "127.0.0.1" });
    const branch = databaseSite({ ...SILICON, clientAddress: "127.0.0.1" });
    const accounts = accountPlan(branch, [hq, branch]);
    expect(accounts.map((account) => `${account.user}@${account.host}`)).toEqual([
      "pbx_writer@127.0.0.1",
      "api_reader@127.0.0.1",
      "replicator@127.0.0.1",
    ]);
  });

  it("admits each branch's reseed account from that branch only", () => {
    const reseed = accountPlan(MOCHIS, ALL_SITES).filter((account) => account.role === "reseed");
    expect(reseed.map((account) => [account.branch, account.host])).toEqual([
      ["tabasco", TABASCO.clientAddress],
      ["silicon", SILICON.clientAddress],
    ]);
  });

  it("never plans ALL or GRANT OPTION", () => {
    for (const site of ALL_SITES) {
      for (const account of accountPlan(site, ALL_SITES)) {
        for (const grant of account.grants) {
          expect(grant.privileges).not.toContain("ALL PRIVILEGES");
          expect(grant.privileges).not.toContain("GRANT OPTION");
        }
      }
    }
  });

  it("rejects peers without HQ", () => {
    expect(() => accountPlan(TABASCO, [TABASCO, SILICON])).toThrow(/exactly one database site with role "hq"/);
  });
});

describe("account statements", () => {
  const [writer, , replicator] = accountPlan(TABASCO, ALL_SITES);
  const hash = nativePasswordHash("pbx-writer-password-1");

  it("renders creation with the hash only", () => {
    expect(renderAccountStatements(writer, hash)).toEqual([
      `CREATE USER IF NOT EXISTS 'pbx_writer'@'127.0.82.1' IDENTIFIED BY PASSWORD '${hash}'`,
      `ALTER USER 'pbx_writer'@'127.0.82.1' IDENTIFIED BY PASSWORD '${hash}'`,
      "GRANT INSERT ON `inova_cdr`.`cdr` TO 'pbx_writer'@'127.0.82.1'",
    ]);
  });

  it("renders grants and revokes in server order", () => {
    expect(renderGrant("api_reader", "127.0.82.1", { privileges: ["INSERT", "SELECT"], object: "inova_cdr.*" })).toBe(
      "GRANT SELECT, INSERT ON `inova_cdr`.* TO 'api_reader'@'127.0.82.1'",
    );
    expect(renderRevoke("api_reader", "127.0.82.1", ["DELETE", "SELECT"], "inova_cdr.cdr")).toBe(
      "REVOKE SELECT, DELETE ON `inova_cdr`.`cdr` FROM 'api_reader'@'127.0.82.1'",
    );
  });

  it("predicts SHOW GRANTS of a table grant", () => {
    expect(expectedShowGrants(writer, hash)).toEqual([
      `GRANT USAGE ON *.* TO \`pbx_writer\`@\`127.0.82.1\` IDENTIFIED BY PASSWORD '${hash}'`,
      "GRANT INSERT ON `inova_cdr`.`cdr` TO `pbx_writer`@`127.0.82.1`",
    ]);
  });

  it("predicts SHOW GRANTS of a view grant", () => {
    const reseed = accountPlan(MOCHIS, ALL_SITES).find((account) => account.branch === "tabasco") as PlannedAccount;
    expect(expectedShowGrants(reseed, hash)).toEqual([
      `GRANT USAGE ON *.* TO \`reseed\`@\`127.0.82.1\` IDENTIFIED BY PASSWORD '${hash}'`,
      "GRANT SELECT ON `inova_cdr`.`cdr_tabasco` TO `reseed`@`127.0.82.1`",
    ]);
  });

  it("predicts SHOW GRANTS of a global grant", () => {
    expect(expectedShowGrants(replicator, hash)).toEqual([
      `GRANT REPLICATION SLAVE ON *.* TO \`replicator\`@\`127.0.81.1\` IDENTIFIED BY PASSWORD '${hash}'`,
    ]);
  });
});
