import * as pulumi from "@pulumi/pulumi";
import type { NetworkMode, RestartPolicyName } from "./container-provider";
import type { EngineSpec } from "./engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export type { NetworkMode, RestartPolicyName } from "./container-provider";

/** Named volume mounted at an absolute path. */
export interface VolumeMountArgs {
  readonly volume: pulumi.Input<string>;
  readonly target: pulumi.Input<string>;
  readonly readOnly?: pulumi.Input<boolean>;
}

/** tmpfs mounted at an absolute path: `true`, or a size limit in bytes and permission bits. */
export interface TmpfsMountArgs {
  readonly tmpfs: true | { readonly sizeBytes?: pulumi.Input<number>; readonly mode?: pulumi.Input<number> };
  readonly target: pulumi.Input<string>;
}

export type ContainerMountArgs = VolumeMountArgs | TmpfsMountArgs;

export interface HealthcheckArgs {
  /** Docker form: `["CMD", "prog", "arg"]`, `["CMD-SHELL", "command line"]` or `["NONE"]`. */
  readonly test: pulumi.Input<pulumi.Input<string>[]>;
  /** @default 30 */
  readonly intervalSeconds?: pulumi.Input<number>;
  /** @default 30 */
  readonly timeoutSeconds?: pulumi.Input<number>;
  /** @default 3 */
  readonly retries?: pulumi.Input<number>;
  /** @default 0 */
  readonly startPeriodSeconds?: pulumi.Input<number>;
}

export interface ContainerArgs {
  /** Container name; fixed, so a replacement removes the old container first. */
  readonly name: pulumi.Input<string>;
  /** Image id (`Image.imageId`); a new id replaces the container. */
  readonly imageId: pulumi.Input<string>;
  readonly hostname?: pulumi.Input<string>;
  /** @default "host" */
  readonly networkMode?: pulumi.Input<NetworkMode>;
  /**
   * Environment variables. Anyone who can inspect the container reads them,
   * so a secret value is rejected; deliver secrets with `ContainerFiles`.
   */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly mounts?: pulumi.Input<pulumi.Input<ContainerMountArgs>[]>;
  /** Changed in place. @default "unless-stopped" */
  readonly restartPolicy?: pulumi.Input<RestartPolicyName>;
  readonly command?: pulumi.Input<pulumi.Input<string>[]>;
  readonly entrypoint?: pulumi.Input<pulumi.Input<string>[]>;
  readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Linux capabilities to add, e.g. `NET_BIND_SERVICE`. */
  readonly capAdd?: pulumi.Input<pulumi.Input<string>[]>;
  readonly healthcheck?: pulumi.Input<HealthcheckArgs>;
  /** User (name or uid[:gid]) of the main process; the image's user when absent. */
  readonly user?: pulumi.Input<string>;
  /** Seconds a start may take until the container runs, and is healthy when it has a healthcheck. @default 120 */
  readonly startTimeoutSeconds?: pulumi.Input<number>;
  /** Seconds between SIGTERM and SIGKILL on stop. @default 10 */
  readonly stopTimeoutSeconds?: pulumi.Input<number>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/** Fails the registration when `value` is secret, naming the property and the resource. */
export function rejectSecret<T>(value: pulumi.Input<T> | undefined, property: string, resourceName: string) {
  if (value === undefined) {
    return undefined;
  }
  const output = pulumi.output(value);
  return output.apply(async (plain) => {
    if (await pulumi.isSecret(output)) {
      throw new Error(
        `${property} of container ${resourceName} contains a secret; environment variables are readable with "docker inspect", so deliver secrets as files with ContainerFiles`,
      );
    }
    return plain;
  });
}

/**
 * Long-running container, started at creation and kept running: when a
 * refresh finds it stopped, the next update starts it again in place. Changes
 * to settings fixed at creation replace it; the restart policy changes in place.
 */
export class Container extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly name: pulumi.Output<string>;
  /** Engine id of the container (64 hex digits); pass it to `ContainerFiles`. */
  declare public readonly containerId: pulumi.Output<string>;
  /** Image id the live container runs. */
  declare public readonly imageId: pulumi.Output<string>;
  declare public readonly running: pulumi.Output<boolean>;
  /** Engine status, e.g. `running` or `exited`. */
  declare public readonly status: pulumi.Output<string>;
  /** `starting`, `healthy` or `unhealthy` when the container has a healthcheck. */
  declare public readonly health: pulumi.Output<string | undefined>;

  constructor(name: string, args: ContainerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.container,
      name,
      {
        ...args,
        env: rejectSecret(args.env, "env", name),
        containerId: undefined,
        running: undefined,
        status: undefined,
        health: undefined,
        configHash: undefined,
      },
      opts,
      "docker",
      "Container",
    );
  }
}
