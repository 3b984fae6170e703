// Site arguments built from the repository's stack files, the way index.ts
// builds them, and lookups over a recorded resource graph.

import * as path from "node:path";

import { expect } from "vitest";

import { peerSitesFromProject } from "../../../components/asterisk";
import { loadOperatorSecrets, loadProjectSites, loadSite, type RawSiteConfig } from "../../../components/model/load";
import { assertValidSite } from "../../../components/model/validate";
import type { OperatorSecrets } from "../../../components/model/types";
import type { SiteArgs } from "../../../components/site";
import { readStackConfig } from "../../support/stack-files";
import type { RegisteredResource } from "./engine-mock";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");

export const STACKS = ["mochis", "tabasco", "silicon"] as const;

export const TYPES = {
  site: "inova:site:Site",
  pbx: "inova:pbx:Pbx",
  secrets: "inova:pbx:SiteSecrets",
  image: "pulumi-nodejs:dynamic/docker:Image",
  volume: "pulumi-nodejs:dynamic/docker:Volume",
  container: "pulumi-nodejs:dynamic/docker:Container",
  containerFiles: "pulumi-nodejs:dynamic/docker:ContainerFiles",
  idleGate: "pulumi-nodejs:dynamic/docker:IdleGate",
  generatedSecret: "pulumi-nodejs:dynamic/inova:GeneratedSecret",
} as const;

/** Returns a deep copy of the stack file's `inova-pbx:*` values, safe to change. */
export function readRawStack(code: string): RawSiteConfig {
  return structuredClone(readStackConfig(PROJECT_DIR, code));
}

/**
 * Loads and validates a site from raw configuration, against the other stack
 * files of the project, and returns the arguments of its Site.
 */
export function siteArgsFromRaw(code: string, raw: RawSiteConfig, secrets?: OperatorSecrets): SiteArgs {
  const model = loadSite(code, raw, { projectDir: PROJECT_DIR });
  const operatorSecrets = secrets ?? loadOperatorSecrets(raw);
  const sites = loadProjectSites(PROJECT_DIR);
  assertValidSite(model, { projectDir: PROJECT_DIR, sites, secrets: operatorSecrets });
  return {
    model,
    operatorSecrets,
    projectDir: PROJECT_DIR,
    renderOptions: { peers: peerSitesFromProject(sites, code) },
    // The trunks to the other sites derive their passwords from it.
    companySecret: UNIT_COMPANY_SECRET,
  };
}

/** Company secret of the sites that the component tests build. */
export const UNIT_COMPANY_SECRET = "unit-test-company-secret-0123456789abcdef";

export function siteArgsFromStack(code: string): SiteArgs {
  return siteArgsFromRaw(code, readRawStack(code));
}

export function ofType(resources: readonly RegisteredResource[], type: string): RegisteredResource[] {
  return resources.filter((resource) => resource.type === type);
}

/** Returns the one resource of `type`, failing the test when there are none or several. */
export function single(resources: readonly RegisteredResource[], type: string): RegisteredResource {
  const found = ofType(resources, type);
  expect(found.map((resource) => resource.name), `resources of type ${type}`).toHaveLength(1);
  return found[0];
}

export function named(resources: readonly RegisteredResource[], name: string): RegisteredResource {
  const found = resources.filter((resource) => resource.name === name);
  expect(found.map((resource) => resource.type), `resources named ${name}`).toHaveLength(1);
  return found[0];
}
