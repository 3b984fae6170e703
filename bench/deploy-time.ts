// Deploy times of the mochis site: the set-up step with everything cached, a
// first deploy on an empty backend, and a warm redeploy after `pulumi destroy`
// (which keeps the stack's volumes). With --fresh it also builds the whole
// toolchain, the base image and the PBX image from nothing, as on a new
// machine. By the 2026-12-04 figures in RESULTS.md that keeps both cores busy
// for about 7 minutes.
//
//   node_modules/.bin/ts-node --transpile-only bench/deploy-time.ts [--fresh]
//
// Prints progress on standard error and writes bench/results/deploy-time.json.

import Docker from "dockerode";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { ProjectCopy, toolchainBinDir } from "../test/support/project-copy";
import { runChecked, type TimedRunResult } from "./lib/command";
import { median, progress, ResultRecorder, roundTo } from "./lib/results";
import { asteriskVersion, imageCacheState, SITE, SiteDeployment, VOLUME, volumeExists } from "./lib/site";

const NAME = "deploy-time";
const SETUP_RUNS = 3;
/** Tags that the --fresh measurement builds and removes again, apart from the ones that deploys use. */
const FRESH_BASE_IMAGE = "inova/debian-sid:bench-fresh";
const FRESH_PBX_IMAGE = "inova/asterisk:bench-fresh";

const docker = new Docker();

/** Seconds of `pulumi up` inside a run of scripts/deploy.sh: from its "deploying" line to the exit. */
function pulumiUpSeconds(deploy: TimedRunResult): number | null {
  const start = deploy.markSeconds.pulumiUp;
  return start === undefined ? null : deploy.seconds - start;
}

async function measureCachedSetup(project: ProjectCopy): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 1; run <= SETUP_RUNS; run++) {
    progress(NAME, `set-up step with everything cached, run ${run} of ${SETUP_RUNS}`);
    const result = await runChecked("bash", ["scripts/setup.sh"], { cwd: project.dir, env: project.env(), timeoutMs: 600_000 });
    samples.push(result.seconds);
  }
  return samples;
}

interface FreshMeasurement {
  readonly setupSeconds: number;
  readonly pulumiCliSeconds: number | null;
  readonly languageHostSeconds: number | null;
  readonly baseImageSeconds: number | null;
  readonly pbxImageSeconds: number;
}

/** Returns the seconds that build.sh reports in a line such as "setup: built pulumi CLI in 329s". */
function reportedBuildSeconds(stderr: string, binary: string): number | null {
  const match = new RegExp(`built ${binary} in (\\d+)s`).exec(stderr);
  return match === null ? null : Number(match[1]);
}

/**
 * Runs the set-up step in a project copy with an empty INOVA_CACHE_DIR, an empty
 * Go build cache and a base image tag that does not exist yet, then builds the
 * PBX image from that base without the layer cache.
 * NOTE: the Go module cache (GOMODCACHE) stays shared, so module downloads that
 * a new machine would make are not part of the figure.
 */
async function measureFreshMachine(): Promise<FreshMeasurement> {
  const project = ProjectCopy.create("inova-bench-fresh");
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "inova-bench-cache-"));
  const goCacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "inova-bench-gocache-"));
  const baseEnv = project.env();
  // build.sh uses any pulumi of the pinned version that it finds on PATH outside
  // its cache directory, so the cached toolchain must not be on PATH.
  const cachedToolchain = toolchainBinDir();
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    PATH: (baseEnv.PATH ?? "")
      .split(":")
      .filter((entry) => entry !== "" && entry !== cachedToolchain)
      .join(":"),
    INOVA_CACHE_DIR: cacheDir,
    GOCACHE: goCacheDir,
    INOVA_BASE_IMAGE: FRESH_BASE_IMAGE,
    DOCKER_BUILDKIT: "0",
  };
  delete env.PULUMI_HOME;

  try {
    progress(NAME, "set-up step on an empty cache (builds the toolchain and the base image)");
    const setup = await runChecked("bash", ["scripts/setup.sh"], {
      cwd: project.dir,
      env,
      timeoutMs: 3_600_000,
      marks: { baseImageStart: /building base image/, ready: /^setup: ready$/ },
    });
    const { baseImageStart, ready } = setup.markSeconds;

    progress(NAME, "building the PBX image without the layer cache");
    const image = await runChecked(
      "docker",
      ["build", "--no-cache", "--build-arg", `BASE_IMAGE=${FRESH_BASE_IMAGE}`, "-t", FRESH_PBX_IMAGE, "assets/asterisk"],
      { cwd: project.dir, env, timeoutMs: 1_800_000 },
    );
    return {
      setupSeconds: setup.seconds,
      pulumiCliSeconds: reportedBuildSeconds(setup.stderr, "pulumi CLI"),
      languageHostSeconds: reportedBuildSeconds(setup.stderr, "pulumi-language-nodejs"),
      baseImageSeconds: baseImageStart !== undefined && ready !== undefined ? ready - baseImageStart : null,
      pbxImageSeconds: image.seconds,
    };
  } finally {
    for (const tag of [FRESH_PBX_IMAGE, FRESH_BASE_IMAGE]) {
      await docker
        .getImage(tag)
        .remove()
        .catch(() => undefined);
    }
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.rmSync(goCacheDir, { recursive: true, force: true });
    project.remove();
  }
}

