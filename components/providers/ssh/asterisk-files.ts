import * as pulumi from "@pulumi/pulumi";

import { asteriskHostFilesProvider, type FileApplyMode, type HostLogin } from "./asterisk-files-provider";

export interface AsteriskHostFilesArgs {
  /** SSH login of the host: a key file path or the agent, so no key enters the state. */
  readonly login: pulumi.Input<HostLogin>;
  /** Absolute directory Asterisk reads its configuration from. */
  readonly directory: pulumi.Input<string>;
  /** Non-secret files: file name to content. */
  readonly files: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Secret files: file name to content; stored in the state only as keyed digests. */
  readonly secretFiles?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Apply mode of each file: its reload command, or a restart. */
  readonly applyModes: pulumi.Input<Record<string, FileApplyMode>>;
  /** `user` or `user:group` on the host. */
  readonly owner: pulumi.Input<string>;
  /** Permission bits of non-secret files, octal. @default "0644" */
  readonly mode?: pulumi.Input<string>;
  /** Permission bits of secret files, octal. @default "0640" */
  readonly secretMode?: pulumi.Input<string>;
  /** Restart without waiting for active calls to end. @default false */
  readonly forceRestart?: pulumi.Input<boolean>;
  /** Seconds a restart waits for active calls to end. @default 600 */
  readonly maxRestartWaitSeconds?: pulumi.Input<number>;
  /** Seconds each remote command may take. @default 60 */
  readonly commandTimeoutSeconds?: pulumi.Input<number>;
  /** Seconds Asterisk may take to boot after a restart. @default 120 */
  readonly restartTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * Asterisk configuration files on a Linux host that runs Asterisk itself,
 * copied over SSH. A change reloads the affected modules, or restarts Asterisk
 * once idle when a file read only at start changed. A refresh reads the files
 * back, so a hand edit shows as drift and the next update restores the file.
 */
export class AsteriskHostFiles extends pulumi.dynamic.Resource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly directory: pulumi.Output<string>;
  /** File name to `sha256:<hex>` of each non-secret file on the host. */
  declare public readonly fileHashes: pulumi.Output<Record<string, string>>;
  /** File name to a keyed digest of each secret file; a secret output. */
  declare public readonly secretFileHashes: pulumi.Output<Record<string, string>>;
  /** File name to `<octal mode> <uid>:<gid>` of each file. */
  declare public readonly fileAttributes: pulumi.Output<Record<string, string>>;
  /** Action of the last create or update: `unchanged`, `reloaded` or `restarted`. */
  declare public readonly lastApply: pulumi.Output<string>;

  constructor(name: string, args: AsteriskHostFilesArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      asteriskHostFilesProvider,
      name,
      {
        ...args,
        secretFiles: pulumi.secret(args.secretFiles ?? {}),
        fileHashes: undefined,
        secretFileHashes: undefined,
        fileAttributes: undefined,
        ownerIds: undefined,
        lastApply: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "secretFileHashes"] },
      "ssh",
      "AsteriskHostFiles",
    );
  }
}
