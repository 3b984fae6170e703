// Synthetic check of a deployed site: places test calls through the site's Asterisk and
// reports, feature by feature, what works.
//
//   npm run check -- <site> [--ring] [--pbx-container NAME] [--db-container NAME] [--hq-db-container NAME]
//
// It never rings a registered phone unless --ring is given: features that would ring one are
// reported as skipped. Test calls carry the account code `synthetic-check` in their call
// records. The exit code is 0 when nothing failed, 1 when a feature failed, 2 on bad usage.

import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

import { localContext } from "../components/asterisk/names";
import { loadSiteCallFlows, type SiteCallFlowInput } from "../components/diagrams/project";
import { loadProjectSites } from "../components/model/load";
import { localTimeIn, planProbes, type CallProbe } from "./synthetic/plan";
import { PbxContainer, TEST_ACCOUNT_CODE } from "./synthetic/pbx";

const run = promisify(execFile);

const USAGE =
  "usage: npm run check -- <site> [--ring] [--pbx-container NAME] [--db-container NAME] [--hq-db-container NAME]\n" +
  "  <site>              stack name, e.g. mochis\n" +
  "  --ring              also call features that ring registered phones\n" +
  "  --pbx-container     PBX container (default inova-<site>-pbx)\n" +
  "  --db-container      call-record database container (default inova-<site>-cdr-db)\n" +
  "  --hq-db-container   HQ's database container, checked at a branch (default inova-<hq>-cdr-db)";

/** Seconds a test call may take to reach its target. An IVR greeting plays in full before the menu waits. */
const CALL_TIMEOUT_SECONDS = 40;

/** Seconds to wait for the call records to reach the site's database, and then HQ's. */
const RECORD_TIMEOUT_SECONDS = 45;

type Status = "PASS" | "FAIL" | "SKIP";

interface Arguments {
  readonly site: string;
  readonly ring: boolean;
  readonly pbxContainer?: string;
  readonly dbContainer?: string;
  readonly hqDbContainer?: string;
}

class Report {
  private readonly counts: Record<Status, number> = { PASS: 0, FAIL: 0, SKIP: 0 };

  line(status: Status, feature: string, detail: string): void {
    this.counts[status] += 1;
    console.log(`${status}  ${feature.padEnd(22)} ${detail}`);
  }

  get failed(): number {
    return this.counts.FAIL;
  }

