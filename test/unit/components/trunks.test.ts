// Trunks under Pulumi mocks: `inova-pbx:trunkTls` turns on the TLS transport in the render
// options, bad paths fail before anything is deployed, and trunk passwords travel only as secrets.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { deriveAllTrunkPasswords } from "../../../components/trunk-passwords";
import { installMocks, loadComponents, recordSite } from "./engine-mock";
import { named, PROJECT_DIR, readRawStack, siteArgsFromStack, UNIT_COMPANY_SECRET } from "./fixtures";

const CA_PEM = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
const SITE_PEM = "-----BEGIN CERTIFICATE-----\nU2l0ZQ==\n-----END CERTIFICATE-----\n";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nS2V5\n-----END PRIVATE KEY-----\n";

let components: Awaited<ReturnType<typeof loadComponents>>;
let directory: string;

beforeAll(async () => {
  await installMocks("mochis");
  components = await loadComponents();
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "trunk-tls-config-"));
  fs.writeFileSync(path.join(directory, "ca.pem"), CA_PEM);
  fs.writeFileSync(path.join(directory, "mochis.crt"), SITE_PEM);
  fs.writeFileSync(path.join(directory, "mochis.key"), KEY_PEM);
});

function setStackConfig(trunkTls: unknown): void {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...readRawStack("mochis"), trunkTls })) {
    config[`inova-pbx:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config, []);
}

describe("trunkTls stack setting", () => {
  it("enables the TLS transport", () => {
    setStackConfig({ caFile: path.join(directory, "ca.pem"), certificateFile: path.join(directory, "mochis.crt"), keyFile: path.join(directory, "mochis.key") });

    const read = components.readSiteFromStackConfig("mochis", PROJECT_DIR);

    expect(read.renderOptions.trunkTls).toEqual({ port: 5061, ca: CA_PEM });
    expect(read.trunkTlsCredentials).toEqual({ certificate: SITE_PEM, key: KEY_PEM });
  });

  it("fails on a missing file", () => {
    setStackConfig({ caFile: path.join(directory, "ca.pem"), certificateFile: path.join(directory, "absent.crt"), keyFile: path.join(directory, "mochis.key") });

    expect(() => components.readSiteFromStackConfig("mochis", PROJECT_DIR)).toThrow(/inova-pbx:trunkTls\.certificateFile.*absent\.crt is not found/);
  });
});

describe("trunk secrets in the resource graph", () => {
  it("keep trunk passwords out of plain text", async () => {
    const run = await recordSite(components, "tabasco", siteArgsFromStack("tabasco"));
    const passwords = Object.values(deriveAllTrunkPasswords(UNIT_COMPANY_SECRET, "tabasco", ["mochis", "silicon"])).flatMap((pair) => [pair.sip, pair.iax]);
    const plainText = [
      ...run.resources.map((resource) => JSON.stringify(resource.plainInputs)),
      ...run.componentOutputs.map((entry) => JSON.stringify(entry.plainOutputs)),
    ].join("\n");

    const config = named(run.resources, "tabasco-pbx-config");
    const secretFiles = JSON.stringify(config.inputs.secretFiles);
    for (const password of passwords) {
      expect(plainText.includes(password), "a trunk password in plain-text inputs or outputs").toBe(false);
      expect(secretFiles.includes(password), "a trunk password in the secret files").toBe(true);
    }
    expect(config.secretPaths).toEqual(["secretFiles"]);
  });
});
