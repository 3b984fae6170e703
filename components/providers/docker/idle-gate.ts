import * as pulumi from "@pulumi/pulumi";
import type { EngineSpec } from "./engine";
import { PROVIDERS, ProjectResource } from "../project-resource";

export interface IdleGateArgs {
  /** Name of the container that the gate guards. */
  readonly containerName: pulumi.Input<string>;
  /** Digest of the settings whose change replaces the container, such as its image id. */
  readonly replaceDigest: pulumi.Input<string>;
  /** Command that prints only the number of active calls, e.g. `["inova-active-calls"]`. */
  readonly waitIdleCommand: pulumi.Input<pulumi.Input<string>[]>;
  /** Seconds to wait for idle before the update fails. @default 600 */
  readonly maxWaitSeconds?: pulumi.Input<number>;
  /** Seconds between runs of the idle command. @default 5 */
  readonly pollIntervalSeconds?: pulumi.Input<number>;
  /** Let the replacement go ahead at once; active calls are dropped. @default false */
  readonly force?: pulumi.Input<boolean>;
  /** Docker engine; `DOCKER_HOST` or the local socket when absent. */
  readonly engine?: pulumi.Input<EngineSpec>;
}

/**
 * Waits for the guarded container to be idle whenever `replaceDigest` changes.
 * Make the container depend on the gate, so its replacement runs after the wait.
 */
export class IdleGate extends ProjectResource {
  declare public readonly replaceDigest: pulumi.Output<string>;

  constructor(name: string, args: IdleGateArgs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDERS.idleGate, name, { ...args }, opts, "docker", "IdleGate");
  }
}
