import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "../docker/engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface DatabaseArgs {
  /** `Container.containerId` of the database server. */
  readonly containerId: pulumi.Input<string>;
  readonly name: pulumi.Input<string>;
  /** @default "utf8mb4" */
  readonly characterSet?: pulumi.Input<string>;
  /** @default "utf8mb4_unicode_ci" */
  readonly collation?: pulumi.Input<string>;
  /** Drop the database with its data when the resource is deleted. @default false */
  readonly deleteOnDestroy?: pulumi.Input<boolean>;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath?: pulumi.Input<string>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/** Database on a MariaDB server, administered as root over the container's Unix socket; kept on destroy by default. */
export class Database extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly name: pulumi.Output<string>;
  declare public readonly characterSet: pulumi.Output<string>;
  declare public readonly collation: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDERS.database, name, { ...args }, opts, "mariadb", "Database");
  }
}
