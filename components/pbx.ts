import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { renderPublicFiles, RenderOptions, renderSiteConfig, restartRequiredFiles } from "./asterisk";
import { renderPromptSources } from "./prompt-sources";
import { SiteModel, SiteSecrets as SiteSecretValues } from "./model/types";
import { Container } from "./providers/docker/container";
import { ContainerFiles } from "./providers/docker/container-files";
import { Image } from "./providers/docker/image";
import { Volume } from "./providers/docker/volume";
import { SiteSecrets } from "./secrets";

export interface PbxArgs {
  /** Validated site model. */
  readonly model: SiteModel;
  /** Resolved secrets of the site. */
  readonly secrets: SiteSecrets;
  /** Directory that relative recording paths start from: the project directory. */
  readonly projectDir: string;
  /** Other sites and network limits the rendered files refer to. */
  readonly renderOptions: RenderOptions;
  /** Docker image the Asterisk image builds FROM. @default "inova/debian-sid:base" */
  readonly baseImage?: string;
  /** Remove the voicemail volume on `pulumi destroy`. @default false */
  readonly deleteDataOnDestroy?: boolean;
  /** Seconds an update that needs a restart waits for active calls to end. @default 600 */
  readonly maxRestartWaitSeconds?: number;
  /** Restart even while calls are active, when a restart is needed. @default false */
  readonly forceRestart?: boolean;
}

/**
 * One site's Asterisk: its image, a host-network container bound to the site's
 * loopback address, a voicemail volume, and the configuration and prompts
 * written into the running container. A configuration change reloads Asterisk;
 * only a change to the files in `restartRequiredFiles` restarts it, and then
 * only once no call is active.
 */
export class Pbx extends pulumi.ComponentResource {
  public readonly containerName: pulumi.Output<string>;
  public readonly imageId: pulumi.Output<string>;
  /** SHA-256 per non-secret configuration file, as written into the container. */
  public readonly configHashes: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PbxArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inova:pbx:Pbx", name, {}, opts);

    const site = args.model.site;
    const image = new Image(
      `${name}-image`,
      {
        name: "inova/asterisk:22",
        context: path.join(args.projectDir, "assets", "asterisk"),
        buildArgs: { BASE_IMAGE: args.baseImage ?? "inova/debian-sid:base" },
      },
      { parent: this },
    );

    const voicemail = new Volume(
      `${name}-voicemail`,
      {
        name: `inova-${site.code}-voicemail`,
        labels: { "inova.site": site.code, "inova.data": "voicemail" },
        deleteOnDestroy: args.deleteDataOnDestroy ?? false,
      },
      { parent: this },
    );

    const container = new Container(
      `${name}-container`,
      {
        name: `inova-${site.code}-pbx`,
        imageId: image.imageId,
        networkMode: "host",
        restartPolicy: "unless-stopped",
        mounts: [{ volume: voicemail.name, target: "/var/spool/asterisk/voicemail" }],
        labels: { "inova.site": site.code, "inova.role": "pbx" },
      },
      { parent: this },
    );

    const prompts = new ContainerFiles(
      `${name}-prompts`,
      {
        containerId: container.containerId,
        directory: "/var/lib/inova/prompt-sources",
        files: renderPromptSources(args.model, args.projectDir),
        secretFiles: {},
        owner: "asterisk",
        afterChange: ["inova-build-prompts"],
      },
      { parent: this },
    );

    // Non-secret files never read the secrets, so they are rendered here in
    // plain text and previews show their changes line by line.
    const files = renderPublicFiles(args.model, args.renderOptions);
    const secretFiles = pulumi
      .all([args.secrets.extensionPasswords, args.secrets.voicemailPins, args.secrets.amiPassword])
      .apply(([extensionPasswords, voicemailPins, amiPassword]) => {
        const values: SiteSecretValues = { extensionPasswords, voicemailPins, amiPassword };
        return renderSiteConfig(args.model, values, args.renderOptions).secretFiles;
      });

    const config = new ContainerFiles(
      `${name}-config`,
      {
        containerId: container.containerId,
        directory: "/etc/asterisk",
        files,
        secretFiles: pulumi.secret(secretFiles),
        owner: "asterisk",
        afterChange: ["inova-apply-config"],
        restartWhen: {
          paths: [...restartRequiredFiles],
          waitIdleCommand: ["inova-active-calls"],
          maxWaitSeconds: args.maxRestartWaitSeconds ?? 600,
        },
        forceRestart: args.forceRestart ?? false,
      },
      { parent: this, dependsOn: [prompts] },
    );

    this.containerName = container.name;
    this.imageId = image.imageId;
    this.configHashes = config.fileHashes;
    this.registerOutputs({
      containerName: this.containerName,
      imageId: this.imageId,
      configHashes: this.configHashes,
    });
  }
}
