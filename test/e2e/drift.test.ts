// Drift on a deployed site: a configuration file edited inside the PBX
// container, a privilege granted by hand in MariaDB and a stopped container.
// For each, `pulumi refresh` reports the change on the resource that owns it,
// and `pulumi up` restores what the program declares, checked in the
// container, with SHOW GRANTS and in the engine.

import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { execInContainer } from "../support/container-exec";
import {
  DRIFT_SITE,
  assertNoDriftTestSite,
  createDriftTestProject,
  removeDriftTestSite,
} from "../support/drifttest-site";
import type { ProjectCopy } from "../support/project-copy";

const PBX = `inova-${DRIFT_SITE}-pbx`;
const DATABASE = `inova-${DRIFT_SITE}-cdr-db`;
const CONFIG_FILE = "/etc/asterisk/extensions.conf";
const WRITER = "'pbx_writer'@'localhost'";
const GRANT_RESOURCE = `${DRIFT_SITE}-records-pbx_writer-grant-inova_cdr-cdr`;
const docker = new Docker();

let project: ProjectCopy | undefined;

/** Marker of an encrypted value in an exported state. Such values change with every write. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

interface StateResource {
  readonly urn: string;
  readonly outputs?: Record<string, unknown>;
}

async function exportResources(copy: ProjectCopy): Promise<StateResource[]> {
  const state = JSON.parse(await copy.pulumi(["stack", "export", "--stack", DRIFT_SITE])) as {
    deployment: { resources: StateResource[] };
  };
  return state.deployment.resources;
}

/** Names of the resources that a preview of `pulumi refresh` lists as updated. */
async function refreshPreviewUpdates(copy: ProjectCopy): Promise<string[]> {
  const output = await copy.pulumi(["refresh", "--preview-only", "--suppress-progress", "--stack", DRIFT_SITE]);
  return output
    .split("\n")
    .map((line) => /^\s*~\s+\S+:\S+\s+(\S+)\s+update\s*$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/**
 * Runs `pulumi refresh` and returns, per resource name, the non-secret
 * outputs whose stored value it changed, with their new values.
 */
async function refreshOutputChanges(copy: ProjectCopy): Promise<Record<string, Record<string, unknown>>> {
  const before = await exportResources(copy);
  await copy.pulumi(["refresh", "--yes", "--skip-preview", "--suppress-progress", "--stack", DRIFT_SITE]);
  const after = await exportResources(copy);

  const changes: Record<string, Record<string, unknown>> = {};
  for (const resource of after) {
    const previous = before.find((candidate) => candidate.urn === resource.urn);
    const outputs = resource.outputs ?? {};
    for (const [key, value] of Object.entries(outputs)) {
      const encrypted = JSON.stringify(value ?? null).includes(SECRET_SIGNATURE);
      if (!encrypted && JSON.stringify(value) !== JSON.stringify(previous?.outputs?.[key])) {
        const name = resource.urn.split("::").pop() as string;
        changes[name] = { ...changes[name], [key]: value };
      }
    }
  }
  return changes;
}

async function up(copy: ProjectCopy): Promise<void> {
  await copy.pulumi(["up", "--yes", "--skip-preview", "--suppress-progress", "--stack", DRIFT_SITE]);
}

function mariadb(sql: string): Promise<string> {
  return execInContainer(docker, DATABASE, ["mariadb", "--batch", "--skip-column-names", "-e", sql]);
}

beforeAll(async () => {
  await assertNoDriftTestSite(docker);
  project = createDriftTestProject("inova-drift");
  await project.pulumi(["stack", "init", DRIFT_SITE]);
  await project.pulumi(["up", "--yes", "--skip-preview", "--suppress-progress", "--stack", DRIFT_SITE], { timeoutMs: 1_200_000 });
});

afterAll(async () => {
  if (project !== undefined) {
    await removeDriftTestSite(project, docker);
  }
});

describe("drift on a deployed site", () => {
  it("restores a configuration file edited in the container", async () => {
    const copy = project!;
    const declared = await execInContainer(docker, PBX, ["cat", CONFIG_FILE]);
    await execInContainer(docker, PBX, ["sh", "-c", `printf '\\n; edited by hand\\n' >> ${CONFIG_FILE}`]);
    expect(await execInContainer(docker, PBX, ["cat", CONFIG_FILE])).not.toBe(declared);

    expect(await refreshPreviewUpdates(copy)).toEqual(["drifttest-pbx-config"]);
    const changes = await refreshOutputChanges(copy);
    expect(Object.keys(changes)).toEqual(["drifttest-pbx-config"]);
    expect(Object.keys(changes["drifttest-pbx-config"])).toEqual(["fileHashes"]);

    await up(copy);
    expect(await execInContainer(docker, PBX, ["cat", CONFIG_FILE])).toBe(declared);
    expect(await refreshPreviewUpdates(copy)).toEqual([]);
  });

  it("revokes a privilege granted by hand", async () => {
    const copy = project!;
    const declared = await mariadb(`SHOW GRANTS FOR ${WRITER}`);
    expect(declared).toContain("GRANT INSERT ON `inova_cdr`.`cdr`");
    await mariadb(`GRANT DELETE ON inova_cdr.cdr TO ${WRITER}`);
    expect(await mariadb(`SHOW GRANTS FOR ${WRITER}`)).toContain("DELETE");

    expect(await refreshPreviewUpdates(copy)).toEqual([GRANT_RESOURCE]);
    const changes = await refreshOutputChanges(copy);
    expect(Object.keys(changes)).toEqual([GRANT_RESOURCE]);
    expect(changes[GRANT_RESOURCE]).toEqual({ privileges: ["INSERT", "DELETE"] });

    await up(copy);
    expect(await mariadb(`SHOW GRANTS FOR ${WRITER}`)).toBe(declared);
  });

  it("starts a stopped container again", async () => {
    const copy = project!;
    const before = await docker.getContainer(PBX).inspect();
    await docker.getContainer(PBX).stop();
    expect((await docker.getContainer(PBX).inspect()).State.Running).toBe(false);

    expect(await refreshPreviewUpdates(copy)).toEqual(["drifttest-pbx-container"]);
    const changes = await refreshOutputChanges(copy);
    expect(Object.keys(changes)).toEqual(["drifttest-pbx-container"]);
    expect(changes["drifttest-pbx-container"].running).toBe(false);
    expect(changes["drifttest-pbx-container"].status).toBe("exited");

    await up(copy);
    const after = await docker.getContainer(PBX).inspect();
    expect(after.State.Running).toBe(true);
    expect(after.Id).toBe(before.Id);
    // Asterisk in the started container responds on its control socket.
    expect(await execInContainer(docker, PBX, ["asterisk", "-rx", "core show version"])).toContain("Asterisk 22");
  });
});
