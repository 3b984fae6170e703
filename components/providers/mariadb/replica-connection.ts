import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "../docker/engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface ReplicaConnectionArgs {
  /** `Container.containerId` of the replica (HQ's database server). */
  readonly containerId: pulumi.Input<string>;
  /** Connection name, e.g. the branch's site code. */
  readonly name: pulumi.Input<string>;
  readonly masterHost: pulumi.Input<string>;
  readonly masterPort: pulumi.Input<number>;
  readonly masterUser: pulumi.Input<string>;
  /** Password of `masterUser` on the primary; always stored as a secret. */
  readonly password: pulumi.Input<string>;
  /** Seconds between reconnection attempts. @default 10 */
  readonly connectRetrySeconds?: pulumi.Input<number>;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath?: pulumi.Input<string>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/**
 * Named replication connection that pulls a primary's binary log from the
 * replica's applied GTID position. A refresh that finds it stopped makes the
 * next update start it again.
 */
export class ReplicaConnection extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly name: pulumi.Output<string>;
  declare public readonly ioRunning: pulumi.Output<string>;
  declare public readonly sqlRunning: pulumi.Output<string>;
  declare public readonly lastError: pulumi.Output<string>;
  declare public readonly passwordHash: pulumi.Output<string>;

  constructor(name: string, args: ReplicaConnectionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.replicaConnection,
      name,
      {
        ...args,
        password: pulumi.secret(args.password),
        passwordHash: undefined,
        ioRunning: undefined,
        sqlRunning: undefined,
        lastError: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "passwordHash"] },
      "mariadb",
      "ReplicaConnection",
    );
  }
}
