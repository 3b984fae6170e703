import * as pulumi from "@pulumi/pulumi";

import { RenderOptions } from "./asterisk";
import { OperatorSecrets, SiteModel } from "./model/types";
import { Pbx } from "./pbx";
import { SiteSecrets } from "./secrets";

export interface SiteArgs {
  /** Validated site model. */
  readonly model: SiteModel;
  /** Secrets the operator set; every other one is generated. */
  readonly operatorSecrets: OperatorSecrets;
  /** Project directory, where relative recording paths start. */
  readonly projectDir: string;
  /** Other sites and network limits the rendered files refer to. */
  readonly renderOptions: RenderOptions;
  /** Remove data volumes on `pulumi destroy`. @default false */
  readonly deleteDataOnDestroy?: boolean;
  /** Restart even while calls are active, when a restart is needed. @default false */
  readonly forceRestart?: boolean;
}

/** Everything one stack deploys for its site. */
export class Site extends pulumi.ComponentResource {
  public readonly pbx: Pbx;
  public readonly secrets: SiteSecrets;

  constructor(name: string, args: SiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inova:site:Site", name, {}, opts);

    this.secrets = new SiteSecrets(`${name}-secrets`, { model: args.model, operatorSecrets: args.operatorSecrets }, {
      parent: this,
    });
    this.pbx = new Pbx(
      `${name}-pbx`,
      {
        model: args.model,
        secrets: this.secrets,
        projectDir: args.projectDir,
        renderOptions: args.renderOptions,
        deleteDataOnDestroy: args.deleteDataOnDestroy,
        forceRestart: args.forceRestart,
      },
      { parent: this },
    );

    this.registerOutputs({ pbx: this.pbx, secrets: this.secrets });
  }
}
