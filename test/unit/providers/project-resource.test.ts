// The module text that each dynamic resource carries for the engine's provider
// host: it must load every provider of the project in a plain Node.js process
// started in the project directory, as the host is.

import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { describe, expect, it } from "vitest";

import { PROVIDERS, providerModuleText } from "../../../components/providers/project-resource";

const PROJECT_ROOT = join(__dirname, "..", "..", "..");
/** The require-from-string package that the Pulumi SDK's provider host uses. */
const REQUIRE_FROM_STRING = require.resolve("require-from-string", { paths: [dirname(require.resolve("@pulumi/pulumi/package.json"))] });

/** Loads each text with require-from-string, as the host does, and lists the provider's methods. */
const LOADER = `
const requireFromString = require(process.argv[2]);
const methods = {};
for (const [name, text] of Object.entries(JSON.parse(process.argv[1]))) {
  const provider = requireFromString(text).handler();
  methods[name] = Object.keys(provider).filter((key) => typeof provider[key] === "function").sort();
}
process.stdout.write(JSON.stringify(methods));
`;

describe("provider module texts", () => {
  it("load every provider in a plain Node.js process", () => {
    const texts = Object.fromEntries(Object.entries(PROVIDERS).map(([name, reference]) => [name, providerModuleText(reference)]));

    const output = execFileSync(process.execPath, ["-e", LOADER, JSON.stringify(texts), REQUIRE_FROM_STRING], { cwd: PROJECT_ROOT, encoding: "utf8" });

    const methods = JSON.parse(output) as Record<string, string[]>;
    expect(Object.keys(methods).sort()).toEqual(Object.keys(PROVIDERS).sort());
    for (const [name, names] of Object.entries(methods)) {
      expect(names, name).toEqual(expect.arrayContaining(["check", "create", "delete", "diff", "read"]));
    }
  });

  it("load a provider from another working directory", () => {
    const texts = { volume: providerModuleText(PROVIDERS.volume) };

    const output = execFileSync(process.execPath, ["-e", LOADER, JSON.stringify(texts), REQUIRE_FROM_STRING], { cwd: tmpdir(), encoding: "utf8" });

    expect((JSON.parse(output) as Record<string, string[]>).volume).toEqual(expect.arrayContaining(["create", "delete"]));
  });

  it("name the module by its path in the project", () => {
    const text = providerModuleText(PROVIDERS.volume);

    expect(text).toContain('"components/providers/docker/volume-provider"');
    expect(text).toContain('["volumeProvider"]');
  });
});
