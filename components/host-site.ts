import * as pulumi from "@pulumi/pulumi";

import { APPLY_MODES, renderPublicFiles, RenderOptions, renderSiteConfig } from "./asterisk";
import type { HostSshTarget } from "./model/target";
import { OperatorSecrets, SiteModel, SiteSecrets as SiteSecretValues } from "./model/types";
import { AsteriskHostFiles } from "./providers/ssh/asterisk-files";
import type { FileApplyMode } from "./providers/ssh/asterisk-files-provider";
import { SiteSecrets } from "./secrets";

export interface HostSiteArgs {
  /** Validated site model. */
  readonly model: SiteModel;
  /** Secrets the operator set; every other one is generated. */
  readonly operatorSecrets: OperatorSecrets;
  /** Other sites and network limits the rendered files refer to. */
  readonly renderOptions: RenderOptions;
  /** The host and how to log in to it. */
  readonly target: HostSshTarget;
  /** Restart even while calls are active, when a restart is needed. @default false */
  readonly forceRestart?: boolean;
}

/**
 * A site deployed onto a Linux host that already runs Asterisk: the site's
 * secrets and its rendered configuration, copied over SSH. Nothing else is
 * installed there, so the call-record database and the IVR prompt files that
 * the Docker deployment builds are not part of this target.
 */
export class HostSite extends pulumi.ComponentResource {
  public readonly secrets: SiteSecrets;
  public readonly config: AsteriskHostFiles;

  constructor(name: string, args: HostSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inova:site:HostSite", name, {}, opts);

    this.secrets = new SiteSecrets(`${name}-secrets`, { model: args.model, operatorSecrets: args.operatorSecrets }, {
      parent: this,
    });

    const renderOptions: RenderOptions = { ...args.renderOptions, callRecords: false };
    const files = renderPublicFiles(args.model, renderOptions);
    const secretFiles = pulumi
      .all([this.secrets.extensionPasswords, this.secrets.voicemailPins, this.secrets.amiPassword])
      .apply(([extensionPasswords, voicemailPins, amiPassword]) => {
        const values: SiteSecretValues = { extensionPasswords, voicemailPins, amiPassword };
        return renderSiteConfig(args.model, values, renderOptions).secretFiles;
      });
    const applyModes: Record<string, FileApplyMode> = {};
    for (const [file, mode] of Object.entries(APPLY_MODES)) {
      applyModes[file] = mode.kind === "reload" ? { kind: "reload", command: mode.command } : { kind: "restart" };
    }

    const target = args.target;
    this.config = new AsteriskHostFiles(
      `${name}-config`,
      {
        login: {
          host: target.host,
          port: target.port,
          user: target.user,
          ...(target.privateKeyFile === undefined ? {} : { privateKeyFile: target.privateKeyFile }),
          agent: target.agent,
          hostKeyFingerprint: target.hostKeyFingerprint,
        },
        directory: target.asteriskConfigDir,
        files,
        secretFiles: pulumi.secret(secretFiles),
        applyModes,
        owner: target.fileOwner,
        forceRestart: args.forceRestart ?? false,
      },
      { parent: this },
    );

    this.registerOutputs({ secrets: this.secrets, config: this.config });
  }
}
