// Accounts of each site's database and the exact privileges each one gets.
//
// Only root@localhost administers a server, over the Unix socket inside its
// container. Every planned account has the fewest privileges its client needs
// and none has ALL PRIVILEGES or GRANT OPTION.

import {
  CDR_DATABASE,
  CDR_TABLE,
  type DatabaseSite,
  type PlannedAccount,
  type PlannedGrant,
} from "./model";
import { sortPrivileges } from "./privileges";
import { RESEED_USER, reseedViewObject } from "./reseed";
import { grantObjectSql, quoteAccount, quoteString, showGrantsAccount } from "./sql";

/**
 * Returns the accounts of `site`'s database. `peers` are all sites that
 * replicate together (`site` may be among them); exactly one is HQ.
 *
 * - `pbx_writer`: the site's PBX inserts its call records. INSERT only, so it
 *   can neither read records back nor change or delete them.
 * - `api_reader`: the site's API reads every table of the call-record database.
 * - `replicator` (branches only): HQ's replica threads read the binary log.
 * - `monitor` (HQ only): reads the state of the replication connections.
 * - `reseed` (HQ only, one per branch, from that branch's address): a rebuilt
 *   branch reads its own rows back through its view `cdr_<branch>`.
 */
export function accountPlan(site: DatabaseSite, peers: readonly DatabaseSite[]): PlannedAccount[] {
  const localHost = site.localClientHost ?? site.clientAddress;
  const accounts: PlannedAccount[] = [
    {
      role: "pbx_writer",
      user: "pbx_writer",
      host: localHost,
      purpose: `the PBX of ${site.code} inserts call records`,
      grants: [{ privileges: ["INSERT"], object: `${CDR_DATABASE}.${CDR_TABLE}` }],
    },
    {
      role: "api_reader",
      user: "api_reader",
      host: localHost,
      purpose: `the API of ${site.code} reads call records`,
      grants: [{ privileges: ["SELECT"], object: `${CDR_DATABASE}.*` }],
    },
  ];

  if (site.role === "branch") {
    const hq = findHq(peers);
    accounts.push({
      role: "replicator",
      user: "replicator",
      host: hq.clientAddress,
      purpose: `HQ (${hq.code}) replicates the binary log of ${site.code}`,
      grants: [{ privileges: ["REPLICATION SLAVE"], object: "*.*" }],
    });
  } else {
    accounts.push({
      role: "monitor",
      user: "monitor",
      host: localHost,
      purpose: `reads the replication state of ${site.code} (SHOW ALL SLAVES STATUS)`,
      grants: [{ privileges: ["SLAVE MONITOR"], object: "*.*" }],
    });
    for (const branch of peers.filter((peer) => peer.role === "branch")) {
      accounts.push({
        role: "reseed",
        user: RESEED_USER,
        host: branch.clientAddress,
        branch: branch.code,
        purpose: `a rebuilt ${branch.code} reads its own call records back from ${site.code}`,
        grants: [{ privileges: ["SELECT"], object: reseedViewObject(branch.code) }],
      });
    }
  }
  return accounts;
}

function findHq(peers: readonly DatabaseSite[]): DatabaseSite {
  const hqs = peers.filter((peer) => peer.role === "hq");
  if (hqs.length !== 1) {
    throw new Error(`expected exactly one database site with role "hq" among the peers, found ${hqs.length}`);
  }
  return hqs[0];
}

/** Renders the GRANT statement of one planned grant. */
export function renderGrant(user: string, host: string, grant: PlannedGrant): string {
  return `GRANT ${sortPrivileges(grant.privileges).join(", ")} ON ${grantObjectSql(grant.object)} TO ${quoteAccount(user, host)}`;
}

/** Renders the REVOKE statement that takes `privileges` on `object` away from an account. */
export function renderRevoke(user: string, host: string, privileges: readonly string[], object: string): string {
  return `REVOKE ${sortPrivileges(privileges).join(", ")} ON ${grantObjectSql(object)} FROM ${quoteAccount(user, host)}`;
}

/**
 * Renders the statements that create an account with a mysql_native_password
 * hash and give it its planned grants. `passwordHash` is
 * {@link nativePasswordHash} of the password, so the password itself never
 * appears in SQL text.
 */
export function renderAccountStatements(account: PlannedAccount, passwordHash: string): string[] {
  return [
    `CREATE USER IF NOT EXISTS ${quoteAccount(account.user, account.host)} IDENTIFIED BY PASSWORD ${quoteString(passwordHash)}`,
    `ALTER USER ${quoteAccount(account.user, account.host)} IDENTIFIED BY PASSWORD ${quoteString(passwordHash)}`,
    ...account.grants.map((grant) => renderGrant(account.user, account.host, grant)),
  ];
}

/**
 * Returns the lines SHOW GRANTS FOR the account prints once it has exactly its
 * planned grants, in the server's order: global privileges (or USAGE) with the
 * password hash first, then one line per database or table.
 */
export function expectedShowGrants(account: PlannedAccount, passwordHash: string): string[] {
  const accountText = showGrantsAccount(account.user, account.host);
  const global = account.grants.filter((grant) => grant.object === "*.*").flatMap((grant) => grant.privileges);
  const globalText = global.length === 0 ? "USAGE" : sortPrivileges(global).join(", ");
  const lines = [`GRANT ${globalText} ON *.* TO ${accountText} IDENTIFIED BY PASSWORD '${passwordHash}'`];
  for (const grant of account.grants.filter((candidate) => candidate.object !== "*.*")) {
    lines.push(`GRANT ${sortPrivileges(grant.privileges).join(", ")} ON ${grantObjectSql(grant.object)} TO ${accountText}`);
  }
  return lines;
}
