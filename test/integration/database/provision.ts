// Sets up test servers through the MariaDB providers that the stacks use: the schema, HQ's
// reseed views, the planned accounts and HQ's replication connection to a branch.

import {
  replicationPlan,
  type DatabaseSite,
  type Migration,
  type PlannedAccount,
} from "../../../components/database";
import { grantProvider } from "../../../components/providers/mariadb/grant-provider";
import { migrationsProvider } from "../../../components/providers/mariadb/migrations-provider";
import { replicaConnectionProvider } from "../../../components/providers/mariadb/replica-connection-provider";
import { reseedViewProvider } from "../../../components/providers/mariadb/reseed-view-provider";
import { userProvider } from "../../../components/providers/mariadb/user-provider";
import { cdrRow, insertCdr, withConnectionAs, type Provider, type TestServer } from "./support";

/** The ReplicaConnection provider with untyped inputs, for tests that call its other methods. */
export const replicaConnections = replicaConnectionProvider as unknown as Provider;

const providers = {
  migrations: migrationsProvider as unknown as Provider,
  users: userProvider as unknown as Provider,
  grants: grantProvider as unknown as Provider,
  views: reseedViewProvider as unknown as Provider,
};

/** Applies `migrations` to the server in container `containerId` through the Migrations provider. */
export async function applyMigrations(containerId: string, migrations: Migration[]): Promise<void> {
  const { inputs } = await providers.migrations.check({}, { containerId, migrations });
  await providers.migrations.create(inputs!);
}

/**
 * Creates the reseed view of every branch in `sites` on the server in container `containerId`
 * through the ReseedView provider.
 */
export async function createReseedViews(containerId: string, sites: readonly DatabaseSite[]): Promise<void> {
  for (const branch of sites.filter((site) => site.role === "branch")) {
    const { inputs } = await providers.views.check({}, { containerId, branch: branch.code });
    await providers.views.create(inputs!);
  }
}

/**
 * Creates each account and its grants on the server in container `containerId` through the
 * User and Grant providers. `passwordOf` returns the password of a user name.
 */
export async function createAccounts(
  containerId: string,
  accounts: readonly PlannedAccount[],
  passwordOf: (user: string) => string,
): Promise<void> {
  for (const account of accounts) {
    const user = await providers.users.check({}, {
      containerId,
      user: account.user,
      host: account.host,
      password: passwordOf(account.user),
    });
    await providers.users.create(user.inputs!);
    for (const grant of account.grants) {
      const checked = await providers.grants.check({}, {
        containerId,
        user: account.user,
        host: account.host,
        object: grant.object,
        privileges: [...grant.privileges],
      });
      await providers.grants.create(checked.inputs!);
    }
  }
}

/** Inputs and created state of a replication connection. */
export interface ReplicaConnectionResource {
  readonly inputs: Record<string, unknown>;
  readonly state: Awaited<ReturnType<Provider["create"]>>;
}

/**
 * Creates HQ's replication connection to `branch` through the ReplicaConnection provider. Its
 * connect retry interval is 1 s instead of the provider's default 10 s, so HQ reconnects soon
 * after a test stops and starts a server.
 */
export async function createReplicaConnection(
  hq: TestServer,
  branch: DatabaseSite,
  replicatorPassword: string,
): Promise<ReplicaConnectionResource> {
  const [plan] = replicationPlan(hq.site, [branch]);
  const checked = await replicaConnections.check({}, {
    containerId: hq.container,
    name: plan.name,
    masterHost: plan.masterHost,
    masterPort: plan.masterPort,
    masterUser: plan.masterUser,
    password: replicatorPassword,
    connectRetrySeconds: 1,
  });
  const inputs = checked.inputs!;
  return { inputs, state: await replicaConnections.create(inputs) };
}

/**
 * Inserts one call record of the server's site per unique id as its pbx_writer, each in its
 * own transaction, as the site's PBX does.
 */
export async function insertAsPbx(server: TestServer, writerPassword: string, uniqueids: readonly string[]): Promise<void> {
  await withConnectionAs(server, "pbx_writer", writerPassword, server.site.clientAddress, async (connection) => {
    for (const uniqueid of uniqueids) {
      const { sql, values } = insertCdr(cdrRow(server.site.code, uniqueid));
      await connection.query(sql, values);
    }
  });
}
