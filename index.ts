import * as pulumi from "@pulumi/pulumi";

import { readCompanySecret } from "./components/company-secret";
import { readSiteFromStackConfig } from "./components/stack-config";
import { Site } from "./components/site";
import { stagedContext } from "./components/records-api";
import { dockerEngineTransformation, sshEngineOf } from "./components/docker-target";
import { HostSite } from "./components/host-site";

// Reads and validates the whole site before any resource exists, so a bad
// stack file fails the preview with every problem listed and deploys nothing.
const stack = pulumi.getStack();
const { model, operatorSecrets, options, renderOptions, callRecords, recordsApi, target, trunkTlsCredentials } =
  readSiteFromStackConfig(stack, __dirname);

let companySecret: pulumi.Output<string>;
try {
  companySecret = pulumi.secret(readCompanySecret(callRecords.companySecret).value);
} catch (error) {
  throw new pulumi.RunError((error as Error).message);
}

// An existing host that runs Asterisk receives only the rendered configuration.
const hostSite =
  target.kind === "host-ssh"
    ? new HostSite(stack, { model, operatorSecrets, renderOptions, target, forceRestart: options.forceRestart })
    : undefined;

const site =
  hostSite === undefined
    ? new Site(
        stack,
        {
          model,
          operatorSecrets,
          projectDir: __dirname,
          renderOptions,
          deleteDataOnDestroy: options.deleteDataOnDestroy,
          forceRestart: options.forceRestart,
          callRecords: { settings: callRecords.settings, peers: callRecords.peers, companySecret, api: { ...recordsApi, imageContext: stagedContext(__dirname) } },
          companySecret,
          trunkTlsCredentials: trunkTlsCredentials === undefined ? undefined : pulumi.secret(trunkTlsCredentials),
        },
        // A Docker engine reached over SSH receives every Docker and MariaDB resource of the site.
        target.kind === "docker-ssh" ? { transformations: [dockerEngineTransformation(sshEngineOf(target))] } : undefined,
      )
    : undefined;

export const siteCode = model.site.code;
export const siteName = model.site.name;
export const address = model.site.address;
export const sipEndpoint = `${model.site.address}:${model.site.ports.sip}`;
export const iaxEndpoint = `${model.site.address}:${model.site.ports.iax}`;
export const extensions = model.extensions.map((e) => ({ number: e.number, name: e.name, protocol: e.protocol }));
export const pbxContainer = site?.pbx.containerName;
export const pbxImageId = site?.pbx.imageId;
export const extensionPasswords = (site ?? hostSite)!.secrets.extensionPasswords;
export const voicemailPins = (site ?? hostSite)!.secrets.voicemailPins;

// The site's call-record database: where the site's API and reports connect, the volumes of
// its Unix socket (for local clients), journal and backups, and the read-only account's password.
export const callRecordsEndpoint = site?.callRecords?.endpoint;
export const callRecordsContainer = site?.callRecords?.containerName;
export const callRecordsSocketVolume = site?.callRecords?.socketVolume;
export const callRecordsJournalVolume = site?.callRecords?.journalVolume;
export const callRecordsBackupVolume = site?.callRecords?.backupVolume;
export const callRecordsReaderPassword = site?.callRecords?.readerPassword;
export const replicationConnections = site?.callRecords?.replicationConnections;

// The records API and web page: its URL, and its token (also the web page's Basic password).
export const recordsApiUrl = site?.recordsApi?.url;
export const recordsApiToken = site?.recordsApi?.token;

// The SHA-256 of each Asterisk configuration file as delivered, read back from the container
// or from the existing host, so a reviewer can tell which files a deployment changed.
export const configHashes = site?.pbx.configHashes ?? hostSite?.config.fileHashes;
