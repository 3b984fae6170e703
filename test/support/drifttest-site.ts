// A project copy that contains one test-only HQ stack, `drifttest`, with the
// extensions, ring groups and IVR of mochis on its own address (127.0.106.1),
// access code (85) and RTP range (35000-35999). Its containers and volumes are
// named `inova-drifttest-*`, so they never clash with a real site's.

import Docker from "dockerode";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";

import { ProjectCopy } from "./project-copy";

export const DRIFT_SITE = "drifttest";
export const DRIFT_ADDRESS = "127.0.106.1";
/** Prefix of every container and volume name of the test site. */
const NAME_PREFIX = `inova-${DRIFT_SITE}-`;

/** Names of the test site's containers and volumes that exist in the engine. */
async function existingSiteObjects(docker: Docker): Promise<{ containers: string[]; volumes: string[] }> {
  const containers = (await docker.listContainers({ all: true, filters: { name: [NAME_PREFIX] } }))
    .flatMap((container) => container.Names.map((name) => name.replace(/^\//, "")))
    .filter((name) => name.startsWith(NAME_PREFIX));
  const volumes = ((await docker.listVolumes({ filters: { name: [NAME_PREFIX] } })).Volumes ?? [])
    .map((volume) => volume.Name)
    .filter((name) => name.startsWith(NAME_PREFIX));
  return { containers, volumes };
}

/**
 * Copies the project, removes every real stack file and writes
 * `Pulumi.drifttest.yaml`. IVR options that dial another site are dropped,
 * because the copy has no other site to dial.
 */
export function createDriftTestProject(prefix: string): ProjectCopy {
  const project = ProjectCopy.create(prefix);
  const mochis = parse(project.readFile("Pulumi.mochis.yaml")) as { config: Record<string, unknown> };
  for (const file of fs.readdirSync(project.dir)) {
    if (/^Pulumi\.[^.]+\.yaml$/.test(file)) {
      fs.rmSync(path.join(project.dir, file));
    }
  }

  const ivrs = (mochis.config["inova-pbx:ivrs"] as { options: { site?: string }[] }[]).map((ivr) => ({
    ...ivr,
    options: ivr.options.filter((option) => option.site === undefined),
  }));
  const config: Record<string, unknown> = {
    "inova-pbx:site": {
      name: "Drift Test",
      role: "hq",
      timezone: "America/Mazatlan",
      address: DRIFT_ADDRESS,
      publicNumber: "6688190000",
      accessCode: "85",
      rtpPorts: { start: 35000, end: 35999 },
    },
    "inova-pbx:extensions": mochis.config["inova-pbx:extensions"],
    "inova-pbx:ringGroups": mochis.config["inova-pbx:ringGroups"],
    "inova-pbx:ivrs": ivrs,
    // Everything the tests deploy is removed with the stack, data volumes included.
    "inova-pbx:deleteDataOnDestroy": true,
  };
  project.writeFile(`Pulumi.${DRIFT_SITE}.yaml`, stringify({ config }));
  stageRecordsApiContext(project);
  return project;
}

/**
 * Stages the records API image context in the copy, as the set-up step of the
 * deploy command does. Tests that run pulumi directly call this first.
 */
export function stageRecordsApiContext(project: ProjectCopy): void {
  const stageScript = path.join(project.dir, "services", "cdr-api", "stage-context.sh");
  if (fs.existsSync(stageScript)) {
    execFileSync("bash", [stageScript], { stdio: "pipe" });
  }
}

/**
 * Fails when a container or volume of the test site already exists, because
 * the tests remove whatever they find under those names at the end.
 */
export async function assertNoDriftTestSite(docker: Docker): Promise<void> {
  const { containers, volumes } = await existingSiteObjects(docker);
  if (containers.length > 0 || volumes.length > 0) {
    throw new Error(
      `the test site ${DRIFT_SITE} still has containers [${containers.join(", ")}] and volumes [${volumes.join(", ")}]; ` +
        "remove them (docker rm -f, docker volume rm) before running this test",
    );
  }
}

/**
 * Destroys the test stack with its data, then removes any container or volume
 * of the test site that a failed destroy left behind, and the copy itself.
 */
export async function removeDriftTestSite(project: ProjectCopy, docker: Docker): Promise<void> {
  await project.run("pulumi", ["destroy", "--yes", "--stack", DRIFT_SITE, "--suppress-progress"], { timeoutMs: 600_000 });
  const { containers, volumes } = await existingSiteObjects(docker);
  for (const name of containers) {
    await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
  }
  for (const name of volumes) {
    await docker.getVolume(name).remove().catch(() => undefined);
  }
  project.remove();
}
