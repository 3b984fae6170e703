// Shared inputs of the model tests: the real stack files, and a small valid site to break one rule at a time.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";
import { parse } from "yaml";
import { SiteValidationError, type ValidationProblem } from "../../../components/model/errors";
import { loadSite, type RawSiteConfig } from "../../../components/model/load";
import type { ProjectSite } from "../../../components/model/project";
import type { OperatorSecrets, SiteModel } from "../../../components/model/types";
import { validateSite } from "../../../components/model/validate";

export const REPO_DIR = path.resolve(__dirname, "../../..");

/** Reads `Pulumi.<code>.yaml` of the repository as the raw configuration, without the namespace prefix. */
export function readStackConfig(code: string): RawSiteConfig {
  const document = parse(fs.readFileSync(path.join(REPO_DIR, `Pulumi.${code}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document.config)) {
    raw[key.replace(/^inova-pbx:/, "")] = value;
  }
  return raw as RawSiteConfig;
}

/** Returns a small valid site named `alpha`, new on every call so a test can change it. */
export function validRaw(): RawSiteConfig {
  return {
    site: {
      name: "Alpha",
      role: "hq",
      timezone: "America/Mazatlan",
      address: "127.0.84.1",
      publicNumber: "6680000001",
      accessCode: "84",
      rtpPorts: { start: 20000, end: 20199 },
    },
    extensions: [
      { number: "100", name: "Soporte", protocol: "pjsip" },
      { number: "101", name: "Quejas", protocol: "iax2" },
      { number: "102", name: "Facturación", protocol: "pjsip" },
    ],
    ringGroups: [{ number: "601", name: "Soporte", strategy: "ringall", members: ["100", "101"] }],
    ivrs: [
      {
        number: "199",
        name: "IVR",
        options: [
          { digit: "1", label: "Soporte", ringGroup: "601" },
          { digit: "2", label: "Facturación", extension: "102" },
        ],
      },
    ],
  };
}

/** Peer stacks for cross-site rules: `beta`, a branch with an IVR, and `gamma`, a branch without one. */
export function peerSites(): ProjectSite[] {
  return [
    {
      code: "beta",
      stackFile: "Pulumi.beta.yaml",
      name: "Beta",
      role: "branch",
      address: "127.0.85.1",
      accessCode: "85",
      ports: { sip: 5060, iax: 4569, ami: 5038, rtp: { start: 21000, end: 21999 } },
      ivrNumbers: ["500"],
    },
    {
      code: "gamma",
      stackFile: "Pulumi.gamma.yaml",
      name: "Gamma",
      role: "branch",
      address: "127.0.86.1",
      accessCode: "86",
      ports: { sip: 5060, iax: 4569, ami: 5038, rtp: { start: 22000, end: 22999 } },
      ivrNumbers: [],
    },
  ];
}

export interface CheckOptions {
  readonly projectDir?: string;
  readonly sites?: ProjectSite[];
  readonly secrets?: Partial<OperatorSecrets>;
  readonly code?: string;
}

/** Loads and validates `raw` as site `alpha` beside the peer stacks. */
export function check(raw: RawSiteConfig, options: CheckOptions = {}): ValidationProblem[] {
  const projectDir = options.projectDir ?? REPO_DIR;
  const model = loadSite(options.code ?? "alpha", raw, { projectDir });
  return validateSite(model, {
    projectDir,
    sites: options.sites ?? peerSites(),
    secrets: { extensionPasswords: {}, voicemailPins: {}, ...options.secrets },
  });
}

/** Loads `raw` as site `alpha`. */
export function load(raw: RawSiteConfig, projectDir = REPO_DIR): SiteModel {
  return loadSite("alpha", raw, { projectDir });
}

/** Returns the structural problems that `loadSite` throws for `raw`. */
export function shapeProblems(raw: unknown): ValidationProblem[] {
  try {
    loadSite("alpha", raw as RawSiteConfig, { projectDir: REPO_DIR });
  } catch (error) {
    if (error instanceof SiteValidationError) {
      return [...error.problems];
    }
    throw error;
  }
  return [];
}

const projectDirs: string[] = [];

/** Creates an empty temporary project directory, removed after the test file's tests. */
export function makeProjectDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inova-model-"));
  projectDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of projectDirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
