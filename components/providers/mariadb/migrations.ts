import * as pulumi from "@pulumi/pulumi";
import type { Migration } from "../../database/model";
import { schemaMigrations } from "../../database/schema";
import type { EngineSpec } from "../docker/engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface MigrationsArgs {
  /** `Container.containerId` of the database server. */
  readonly containerId: pulumi.Input<string>;
  /** Site code whose rows the PBX writer may insert; it shapes the default migrations. */
  readonly site: string;
  /** Migrations in ascending version order. @default schemaMigrations(site) */
  readonly migrations?: pulumi.Input<Migration[]>;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath?: pulumi.Input<string>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/** Schema of the call-record database: applies pending migrations in order on create and update. */
export class Migrations extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  /** Version to checksum of every migration recorded on the server. */
  declare public readonly applied: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: MigrationsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.migrations,
      name,
      { containerId: args.containerId, socketPath: args.socketPath, engine: args.engine, migrations: args.migrations ?? schemaMigrations(args.site), applied: undefined },
      opts,
      "mariadb",
      "Migrations",
    );
  }
}
