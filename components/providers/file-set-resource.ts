import * as pulumi from "@pulumi/pulumi";
import { ProjectResource, type ProviderReference } from "./project-resource";

/** Inputs that every file set resource takes; the provider fills in the defaults. */
export interface FileSetArgs {
  /** Absolute directory that the file paths are relative to. */
  readonly directory: pulumi.Input<string>;
  /** Non-secret files: relative path to content. */
  readonly files?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Secret files: relative path to content; always stored as a secret, and only as digests in outputs. */
  readonly secretFiles?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Permission bits of non-secret files, octal. @default "0644" */
  readonly mode?: pulumi.Input<string>;
  /** Permission bits of secret files, octal. @default "0640" */
  readonly secretMode?: pulumi.Input<string>;
  /** Restart without waiting for the service to be idle. @default false */
  readonly forceRestart?: pulumi.Input<boolean>;
  /** Seconds each command may take. @default 60 */
  readonly commandTimeoutSeconds?: pulumi.Input<number>;
  /** Seconds the service may take to run again after a restart. @default 120 */
  readonly restartTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * Base of the dynamic resources that keep a set of files in one directory. It
 * sends the secret files as a secret even when they are given as plain text,
 * and marks the digests of the secret files as a secret output.
 */
export abstract class FileSetResource extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly directory: pulumi.Output<string>;
  /** Relative path to `sha256:<hex>` of each non-secret file as written. */
  declare public readonly fileHashes: pulumi.Output<Record<string, string>>;
  /** Relative path to a keyed digest of each secret file; a secret output. */
  declare public readonly secretFileHashes: pulumi.Output<Record<string, string>>;
  /** Relative path to `<octal mode> <uid>:<gid>` of each file. */
  declare public readonly fileAttributes: pulumi.Output<Record<string, string>>;
  /** Owner resolved where the files are written, `uid:gid`. */
  declare public readonly ownerIds: pulumi.Output<string>;

  /**
   * Registers the resource as `pulumi-nodejs:dynamic/<module>:<type>`.
   * `extraOutputs` names the provider's outputs beyond those of every file set.
   */
  protected constructor(
    provider: ProviderReference,
    name: string,
    args: FileSetArgs,
    extraOutputs: readonly string[],
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    const outputs: Record<string, undefined> = {
      fileHashes: undefined,
      secretFileHashes: undefined,
      fileAttributes: undefined,
      ownerIds: undefined,
    };
    for (const output of extraOutputs) {
      outputs[output] = undefined;
    }
    super(
      provider,
      name,
      { ...args, secretFiles: pulumi.secret(args.secretFiles ?? {}), ...outputs },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "secretFileHashes"] },
      module,
      type,
    );
  }
}
