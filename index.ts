import * as pulumi from "@pulumi/pulumi";

import { readCompanySecret } from "./components/company-secret";
import { readSiteFromStackConfig } from "./components/stack-config";
import { Site } from "./components/site";

// Reads and validates the whole site before any resource exists, so a bad
// stack file fails the preview with every problem listed and deploys nothing.
const stack = pulumi.getStack();
const { model, operatorSecrets, options, renderOptions, callRecords } = readSiteFromStackConfig(stack, __dirname);

let companySecret: pulumi.Output<string>;
try {
  companySecret = pulumi.secret(readCompanySecret(callRecords.companySecret).value);
} catch (error) {
  throw new pulumi.RunError((error as Error).message);
}

const site = new Site(stack, {
  model,
  operatorSecrets,
  projectDir: __dirname,
  renderOptions,
  deleteDataOnDestroy: options.deleteDataOnDestroy,
  forceRestart: options.forceRestart,
  callRecords: { settings: callRecords.settings, peers: callRecords.peers, companySecret },
});

export const siteCode = model.site.code;
export const siteName = model.site.name;
export const address = model.site.address;
export const sipEndpoint = `${model.site.address}:${model.site.ports.sip}`;
export const iaxEndpoint = `${model.site.address}:${model.site.ports.iax}`;
export const extensions = model.extensions.map((e) => ({ number: e.number, name: e.name, protocol: e.protocol }));
export const pbxContainer = site.pbx.containerName;
export const pbxImageId = site.pbx.imageId;
export const extensionPasswords = site.secrets.extensionPasswords;
export const voicemailPins = site.secrets.voicemailPins;

// The site's call-record database: where the site's API and reports connect, the volumes of
// its Unix socket (for local clients), journal and backups, and the read-only account's password.
export const callRecordsEndpoint = site.callRecords?.endpoint;
export const callRecordsContainer = site.callRecords?.containerName;
export const callRecordsSocketVolume = site.callRecords?.socketVolume;
export const callRecordsJournalVolume = site.callRecords?.journalVolume;
export const callRecordsBackupVolume = site.callRecords?.backupVolume;
export const callRecordsReaderPassword = site.callRecords?.readerPassword;
export const replicationConnections = site.callRecords?.replicationConnections;
