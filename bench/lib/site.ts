// The HQ site (stack `mochis`) deployed from a private copy of the project,
// and what the benchmarks read from its Docker engine.

import Docker from "dockerode";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

import { ProjectCopy } from "../../test/support/project-copy";
import { runChecked, runTimed, tail, type TimedRunResult } from "./command";
import { progress } from "./results";

const execFileAsync = promisify(execFile);

export const SITE = "mochis";
export const SITE_ADDRESS = "127.0.81.1";
export const CONTAINER = `inova-${SITE}-pbx`;
export const VOLUME = `inova-${SITE}-voicemail`;
/** Volumes that `pulumi destroy` keeps with their data: voicemail and the call records' data, journal and backups. */
const DATA_VOLUMES = [VOLUME, ...["data", "journal", "backups"].map((name) => `inova-${SITE}-cdr-${name}`)];
const PBX_IMAGE = `inova/asterisk:22-${SITE}`;
const BASE_IMAGE = "inova/debian-sid:base";

const docker = new Docker();

/** Identity of one container of the site: a new id means it was replaced, a new start time that it restarted. */
export interface ContainerIdentity {
  readonly name: string;
  readonly id: string;
  readonly startedAt: string;
}

/** Cache state of the Docker engine before a deploy, for judging how much of the image build was cached. */
export interface ImageCacheState {
  /** The tag the PBX image is built as existed. */
  readonly pbxTagPresent: boolean;
  /**
   * An image made by the Dockerfile's first RUN instruction on top of the current
   * base image existed, so the classic builder reuses it and skips the package
   * installation, the slow part of the build.
   */
  readonly packageLayerCached: boolean;
}

async function containerExists(name: string): Promise<boolean> {
  try {
    await docker.getContainer(name).inspect();
    return true;
  } catch {
    return false;
  }
}

