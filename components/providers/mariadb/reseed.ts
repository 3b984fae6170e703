import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "../docker/engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface ReseedArgs {
  /** `Container.containerId` of the branch's database server. */
  readonly containerId: pulumi.Input<string>;
  /** Site code of the branch. */
  readonly branch: pulumi.Input<string>;
  /** The branch's `gtid_domain_id`. */
  readonly gtidDomainId: pulumi.Input<number>;
  /** Address and port of HQ's database. */
  readonly hqHost: pulumi.Input<string>;
  readonly hqPort: pulumi.Input<number>;
  /** The branch's address, which HQ's `reseed` account of this branch admits. */
  readonly bindAddress: pulumi.Input<string>;
  /** Password of the branch's `reseed` account at HQ; always stored as a secret. */
  readonly password: pulumi.Input<string>;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath?: pulumi.Input<string>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/**
 * Copies a rebuilt branch's own call records back from HQ and continues its binary log where HQ
 * stopped applying it, so HQ's replication of the branch resumes without a gap or a duplicate.
 * A branch with history of its own is left alone. Runs on create and for each new container.
 */
export class Reseed extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly status: pulumi.Output<string>;
  declare public readonly rowsCopied: pulumi.Output<number>;
  declare public readonly binlogState: pulumi.Output<string>;

  constructor(name: string, args: ReseedArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.reseed,
      name,
      { ...args, password: pulumi.secret(args.password), status: undefined, rowsCopied: undefined, binlogState: undefined },
      opts,
      "mariadb",
      "Reseed",
    );
  }
}
