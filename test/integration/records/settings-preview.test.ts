// Invalid `inova-pbx:callRecords` settings fail `pulumi preview` of the real program, run by
// the real Pulumi CLI on a private copy of the project and its own file backend, and the
// message names each value, the rule it breaks and the fix. The preview deploys nothing.
// Needs the Pulumi CLI from scripts/setup.sh.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ProjectCopy } from "../../support/project-copy";

const SITE = "mochis";
const STACK_FILE = `Pulumi.${SITE}.yaml`;

/** Settings that break one rule each, appended to the stack file's config. */
const INVALID_SETTINGS = `  inova-pbx:callRecords:
    binlogRetentionDays: 120
    reconcileIntervalSeconds: 2.5
    replicationRoute: tunnel
    journalDays: 3
`;

describe("invalid call-record settings at preview", { timeout: 300_000 }, () => {
  let project: ProjectCopy;
  let output = "";
  let exitCode = 0;

  beforeAll(async () => {
    project = ProjectCopy.create("inova-records-settings");
    const original = project.readFile(STACK_FILE);
    expect(original).not.toMatch(/inova-pbx:callRecords:/);
    expect(original).toMatch(/^config:\n/m);
    project.writeFile(STACK_FILE, original.replace(/^config:\n/m, `config:\n${INVALID_SETTINGS}`));
    await project.pulumi(["stack", "init", SITE, "--non-interactive"]);

    const result = await project.run("pulumi", ["preview", "--stack", SITE, "--non-interactive", "--suppress-progress"], { timeoutMs: 240_000 });
    exitCode = result.code;
    output = result.stdout + result.stderr;
  }, 300_000);

  afterAll(() => {
    project?.remove();
  });

  it("fails the preview", () => {
    expect(exitCode, output).not.toBe(0);
    expect(output).toContain(`Site "${SITE}" has`);
  });

  it("names value, rule and fix of a range", () => {
    const line = output.split("\n").find((candidate) => candidate.includes("inova-pbx:callRecords.binlogRetentionDays"));

    expect(line, output).toBeDefined();
    expect(line).toContain("120 is invalid");
    expect(line).toContain("use a whole number from 0 to 99");
    expect(line).toContain("days (0 keeps the binary log)");
  });

  it("rejects a fraction", () => {
    const line = output.split("\n").find((candidate) => candidate.includes("inova-pbx:callRecords.reconcileIntervalSeconds"));

    expect(line, output).toBeDefined();
    expect(line).toContain("2.5 is invalid");
    expect(line).toContain("use a whole number from 1 to 3600 (seconds)");
  });

  it("lists the allowed routes", () => {
    const line = output.split("\n").find((candidate) => candidate.includes("inova-pbx:callRecords.replicationRoute"));

    expect(line, output).toBeDefined();
    expect(line).toContain('"tunnel" is not allowed');
    expect(line).toContain("use one of: auto, relay, direct");
  });

  it("names an unknown key", () => {
    const line = output.split("\n").find((candidate) => candidate.includes("inova-pbx:callRecords.journalDays"));

    expect(line, output).toBeDefined();
    expect(line).toContain('unknown key "journalDays"');
    expect(line).toContain("remove it or use one of the accepted keys");
  });

  it("deploys nothing", async () => {
    const exported = JSON.parse(await project.pulumi(["stack", "export", "--stack", SITE])) as { deployment?: { resources?: unknown[] } };

    expect(exported.deployment?.resources ?? []).toEqual([]);
    expect(output).not.toMatch(/^\s*\+\s+inova-pbx:/m);
  });
});
