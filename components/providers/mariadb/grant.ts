import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "../docker/engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface GrantArgs {
  /** `Container.containerId` of the database server. */
  readonly containerId: pulumi.Input<string>;
  readonly user: pulumi.Input<string>;
  readonly host: pulumi.Input<string>;
  /** `*.*`, `db.*` or `db.table`. */
  readonly object: pulumi.Input<string>;
  /** Privilege names, e.g. `["INSERT"]`; ALL, USAGE and GRANT OPTION are rejected. */
  readonly privileges: pulumi.Input<pulumi.Input<string>[]>;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath?: pulumi.Input<string>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/**
 * Every privilege of one account on one object. Privileges added by hand are
 * revoked and missing ones granted again at the next update after a refresh.
 */
export class Grant extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly user: pulumi.Output<string>;
  declare public readonly host: pulumi.Output<string>;
  declare public readonly object: pulumi.Output<string>;
  /** Privileges as SHOW GRANTS prints them, in the server's order. */
  declare public readonly privileges: pulumi.Output<string[]>;
  declare public readonly grantOption: pulumi.Output<boolean>;

  constructor(name: string, args: GrantArgs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDERS.grant, name, { ...args, grantOption: undefined }, opts, "mariadb", "Grant");
  }
}
