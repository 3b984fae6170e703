// The pull-request preview on a deployed site. `npm run preview:all` passes
// the policy pack and the replace check on an unchanged stack and on a change
// that only reloads Asterisk. It fails on a config change that would replace
// the database container, naming the resource and the changed properties.
// The policy pack also fails a program that breaks each of its rules, and
// actionlint accepts the workflow that runs the same command.

import Docker from "dockerode";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  DRIFT_SITE,
  assertNoDriftTestSite,
  createDriftTestProject,
  removeDriftTestSite,
  stageRecordsApiContext,
} from "../support/drifttest-site";
import { ProjectCopy, REPO_DIR, toolchainBinDir } from "../support/project-copy";

const STACK_FILE = `Pulumi.${DRIFT_SITE}.yaml`;
const docker = new Docker();

let project: ProjectCopy | undefined;
let declaredStack: string;

/** Runs `npm run preview:all` in the copy and returns its exit code and Markdown summary. */
async function previewAll(copy: ProjectCopy): Promise<{ code: number; summary: string; output: string }> {
  const summaryFile = path.join(path.dirname(copy.dir), "preview.md");
  fs.rmSync(summaryFile, { force: true });
  const result = await copy.run("npm", ["run", "--silent", "preview:all", "--", "--output", summaryFile]);
  const summary = fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, "utf8") : "";
  return { code: result.code, summary, output: `${result.stdout}\n${result.stderr}` };
}

/** Rewrites the stack file with `edit` applied to its config map. */
function editStack(copy: ProjectCopy, edit: (config: Record<string, unknown>) => void): void {
  const document = parse(declaredStack) as { config: Record<string, unknown> };
  edit(document.config);
  copy.writeFile(STACK_FILE, stringify(document));
}

beforeAll(async () => {
  await assertNoDriftTestSite(docker);
  project = createDriftTestProject("inova-preview");
  await project.pulumi(["stack", "init", DRIFT_SITE]);
  declaredStack = project.readFile(STACK_FILE);
  await project.pulumi(["up", "--yes", "--skip-preview", "--suppress-progress", "--stack", DRIFT_SITE], { timeoutMs: 1_200_000 });
});

afterAll(async () => {
  if (project !== undefined) {
    project.writeFile(STACK_FILE, declaredStack);
    await removeDriftTestSite(project, docker);
  }
});

