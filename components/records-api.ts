import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import * as pulumi from "@pulumi/pulumi";

import { SOCKET_DIRECTORY } from "./asterisk/call-records";
import { sharedPassword } from "./company-secret";
import type { CallRecordPeer } from "./model/call-records";
import type { SiteModel } from "./model/types";
import { CallRecords } from "./records";
import {
  hqReaderAccount,
  RECORDS_API_CONFIG_DIRECTORY,
  RECORDS_API_CONFIG_FILE,
  RECORDS_API_RUN_USER,
  CALL_FLOW_FILE,
  recordsApiUrl,
  renderRecordsApiConfig,
  SECRET_FILES,
  type RecordsApiSite,
} from "./records-api/render";
import type { RecordsApiSettings } from "./records-api/settings";
import { Container } from "./providers/docker/container";
import { ContainerFiles } from "./providers/docker/container-files";
import { Image } from "./providers/docker/image";
import { Grant, User } from "./providers/mariadb";
import { GeneratedSecret } from "./providers/secret";

/** Folder of the service, relative to the project directory. */
const SERVICE_DIRECTORY = path.join("services", "cdr-api");
/** Build context that services/cdr-api/stage-context.sh writes, relative to the service folder. */
const IMAGE_CONTEXT = ".image-context";
/** Files whose content stage-context.sh hashes into `.source-sha256`. Keep both lists equal. */
const STAGED_SOURCES = ["src", "web", "Dockerfile", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"];

// The service reads its configuration once at start. The container starts before the files
// exist (ContainerFiles writes into a running container), so it waits for them first.
const CONFIG_PATH = `${RECORDS_API_CONFIG_DIRECTORY}/${RECORDS_API_CONFIG_FILE}`;
const START_COMMAND = `until [ -f ${CONFIG_PATH} ]; do sleep 1; done; exec node /opt/cdr-api/dist/server.js`;
// Healthy while it waits, so the container resource completes and the files can arrive.
const HEALTH_COMMAND = `test ! -f ${CONFIG_PATH} || node /opt/cdr-api/dist/healthcheck.js`;

export interface RecordsApiArgs {
  /** Validated site model. */
  readonly model: SiteModel;
  /** Port and optional operator-set token. */
  readonly settings: RecordsApiSettings;
  /** Every site of the project with its name and time zone, this one included. */
  readonly sites: readonly RecordsApiSite[];
  /** Every site's call-record settings as their stack files state them, this one included. */
  readonly peers: readonly CallRecordPeer[];
  /** The site's call-record database. */
  readonly records: CallRecords;
  /** Company secret, from which HQ and each branch derive the password of the branch's account at HQ. */
  readonly companySecret: pulumi.Input<string>;
  /** Build context of the service image, as {@link stagedContext} returns it. */
  readonly imageContext: string;
  /** More non-secret files for the configuration directory: relative path to content. */
  readonly additionalFiles?: Readonly<Record<string, string>>;
  /** The site's call-flow diagram as Mermaid text, shown on the web page; no call-flow view when absent. */
  readonly callFlow?: string;
}

/**
 * The records API and web page of one site (services/cdr-api): its image, a host-network
 * container on the site's address, and its configuration and secrets written as files that
 * only the service account reads. At HQ it also creates, for each branch, the read-only
 * account at HQ's database through which that branch's API reads every site's records.
 */
export class RecordsApi extends pulumi.ComponentResource {
  /** URL of the API and web page. */
  public readonly url: string;
  /** API token, also the Basic password of the web page; secret. */
  public readonly token: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  public readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: RecordsApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inova:records:RecordsApi", name, {}, opts);

    const site = args.model.site;
    const self = args.sites.find((candidate) => candidate.code === site.code) ?? {
      code: site.code,
      name: site.name,
      timeZone: site.timezone,
    };
    const hq = args.peers.find((peer) => peer.role === "hq");
    if (hq === undefined) {
      throw new Error(`no stack file of the project has role "hq"; the records API of ${site.code} needs HQ's database`);
    }
    const isHq = site.role === "hq";
    const labels = { "inova.site": site.code, "inova.role": "records-api" };

    if (isHq) {
      this.createBranchAccounts(name, args);
    }

    const image = new Image(
      `${name}-image`,
      // One tag per site, so destroying one site never removes an image another site runs.
      { name: `inova/cdr-api:${site.code}`, context: args.imageContext },
      { parent: this },
    );

    const container = new Container(
      `${name}-container`,
      {
        name: `inova-${site.code}-records-api`,
        imageId: image.imageId,
        networkMode: "host",
        restartPolicy: "unless-stopped",
        command: ["sh", "-c", START_COMMAND],
        mounts: [{ volume: args.records.socketVolume, target: SOCKET_DIRECTORY }],
        healthcheck: {
          test: ["CMD-SHELL", HEALTH_COMMAND],
          intervalSeconds: 15,
          timeoutSeconds: 5,
          retries: 3,
          startPeriodSeconds: 20,
        },
        labels,
      },
      { parent: this, dependsOn: [args.records] },
    );

    const token =
      args.settings.token !== undefined
        ? pulumi.secret(args.settings.token)
        : new GeneratedSecret(`${name}-token`, { length: 40, alphabet: "alnum" }, { parent: this }).value;
    const secretFiles: Record<string, pulumi.Input<string>> = {
      [SECRET_FILES.databasePassword]: args.records.readerPassword,
      [SECRET_FILES.token]: token,
    };
    if (isHq) {
      secretFiles[SECRET_FILES.monitorPassword] = args.records.monitorPassword as pulumi.Output<string>;
    } else {
      secretFiles[SECRET_FILES.hqPassword] = hqReaderPassword(args.companySecret, hq.code, site.code);
    }

    const files: Record<string, string> = {
      ...args.additionalFiles,
      ...(args.callFlow === undefined ? {} : { [CALL_FLOW_FILE]: args.callFlow }),
      [RECORDS_API_CONFIG_FILE]: renderRecordsApiConfig({
        site: self,
        address: site.address,
        port: args.settings.port,
        sites: args.sites,
        hq: isHq ? undefined : { address: hq.address, port: hq.settings.port },
        ...(args.callFlow === undefined ? {} : { callFlowFile: CALL_FLOW_FILE }),
      }),
    };
    // The service reads every file once at start, so any change restarts it, except the
    // call-flow diagram, which it reads on every request.
    const restartPaths = [...Object.keys(files).filter((file) => file !== CALL_FLOW_FILE), ...Object.keys(secretFiles)].sort();
    new ContainerFiles(
      `${name}-config`,
      {
        containerId: container.containerId,
        directory: RECORDS_API_CONFIG_DIRECTORY,
        files,
        secretFiles: pulumi.secret(secretFiles),
        mode: "0444",
        secretMode: "0400",
        owner: RECORDS_API_RUN_USER,
        restartWhen: { paths: restartPaths },
      },
      { parent: this },
    );

    this.url = recordsApiUrl(site.address, args.settings.port);
    this.token = pulumi.secret(token);
    this.containerName = container.name;
    this.imageId = image.imageId;
    this.registerOutputs({ url: this.url, token: this.token, containerName: this.containerName, imageId: this.imageId });
  }

  /** Creates, at HQ's database, one SELECT-only account per branch, usable from that branch's address only. */
  private createBranchAccounts(name: string, args: RecordsApiArgs): void {
    const hqCode = args.model.site.code;
    for (const branch of args.peers.filter((peer) => peer.role === "branch")) {
      const account = hqReaderAccount(branch.code, branch.address);
      const user = new User(
        `${name}-${account.user}`,
        {
          containerId: args.records.containerId,
          user: account.user,
          host: account.host,
          password: hqReaderPassword(args.companySecret, hqCode, branch.code),
        },
        { parent: this, dependsOn: [args.records] },
      );
      for (const grant of account.grants) {
        new Grant(
          `${name}-${account.user}-grant`,
          {
            containerId: args.records.containerId,
            user: account.user,
            host: account.host,
            object: grant.object,
            privileges: [...grant.privileges],
          },
          { parent: this, dependsOn: [user] },
        );
      }
    }
  }
}

