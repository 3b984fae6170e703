// Configuration update under load: with the mochis site deployed and 10 calls
// in progress, an extension is renamed in the stack file and applied with
// `pulumi up`. Goals: 0 containers replaced, 0 calls dropped.
//
//   node_modules/.bin/ts-node --transpile-only bench/update.ts [--hold-seconds N]
//
// The calls are made by sipp from extension 100 to the IVR (199) with digest
// authentication. Each one is held for --hold-seconds (default 150) and then
// ended with BYE. A call counts as dropped unless sipp completed its whole
// scenario: a BYE from the PBX during the hold, an INVITE without a 200
// response or a BYE without a 200 response all make it fail.
// Prints progress on standard error and writes bench/results/update.json.

import { parseDocument, YAMLMap, YAMLSeq } from "yaml";

import { secondsSince } from "./lib/command";
import { startHeldCalls, type HeldCalls } from "./lib/held-calls";
import { progress, ResultRecorder, roundTo } from "./lib/results";
import {
  activeCalls,
  asteriskVersion,
  execInPbx,
  SITE,
  SITE_ADDRESS,
  siteContainers,
  SiteDeployment,
  type ContainerIdentity,
} from "./lib/site";

const NAME = "update";
const CALLS = 10;
const CALLER = "100";
const IVR = "199";
const RENAMED_EXTENSION = "101";
const NEW_NAME = "Quejas y Sugerencias";
/** Loopback address that sipp binds, outside the 127.0.8x.x ranges of the sites and the 127.0.88.x and 127.0.9x.x ranges of the tests. */
const SIPP_ADDRESS = "127.0.89.20";
/** The IVR waits this long for a digit per attempt; the stack's value is raised so the IVR keeps the calls up. */
const IVR_TIMEOUT_SECONDS = 60;
/**
 * The IVR hangs up after maxAttempts (3) timeouts of IVR_TIMEOUT_SECONDS each,
 * plus its prompts, so a hold must stay below 3 × 60 s to measure the update
 * and not the IVR's own hang-up.
 */
const MAX_HOLD_SECONDS = 170;
const DEFAULT_HOLD_SECONDS = 150;

function holdSecondsFromArguments(argv: readonly string[]): number {
  const index = argv.indexOf("--hold-seconds");
  if (index < 0) {
    return DEFAULT_HOLD_SECONDS;
  }
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 10 || value > MAX_HOLD_SECONDS) {
    throw new Error(`invalid --hold-seconds "${argv[index + 1]}": use a whole number of seconds from 10 to ${MAX_HOLD_SECONDS}`);
  }
  return value;
}

/** Returns the map in a YAML sequence whose key `key` equals `value`, or throws. */
function findEntry(sequence: unknown, key: string, value: string, what: string): YAMLMap {
  if (!(sequence instanceof YAMLSeq)) {
    throw new Error(`the stack file has no list ${what}`);
  }
  const entry = sequence.items.find((item) => item instanceof YAMLMap && String(item.get(key)) === value);
  if (!(entry instanceof YAMLMap)) {
    throw new Error(`the stack file has no entry with ${key} "${value}" in ${what}`);
  }
  return entry;
}

/** Applies `edit` to the stack file of the copy, keeping its comments and layout. */
function editStackFile(site: SiteDeployment, edit: (config: { extensions: unknown; ivrs: unknown }) => void): void {
  const document = parseDocument(site.project.readFile(site.stackFile));
  edit({
    extensions: document.getIn(["config", "inova-pbx:extensions"]),
    ivrs: document.getIn(["config", "inova-pbx:ivrs"]),
  });
  site.project.writeFile(site.stackFile, document.toString());
}

/** Steps of a `pulumi preview --json` that change something, as `op type name`. */
function changingSteps(previewJson: string): string[] {
  const preview = JSON.parse(previewJson) as { steps?: { op: string; urn: string }[] };
  return (preview.steps ?? [])
    .filter((step) => step.op !== "same")
    .map((step) => `${step.op} ${step.urn.split("::").slice(-2).join(" ")}`);
}

/** Containers whose id changed (replaced) or whose start time changed (restarted), by name. */
function changedContainers(before: readonly ContainerIdentity[], after: readonly ContainerIdentity[]): string[] {
  const changed: string[] = [];
  for (const old of before) {
    const now = after.find((container) => container.name === old.name);
    if (now === undefined) {
      changed.push(`${old.name}: removed`);
    } else if (now.id !== old.id) {
      changed.push(`${old.name}: replaced`);
    } else if (now.startedAt !== old.startedAt) {
      changed.push(`${old.name}: restarted`);
    }
  }
  for (const now of after) {
    if (!before.some((container) => container.name === now.name)) {
      changed.push(`${now.name}: created`);
    }
  }
  return changed;
}

async function waitForActiveCalls(count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = await activeCalls();
    if (last >= count) {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`only ${last} of ${count} calls were active after ${timeoutMs} ms; see sipp's errors in the results`);
}