export async function volumeExists(name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits up to `maxWaitSeconds` until no container named `inova-mochis-pbx`
 * exists, because the benchmarks deploy their own site under that name and must
 * not touch one they did not create. Throws when it is still there.
 */
export async function waitUntilSiteAbsent(benchmark: string, maxWaitSeconds = 600): Promise<void> {
  const deadline = Date.now() + maxWaitSeconds * 1000;
  let reported = false;
  while (await containerExists(CONTAINER)) {
    if (Date.now() >= deadline) {
      throw new Error(
        `a container named ${CONTAINER} still exists after waiting ${maxWaitSeconds} s; the benchmark deploys its own ` +
          `${SITE} site and does not touch that one. Destroy its stack, then run the benchmark again.`,
      );
    }
    if (!reported) {
      progress(benchmark, `waiting up to ${maxWaitSeconds} s for the existing container ${CONTAINER} to go away`);
      reported = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

/** A private copy of the project with the mochis stack on its own file backend. */
export class SiteDeployment {
  private constructor(
    readonly benchmark: string,
    readonly project: ProjectCopy,
    /** Data volumes that existed before this deployment, which cleanup leaves. */
    private readonly volumesBefore: ReadonlySet<string>,
  ) {}

  static async create(benchmark: string): Promise<SiteDeployment> {
    await waitUntilSiteAbsent(benchmark);
    const volumesBefore = new Set<string>();
    for (const volume of DATA_VOLUMES) {
      if (await volumeExists(volume)) {
        volumesBefore.add(volume);
      }
    }
    return new SiteDeployment(benchmark, ProjectCopy.create(`inova-bench-${benchmark}`), volumesBefore);
  }

  /** The voicemail volume existed before this deployment, so the first deploy found it in place. */
  get volumeExistedBefore(): boolean {
    return this.volumesBefore.has(VOLUME);
  }

  get stackFile(): string {
    return `Pulumi.${SITE}.yaml`;
  }

  /**
   * Runs the README's deploy command, `bash scripts/deploy.sh mochis`. Its
   * `pulumiUp` mark is the time at which the set-up step had finished and
   * `pulumi up` started.
   */
  async deploy(): Promise<TimedRunResult> {
    progress(this.benchmark, "deploying mochis with scripts/deploy.sh");
    return runChecked("bash", ["scripts/deploy.sh", SITE], {
      cwd: this.project.dir,
      env: this.project.env(),
      timeoutMs: 1_800_000,
      marks: { pulumiUp: new RegExp(`^setup: deploying ${SITE}$`) },
    });
  }

  /** Runs `pulumi` in the copy, failing on a non-zero exit. */
  pulumi(args: readonly string[], timeoutMs = 900_000): Promise<TimedRunResult> {
    return runChecked("pulumi", args, { cwd: this.project.dir, env: this.project.env(), timeoutMs });
  }

  /** `pulumi destroy`, which keeps the voicemail volume unless deleteDataOnDestroy is set. */
  destroy(): Promise<TimedRunResult> {
    progress(this.benchmark, "destroying mochis");
    return this.pulumi(["destroy", "--yes", "--skip-preview", "--stack", SITE, "--suppress-progress"]);
  }

  async extensionPasswords(): Promise<Record<string, string>> {
    const result = await this.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", SITE]);
    return (JSON.parse(result.stdout) as { extensionPasswords: Record<string, string> }).extensionPasswords;
  }

  /**
   * Destroys the stack if it still has resources, removes the data volumes that
   * this deployment created, and deletes the copy. Errors are printed,
   * not raised, so a failed benchmark still cleans up.
   */
  async cleanUp(): Promise<void> {
    const destroyed = await runTimed("pulumi", ["destroy", "--yes", "--skip-preview", "--stack", SITE, "--suppress-progress"], {
      cwd: this.project.dir,
      env: this.project.env(),
      timeoutMs: 600_000,
    }).catch((error: Error) => ({ code: -1, stdout: "", stderr: error.message }));
    const output = `${destroyed.stdout}\n${destroyed.stderr}`.trim();
    // A stack that was never created has nothing to destroy, and pulumi exits with "no stack named …".
    if (destroyed.code !== 0 && !/no stack named/i.test(output)) {
      progress(this.benchmark, `pulumi destroy failed during cleanup (exit ${destroyed.code}): ${tail(output, 3_000)}`);
    }
    for (const volume of DATA_VOLUMES) {
      if (!this.volumesBefore.has(volume) && (await volumeExists(volume))) {
        await docker
          .getVolume(volume)
          .remove()
          .catch((error: Error) => progress(this.benchmark, `removing volume ${volume} failed: ${error.message}`));
      }
    }
    this.project.remove();
  }
}

/** Returns the id and start time of every container labelled as part of the mochis site. */
export async function siteContainers(): Promise<ContainerIdentity[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`inova.site=${SITE}`] } });
  const identities: ContainerIdentity[] = [];
  for (const summary of containers) {
    const info = await docker.getContainer(summary.Id).inspect();
    identities.push({ name: info.Name.replace(/^\//, ""), id: info.Id, startedAt: info.State.StartedAt });
  }
  return identities.sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs a command inside the PBX container and returns its standard output. */
export async function execInPbx(command: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync("docker", ["exec", CONTAINER, ...command], { timeout: 30_000 });
  return stdout;
}

/** Number of active calls, as the image's inova-active-calls reads it from Asterisk. */
export async function activeCalls(): Promise<number> {
  const text = (await execInPbx(["inova-active-calls"])).trim();
  const count = Number(text);
  if (!Number.isInteger(count)) {
    throw new Error(`inova-active-calls printed "${text}", expected a whole number`);
  }
  return count;
}

export async function asteriskVersion(): Promise<string> {
  return (await execInPbx(["asterisk", "-V"])).trim();
}

/** Normalises a shell command for comparison: continuation lines joined, runs of white space made one space. */
function normaliseCommand(text: string): string {
  return text.replace(/\\\n/g, " ").replace(/\s+/g, " ").trim();
}

/** Returns the shell command of the first RUN instruction in the PBX image's Dockerfile. */
function firstRunInstruction(projectDir: string): string {
  const dockerfile = fs.readFileSync(path.join(projectDir, "assets", "asterisk", "Dockerfile"), "utf8");
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"));
  const run = instructions.find((line) => /^\s*RUN\s/.test(line));
  if (run === undefined) {
    throw new Error("assets/asterisk/Dockerfile has no RUN instruction");
  }
  return normaliseCommand(run.replace(/^\s*RUN\s+/, ""));
}

/**
 * Reports whether the PBX image tag exists and whether the engine has the
 * layer of the Dockerfile's first RUN instruction on the current base image,
 * the cache entry that Docker's classic builder looks up (same parent, same
 * command).
 */
export async function imageCacheState(projectDir: string): Promise<ImageCacheState> {
  const pbxTagPresent = await docker
    .getImage(PBX_IMAGE)
    .inspect()
    .then(() => true)
    .catch(() => false);

  let baseId: string;
  try {
    baseId = (await docker.getImage(BASE_IMAGE).inspect()).Id;
  } catch {
    return { pbxTagPresent, packageLayerCached: false };
  }

  const expectedCommand = firstRunInstruction(projectDir);
  const children = (await docker.listImages({ all: true })).filter((image) => image.ParentId === baseId);
  for (const child of children) {
    const info = await docker.getImage(child.Id).inspect();
    const command = normaliseCommand((info.ContainerConfig?.Cmd ?? []).join(" ")).replace(/^\/bin\/sh -c /, "");
    if (command === expectedCommand) {
      return { pbxTagPresent, packageLayerCached: true };
    }
  }
  return { pbxTagPresent, packageLayerCached: false };
}