async function main(): Promise<void> {
  const fresh = process.argv.includes("--fresh");
  const recorder = new ResultRecorder(
    NAME,
    "Deploy time",
    `The set-up step with everything cached (median of ${SETUP_RUNS}), a first deploy of the ${SITE} site with ` +
      "`bash scripts/deploy.sh mochis` on an empty file backend, then `pulumi destroy` (the voicemail volume is kept) " +
      "and the same deploy command again. The deploy command includes the set-up step, so `pulumi up` is also shown alone.",
  );
  const site = await SiteDeployment.create(NAME);
  try {
    const setupSamples = await measureCachedSetup(site.project);

    const firstCache = await imageCacheState(site.project.dir);
    const first = await site.deploy();
    recorder.version("asterisk", await asteriskVersion());

    const destroy = await site.destroy();
    const volumeKept = await volumeExists(VOLUME);

    const warmCache = await imageCacheState(site.project.dir);
    const warm = await site.deploy();

    const firstUp = pulumiUpSeconds(first);
    const warmUp = pulumiUpSeconds(warm);
    recorder.row({ measure: `set-up step, everything cached (median of ${SETUP_RUNS})`, value: roundTo(median(setupSamples)), unit: "s" });
    recorder.row({ measure: "first deploy: deploy command", value: roundTo(first.seconds), unit: "s" });
    recorder.row({ measure: "first deploy: of which `pulumi up`", value: firstUp === null ? null : roundTo(firstUp), unit: "s" });
    recorder.row({ measure: "first deploy: PBX image package layer already in the Docker cache", value: firstCache.packageLayerCached });
    recorder.row({ measure: "`pulumi destroy`, volumes kept", value: roundTo(destroy.seconds), unit: "s" });
    recorder.row({ measure: "voicemail volume kept by destroy", value: volumeKept });
    recorder.row({ measure: "warm redeploy: deploy command", value: roundTo(warm.seconds), unit: "s" });
    recorder.row({ measure: "warm redeploy: of which `pulumi up`", value: warmUp === null ? null : roundTo(warmUp), unit: "s" });
    recorder.row({ measure: "warm redeploy: PBX image package layer already in the Docker cache", value: warmCache.packageLayerCached });
    if (site.volumeExistedBefore) {
      recorder.note(`The volume ${VOLUME} existed before the first deploy, so that deploy found its voicemail volume in place.`);
    }

    let freshResult: FreshMeasurement | null = null;
    if (fresh) {
      freshResult = await measureFreshMachine();
      const optional = (value: number | null) => (value === null ? null : roundTo(value));
      recorder.row({ measure: "fresh machine: set-up step", value: roundTo(freshResult.setupSeconds), unit: "s" });
      recorder.row({ measure: "fresh machine: pulumi CLI build", value: optional(freshResult.pulumiCliSeconds), unit: "s" });
      recorder.row({ measure: "fresh machine: language host build", value: optional(freshResult.languageHostSeconds), unit: "s" });
      recorder.row({ measure: "fresh machine: base image (debootstrap)", value: optional(freshResult.baseImageSeconds), unit: "s" });
      recorder.row({ measure: "fresh machine: PBX image build", value: roundTo(freshResult.pbxImageSeconds), unit: "s" });
    }

    const file = recorder.write({
      setupSeconds: setupSamples.map((value) => roundTo(value, 3)),
      firstDeploy: { seconds: roundTo(first.seconds, 3), pulumiUpSeconds: firstUp, imageCache: firstCache },
      destroySeconds: roundTo(destroy.seconds, 3),
      volumeKept,
      warmRedeploy: { seconds: roundTo(warm.seconds, 3), pulumiUpSeconds: warmUp, imageCache: warmCache },
      fresh: freshResult,
    });
    progress(NAME, `first deploy ${first.seconds.toFixed(1)} s, warm redeploy ${warm.seconds.toFixed(1)} s; wrote ${file}`);
  } finally {
    await site.cleanUp();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench ${NAME}: failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
