import * as pulumi from "@pulumi/pulumi";
import { containerFilesProvider, type RestartWhen } from "./container-files-provider";
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

export interface ContainerFilesArgs {
  /** `Container.containerId`; a new container replaces this resource, which writes every file again. */
  readonly containerId: pulumi.Input<string>;
  /** Absolute directory inside the container. */
  readonly directory: pulumi.Input<string>;
  /** Non-secret files: relative path to content. */
  readonly files?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Secret files: relative path to content; always stored as a secret, and only as digests in outputs. */
  readonly secretFiles?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Permission bits of non-secret files, octal. @default "0644" */
  readonly mode?: pulumi.Input<string>;
  /** Permission bits of secret files, octal. @default "0640" */
  readonly secretMode?: pulumi.Input<string>;
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
export class ContainerFiles extends pulumi.dynamic.Resource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly containerId: pulumi.Output<string>;
  declare public readonly directory: pulumi.Output<string>;
  /** Relative path to `sha256:<hex>` of each non-secret file as written. */
  declare public readonly fileHashes: pulumi.Output<Record<string, string>>;
  /** Relative path to a keyed digest of each secret file; a secret output. */
  declare public readonly secretFileHashes: pulumi.Output<Record<string, string>>;
  /** Relative path to `<octal mode> <uid>:<gid>` of each file. */
  declare public readonly fileAttributes: pulumi.Output<Record<string, string>>;
  /** Owner resolved inside the container, `uid:gid`. */
  declare public readonly ownerIds: pulumi.Output<string>;

  constructor(name: string, args: ContainerFilesArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      containerFilesProvider,
      name,
      {
        ...args,
        secretFiles: pulumi.secret(args.secretFiles ?? {}),
        fileHashes: undefined,
        secretFileHashes: undefined,
        fileAttributes: undefined,
        ownerIds: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "secretFileHashes"] },
      "docker",
      "ContainerFiles",
    );
  }
}

export type { RestartWhen };