/** Derives the password of `branch`'s account at HQ; both stacks compute it from the company secret. */
function hqReaderPassword(companySecret: pulumi.Input<string>, hqCode: string, branch: string): pulumi.Output<string> {
  return pulumi.secret(pulumi.output(companySecret).apply((secret) => sharedPassword(secret, "records-api", hqCode, branch)));
}

/**
 * Returns the staged build context of the service image, after checking that it was staged
 * from the current sources, so a deployment never ships an outdated build.
 */
export function stagedContext(projectDir: string): string {
  const serviceDir = path.join(projectDir, SERVICE_DIRECTORY);
  const context = path.join(serviceDir, IMAGE_CONTEXT);
  const stampFile = path.join(context, ".source-sha256");
  const fix = `Run bash ${path.join(SERVICE_DIRECTORY, "stage-context.sh")} (bash scripts/setup.sh runs it too).`;
  if (!fs.existsSync(stampFile)) {
    throw new pulumi.RunError(`the records API image context ${context} is missing. ${fix}`);
  }
  const staged = fs.readFileSync(stampFile, "utf8").trim();
  if (staged !== stagedSourceHash(serviceDir)) {
    throw new pulumi.RunError(`the records API image context ${context} was staged from older sources of ${serviceDir}. ${fix}`);
  }
  return context;
}

/**
 * Hashes the sources the way stage-context.sh does: `sha256sum` lines of every file, sorted
 * by path in byte order, hashed again.
 */
function stagedSourceHash(serviceDir: string): string {
  const files: string[] = [];
  const walk = (relative: string) => {
    const absolute = path.join(serviceDir, relative);
    const stat = fs.statSync(absolute);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(absolute)) {
        walk(`${relative}/${entry}`);
      }
    } else if (stat.isFile()) {
      files.push(relative);
    }
  };
  for (const source of STAGED_SOURCES) {
    walk(source);
  }
  files.sort((left, right) => Buffer.compare(Buffer.from(left), Buffer.from(right)));
  const lines = files.map((file) => `${crypto.createHash("sha256").update(fs.readFileSync(path.join(serviceDir, file))).digest("hex")}  ${file}\n`);
  return crypto.createHash("sha256").update(lines.join("")).digest("hex");
}
