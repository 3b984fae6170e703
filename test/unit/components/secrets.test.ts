// Secrets in the resource graph: secret files and generated values travel as
// secrets, operator-set values replace generated ones, and no secret value
// appears in an input or component output that the state keeps in plain text.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import {
  installMocks,
  loadComponents,
  mockGeneratedValue,
  recordSite,
  SECRET_PLACEHOLDER,
  valueOf,
  type SiteRun,
} from "./engine-mock";
import { named, ofType, readRawStack, siteArgsFromRaw, siteArgsFromStack, STACKS, TYPES } from "./fixtures";

const OPERATOR_PASSWORD_101 = "Vq7#kR2pLm9xTz4w";
const OPERATOR_PIN_101 = "83619472";
const OPERATOR_PASSWORD_102 = "hJ5(wN8qZc3*Ud6e";

let components: Awaited<ReturnType<typeof loadComponents>>;

beforeAll(async () => {
  await installMocks("test");
  components = await loadComponents();
});

/** Serializes everything the state keeps in plain text: inputs and component outputs without their secrets. */
function plainText(run: SiteRun): string {
  const inputs = run.resources.map((resource) => JSON.stringify(resource.plainInputs));
  const outputs = run.componentOutputs.map((entry) => JSON.stringify(entry.plainOutputs));
  return [...inputs, ...outputs].join("\n");
}

/** Returns the value that each GeneratedSecret of the run received from the mocks. */
function generatedValues(run: SiteRun): Map<string, string> {
  const values = new Map<string, string>();
  for (const secret of ofType(run.resources, TYPES.generatedSecret)) {
    values.set(secret.name, mockGeneratedValue(secret.name, Number(secret.inputs.length), String(secret.inputs.alphabet)));
  }
  return values;
}

describe.each(STACKS)("%s secrets with generated values", (code) => {
  let run: SiteRun;

  beforeAll(async () => {
    run = await recordSite(components, code, siteArgsFromStack(code));
  });

  it("sends config secret files as a secret", () => {
    const config = named(run.resources, `${code}-pbx-config`);
    expect(config.secretPaths).toEqual(["secretFiles"]);
    expect(config.plainInputs.secretFiles).toBe(SECRET_PLACEHOLDER);
    expect(config.plainInputs.files).toEqual(config.inputs.files);
  });

  it("sends prompt secret files as a secret", () => {
    const prompts = named(run.resources, `${code}-pbx-prompts`);
    expect(prompts.secretPaths).toEqual(["secretFiles"]);
  });

  it("keeps secret file digests secret", () => {
    for (const files of ofType(run.resources, TYPES.containerFiles)) {
      expect(files.additionalSecretOutputs, files.name).toContain("secretFileHashes");
    }
  });

  it("marks every generated value secret", () => {
    const secrets = ofType(run.resources, TYPES.generatedSecret);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(secret.additionalSecretOutputs, secret.name).toEqual(["value"]);
    }
  });

  it("exposes the generated values as secrets", async () => {
    expect(await pulumi.isSecret(run.site.secrets.amiPassword)).toBe(true);
    expect(await pulumi.isSecret(run.site.secrets.extensionPasswords)).toBe(true);
    expect(await pulumi.isSecret(run.site.secrets.voicemailPins)).toBe(true);
  });

  it("uses the generated values", async () => {
    const values = generatedValues(run);
    const passwords = await valueOf(run.site.secrets.extensionPasswords);
    const pins = await valueOf(run.site.secrets.voicemailPins);

    expect(await valueOf(run.site.secrets.amiPassword)).toBe(values.get(`${code}-secrets-ami-password`));
    for (const [number, password] of Object.entries(passwords)) {
      expect(password, number).toBe(values.get(`${code}-secrets-password-${number}`));
      expect(pins[number], number).toBe(values.get(`${code}-secrets-pin-${number}`));
    }
  });

  it("writes the generated values into secret files", () => {
    const secretFiles = Object.values(named(run.resources, `${code}-pbx-config`).inputs.secretFiles as object).join("\n");
    for (const [name, value] of generatedValues(run)) {
      expect(secretFiles.includes(value), name).toBe(true);
    }
  });

  it("leaks no generated value in plain text", () => {
    const text = plainText(run);
    for (const [name, value] of generatedValues(run)) {
      // A PIN has only 6 digits, so it counts only where no other digit touches it.
      const pattern = /^[0-9]+$/.test(value) ? new RegExp(`(?<![0-9])${value}(?![0-9])`) : new RegExp(value);
      expect(pattern.test(text), name).toBe(false);
    }
  });
});

