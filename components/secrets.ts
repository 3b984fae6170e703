import * as pulumi from "@pulumi/pulumi";

import { Extension, OperatorSecrets, SiteModel, TrunkPasswords } from "./model/types";
import { GeneratedSecret } from "./providers/secret";
import { deriveAllTrunkPasswords } from "./trunk-passwords";

export interface SiteSecretsArgs {
  /** Validated site model. */
  readonly model: SiteModel;
  /** Secrets the operator set with `pulumi config set --secret`; they win over generated ones. */
  readonly operatorSecrets: OperatorSecrets;
  /** Company secret from which the trunk passwords to `trunkPeers` derive; secret. Required when `trunkPeers` is not empty. */
  readonly companySecret?: pulumi.Input<string>;
  /** Codes of the sites this site has trunks to. @default [] */
  readonly trunkPeers?: readonly string[];
  /** The site's trunk TLS certificate and key (PEM); absent when trunk TLS is off. */
  readonly trunkTlsCredentials?: pulumi.Input<{ readonly certificate: string; readonly key: string }>;
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
  /** PJSIP and IAX2 trunk passwords per peer site code, derived from the company secret. */
  public readonly trunkPasswords: pulumi.Output<Record<string, TrunkPasswords>>;
  /** Trunk TLS certificate and key (PEM), or undefined when trunk TLS is off. */
  public readonly trunkTlsCredentials: pulumi.Output<{ readonly certificate: string; readonly key: string } | undefined>;
  /** Carrier trunk password as the operator set it; empty when the site has no carrier. */
  public readonly carrierPassword: pulumi.Output<string>;

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

    this.trunkPasswords = this.deriveTrunkPasswords(args);
    this.trunkTlsCredentials = pulumi.secret(pulumi.output(args.trunkTlsCredentials));
    this.carrierPassword = pulumi.secret(args.operatorSecrets.carrierPassword ?? "");

    this.registerOutputs({
      trunkPasswords: this.trunkPasswords,
      carrierPassword: this.carrierPassword,
      extensionPasswords: this.extensionPasswords,
      voicemailPins: this.voicemailPins,
      amiPassword: this.amiPassword,
    });
  }

  private deriveTrunkPasswords(args: SiteSecretsArgs): pulumi.Output<Record<string, TrunkPasswords>> {
    const peers = args.trunkPeers ?? [];
    if (peers.length === 0) {
      return pulumi.secret(pulumi.output<Record<string, TrunkPasswords>>({}));
    }
    if (args.companySecret === undefined) {
      throw new Error(`site ${args.model.site.code} has trunks to ${peers.join(", ")} but no company secret to derive their passwords from`);
    }
    const site = args.model.site.code;
    return pulumi.secret(pulumi.output(args.companySecret).apply((secret) => deriveAllTrunkPasswords(secret, site, peers)));
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
