import * as pulumi from "@pulumi/pulumi";

import { readSiteFromStackConfig } from "./components/stack-config";
import { Site } from "./components/site";

// Reads and validates the whole site before any resource exists, so a bad
// stack file fails the preview with every problem listed and deploys nothing.
const stack = pulumi.getStack();
const { model, operatorSecrets, options, renderOptions } = readSiteFromStackConfig(stack, __dirname);

const site = new Site(stack, {
  model,
  operatorSecrets,
  projectDir: __dirname,
  renderOptions,
  deleteDataOnDestroy: options.deleteDataOnDestroy,
  forceRestart: options.forceRestart,
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
