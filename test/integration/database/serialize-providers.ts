// Serializes each MariaDB provider object the way `pulumi.dynamic.Resource`
// does and prints the module texts as JSON. Run under ts-node, as the Pulumi
// Node.js language host runs a TypeScript program.

import * as pulumi from "@pulumi/pulumi";

import { databaseProvider } from "../../../components/providers/mariadb/database-provider";
import { grantProvider } from "../../../components/providers/mariadb/grant-provider";
import { migrationsProvider } from "../../../components/providers/mariadb/migrations-provider";
import { replicaConnectionProvider } from "../../../components/providers/mariadb/replica-connection-provider";
import { userProvider } from "../../../components/providers/mariadb/user-provider";

async function main(): Promise<void> {
  const providers: Record<string, object> = {
    database: databaseProvider,
    user: userProvider,
    grant: grantProvider,
    migrations: migrationsProvider,
    replicaConnection: replicaConnectionProvider,
  };
  const texts: Record<string, string> = {};
  for (const [name, provider] of Object.entries(providers)) {
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    texts[name] = serialized.text;
  }
  process.stdout.write(JSON.stringify(texts));
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
