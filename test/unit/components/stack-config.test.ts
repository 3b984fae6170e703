// readSiteFromStackConfig under Pulumi mocks, with the stack's configuration
// set through pulumi.runtime.setAllConfig. In @pulumi/pulumi 3.248 the SDK
// reads the PULUMI_CONFIG environment variable only once, when its runtime
// state is first created, so setAllConfig is how a test changes config.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { loadSite, type RawSiteConfig } from "../../../components/model/load";
import { installMocks, loadComponents } from "./engine-mock";
import { PROJECT_DIR, readRawStack } from "./fixtures";

let components: Awaited<ReturnType<typeof loadComponents>>;

beforeAll(async () => {
  await installMocks("mochis");
  components = await loadComponents();
});

/**
 * Replaces the whole configuration map the way the CLI passes it to a program:
 * keys with their namespace, every value a string, objects and lists as JSON.
 */
function setStackConfig(values: Record<string, unknown>, secretKeys: string[] = []): void {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const fullKey = key.includes(":") ? key : `inova-pbx:${key}`;
    config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config, secretKeys);
}

/** Returns the error that `action` throws, failing the test when it returns. */
function thrownBy(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected readSiteFromStackConfig to throw");
}

/** Returns the mochis stack file's values with extension 104 renumbered to 100 and ring group 601 given member 150. */
function mochisWithTwoProblems(): RawSiteConfig {
  const raw = readRawStack("mochis");
  const extensions = raw.extensions ?? [];
  extensions[4] = { ...extensions[4], number: "100" };
  const groups = raw.ringGroups ?? [];
  groups[0] = { ...groups[0], members: [...groups[0].members, "150"] };
  return raw;
}

describe("readSiteFromStackConfig with a valid site", () => {
  it("builds the model of the stack file", () => {
    const raw = readRawStack("mochis");
    setStackConfig({ ...raw });

    const read = components.readSiteFromStackConfig("mochis", PROJECT_DIR);

    expect(read.model).toEqual(loadSite("mochis", readRawStack("mochis"), { projectDir: PROJECT_DIR }));
    expect(read.operatorSecrets).toEqual({ extensionPasswords: {}, voicemailPins: {} });
  });

  it("lists the other sites as peers", () => {
    setStackConfig({ ...readRawStack("mochis") });
    const read = components.readSiteFromStackConfig("mochis", PROJECT_DIR);
    expect(read.renderOptions.peers?.map((peer) => `${peer.code} ${peer.accessCode} ${peer.ivrNumber}`)).toEqual([
      "silicon 83 400",
      "tabasco 82 399",
    ]);
  });

  it("defaults both deployment options to false", () => {
    setStackConfig({ ...readRawStack("mochis") });
    const read = components.readSiteFromStackConfig("mochis", PROJECT_DIR);
    expect(read.options).toEqual({ deleteDataOnDestroy: false, forceRestart: false });
  });

  it("reads the deployment options", () => {
    setStackConfig({ ...readRawStack("mochis"), deleteDataOnDestroy: "true", forceRestart: "true" });
    const read = components.readSiteFromStackConfig("mochis", PROJECT_DIR);
    expect(read.options).toEqual({ deleteDataOnDestroy: true, forceRestart: true });
  });

  it("reads operator secrets set as secret config", () => {
    const password = "Vq7#kR2pLm9xTz4w";
    setStackConfig({ ...readRawStack("mochis"), extensionPasswords: { "101": password }, voicemailPins: { "101": "83619472" } }, [
      "inova-pbx:extensionPasswords",
      "inova-pbx:voicemailPins",
    ]);
    const read = components.readSiteFromStackConfig("mochis", PROJECT_DIR);
    expect(read.operatorSecrets).toEqual({ extensionPasswords: { "101": password }, voicemailPins: { "101": "83619472" } });
  });

  it("ignores keys of other namespaces", () => {
    setStackConfig({ ...readRawStack("mochis"), "aws:region": "us-west-2" });
    expect(() => components.readSiteFromStackConfig("mochis", PROJECT_DIR)).not.toThrow();
  });
});

describe("readSiteFromStackConfig with an invalid site", () => {
  it("throws a RunError", () => {
    setStackConfig({ ...mochisWithTwoProblems() });
    const error = thrownBy(() => components.readSiteFromStackConfig("mochis", PROJECT_DIR));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
  });

  it("lists every problem in one message", () => {
    setStackConfig({ ...mochisWithTwoProblems() });
    const lines = thrownBy(() => components.readSiteFromStackConfig("mochis", PROJECT_DIR)).message.split("\n");

    expect(lines[0]).toBe('Site "mochis" has 2 invalid settings in Pulumi.mochis.yaml:');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^ {2}- inova-pbx:extensions\[4\]\.number: .*\[E_DUPLICATE_NUMBER\]$/);
    expect(lines[2]).toMatch(/^ {2}- inova-pbx:ringGroups\[0\]\.members\[3\]: .*150.*\[E_UNKNOWN_MEMBER\]$/);
  });

  it("reports a missing site key", () => {
    const raw = readRawStack("mochis");
    delete raw.site;
    setStackConfig({ ...raw });
    const error = thrownBy(() => components.readSiteFromStackConfig("mochis", PROJECT_DIR));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/inova-pbx:site: .*\[E_REQUIRED\]/);
  });

  it("reports a weak operator password without its value", () => {
    setStackConfig({ ...readRawStack("mochis"), extensionPasswords: { "101": "password1234" } }, ["inova-pbx:extensionPasswords"]);
    const error = thrownBy(() => components.readSiteFromStackConfig("mochis", PROJECT_DIR));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/inova-pbx:extensionPasswords\["101"\]: .*\[E_WEAK_PASSWORD\]/);
    expect(error.message).not.toContain("password1234");
  });
});
