// The Pulumi program (index.ts) run under mocks as stack `mochis`, with the
// configuration of Pulumi.mochis.yaml: the stack name becomes the site code,
// the deployment options reach the resources, and the stack outputs keep the
// secrets secret.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import {
  installMocks,
  loadComponents,
  recordedResources,
  recordSite,
  valueOf,
  waitForRegistrations,
  type RegisteredResource,
} from "./engine-mock";
import { DEFAULT_CALL_RECORD_SETTINGS, loadCallRecordPeers } from "../../../components/model/call-records";
import { stagedContext } from "../../../components/records-api";
import { readSiteFromStackConfig } from "../../../components/stack-config";
import { named, PROJECT_DIR, readRawStack, siteArgsFromStack, single, TYPES } from "./fixtures";

/** Company secret set in the stack configuration, so the program reads no file. */
const COMPANY_SECRET = "program-test-company-secret-0123456789abcdef";

let program: typeof import("../../../index");
let programResources: RegisteredResource[];

beforeAll(async () => {
  await installMocks("mochis");
  const config: Record<string, string> = {
    "inova-pbx:deleteDataOnDestroy": "true",
    "inova-pbx:companySecret": COMPANY_SECRET,
  };
  for (const [key, value] of Object.entries(readRawStack("mochis"))) {
    config[`inova-pbx:${key}`] = JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config, []);

  program = await import("../../../index");
  await waitForRegistrations(["mochis-pbx-config", "mochis-secrets-ami-password"]);
  programResources = recordedResources();
});

describe("index.ts program", () => {
  it("names the site after the stack", () => {
    expect(single(programResources, TYPES.site).name).toBe("mochis");
    expect(program.siteCode).toBe("mochis");
    expect(program.siteName).toBe("Los Mochis");
  });

  it("exports the site endpoints", () => {
    expect(program.address).toBe("127.0.81.1");
    expect(program.sipEndpoint).toBe("127.0.81.1:5060");
    expect(program.iaxEndpoint).toBe("127.0.81.1:4569");
  });

  it("passes deleteDataOnDestroy to the data volumes", () => {
    for (const name of ["mochis-pbx-voicemail", "mochis-records-data", "mochis-records-journal", "mochis-records-backups"]) {
      expect(named(programResources, name).inputs.deleteOnDestroy, name).toBe(true);
    }
  });

  it("leaves forceRestart off by default", () => {
    expect(named(programResources, "mochis-pbx-config").inputs.forceRestart).toBe(false);
  });

  it("exports passwords and PINs as secrets", async () => {
    expect(await pulumi.isSecret(program.extensionPasswords)).toBe(true);
    expect(await pulumi.isSecret(program.voicemailPins)).toBe(true);
    expect(Object.keys(await valueOf(program.extensionPasswords)).sort()).toEqual(
      program.extensions.map((extension) => extension.number).sort(),
    );
  });

  it("exports the container name and image id", async () => {
    const container = named(programResources, "mochis-pbx-container");
    expect(await valueOf(program.pbxContainer!)).toBe("inova-mochis-pbx");
    expect(await valueOf(program.pbxImageId!)).toBe(container.inputs.imageId);
  });

  it("registers the graph that Site builds from the stack file", async () => {
    const components = await loadComponents();
    const direct = await recordSite(components, "mochis", {
      ...siteArgsFromStack("mochis"),
      companySecret: COMPANY_SECRET,
      deleteDataOnDestroy: true,
      callRecords: {
        settings: DEFAULT_CALL_RECORD_SETTINGS,
        peers: loadCallRecordPeers(PROJECT_DIR),
        companySecret: pulumi.secret(COMPANY_SECRET),
        api: { ...readSiteFromStackConfig("mochis", PROJECT_DIR).recordsApi, imageContext: stagedContext(PROJECT_DIR) },
      },
    });
    const summarize = (resources: readonly RegisteredResource[]) =>
      resources.map((resource) => ({ type: resource.type, name: resource.name, parent: resource.parent, inputs: resource.inputs }));
    const byName = (left: { name: string }, right: { name: string }) => left.name.localeCompare(right.name);

    expect(summarize(programResources).sort(byName)).toEqual(summarize(direct.resources).sort(byName));
  });
});
