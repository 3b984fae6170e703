import * as pulumi from "@pulumi/pulumi";

import { RenderOptions } from "./asterisk";
import type { CallRecordPeer, CallRecordSettings } from "./model/call-records";
import { OperatorSecrets, SiteModel } from "./model/types";
import { Pbx } from "./pbx";
import { CallRecords } from "./records";
import { RecordsApi } from "./records-api";
import { renderCallFlow } from "./diagrams/call-flow";
import type { RecordsApiSite } from "./records-api/render";
import type { RecordsApiSettings } from "./records-api/settings";
import { SiteSecrets } from "./secrets";

/** Inputs of the site's call-record database beyond the site model. */
export interface SiteCallRecordsArgs {
  /** The stack's `inova-pbx:callRecords` settings, defaults applied. */
  readonly settings: CallRecordSettings;
  /** Every site of the project as its stack file states it, this one included. */
  readonly peers: readonly CallRecordPeer[];
  /** Company secret from which HQ and each branch derive their replication password; secret. */
  readonly companySecret: pulumi.Input<string>;
  /** The records API and web page; not deployed when absent. */
  readonly api?: SiteRecordsApiArgs;
}

/** Inputs of the site's records API beyond the site model and its database. */
export interface SiteRecordsApiArgs {
  readonly settings: RecordsApiSettings;
  /** Every site of the project with its name and time zone, this one included. */
  readonly sites: readonly RecordsApiSite[];
  /** Build context of the service image (`stagedContext` in components/records-api.ts). */
  readonly imageContext: string;
}

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
  /** Deploy the call-record database and write every call's record there; none when absent. */
  readonly callRecords?: SiteCallRecordsArgs;
  /** Company secret from which the trunk passwords to the other sites derive; secret. Needed when renderOptions lists peers with trunks. */
  readonly companySecret?: pulumi.Input<string>;
  /** The site's trunk TLS certificate and key (PEM); needed when renderOptions enables trunkTls. */
  readonly trunkTlsCredentials?: pulumi.Input<{ readonly certificate: string; readonly key: string }>;
}

/** Everything one stack deploys for its site. */
export class Site extends pulumi.ComponentResource {
  public readonly pbx: Pbx;
  public readonly secrets: SiteSecrets;
  /** The call-record database; undefined when the site has none. */
  public readonly callRecords?: CallRecords;
  /** The records API and web page; undefined when the site has none. */
  public readonly recordsApi?: RecordsApi;

  constructor(name: string, args: SiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inova:site:Site", name, {}, opts);

    this.secrets = new SiteSecrets(
      `${name}-secrets`,
      {
        model: args.model,
        operatorSecrets: args.operatorSecrets,
        companySecret: args.companySecret ?? args.callRecords?.companySecret,
        trunkPeers: (args.renderOptions.peers ?? []).filter((peer) => peer.trunk !== undefined).map((peer) => peer.code),
        trunkTlsCredentials: args.trunkTlsCredentials,
      },
      { parent: this },
    );
    if (args.callRecords !== undefined) {
      this.callRecords = new CallRecords(
        `${name}-records`,
        {
          model: args.model,
          settings: args.callRecords.settings,
          peers: args.callRecords.peers,
          companySecret: args.callRecords.companySecret,
          projectDir: args.projectDir,
          deleteDataOnDestroy: args.deleteDataOnDestroy,
        },
        { parent: this },
      );
    }
    const records = this.callRecords;
    this.pbx = new Pbx(
      `${name}-pbx`,
      {
        model: args.model,
        secrets: this.secrets,
        projectDir: args.projectDir,
        renderOptions: args.renderOptions,
        deleteDataOnDestroy: args.deleteDataOnDestroy,
        forceRestart: args.forceRestart,
        callRecords:
          records === undefined
            ? undefined
            : {
                socketVolume: records.socketVolume,
                journalVolume: records.journalVolume,
                writerPassword: records.writerPassword,
                reconcileIntervalSeconds: args.callRecords!.settings.reconcileIntervalSeconds,
                // Asterisk starts once its database and accounts exist, so the first calls go straight in.
                dependsOn: [records],
              },
      },
      { parent: this },
    );

    const api = args.callRecords?.api;
    if (records !== undefined && api !== undefined) {
      this.recordsApi = new RecordsApi(
        `${name}-records-api`,
        {
          model: args.model,
          settings: api.settings,
          sites: api.sites,
          peers: args.callRecords!.peers,
          records,
          companySecret: args.callRecords!.companySecret,
          imageContext: api.imageContext,
          callFlow: renderCallFlow(args.model, args.renderOptions.peers ?? []),
        },
        { parent: this },
      );
    }

    this.registerOutputs({ pbx: this.pbx, secrets: this.secrets, callRecords: records, recordsApi: this.recordsApi });
  }
}
