import * as path from "node:path";

import * as pulumi from "@pulumi/pulumi";

/** Module of the project that exports a dynamic provider object, and the export's name. */
export interface ProviderReference {
  /** Path below the project directory, with forward slashes and without extension. */
  readonly module: string;
  /** Name of the export that contains the provider object. */
  readonly exportName: string;
}

/** Directory of this project: the one that contains components/ and scripts/. */
const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/**
 * Returns the module text that the engine's dynamic provider host loads for a
 * resource (the `__provider` input). It loads the provider from the project's own
 * files, so the text stays a few lines long and the program never serializes the
 * provider's closure, which costs about a second of CPU per run. The host runs in
 * the program's directory, which is this project when a site is deployed. A program
 * elsewhere that uses these components loads them from the directory they came from.
 */
export function providerModuleText(provider: ProviderReference): string {
  return [
    '"use strict";',
    "exports.handler = function () {",
    '  const fs = require("fs");',
    '  const path = require("path");',
    `  const directories = [process.cwd(), ${JSON.stringify(PROJECT_DIR)}];`,
    `  const project = directories.find((directory) => fs.existsSync(path.join(directory, ${JSON.stringify(`${provider.module}.ts`)}))) ?? directories[1];`,
    '  require(path.join(project, "scripts", "register-typescript.js"));',
    `  return require(path.join(project, ${JSON.stringify(provider.module)}))[${JSON.stringify(provider.exportName)}];`,
    "};",
    "",
  ].join("\n");
}

/**
 * Dynamic resource whose provider is a module of this project. Its type token
 * is the one `pulumi.dynamic.Resource` gives (`pulumi-nodejs:dynamic/<module>:<type>`),
 * so resources created either way are the same to the engine.
 */
export abstract class ProjectResource extends pulumi.CustomResource {
  protected constructor(
    provider: ProviderReference,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    super(`pulumi-nodejs:dynamic/${module}:${type}`, name, { ...props, __provider: providerModuleText(provider) }, opts);
  }
}

/** Every dynamic provider of the project, by the resource type it serves. */
export const PROVIDERS = {
  image: { module: "components/providers/docker/image-provider", exportName: "imageProvider" },
  volume: { module: "components/providers/docker/volume-provider", exportName: "volumeProvider" },
  container: { module: "components/providers/docker/container-provider", exportName: "containerProvider" },
  containerFiles: { module: "components/providers/docker/container-files-provider", exportName: "containerFilesProvider" },
  idleGate: { module: "components/providers/docker/idle-gate-provider", exportName: "idleGateProvider" },
  generatedSecret: { module: "components/providers/secret-provider", exportName: "generatedSecretProvider" },
  database: { module: "components/providers/mariadb/database-provider", exportName: "databaseProvider" },
  user: { module: "components/providers/mariadb/user-provider", exportName: "userProvider" },
  grant: { module: "components/providers/mariadb/grant-provider", exportName: "grantProvider" },
  migrations: { module: "components/providers/mariadb/migrations-provider", exportName: "migrationsProvider" },
  replicaConnection: { module: "components/providers/mariadb/replica-connection-provider", exportName: "replicaConnectionProvider" },
  reseedView: { module: "components/providers/mariadb/reseed-view-provider", exportName: "reseedViewProvider" },
  reseed: { module: "components/providers/mariadb/reseed-provider", exportName: "reseedProvider" },
  asteriskHostFiles: { module: "components/providers/ssh/asterisk-files-provider", exportName: "asteriskHostFilesProvider" },
} as const satisfies Record<string, ProviderReference>;
