import * as pulumi from "@pulumi/pulumi";

import { peerSitesFromProject, RenderOptions } from "./asterisk";
import { COMPANY_SECRET_KEY } from "./company-secret";
import {
  CALL_RECORDS_KEY,
  loadCallRecordPeers,
  parseCallRecordSettings,
  validateCallRecordPorts,
  type CallRecordPeer,
  type CallRecordSettings,
} from "./model/call-records";
import { loadOperatorSecrets, loadProjectSites, loadSite, RawSiteConfig } from "./model/load";
import { CONFIG_NAMESPACE } from "./model/raw";
import { SiteValidationError } from "./model/errors";
import { assertValidSite } from "./model/validate";
import { parseTarget, TARGET_KEY, type DeployTarget } from "./model/target";
import { OperatorSecrets, SiteModel } from "./model/types";
import { parseTrunkTls, TRUNK_TLS_KEY } from "./model/trunk-tls";
import {
  parseRecordsApiSettings,
  recordsApiSites,
  RECORDS_API_PORT_KEY,
  RECORDS_API_TOKEN_KEY,
  type RecordsApiSettings,
} from "./records-api/settings";
import type { RecordsApiSite } from "./records-api/render";

/** Deployment options, declared with their defaults in Pulumi.yaml. */
export interface DeploymentOptions {
  readonly deleteDataOnDestroy: boolean;
  readonly forceRestart: boolean;
}

/** Keys read here rather than by the site model: deployment options, call records and the company secret. */
const OPTION_KEYS = new Set([
  "deleteDataOnDestroy",
  "forceRestart",
  CALL_RECORDS_KEY,
  COMPANY_SECRET_KEY,
  RECORDS_API_PORT_KEY,
  RECORDS_API_TOKEN_KEY,
  TARGET_KEY,
  TRUNK_TLS_KEY,
]);

/** The stack's records API settings and the sites the API lists. */
export interface StackRecordsApi {
  readonly settings: RecordsApiSettings;
  readonly sites: readonly RecordsApiSite[];
}

/** The stack's call-record settings and what it needs from the other stacks. */
export interface StackCallRecords {
  readonly settings: CallRecordSettings;
  /** Every site of the project as its stack file states it, this one included. */
  readonly peers: readonly CallRecordPeer[];
  /** Operator-set company secret (`inova-pbx:companySecret`); when absent the company secret file is read. */
  readonly companySecret?: string;
}

export interface StackSite {
  readonly model: SiteModel;
  readonly operatorSecrets: OperatorSecrets;
  readonly options: DeploymentOptions;
  /** Peer sites read from the other stack files, for the rendered dialplan. */
  readonly renderOptions: RenderOptions;
  readonly callRecords: StackCallRecords;
  readonly recordsApi: StackRecordsApi;
  /** Deployment target (`inova-pbx:target`); the local Docker engine when unset. */
  readonly target: DeployTarget;
  /** The site's trunk TLS certificate and key (PEM) when `inova-pbx:trunkTls` is set; wrap them as secrets. */
  readonly trunkTlsCredentials?: { readonly certificate: string; readonly key: string };
}

/**
 * Reads the stack's `inova-pbx:*` configuration, builds the site model and
 * validates all of it. Every problem is reported at once as a `RunError`,
 * which Pulumi prints without a stack trace, before any resource exists.
 */
export function readSiteFromStackConfig(stack: string, projectDir: string): StackSite {
  const raw = readNamespace();
  const siteConfig: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!OPTION_KEYS.has(key)) {
      siteConfig[key] = value;
    }
  }

  try {
    const model = loadSite(stack, siteConfig as RawSiteConfig, { projectDir });
    // Operator-set secrets are checked as plain text here and leave this
    // function only wrapped as Pulumi secrets.
    const operatorSecrets = loadOperatorSecrets(siteConfig as RawSiteConfig);
    const sites = loadProjectSites(projectDir);
    assertValidSite(model, { projectDir, sites, secrets: operatorSecrets });
    const { settings, problems } = parseCallRecordSettings(raw[CALL_RECORDS_KEY]);
    const trunkTls = parseTrunkTls(raw[TRUNK_TLS_KEY], projectDir, model.site.ports);
    problems.push(...trunkTls.problems);
    const renderOptions: RenderOptions = {
      peers: peerSitesFromProject(sites, stack),
      ...(trunkTls.settings === undefined || trunkTls.files === undefined ? {} : { trunkTls: { port: trunkTls.settings.port, ca: trunkTls.files.ca } }),
    };
    const trunkTlsCredentials = trunkTls.files === undefined ? undefined : { certificate: trunkTls.files.certificate, key: trunkTls.files.key };
    problems.push(...validateCallRecordPorts(settings, model.site.ports));
    const recordsApiSettings = parseRecordsApiSettings(raw[RECORDS_API_PORT_KEY], raw[RECORDS_API_TOKEN_KEY], model.site.ports, settings);
    problems.push(...recordsApiSettings.problems);
    const { target, problems: targetProblems } = parseTarget(raw[TARGET_KEY], projectDir);
    problems.push(...targetProblems);
    if (problems.length > 0) {
      throw new SiteValidationError(stack, problems);
    }
    const companySecret = raw[COMPANY_SECRET_KEY];
    const callRecords: StackCallRecords = {
      settings,
      peers: loadCallRecordPeers(projectDir),
      ...(companySecret === undefined || companySecret === null ? {} : { companySecret: String(companySecret) }),
    };
    const recordsApi: StackRecordsApi = { settings: recordsApiSettings.settings, sites: recordsApiSites(model, sites) };
    return {
      model,
      operatorSecrets,
      options: readOptions(),
      renderOptions,
      callRecords,
      recordsApi,
      target,
      ...(trunkTlsCredentials === undefined ? {} : { trunkTlsCredentials }),
    };
  } catch (error) {
    if (error instanceof SiteValidationError) {
      throw new pulumi.RunError(error.message);
    }
    throw error;
  }
}

/** Returns every key of the project namespace, JSON values parsed, without the namespace prefix. */
function readNamespace(): Record<string, unknown> {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) {
      continue;
    }
    values[fullKey.slice(prefix.length)] = parseConfigValue(text);
  }
  return values;
}

function parseConfigValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function readOptions(): DeploymentOptions {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  return {
    deleteDataOnDestroy: config.getBoolean("deleteDataOnDestroy") ?? false,
    forceRestart: config.getBoolean("forceRestart") ?? false,
  };
}
