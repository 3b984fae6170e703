// The Pulumi program (index.ts) run under mocks as stack `mochis` with a
// docker-ssh target: every Docker and MariaDB resource receives the SSH engine,
// which names the key file and never contains the key.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { installMocks, recordedResources, waitForRegistrations, type RegisteredResource } from "./engine-mock";
import { readRawStack } from "./fixtures";

const COMPANY_SECRET = "program-test-company-secret-0123456789abcdef";
const FINGERPRINT = `SHA256:${"b".repeat(43)}`;
const KEY_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ";

let keyDirectory: string;
let keyFile: string;
let resources: RegisteredResource[];

beforeAll(async () => {
  keyDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "program-docker-ssh-"));
  keyFile = path.join(keyDirectory, "deploy_key");
  fs.writeFileSync(keyFile, `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`);

  await installMocks("mochis");
  const config: Record<string, string> = {
    "inova-pbx:companySecret": COMPANY_SECRET,
    "inova-pbx:target": JSON.stringify({
      kind: "docker-ssh",
      host: "127.0.109.2",
      port: 2222,
      user: "deploy",
      privateKeyFile: keyFile,
      hostKeyFingerprint: FINGERPRINT,
    }),
  };
  for (const [key, value] of Object.entries(readRawStack("mochis"))) {
    config[`inova-pbx:${key}`] = JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config, []);

  await import("../../../index");
  await waitForRegistrations(["mochis-pbx-config", "mochis-secrets-ami-password"]);
  resources = recordedResources();
});

afterAll(() => {
  fs.rmSync(keyDirectory, { recursive: true, force: true });
});

describe("index.ts with a docker-ssh target", () => {
  it("gives every engine resource the SSH engine", () => {
    const engineResources = resources.filter((resource) => /^pulumi-nodejs:dynamic\/(docker|mariadb):/.test(resource.type));
    expect(engineResources.length).toBeGreaterThan(5);
    for (const resource of engineResources) {
      expect(resource.inputs.engine, resource.name).toEqual({
        protocol: "ssh",
        host: "127.0.109.2",
        port: 2222,
        username: "deploy",
        privateKeyFile: keyFile,
        agent: false,
        hostKeyFingerprint: FINGERPRINT,
      });
    }
  });

  it("keeps the key out of every input", () => {
    expect(JSON.stringify(resources)).not.toContain(KEY_BODY);
  });

  it("leaves other resources without an engine", () => {
    const secrets = resources.filter((resource) => resource.type === "pulumi-nodejs:dynamic/inova:GeneratedSecret");
    expect(secrets.length).toBeGreaterThan(0);
    for (const resource of secrets) {
      expect(resource.inputs.engine, resource.name).toBeUndefined();
    }
  });
});
