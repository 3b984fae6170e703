import * as pulumi from "@pulumi/pulumi";
import { FileSetResource, type FileSetArgs } from "../file-set-resource";
import type { RestartWhen } from "./container-files-provider";
import { PROVIDERS } from "../project-resource";
import type { EngineSpec } from "./engine";

export interface RestartWhenArgs {
  /** Paths, relative to the directory, whose change restarts the container in place of `afterChange`. */
  readonly paths: pulumi.Input<pulumi.Input<string>[]>;
  /** Command that prints only the number of active calls; the restart waits until it prints `0`. */
  readonly waitIdleCommand?: pulumi.Input<pulumi.Input<string>[]>;
  /** Seconds to wait for idle before the update fails. @default 300 */
  readonly maxWaitSeconds?: pulumi.Input<number>;
  /** Seconds between runs of the idle command. @default 5 */
  readonly pollIntervalSeconds?: pulumi.Input<number>;
}

export interface ContainerFilesArgs extends FileSetArgs {
  /** `Container.containerId`; a new container replaces this resource, which writes every file again. */
  readonly containerId: pulumi.Input<string>;
  /** Absolute directory inside the container. */
  readonly directory: pulumi.Input<string>;
  /** `user`, `user:group` or `uid:gid`; names are resolved inside the container. @default "0:0" */
  readonly owner?: pulumi.Input<string>;
  /** Command run in the container after files changed, e.g. `["asterisk", "-rx", "core reload"]`. */
  readonly afterChange?: pulumi.Input<pulumi.Input<string>[]>;
  /** Files whose change needs a restart, and how to wait until the service is idle first. */
  readonly restartWhen?: pulumi.Input<RestartWhenArgs>;
  /** Restart at once, without waiting for idle; active calls are dropped. @default false */
  readonly forceRestart?: pulumi.Input<boolean>;
  /** Seconds each command (owner lookup, afterChange, idle check) may take. @default 60 */
  readonly commandTimeoutSeconds?: pulumi.Input<number>;
  /** Seconds a restarted container may take to run again, and be healthy when it has a healthcheck. @default 120 */
  readonly restartTimeoutSeconds?: pulumi.Input<number>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/**
 * Files kept in a running container. A content change updates them in place
 * and runs `afterChange`, or restarts the container once idle when a path in
 * `restartWhen.paths` changed. A refresh reads the files back, so a hand edit
 * shows as drift and the next update restores the file.
 */
export class ContainerFiles extends FileSetResource {
  declare public readonly containerId: pulumi.Output<string>;

  constructor(name: string, args: ContainerFilesArgs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDERS.containerFiles, name, args, [], opts, "docker", "ContainerFiles");
  }
}

export type { RestartWhen };