async function main(): Promise<void> {
  const holdSeconds = holdSecondsFromArguments(process.argv.slice(2));
  const recorder = new ResultRecorder(
    NAME,
    "Configuration update with calls in progress",
    `With the ${SITE} site deployed, ${CALLS} calls from extension ${CALLER} to the IVR (${IVR}) are held for ` +
      `${holdSeconds} s by sipp. Meanwhile extension ${RENAMED_EXTENSION} is renamed in the stack file and applied ` +
      `with \`pulumi up\`. The stack copy sets the IVR's timeoutSeconds to ${IVR_TIMEOUT_SECONDS} and extension ` +
      `${CALLER}'s maxCalls to ${CALLS} before the first deploy, so that neither the IVR nor the call limit ends a call.`,
  );
  const site = await SiteDeployment.create(NAME);
  let calls: HeldCalls | undefined;
  try {
    editStackFile(site, ({ extensions, ivrs }) => {
      findEntry(extensions, "number", CALLER, "inova-pbx:extensions").set("maxCalls", CALLS);
      findEntry(ivrs, "number", IVR, "inova-pbx:ivrs").set("timeoutSeconds", IVR_TIMEOUT_SECONDS);
    });
    await site.deploy();
    recorder.version("asterisk", await asteriskVersion());
    const password = (await site.extensionPasswords())[CALLER];
    if (password === undefined) {
      throw new Error(`the stack outputs have no password for extension ${CALLER}`);
    }

    editStackFile(site, ({ extensions }) => {
      findEntry(extensions, "number", RENAMED_EXTENSION, "inova-pbx:extensions").set("name", NEW_NAME);
    });
    progress(NAME, "previewing the rename");
    const preview = await site.pulumi(["preview", "--json", "--stack", SITE]);
    const steps = changingSteps(preview.stdout);
    const replaceSteps = steps.filter((step) => /^(replace|create-replacement) /.test(step));

    const containersBefore = await siteContainers();
    progress(NAME, `starting ${CALLS} calls held for ${holdSeconds} s`);
    const callsStartNs = process.hrtime.bigint();
    calls = startHeldCalls({
      server: `${SITE_ADDRESS}:5060`,
      localAddress: SIPP_ADDRESS,
      user: CALLER,
      password,
      number: IVR,
      calls: CALLS,
      holdSeconds,
    });
    const activeBefore = await waitForActiveCalls(CALLS, 30_000);
    const callsUpSeconds = secondsSince(callsStartNs);

    progress(NAME, "applying the rename with pulumi up");
    const update = await site.pulumi(["up", "--yes", "--skip-preview", "--stack", SITE, "--suppress-progress"]);
    const updateEndSeconds = secondsSince(callsStartNs);
    const activeAfter = await activeCalls();
    const containersAfter = await siteContainers();
    const endpoint = await execInPbx(["asterisk", "-rx", `pjsip show endpoint ${RENAMED_EXTENSION}`]);
    const renameApplied = endpoint.includes(NEW_NAME);

    progress(NAME, "waiting for the calls to end");
    const callResult = await calls.result;
    const changed = changedContainers(containersBefore, containersAfter);
    const dropped = CALLS - callResult.successful;

    recorder.row({ measure: "`pulumi up` wall time", value: roundTo(update.seconds), unit: "s" });
    recorder.row({
      measure: "containers replaced or restarted (id or StartedAt changed)",
      value: changed.length,
      goal: "0",
      goalMet: changed.length === 0,
    });
    recorder.row({
      measure: "preview steps with op replace or create-replacement",
      value: replaceSteps.length,
      goal: "0",
      goalMet: replaceSteps.length === 0,
    });
    recorder.row({ measure: `calls dropped, of ${CALLS}`, value: dropped, goal: "0", goalMet: dropped === 0 });
    recorder.row({ measure: "calls active when the update started", value: activeBefore });
    recorder.row({ measure: "calls active when the update finished", value: activeAfter });
    recorder.row({ measure: "new name in Asterisk after the update", value: renameApplied });
    if (activeAfter < CALLS) {
      recorder.note(
        `Only ${activeAfter} of ${CALLS} calls were active when \`pulumi up\` finished, ${roundTo(updateEndSeconds)} s after ` +
          `the calls started and with a hold of ${holdSeconds} s: the dropped-call count does not cover the whole update.`,
      );
    }
    const file = recorder.write({
      holdSeconds,
      calls: CALLS,
      callsUpSeconds: roundTo(callsUpSeconds),
      updateStartSeconds: roundTo(updateEndSeconds - update.seconds),
      updateEndSeconds: roundTo(updateEndSeconds),
      updateSeconds: roundTo(update.seconds, 3),
      previewChangingSteps: steps,
      containersBefore,
      containersAfter,
      containersChanged: changed,
      sipp: { ...callResult, errors: callResult.errors.slice(-4_000) },
    });
    progress(NAME, `update ${update.seconds.toFixed(1)} s, ${changed.length} containers changed, ${dropped} calls dropped; wrote ${file}`);
  } finally {
    if (calls !== undefined && calls.child.exitCode === null && calls.child.signalCode === null) {
      calls.child.kill("SIGTERM");
      await calls.result.catch(() => undefined);
    }
    await site.cleanUp();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench ${NAME}: failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
