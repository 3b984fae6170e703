// Re-seeding a rebuilt branch from HQ.
//
// HQ holds every record of every branch. When a branch's database comes back
// empty (a new data volume), the branch copies its own rows back from HQ
// through a per-branch view, and continues its binary log from the GTID that
// HQ already applied for the branch's domain. HQ's replication connection,
// which starts from that same position (MASTER_USE_GTID=slave_pos), then
// resumes by itself: nothing is fetched twice and nothing is skipped.

import type { SiteCode } from "../model/types";
import { CDR_DATABASE, CDR_TABLE } from "./model";
import { quoteIdentifier, quoteString } from "./sql";

/** User name of the accounts at HQ through which branches read their own rows back. */
export const RESEED_USER = "reseed";

/** Name of the view at HQ with the rows of one branch, e.g. `cdr_tabasco`. */
export function reseedViewName(branch: SiteCode): string {
  if (!/^[a-z][a-z0-9_-]{0,15}$/.test(branch)) {
    throw new Error(`invalid site code ${JSON.stringify(branch)} for a re-seed view; expected up to 16 lower-case letters, digits, "_" or "-"`);
  }
  return `${CDR_TABLE}_${branch.replace(/-/g, "_")}`;
}

/** Returns the grant object of the branch's view, `inova_cdr.cdr_<branch>`. */
export function reseedViewObject(branch: SiteCode): string {
  return `${CDR_DATABASE}.${reseedViewName(branch)}`;
}

/**
 * Renders the view of one branch's rows. SQL SECURITY DEFINER with root as definer lets an
 * account with SELECT on the view alone read those rows, and nothing else of the table.
 */
export function renderReseedView(branch: SiteCode): string {
  return (
    `CREATE OR REPLACE DEFINER = 'root'@'localhost' SQL SECURITY DEFINER VIEW ` +
    `${quoteIdentifier(CDR_DATABASE)}.${quoteIdentifier(reseedViewName(branch))} AS ` +
    `SELECT * FROM ${quoteIdentifier(CDR_DATABASE)}.${quoteIdentifier(CDR_TABLE)} WHERE \`site\` = ${quoteString(branch)}`
  );
}

/** One GTID: domain, server id and sequence number. */
export interface Gtid {
  readonly domain: number;
  readonly serverId: number;
  readonly sequence: bigint;
}

/** Parses a GTID list such as `@@gtid_slave_pos` (`"1-1-5,2-2-57"`, or empty). Throws on other text. */
export function parseGtidList(text: string): Gtid[] {
  const trimmed = text.trim();
  if (trimmed === "") {
    return [];
  }
  return trimmed.split(",").map((entry) => {
    const match = /^(\d+)-(\d+)-(\d+)$/.exec(entry.trim());
    if (match === null) {
      throw new Error(`invalid GTID ${JSON.stringify(entry)} in ${JSON.stringify(text)}; expected domain-server_id-sequence`);
    }
    return { domain: Number(match[1]), serverId: Number(match[2]), sequence: BigInt(match[3]) };
  });
}

/** Formats GTIDs as MariaDB writes them, `domain-server_id-sequence` separated by commas. */
export function formatGtidList(gtids: readonly Gtid[]): string {
  return gtids.map((gtid) => `${gtid.domain}-${gtid.serverId}-${gtid.sequence}`).join(",");
}

/** Returns the GTIDs of one domain in a list; a binlog state may hold one per server id. */
export function gtidsOfDomain(gtids: readonly Gtid[], domain: number): Gtid[] {
  return gtids.filter((gtid) => gtid.domain === domain);
}

/** Decision a branch makes about its database at start, from its own state and HQ's. */
export type ReseedDecision =
  /** The branch has written transactions of its own since its data was created: leave it alone. */
  | { readonly action: "keep"; readonly reason: string }
  /** Copy HQ's rows of the branch; set the binary log state when `binlogState` is not empty. */
  | { readonly action: "reseed"; readonly binlogState: string };

/**
 * Decides whether a branch is re-seeded. `branchBinlogState` is the branch's `@@gtid_binlog_state`
 * and `hqSlavePos` HQ's `@@gtid_slave_pos`, both limited to the branch's domain.
 *
 * A branch whose binary log has no transaction in its domain is new or rebuilt. One whose state
 * equals HQ's position was re-seeded before and has written nothing since (an interrupted run
 * repeats safely, because the rows are inserted with INSERT IGNORE). Any other state is the
 * branch's own history, which is never overwritten.
 */
export function decideReseed(branchBinlogState: readonly Gtid[], hqSlavePos: readonly Gtid[]): ReseedDecision {
  const branchText = formatGtidList(branchBinlogState);
  const hqText = formatGtidList(hqSlavePos);
  if (branchBinlogState.length === 0) {
    return { action: "reseed", binlogState: hqText };
  }
  if (branchText === hqText) {
    return { action: "reseed", binlogState: "" };
  }
  return { action: "keep", reason: `the branch's binary log is at ${branchText} and HQ applied ${hqText || "nothing"} of its domain` };
}

/**
 * Renders the INSERT IGNORE of rows read from the view into the branch's table. Every row must
 * have the same columns; `values` follows row order, then column order.
 */
export function renderReseedInsert(rows: ReadonlyArray<Record<string, unknown>>): { sql: string; values: unknown[] } {
  if (rows.length === 0) {
    throw new Error("renderReseedInsert needs at least one row");
  }
  const columns = Object.keys(rows[0]);
  const placeholders = `(${columns.map(() => "?").join(", ")})`;
  const values: unknown[] = [];
  for (const row of rows) {
    for (const column of columns) {
      values.push(row[column]);
    }
  }
  const sql =
    `INSERT IGNORE INTO ${quoteIdentifier(CDR_DATABASE)}.${quoteIdentifier(CDR_TABLE)} ` +
    `(${columns.map(quoteIdentifier).join(", ")}) VALUES ${rows.map(() => placeholders).join(", ")}`;
  return { sql, values };
}