describe("secrets set by the operator", () => {
  let run: SiteRun;

  beforeAll(async () => {
    const raw = readRawStack("mochis");
    raw.extensionPasswords = { "101": OPERATOR_PASSWORD_101, "102": OPERATOR_PASSWORD_102 };
    raw.voicemailPins = { "101": OPERATOR_PIN_101 };
    run = await recordSite(components, "mochis", siteArgsFromRaw("mochis", raw));
  });

  it("replace the generated password and PIN", () => {
    const names = ofType(run.resources, TYPES.generatedSecret).map((secret) => secret.name);
    expect(names).not.toContain("mochis-secrets-password-101");
    expect(names).not.toContain("mochis-secrets-pin-101");
    expect(names).not.toContain("mochis-secrets-password-102");
  });

  it("leave other secrets generated", () => {
    const names = ofType(run.resources, TYPES.generatedSecret).map((secret) => secret.name);
    expect(names).toContain("mochis-secrets-pin-102");
    expect(names).toContain("mochis-secrets-password-100");
    expect(names).toContain("mochis-secrets-pin-100");
    expect(names).toContain("mochis-secrets-ami-password");
    expect(names).toHaveLength(2 * 9 + 1 - 3);
  });

  it("stay secret in the site outputs", async () => {
    expect(await pulumi.isSecret(run.site.secrets.extensionPasswords)).toBe(true);
    expect(await pulumi.isSecret(run.site.secrets.voicemailPins)).toBe(true);
    expect((await valueOf(run.site.secrets.extensionPasswords))["101"]).toBe(OPERATOR_PASSWORD_101);
    expect((await valueOf(run.site.secrets.extensionPasswords))["102"]).toBe(OPERATOR_PASSWORD_102);
    expect((await valueOf(run.site.secrets.voicemailPins))["101"]).toBe(OPERATOR_PIN_101);
  });

  it("reach the secret files", () => {
    const config = named(run.resources, "mochis-pbx-config");
    const secretFiles = Object.values(config.inputs.secretFiles as object).join("\n");
    expect(config.secretPaths).toEqual(["secretFiles"]);
    expect(secretFiles).toContain(OPERATOR_PASSWORD_101);
    expect(secretFiles).toContain(OPERATOR_PASSWORD_102);
    expect(secretFiles).toContain(OPERATOR_PIN_101);
  });

  it("appear in no plain input or output", () => {
    const text = plainText(run);
    expect(text).not.toContain(OPERATOR_PASSWORD_101);
    expect(text).not.toContain(OPERATOR_PASSWORD_102);
    expect(text).not.toContain(OPERATOR_PIN_101);
  });
});

describe("carrier password", () => {
  const CARRIER_PASSWORD = "Carrier-Issued-7731";
  let run: SiteRun;

  beforeAll(async () => {
    const raw = readRawStack("mochis");
    raw.carrier = { address: "127.0.103.2", username: "inova-mochis", numbering: "mexico" };
    raw.carrierPassword = CARRIER_PASSWORD;
    run = await recordSite(components, "mochis", siteArgsFromRaw("mochis", raw));
  });

  it("stays secret in the site outputs", async () => {
    expect(await pulumi.isSecret(run.site.secrets.carrierPassword)).toBe(true);
    expect(await valueOf(run.site.secrets.carrierPassword)).toBe(CARRIER_PASSWORD);
  });

  it("reaches only the secret carrier file", () => {
    const config = named(run.resources, "mochis-pbx-config");
    const secretFiles = config.inputs.secretFiles as Record<string, string>;
    expect(secretFiles["pjsip_carrier_auth.conf"]).toContain(`password = ${CARRIER_PASSWORD}`);
    expect((config.inputs.files as Record<string, string>)["pjsip_carrier.conf"]).toContain("permit = 127.0.103.2/255.255.255.255");
  });

  it("appears in no plain input or output", () => {
    expect(plainText(run)).not.toContain(CARRIER_PASSWORD);
  });
});
