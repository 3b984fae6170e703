// Preview overhead: a no-change `pulumi preview` of the deployed mochis site
// against a `pulumi preview` of a program that registers no resources, with the
// same CLI, language host and file backend. Goal: ratio of medians ≤ 1.25.
//
//   node_modules/.bin/ts-node --transpile-only bench/preview.ts
//
// Prints progress on standard error and writes bench/results/preview.json.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { REPO_DIR } from "../test/support/project-copy";
import { runChecked } from "./lib/command";
import { BENCH_DIR, median, progress, ResultRecorder, roundTo } from "./lib/results";
import { asteriskVersion, SITE, SiteDeployment } from "./lib/site";

const NAME = "preview";
const RUNS = 5;
const RATIO_GOAL = 1.25;
const EMPTY_STACK = "bench";

/** Copies bench/fixtures/empty-program next to the project copy, links the repository's node_modules and returns its path. */
function prepareEmptyProgram(site: SiteDeployment): string {
  const source = path.join(BENCH_DIR, "fixtures", "empty-program");
  const target = path.join(path.dirname(site.project.dir), "empty-program");
  fs.cpSync(source, target, { recursive: true });
  fs.symlinkSync(path.join(REPO_DIR, "node_modules"), path.join(target, "node_modules"));
  return target;
}

async function previewSeconds(cwd: string, env: NodeJS.ProcessEnv, stack: string): Promise<number> {
  // --expect-no-changes makes the run fail if the preview found anything to change.
  const args = ["preview", "--stack", stack, "--expect-no-changes", "--non-interactive", "--suppress-progress"];
  const result = await runChecked("pulumi", args, { cwd, env, timeoutMs: 600_000 });
  return result.seconds;
}

async function main(): Promise<void> {
  const recorder = new ResultRecorder(
    NAME,
    "No-change preview",
    `A no-change \`pulumi preview\` of the deployed ${SITE} site, against a \`pulumi preview\` of a program that ` +
      "registers no resources (bench/fixtures/empty-program) with the same CLI, language host and file backend. " +
      `One warm-up run each, then ${RUNS} runs each, alternating.`,
  );
  const site = await SiteDeployment.create(NAME);
  try {
    await site.deploy();
    recorder.version("asterisk", await asteriskVersion());

    const env = site.project.env();
    const emptyDir = prepareEmptyProgram(site);
    await runChecked("pulumi", ["stack", "init", EMPTY_STACK, "--non-interactive"], { cwd: emptyDir, env });
    await runChecked("pulumi", ["up", "--yes", "--skip-preview", "--stack", EMPTY_STACK, "--suppress-progress"], {
      cwd: emptyDir,
      env,
    });

    progress(NAME, "warm-up previews");
    const warmUp = {
      site: roundTo(await previewSeconds(site.project.dir, env, SITE), 3),
      empty: roundTo(await previewSeconds(emptyDir, env, EMPTY_STACK), 3),
    };

    const siteSamples: number[] = [];
    const emptySamples: number[] = [];
    // The 1-minute load average before each pair of runs shows how busy the machine was.
    const loadBeforeRun: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      progress(NAME, `run ${run} of ${RUNS}`);
      loadBeforeRun.push(roundTo(os.loadavg()[0]));
      siteSamples.push(await previewSeconds(site.project.dir, env, SITE));
      emptySamples.push(await previewSeconds(emptyDir, env, EMPTY_STACK));
    }

    const siteMedian = median(siteSamples);
    const emptyMedian = median(emptySamples);
    const ratio = siteMedian / emptyMedian;
    recorder.row({ measure: `${SITE} site, no-change preview (median of ${RUNS})`, value: roundTo(siteMedian), unit: "s" });
    recorder.row({ measure: `empty program, preview (median of ${RUNS})`, value: roundTo(emptyMedian), unit: "s" });
    recorder.row({ measure: "ratio of the medians (site / empty program)", value: roundTo(ratio), goal: `≤ ${RATIO_GOAL}`, goalMet: ratio <= RATIO_GOAL });
    // The fastest runs are the least disturbed by other work on the machine.
    const siteFastest = Math.min(...siteSamples);
    const emptyFastest = Math.min(...emptySamples);
    recorder.row({ measure: `${SITE} site, fastest run`, value: roundTo(siteFastest), unit: "s" });
    recorder.row({ measure: "empty program, fastest run", value: roundTo(emptyFastest), unit: "s" });
    recorder.row({ measure: "ratio of the fastest runs (site / empty program)", value: roundTo(siteFastest / emptyFastest) });
    const file = recorder.write({
      runs: RUNS,
      warmUpSeconds: warmUp,
      siteSeconds: siteSamples.map((value) => roundTo(value, 3)),
      emptyProgramSeconds: emptySamples.map((value) => roundTo(value, 3)),
      loadAverageBeforeRun: loadBeforeRun,
    });
    progress(NAME, `site ${siteMedian.toFixed(2)} s, empty program ${emptyMedian.toFixed(2)} s, ratio ${ratio.toFixed(2)}; wrote ${file}`);
  } finally {
    await site.cleanUp();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench ${NAME}: failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
