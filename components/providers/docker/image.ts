import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "./engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface ImageArgs {
  /** Tag to build, e.g. `inova/asterisk:22`. */
  readonly name: pulumi.Input<string>;
  /** Absolute path of the build context directory. */
  readonly context: pulumi.Input<string>;
  /** Dockerfile path, relative to the context or absolute. @default "Dockerfile" */
  readonly dockerfile?: pulumi.Input<string>;
  /** Build arguments. They end up in the image history, so never pass secrets. */
  readonly buildArgs?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Keep the tag on delete, and earlier builds that a rebuild left untagged.
   * Base images and builds that a container still uses are never removed. @default false
   */
  readonly keepLocally?: pulumi.Input<boolean>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/**
 * Image built with the engine's classic builder from a local context. It is
 * rebuilt only when the content of the context (after .dockerignore), the
 * Dockerfile or the build arguments change.
 */
export class Image extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly name: pulumi.Output<string>;
  /** Image id, `sha256:<hex>`; pass it to a container so a rebuild replaces the container. */
  declare public readonly imageId: pulumi.Output<string>;
  /** Hash of the build context that the image was built from. */
  declare public readonly contextHash: pulumi.Output<string>;

  constructor(name: string, args: ImageArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.image,
      name,
      {
        name: args.name,
        context: args.context,
        dockerfile: args.dockerfile,
        buildArgs: args.buildArgs,
        keepLocally: args.keepLocally,
        engine: args.engine,
        imageId: undefined,
        contextHash: undefined,
      },
      opts,
      "docker",
      "Image",
    );
  }
}
