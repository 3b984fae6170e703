import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "./engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface VolumeArgs {
  readonly name: pulumi.Input<string>;
  /** Labels set when the volume is created; the engine cannot change them afterwards. */
  readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** @default "local" */
  readonly driver?: pulumi.Input<string>;
  /** Remove the volume and its data when the resource is deleted; otherwise it is kept. @default false */
  readonly deleteOnDestroy?: pulumi.Input<boolean>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/**
 * Named volume for data. `pulumi destroy` keeps it, with its data, unless
 * `deleteOnDestroy` is set; creating it again adopts the kept volume.
 */
export class Volume extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly name: pulumi.Output<string>;
  declare public readonly labels: pulumi.Output<Record<string, string>>;
  /** Path of the volume's data on the engine's host. */
  declare public readonly mountpoint: pulumi.Output<string>;

  constructor(name: string, args: VolumeArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.volume,
      name,
      {
        name: args.name,
        labels: args.labels,
        driver: args.driver,
        deleteOnDestroy: args.deleteOnDestroy,
        engine: args.engine,
        mountpoint: undefined,
      },
      opts,
      "docker",
      "Volume",
    );
  }
}
