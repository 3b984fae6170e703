import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "../docker/engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface ReseedViewArgs {
  /** `Container.containerId` of HQ's database server. */
  readonly containerId: pulumi.Input<string>;
  /** Site code of the branch whose rows the view selects. */
  readonly branch: pulumi.Input<string>;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath?: pulumi.Input<string>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/** View `inova_cdr.cdr_<branch>` at HQ with one branch's call records, read by that branch's `reseed` account. */
export class ReseedView extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly branch: pulumi.Output<string>;
  declare public readonly present: pulumi.Output<boolean>;

  constructor(name: string, args: ReseedViewArgs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDERS.reseedView, name, { ...args, present: undefined }, opts, "mariadb", "ReseedView");
  }
}
