// Loads every stack file of the project into validated site models, for the call-flow
// diagrams. Uses the loader and validator that the Pulumi program uses, without Pulumi.

import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

import { peerSitesFromProject, type PeerSite } from "../asterisk/options";
import { isMapping } from "../model/guards";
import { loadProjectSites, loadSite } from "../model/load";
import { CONFIG_NAMESPACE, type RawSiteConfig } from "../model/raw";
import { assertValidSite } from "../model/validate";
import type { SiteModel } from "../model/types";

/** Keys of the stack file that the site model reads. Secrets are left out: a diagram shows none. */
const MODEL_KEYS: readonly (keyof RawSiteConfig)[] = ["site", "extensions", "ringGroups", "ivrs", "recordings"];

export interface SiteCallFlowInput {
  /** Stack name, e.g. `mochis`. */
  readonly code: string;
  /** Stack file name relative to the project directory, e.g. `Pulumi.mochis.yaml`. */
  readonly stackFile: string;
  readonly model: SiteModel;
  /** The other sites of the project, as the site's dialplan reaches them. */
  readonly peers: readonly PeerSite[];
}

/**
 * Loads and validates every `Pulumi.<stack>.yaml` of the project, sorted by stack name.
 * Throws the validator's `SiteValidationError`, listing every problem, for an invalid site.
 */
export function loadSiteCallFlows(projectDir: string): SiteCallFlowInput[] {
  const sites = loadProjectSites(projectDir);
  return sites.map((site) => {
    const raw = readModelConfig(path.join(projectDir, site.stackFile));
    const model = loadSite(site.code, raw, { projectDir });
    assertValidSite(model, { projectDir, sites });
    return { code: site.code, stackFile: site.stackFile, model, peers: peerSitesFromProject(sites, site.code) };
  });
}

function readModelConfig(file: string): RawSiteConfig {
  const document: unknown = parse(fs.readFileSync(file, "utf8"));
  const config = isMapping(document) && isMapping(document.config) ? document.config : {};
  const raw: Record<string, unknown> = {};
  for (const key of MODEL_KEYS) {
    const value = config[`${CONFIG_NAMESPACE}:${key}`];
    if (value !== undefined) {
      raw[key] = value;
    }
  }
  return raw as RawSiteConfig;
}