  summary(): string {
    return `summary: ${this.counts.PASS} passed, ${this.counts.FAIL} failed, ${this.counts.SKIP} skipped`;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: Arguments;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    console.error(`check: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  const projectDir = path.resolve(__dirname, "..");
  const site = loadSiteCallFlows(projectDir).find((candidate) => candidate.code === parsed.site);
  if (site === undefined) {
    const known = loadProjectSites(projectDir).map((candidate) => candidate.code);
    console.error(`check: no stack file Pulumi.${parsed.site}.yaml in ${projectDir}; known sites: ${known.join(", ") || "none"}.`);
    return 2;
  }

  const report = new Report();
  const pbx = new PbxContainer(parsed.pbxContainer ?? `inova-${site.code}-pbx`);
  console.log(`synthetic check of site ${site.code} (${site.model.site.name}) through container ${pbx.name}`);
  const uniqueIds = await checkCalls(site, pbx, parsed.ring, report);
  if (uniqueIds !== undefined) {
    await checkRecords(site, projectDir, uniqueIds, parsed, report);
  }
  console.log(report.summary());
  return report.failed === 0 ? 0 : 1;
}

/** Places the test calls and reports each. Returns the unique ids of each call's channels, or undefined when the Asterisk CLI fails. */
async function checkCalls(site: SiteCallFlowInput, pbx: PbxContainer, ring: boolean, report: Report): Promise<string[][] | undefined> {
  const { model } = site;
  let version: string;
  try {
    version = (await pbx.cli("core show version")).trim();
  } catch (error) {
    report.line("FAIL", "asterisk", `the Asterisk CLI failed in container ${pbx.name}: ${firstLine((error as Error).message)}`);
    return undefined;
  }
  report.line("PASS", "asterisk", version.split(" ").slice(0, 2).join(" "));

  const context = localContext(model.site);
  const states = await pbx.deviceStates(context);
  const localTime = localTimeIn(model.site.timezone, new Date());
  const probes = planProbes(model, site.peers, states, { ring, localTime });
  const calls: string[][] = [];
  try {
    for (const [index, probe] of probes.entries()) {
      if (probe.kind === "skipped") {
        report.line("SKIP", probe.feature, probe.reason);
        continue;
      }
      const result = await placeCall(pbx, context, probe, `probe-${index + 1}`);
      calls.push([...result.uniqueIds]);
      if (result.reached) {
        report.line("PASS", probe.feature, probe.success);
      } else {
        report.line("FAIL", probe.feature, `${probe.failure}${result.endedEarly ? " (the call ended early)" : ""}`);
      }
    }
  } finally {
    await pbx.removeCheckContext();
  }
  return calls;
}

async function placeCall(pbx: PbxContainer, context: string, probe: CallProbe, probeId: string) {
  return pbx.call(probeId, context, probe.number, probe.digits, probe.reached, CALL_TIMEOUT_SECONDS);
}

/** Checks that each test call has a record in the site's database and, at a branch, in HQ's. */
async function checkRecords(site: SiteCallFlowInput, projectDir: string, calls: readonly string[][], parsed: Arguments, report: Report): Promise<void> {
  const placed = calls.filter((ids) => ids.length > 0);
  if (placed.length === 0) {
    report.line("SKIP", "call records", "no test call was placed");
    return;
  }
  const database = parsed.dbContainer ?? `inova-${site.code}-cdr-db`;
  const local = await waitForRecords(database, site.code, placed);
  recordLine(report, "call records", database, local, placed.length);

  if (site.model.site.role !== "branch") {
    return;
  }
  const hq = loadProjectSites(projectDir).find((candidate) => candidate.role === "hq");
  if (hq === undefined && parsed.hqDbContainer === undefined) {
    report.line("SKIP", "records at HQ", "no stack file has role hq; pass --hq-db-container");
    return;
  }
  const hqDatabase = parsed.hqDbContainer ?? `inova-${hq?.code}-cdr-db`;
  const replicated = await waitForRecords(hqDatabase, site.code, placed);
  recordLine(report, "records at HQ", hqDatabase, replicated, placed.length);
}

function recordLine(report: Report, feature: string, database: string, result: RecordCount, expected: number): void {
  if (result.error !== undefined) {
    report.line("FAIL", feature, `cannot query ${database}: ${result.error}`);
  } else if (result.found === expected) {
    report.line("PASS", feature, `${result.found} of ${expected} test calls recorded in ${database} (accountcode ${TEST_ACCOUNT_CODE})`);
  } else {
    report.line("FAIL", feature, `only ${result.found} of ${expected} test calls recorded in ${database} after ${RECORD_TIMEOUT_SECONDS} s`);
  }
}

interface RecordCount {
  readonly found: number;
  readonly error?: string;
}

/** Counts the test calls with at least one record of `siteCode` in the database, waiting up to RECORD_TIMEOUT_SECONDS for all of them. */
async function waitForRecords(container: string, siteCode: string, calls: readonly string[][]): Promise<RecordCount> {
  const ids = [...new Set(calls.flat())];
  const list = ids.map((id) => `'${id.replace(/[^A-Za-z0-9._-]/g, "")}'`).join(",");
  const query =
    `SELECT DISTINCT uniqueid, linkedid FROM inova_cdr.cdr WHERE site = '${siteCode.replace(/[^A-Za-z0-9_-]/g, "")}' ` +
    `AND accountcode = '${TEST_ACCOUNT_CODE}' AND (uniqueid IN (${list}) OR linkedid IN (${list}))`;
  const running = await containerState(container);
  if (running !== "running") {
    return { found: 0, error: `container ${container} is ${running}` };
  }
  const deadline = Date.now() + RECORD_TIMEOUT_SECONDS * 1000;
  let last: RecordCount = { found: 0 };
  while (Date.now() < deadline) {
    try {
      const { stdout } = await run("docker", ["exec", container, "mariadb", "--batch", "--skip-column-names", "-e", query]);
      const recorded = new Set(stdout.split(/\s+/).filter((id) => id !== ""));
      const found = calls.filter((callIds) => callIds.some((id) => recorded.has(id))).length;
      last = { found };
      if (found === calls.length) {
        return last;
      }
    } catch (error) {
      last = { found: 0, error: firstLine((error as { stderr?: string; message: string }).stderr || (error as Error).message) };
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return last;
}

/** Returns the container's state as Docker reports it, e.g. `running` or `exited`, or `missing`. */
async function containerState(container: string): Promise<string> {
  try {
    const { stdout } = await run("docker", ["inspect", "--format", "{{.State.Status}}", container]);
    return stdout.trim();
  } catch {
    return "missing";
  }
}

function parseArguments(argv: readonly string[]): Arguments {
  const values: Record<string, string> = {};
  let site: string | undefined;
  let ring = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === "--ring") {
      ring = true;
    } else if (["--pbx-container", "--db-container", "--hq-db-container"].includes(argument)) {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith("--")) {
        throw new Error(`${argument} needs a container name.`);
      }
      values[argument] = value;
      index += 1;
    } else if (argument.startsWith("--")) {
      throw new Error(`unknown option ${argument}.`);
    } else if (site === undefined) {
      site = argument;
    } else {
      throw new Error(`unexpected argument "${argument}"; name one site.`);
    }
  }
  if (site === undefined) {
    throw new Error("missing site name.");
  }
  return {
    site,
    ring,
    pbxContainer: values["--pbx-container"],
    dbContainer: values["--db-container"],
    hqDbContainer: values["--hq-db-container"],
  };
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      console.error(`check: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
