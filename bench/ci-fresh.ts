// The test command as CI runs it (`CI=true bash .ci/run`) on a clean clone with
// empty caches, timed against the 90 minutes CI allows. Goal: at most 90 minutes.
//
//   node_modules/.bin/ts-node --transpile-only bench/ci-fresh.ts
//
// It clones the committed HEAD and gives the run empty set-up, Go and npm caches
// and a PATH without the project's toolchain. It first removes the project's
// images (`inova/*`) and the engine's dangling images, so the run builds the
// toolchain, the base image and every image again. Takes about 70 minutes on 2
// cores. Prints progress on standard error and writes bench/results/ci-fresh.json
// and the run's whole output to bench/results/ci-fresh.log.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { REPO_DIR } from "../test/support/project-copy";
import { runTimed } from "./lib/command";
import { progress, ResultRecorder, RESULTS_DIR, roundTo } from "./lib/results";

const NAME = "ci-fresh";
const GOAL_MINUTES = 90;
/** The run is stopped after this long, well past the goal, so a hung test cannot hold the machine. */
const TIMEOUT_MINUTES = 150;

/** Returns the `repository:tag` of every project image. */
function projectImageReferences(): string[] {
  return execFileSync("docker", ["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "reference=inova/*"], { encoding: "utf8" })
    .split("\n")
    .filter((reference) => reference !== "");
}

/**
 * Removes the project's images and the dangling ones, so the run builds every
 * image again. An image that another one is built on cannot go before it, so
 * this repeats until no project image is left or a pass removes nothing.
 */
function removeProjectImages(): number {
  const initial = projectImageReferences().length;
  let remaining = initial;
  while (remaining > 0) {
    for (const reference of projectImageReferences()) {
      try {
        execFileSync("docker", ["image", "rm", reference], { stdio: "ignore" });
      } catch {
        // Another image is built on it; a later pass removes it after that one.
      }
    }
    execFileSync("docker", ["image", "prune", "--force"], { stdio: "ignore" });
    const left = projectImageReferences().length;
    if (left === remaining) {
      throw new Error(`${left} project images could not be removed: ${projectImageReferences().join(", ")}; remove the containers that use them`);
    }
    remaining = left;
  }
  return initial;
}

/** Environment of a machine that has never run the project: empty caches and no toolchain on PATH. */
function freshEnvironment(caches: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true" };
  for (const key of Object.keys(env)) {
    if (key.startsWith("PULUMI_") || key.startsWith("INOVA_")) {
      delete env[key];
    }
  }
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((entry) => !entry.includes("inova-pbx"))
    .join(":");
  env.INOVA_CACHE_DIR = path.join(caches, "inova-pbx");
  env.GOMODCACHE = path.join(caches, "go-mod");
  env.GOCACHE = path.join(caches, "go-build");
  env.npm_config_cache = path.join(caches, "npm");
  return env;
}

async function main(): Promise<void> {
  const recorder = new ResultRecorder(
    NAME,
    "Test command on a fresh machine",
    "`CI=true bash .ci/run` on a clean clone of the committed HEAD, with empty set-up, Go and npm caches, no " +
      "toolchain on PATH and the project's images removed, so the run builds the Pulumi CLI, the language host, " +
      "the Debian base image and every image itself, then runs every test.",
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "inova-bench-ci-fresh-"));
  try {
    const clone = path.join(work, "inova-pbx");
    execFileSync("git", ["clone", "--quiet", REPO_DIR, clone]);
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: clone, encoding: "utf8" }).trim();
    const removed = removeProjectImages();
    progress(NAME, `removed ${removed} project images; running CI=true bash .ci/run in a clone of ${commit}`);

    const logFile = path.join(RESULTS_DIR, "ci-fresh.log");
    const result = await runTimed("bash", [".ci/run"], {
      cwd: clone,
      env: freshEnvironment(path.join(work, "caches")),
      timeoutMs: TIMEOUT_MINUTES * 60_000,
      marks: { setupReady: /^setup: ready/, testsStarted: /RUN\s+v\d/ },
    });
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(logFile, `${result.stdout}\n--- standard error ---\n${result.stderr}`);
    const output = `${result.stdout}\n${result.stderr}`;
    const summary = /tests: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(output);
    const minutes = result.seconds / 60;

    recorder.row({ measure: "commit", value: commit });
    recorder.row({ measure: "exit code of .ci/run", value: result.code, goal: "0", goalMet: result.code === 0 });
    recorder.row({ measure: "wall time", value: roundTo(minutes, 1), unit: "min", goal: `≤ ${GOAL_MINUTES}`, goalMet: minutes <= GOAL_MINUTES });
    if (result.markSeconds.setupReady !== undefined) {
      recorder.row({ measure: "of which the set-up step (toolchain, engine, base image)", value: roundTo(result.markSeconds.setupReady / 60, 1), unit: "min" });
    }
    recorder.row({ measure: "tests passed", value: summary === null ? null : Number(summary[1]) });
    recorder.row({ measure: "tests failed", value: summary === null ? null : Number(summary[2]), goal: "0", goalMet: summary === null ? null : summary[2] === "0" });
    recorder.row({ measure: "tests skipped", value: summary === null ? null : Number(summary[3]), goal: "0", goalMet: summary === null ? null : summary[3] === "0" });
    recorder.note(
      "Debian packages that the set-up step installs (docker.io, debootstrap, chromium, sipp, baresip and the " +
        "audio tools) were already installed on this machine, so their download and installation, a few minutes " +
        "on a machine without them, are not in the time. Everything else was built from the npm registry, the Go " +
        "module proxy and Debian's archive during the run.",
    );
    if (summary === null) {
      recorder.note("The run printed no `tests: N passed, N failed, N skipped` line; the log's tail is in the raw results.");
    }
    progress(NAME, `.ci/run exited with ${result.code} after ${minutes.toFixed(1)} min${summary === null ? "" : `: ${summary[0]}`}`);
    recorder.write({ seconds: result.seconds, marks: result.markSeconds, summary: summary?.[0] ?? null, logTail: output.split("\n").slice(-60) });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
