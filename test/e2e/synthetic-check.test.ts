// `npm run check` against a deployed site: a stack of its own, `synthtest` (the Villahermosa
// site's extensions, ring groups and IVR on 127.0.107.1, access code 87), deployed from a
// private copy of the project with no other stack file. The check passes on the healthy
// site, then reports the features that a missing IVR recording and a stopped database break,
// and still passes the ones they leave alone.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PROMPT_DIRECTORY } from "../../components/asterisk/names";
import { ProjectCopy, type CommandResult } from "../support/project-copy";

const STACK = "synthtest";
const PBX = `inova-${STACK}-pbx`;
const DATABASE = `inova-${STACK}-cdr-db`;

let project: ProjectCopy;

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function containerExists(name: string): boolean {
  try {
    docker("inspect", name);
    return true;
  } catch {
    return false;
  }
}

/** Writes Pulumi.synthtest.yaml from the Villahermosa stack file, on this test's address, ports and access code. */
function writeStackFile(copy: ProjectCopy): void {
  const source = parse(copy.readFile("Pulumi.tabasco.yaml")) as { config: Record<string, unknown> };
  const config = { ...source.config };
  config["inova-pbx:site"] = {
    ...(config["inova-pbx:site"] as Record<string, unknown>),
    name: "Synthtest",
    role: "hq",
    address: "127.0.107.1",
    accessCode: "87",
    rtpPorts: { start: 36000, end: 36999 },
  };
  config["inova-pbx:deleteDataOnDestroy"] = true;
  for (const file of fs.readdirSync(copy.dir).filter((name) => /^Pulumi\..+\.yaml$/.test(name))) {
    fs.rmSync(path.join(copy.dir, file));
  }
  copy.writeFile(`Pulumi.${STACK}.yaml`, stringify({ config }));
}

function runCheck(): Promise<CommandResult> {
  return project.run("npm", ["run", "--silent", "check", "--", STACK], { timeoutMs: 900_000 });
}

/** Returns the report line of a feature, e.g. `PASS  extension 300 ...`. */
function reportLine(result: CommandResult, feature: string): string {
  const line = result.stdout.split("\n").find((candidate) => candidate.slice(6).startsWith(`${feature} `));
  if (line === undefined) {
    throw new Error(`no report line for "${feature}" in:\n${result.stdout}\n${result.stderr}`);
  }
  return line;
}

beforeAll(async () => {
  for (const name of [PBX, DATABASE]) {
    if (containerExists(name)) {
      throw new Error(`a container named ${name} already exists; remove the ${STACK} deployment first (pulumi destroy -s ${STACK}).`);
    }
  }
  project = ProjectCopy.create(`inova-${STACK}`);
  writeStackFile(project);
  await project.pulumi(["stack", "init", STACK]);
  await project.pulumi(["up", "--stack", STACK, "--yes", "--skip-preview", "--suppress-progress"], { timeoutMs: 1_500_000 });
});

afterAll(async () => {
  if (project === undefined) {
    return;
  }
  try {
    // The database's accounts are removed through the server, so it must run for destroy.
    if (containerExists(DATABASE)) {
      docker("start", DATABASE);
    }
    await project.pulumi(["destroy", "--stack", STACK, "--yes", "--skip-preview", "--suppress-progress"], { timeoutMs: 900_000 });
    await project.pulumi(["stack", "rm", STACK, "--yes"]);
  } finally {
    // A copy whose destroy failed is kept while its containers exist, so its state can still remove them.
    if (!containerExists(PBX) && !containerExists(DATABASE)) {
      project.remove();
    }
  }
});

describe("synthetic check of a deployed site", () => {
  it("passes every feature of a healthy site", async () => {
    const result = await runCheck();

    expect(result.stdout).not.toMatch(/^FAIL/m);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    for (const extension of ["300", "301", "302", "303", "304", "305", "306", "307", "308"]) {
      expect(reportLine(result, `extension ${extension}`)).toMatch(new RegExp(`^PASS .* voicemail ${extension} answered$`));
    }
    expect(reportLine(result, "ring group 601")).toMatch(/^PASS .*went to 300's voicemail$/);
    expect(reportLine(result, "ring group 602")).toMatch(/^PASS .*went to 301's voicemail$/);
    expect(reportLine(result, "ivr 399 greeting")).toMatch(/^PASS  ivr 399 greeting +played "ivr-(dia|tarde|noche)"/);
    for (const digit of ["1", "2", "3", "4"]) {
      expect(reportLine(result, `ivr 399 option ${digit}`)).toMatch(/^PASS/);
    }
    expect(reportLine(result, "call records")).toMatch(new RegExp(`^PASS .* recorded in ${DATABASE} \\(accountcode synthetic-check\\)$`));
    expect(result.stdout).toMatch(/^summary: 18 passed, 0 failed, 0 skipped$/m);
  });

  it("marks test calls in the call records", () => {
    const rows = docker("exec", DATABASE, "mariadb", "--batch", "--skip-column-names", "-e",
      "SELECT COUNT(*), SUM(accountcode = 'synthetic-check') FROM inova_cdr.cdr WHERE site = 'synthtest'");
    const [total, marked] = rows.split(/\s+/).map(Number);
    const unmarked = docker("exec", DATABASE, "mariadb", "--batch", "-e",
      "SELECT channel, dstchannel, dst, dcontext, lastapp, disposition FROM inova_cdr.cdr WHERE site = 'synthtest' AND accountcode <> 'synthetic-check'");
    expect(total).toBeGreaterThan(0);
    expect(marked, `records without the account code:\n${unmarked}`).toBe(total);
  });

  it("reports a missing recording and a stopped database", async () => {
    docker("exec", PBX, "sh", "-c", `rm -f ${PROMPT_DIRECTORY}/ivr-dia.* ${PROMPT_DIRECTORY}/ivr-tarde.* ${PROMPT_DIRECTORY}/ivr-noche.*`);
    docker("stop", "-t", "20", DATABASE);

    const result = await runCheck();

    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(reportLine(result, "ivr 399 greeting")).toMatch(/^FAIL .*did not play "ivr-(dia|tarde|noche)"/);
    expect(reportLine(result, "call records")).toBe(`FAIL  call records           cannot query ${DATABASE}: container ${DATABASE} is exited`);
    expect(reportLine(result, "extension 300")).toMatch(/^PASS/);
    expect(reportLine(result, "ring group 601")).toMatch(/^PASS/);
  });
});
