import * as pulumi from "@pulumi/pulumi";

import { FileSetResource, type FileSetArgs } from "../file-set-resource";
import type { FileApplyMode, HostLogin } from "./asterisk-files-provider";
import { PROVIDERS } from "../project-resource";

export interface AsteriskHostFilesArgs extends FileSetArgs {
  /** SSH login of the host: a key file path or the agent, so no key enters the state. */
  readonly login: pulumi.Input<HostLogin>;
  /** Absolute directory Asterisk reads its configuration from. */
  readonly directory: pulumi.Input<string>;
  /** Non-secret files: file name to content. */
  readonly files: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Apply mode of each file: its reload command, or a restart. */
  readonly applyModes: pulumi.Input<Record<string, FileApplyMode>>;
  /** `user` or `user:group` on the host. */
  readonly owner: pulumi.Input<string>;
  /** Seconds a restart waits for active calls to end. @default 600 */
  readonly maxRestartWaitSeconds?: pulumi.Input<number>;
}

/**
 * Asterisk configuration files on a Linux host that runs Asterisk itself,
 * copied over SSH. A change reloads the affected modules, or restarts Asterisk
 * once idle when a file read only at start changed. A refresh reads the files
 * back, so a hand edit shows as drift and the next update restores the file.
 */
export class AsteriskHostFiles extends FileSetResource {
  /** Action of the last create or update: `unchanged`, `reloaded` or `restarted`. */
  declare public readonly lastApply: pulumi.Output<string>;

  constructor(name: string, args: AsteriskHostFilesArgs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDERS.asteriskHostFiles, name, args, ["lastApply"], opts, "ssh", "AsteriskHostFiles");
  }
}
