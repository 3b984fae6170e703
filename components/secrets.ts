import * as pulumi from "@pulumi/pulumi";

import { Extension, OperatorSecrets, SiteModel } from "./model/types";
import { GeneratedSecret } from "./providers/secret";

export interface SiteSecretsArgs {
  /** Validated site model. */
  readonly model: SiteModel;
  /** Secrets the operator set with `pulumi config set --secret`; they win over generated ones. */
  readonly operatorSecrets: OperatorSecrets;
}

/**
 * Secrets of one site's PBX: a SIP or IAX2 password and a voicemail PIN per
 * extension, and the password of the provisioner's AMI account. Each one the
 * operator did not set is generated once and kept stable in the state.
 */
export class SiteSecrets extends pulumi.ComponentResource {
  /** Password per extension number. */
  public readonly extensionPasswords: pulumi.Output<Record<string, string>>;
  /** Voicemail PIN per extension number. */
  public readonly voicemailPins: pulumi.Output<Record<string, string>>;
  /** Password of the AMI account used to count active calls. */
  public readonly amiPassword: pulumi.Output<string>;

  constructor(name: string, args: SiteSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inova:pbx:SiteSecrets", name, {}, opts);

    const passwords: Record<string, pulumi.Output<string>> = {};
    const pins: Record<string, pulumi.Output<string>> = {};
    for (const extension of args.model.extensions) {
      passwords[extension.number] = this.extensionPassword(name, extension, args.operatorSecrets);
      pins[extension.number] = this.voicemailPin(name, extension, args.operatorSecrets);
    }

    this.extensionPasswords = pulumi.secret(pulumi.all(passwords));
    this.voicemailPins = pulumi.secret(pulumi.all(pins));
    this.amiPassword = new GeneratedSecret(`${name}-ami-password`, { length: 32, alphabet: "alnum" }, { parent: this })
      .value;

    this.registerOutputs({
      extensionPasswords: this.extensionPasswords,
      voicemailPins: this.voicemailPins,
      amiPassword: this.amiPassword,
    });
  }

  private extensionPassword(name: string, extension: Extension, operator: OperatorSecrets): pulumi.Output<string> {
    const set = operator.extensionPasswords[extension.number];
    if (set !== undefined) {
      return pulumi.secret(set);
    }
    return new GeneratedSecret(
      `${name}-password-${extension.number}`,
      { length: 24, alphabet: "alnum" },
      { parent: this },
    ).value;
  }

  private voicemailPin(name: string, extension: Extension, operator: OperatorSecrets): pulumi.Output<string> {
    const set = operator.voicemailPins[extension.number];
    if (set !== undefined) {
      return pulumi.secret(set);
    }
    return new GeneratedSecret(`${name}-pin-${extension.number}`, { length: 6, alphabet: "digits" }, { parent: this })
      .value;
  }
}
