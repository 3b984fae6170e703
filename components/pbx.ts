import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import {
  JOURNAL_DIRECTORY,
  ODBC_SYSTEM_DIRECTORY,
  renderCallRecordPublicFiles,
  renderCallRecordSecretFiles,
  renderPublicFiles,
  RenderOptions,
  renderSiteConfig,
  restartRequiredFiles,
  SOCKET_DIRECTORY,
} from "./asterisk";
import { renderPromptSources } from "./prompt-sources";
import { SiteModel, SiteSecrets as SiteSecretValues } from "./model/types";
import { Container, type ContainerArgs } from "./providers/docker/container";
import { ContainerFiles } from "./providers/docker/container-files";
import { containerReplaceDigest } from "./providers/docker/container-provider";
import { IdleGate } from "./providers/docker/idle-gate";
import { Image } from "./providers/docker/image";
import { Volume } from "./providers/docker/volume";
import { SiteSecrets } from "./secrets";

/** Volumes, password and settings with which the PBX writes call records to its database and journal. */
export interface PbxCallRecords {
  /** Volume with the database server's Unix socket. */
  readonly socketVolume: pulumi.Input<string>;
  /** Volume of the call-record journal. */
  readonly journalVolume: pulumi.Input<string>;
  /** Password of pbx_writer@localhost; secret. */
  readonly writerPassword: pulumi.Input<string>;
  /** Seconds between reconciler passes. */
  readonly reconcileIntervalSeconds: number;
  /** Resources the configuration waits for (the database and its accounts), so Asterisk starts once they exist. */
  readonly dependsOn: readonly pulumi.Resource[];
}

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
  /** Write call records to the site's database and journal; none are written when absent. */
  readonly callRecords?: PbxCallRecords;
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
        // One tag per site, so destroying one site never removes an image another site runs.
        name: `inova/asterisk:22-${site.code}`,
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

    const records = args.callRecords;
    const renderOptions: RenderOptions = { ...args.renderOptions, callRecords: records !== undefined };
    const containerArgs: ContainerArgs = {
      name: `inova-${site.code}-pbx`,
      imageId: image.imageId,
      networkMode: "host",
      restartPolicy: "unless-stopped",
      mounts: [
        { volume: voicemail.name, target: "/var/spool/asterisk/voicemail" },
        ...(records === undefined
          ? []
          : [
              { volume: records.socketVolume, target: SOCKET_DIRECTORY },
              { volume: records.journalVolume, target: JOURNAL_DIRECTORY },
            ]),
      ],
      // unixODBC reads odbc.ini and odbcinst.ini from /etc/asterisk, beside the other rendered files.
      ...(records === undefined ? {} : { env: { ODBCSYSINI: ODBC_SYSTEM_DIRECTORY } }),
      labels: { "inova.site": site.code, "inova.role": "pbx" },
    };
    // A new image id, or another setting fixed at creation, replaces the container. The gate
    // makes that replacement wait, like a restart, until no call is active. The restart
    // policy changes in place, so the digest leaves it out and changing it does not wait.
    const idleGate = new IdleGate(
      `${name}-idle-gate`,
      {
        containerName: containerArgs.name as string,
        replaceDigest: pulumi.output(containerArgs).apply((settings) => containerReplaceDigest(settings)),
        waitIdleCommand: ["inova-active-calls"],
        maxWaitSeconds: args.maxRestartWaitSeconds ?? 600,
        force: args.forceRestart ?? false,
      },
      { parent: this },
    );
    const container = new Container(`${name}-container`, containerArgs, { parent: this, dependsOn: [idleGate] });

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
    const files = {
      ...renderPublicFiles(args.model, renderOptions),
      ...(records === undefined ? {} : renderCallRecordPublicFiles(args.model, records.reconcileIntervalSeconds)),
    };
    const secretFiles = pulumi
      .all([
        args.secrets.extensionPasswords,
        args.secrets.voicemailPins,
        args.secrets.amiPassword,
        records?.writerPassword,
        args.secrets.trunkPasswords,
        args.secrets.carrierPassword,
        args.secrets.trunkTlsCredentials,
      ])
      .apply(([extensionPasswords, voicemailPins, amiPassword, writerPassword, trunkPasswords, carrierPassword, trunkTlsCredentials]) => {
        const values: SiteSecretValues = {
          extensionPasswords,
          voicemailPins,
          amiPassword,
          trunkPasswords,
          carrierPassword,
          ...(trunkTlsCredentials === undefined ? {} : { trunkTlsCredentials }),
        };
        return {
          ...renderSiteConfig(args.model, values, renderOptions).secretFiles,
          ...(writerPassword === undefined ? {} : renderCallRecordSecretFiles(args.model, writerPassword)),
        };
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
      { parent: this, dependsOn: [prompts, ...(records?.dependsOn ?? [])] },
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
