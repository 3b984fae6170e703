import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "../docker/engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface UserArgs {
  /** `Container.containerId` of the database server. */
  readonly containerId: pulumi.Input<string>;
  readonly user: pulumi.Input<string>;
  /** Client address the account matches, e.g. `127.0.82.1`; a new host replaces the account. */
  readonly host: pulumi.Input<string>;
  /** At least 16 characters; always stored as a secret, and set on the server as its hash only. */
  readonly password: pulumi.Input<string>;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath?: pulumi.Input<string>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/**
 * MariaDB account `user@host` with a mysql_native_password password. A new
 * password is set in place with ALTER USER; `pulumi refresh` reports
 * `passwordMatches: false` when the password was changed by other means.
 */
export class User extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly user: pulumi.Output<string>;
  declare public readonly host: pulumi.Output<string>;
  declare public readonly plugin: pulumi.Output<string>;
  /** mysql_native_password hash of the expected password; a secret output. */
  declare public readonly passwordHash: pulumi.Output<string>;
  declare public readonly passwordMatches: pulumi.Output<boolean>;

  constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.user,
      name,
      { ...args, password: pulumi.secret(args.password), plugin: undefined, passwordHash: undefined, passwordMatches: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "passwordHash"] },
      "mariadb",
      "User",
    );
  }
}