describe("preview:all on a deployed site", () => {
  it("passes an unchanged stack", async () => {
    const result = await previewAll(project!);
    expect(result.code, result.output).toBe(0);
    expect(result.summary).toContain(`### ✅ ${DRIFT_SITE}`);
    expect(result.summary).toContain("No changes.");
    expect(result.summary).not.toContain("policy ");
  });

  it("stores the policy's secret properties encrypted", async () => {
    const state = JSON.parse(await project!.pulumi(["stack", "export", "--stack", DRIFT_SITE])) as {
      deployment: { resources: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] };
    };
    const secretSignature = "4dabf18193072939515e22adb298388d";
    const { SECRET_PROPERTIES } = await import("../../policy/rules");
    let checked = 0;
    for (const resource of state.deployment.resources) {
      const declared = SECRET_PROPERTIES[resource.type];
      if (declared === undefined) {
        continue;
      }
      for (const name of declared.inputs) {
        const value = resource.inputs?.[name] as Record<string, unknown> | undefined;
        expect(value?.[secretSignature], `${resource.type} input ${name}`).toBeDefined();
        checked++;
      }
      for (const name of declared.outputs) {
        const value = resource.outputs?.[name] as Record<string, unknown> | undefined;
        expect(value?.[secretSignature], `${resource.type} output ${name}`).toBeDefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("passes a change that only reloads", async () => {
    editStack(project!, (config) => {
      const extensions = config["inova-pbx:extensions"] as { number: string; name: string }[];
      extensions.find((extension) => extension.number === "102")!.name = "Facturación y Cobranza";
    });
    const result = await previewAll(project!);
    expect(result.code, result.output).toBe(0);
    expect(result.summary).toMatch(/^\| update \| `pulumi-nodejs:dynamic\/docker:ContainerFiles` \| drifttest-pbx-config \|/m);
    expect(result.summary).not.toMatch(/^\| replace /m);
  });

  it("fails a change that replaces the database container", async () => {
    editStack(project!, (config) => {
      config["inova-pbx:callRecords"] = { binlogRetentionDays: 3 };
    });
    const result = await previewAll(project!);
    expect(result.code).toBe(1);
    expect(result.summary).toContain(`### ❌ ${DRIFT_SITE}`);
    expect(result.summary).toContain(
      `stack ${DRIFT_SITE} would replace container inova-${DRIFT_SITE}-cdr-db (${DRIFT_SITE}-records-db) because env (`,
    );
    expect(result.summary).toMatch(/because env \([A-Z_, ]+\) changed, which drops its calls or connections/);
  });
});

describe("preview:all on the real stacks", () => {
  let copy: ProjectCopy | undefined;

  afterAll(() => {
    copy?.remove();
  });

  // Previews only: each stack is new on the copy's own backend, so nothing is deployed.
  it("passes every site before deployment", async () => {
    copy = ProjectCopy.create("inova-preview-real");
    stageRecordsApiContext(copy);
    const stacks = ["mochis", "silicon", "tabasco"];
    for (const stack of stacks) {
      await copy.pulumi(["stack", "init", stack]);
    }

    const result = await previewAll(copy);
    expect(result.code, result.output).toBe(0);
    for (const stack of stacks) {
      expect(result.summary).toContain(`### ✅ ${stack}`);
    }
    expect(result.summary).not.toContain("policy ");
  });
});

describe("policy pack", () => {
  let fixtureDir: string | undefined;

  afterAll(() => {
    if (fixtureDir !== undefined) {
      fs.rmSync(fixtureDir, { recursive: true, force: true });
    }
  });

  it("rejects a program that breaks every rule", () => {
    fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), "inova-policy-violations-"));
    fs.cpSync(path.join(REPO_DIR, "test", "fixtures", "policy-violations"), fixtureDir, { recursive: true });
    fs.symlinkSync(path.join(REPO_DIR, "node_modules"), path.join(fixtureDir, "node_modules"));
    fs.mkdirSync(path.join(fixtureDir, ".state"));
    const env = {
      ...process.env,
      PATH: `${toolchainBinDir()}:${process.env.PATH ?? ""}`,
      PULUMI_BACKEND_URL: `file://${path.join(fixtureDir, ".state")}`,
      PULUMI_CONFIG_PASSPHRASE: "inova-local-only",
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    execFileSync("pulumi", ["stack", "init", "violations"], { cwd: fixtureDir, env });
    const result = spawnSync(
      "pulumi",
      ["preview", "--stack", "violations", "--suppress-progress", "--policy-pack", path.join(REPO_DIR, "policy")],
      { cwd: fixtureDir, env, encoding: "utf8" },
    );
    const output = `${result.stdout}\n${result.stderr}`;

    expect(result.status, output).not.toBe(0);
    expect(output).toContain("[mandatory]  database-least-privilege  (pulumi-nodejs:dynamic/mariadb:Grant: app-everything)");
    expect(output).toContain("grant on *.* to 'app'@'127.0.106.1' includes ALL PRIVILEGES; only root@localhost may hold ALL or GRANT OPTION");
    expect(output).toContain("grant on inova_cdr.* to 'app'@'127.0.106.1' includes GRANT OPTION");
    expect(output).toContain("pjsip.conf line 4 sets password in a non-secret file of /etc/asterisk; move the credential into secretFiles.");
    expect(output).toContain("environment variable MARIADB_ROOT_PASSWORD of container inova-drifttest-fixture carries a credential");
    expect(output).toContain("output value of pulumi-nodejs:dynamic/inova:GeneratedSecret is missing from additionalSecretOutputs");
    expect(output).toContain("the password of database account app is weak: it is shorter than 16 characters.");
    expect(output).toContain("the secret on iax_secrets.conf line 2 is weak: it uses 1 of the 4 character classes, fewer than 3");
    // Messages name the problem, never the secret value.
    expect(output).not.toContain("Inova2026");
    expect(output).not.toContain("aaaaaaaaaaaaaaaaaaaa");
  });
});

describe("preview workflow", () => {
  it("passes actionlint", () => {
    const versions = fs.readFileSync(path.join(REPO_DIR, "scripts", "toolchain", "versions.env"), "utf8");
    const version = /^ACTIONLINT_VERSION=(\S+)$/m.exec(versions)?.[1];
    expect(version).toBeDefined();
    execFileSync("bash", [path.join(REPO_DIR, "scripts", "toolchain", "actionlint.sh")]);
    const cacheDir = process.env.INOVA_CACHE_DIR ?? path.join(os.homedir(), ".cache", "inova-pbx");
    const actionlint = path.join(cacheDir, "tools", `actionlint-${version}`, "actionlint");

    const result = spawnSync(actionlint, [".github/workflows/preview.yml"], { cwd: REPO_DIR, encoding: "utf8" });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);

    const workflow = parse(fs.readFileSync(path.join(REPO_DIR, ".github", "workflows", "preview.yml"), "utf8")) as {
      on: Record<string, unknown>;
    };
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    const text = fs.readFileSync(path.join(REPO_DIR, ".github", "workflows", "preview.yml"), "utf8");
    expect(text).toContain("npm run --silent preview:all");
  });
});
