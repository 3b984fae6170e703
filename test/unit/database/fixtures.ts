// Database sites of the three-site project, as the stacks configure them.

import { databaseSite, type DatabaseSite } from "../../../components/database";

export const MOCHIS: DatabaseSite = databaseSite({
  code: "mochis",
  role: "hq",
  address: "127.0.81.1",
  serverId: 81,
  gtidDomainId: 81,
});

export const TABASCO: DatabaseSite = databaseSite({
  code: "tabasco",
  role: "branch",
  address: "127.0.82.1",
  serverId: 82,
  gtidDomainId: 82,
});

export const SILICON: DatabaseSite = databaseSite({
  code: "silicon",
  role: "branch",
  address: "127.0.83.1",
  serverId: 83,
  gtidDomainId: 83,
});

export const ALL_SITES: readonly DatabaseSite[] = [MOCHIS, TABASCO, SILICON];
