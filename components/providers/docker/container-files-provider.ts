// Dynamic provider that keeps a set of files in a running container and
// applies them: after a change it runs a command (e.g. a reload), or restarts
// the container once it is idle when a changed path needs a restart. The plan
// of each update comes from ../file-set.ts; this file reads and writes the
// files through the Docker Engine API (archives and exec).
//
// Secret files are tracked by an HMAC-SHA256 keyed with the container id and
// the file path, so equal secrets in different containers or files give
// unrelated digests.

import type * as pulumi from "@pulumi/pulumi";
import type Dockerode from "dockerode";
import * as fileSet from "../file-set";
import { containsUnknown, deepEqual, isNotFoundError, sha256Digest, toPlainData } from "./common";
import { waitUntilReady } from "./container-readiness";
import { connectEngine, type EngineSpec } from "./engine";
import { execOrThrow, waitForIdle } from "./exec";

export interface RestartWhen {
  /** Paths, relative to the directory, whose change needs a restart in place of `afterChange`. */
  readonly paths: readonly string[];
  /**
   * Command that prints the number of active calls (or other work) alone, e.g.
   * `0`. The restart waits until it prints `0`; without it the restart is immediate.
   */
  readonly waitIdleCommand?: readonly string[];
  /** Seconds to wait for idle before the update fails. @default 300 */
  readonly maxWaitSeconds: number;
  /** Seconds between runs of the idle command. @default 5 */
  readonly pollIntervalSeconds: number;
}

export interface ContainerFilesProviderInputs extends fileSet.Inputs {
  /** Engine id of the container (64 hex digits); a new id replaces the resource. */
  readonly containerId: string;
  /** Absolute directory inside the container that the file paths are relative to. */
  readonly directory: string;
  /** `user`, `user:group` or `uid:gid`, names resolved inside the container. @default "0:0" */
  readonly owner: string;
  /** Command run in the container after files changed, unless a restart applies them. */
  readonly afterChange?: readonly string[];
  readonly restartWhen?: RestartWhen;
  /** Seconds each command (owner lookup, afterChange, idle check) may take. @default 60 */
  readonly commandTimeoutSeconds: number;
  /** Seconds a restarted container may take to run again (and be healthy). @default 120 */
  readonly restartTimeoutSeconds: number;
  readonly engine?: EngineSpec;
}

export type ContainerFilesProviderOutputs = Omit<ContainerFilesProviderInputs, "files" | "secretFiles"> & fileSet.Outputs;

/** Returns the scope that keys the digests of a container's secret files: the container id. */
export function containerDigestScope(containerId: string): fileSet.SecretDigestScope {
  return ["inova-pbx container-files", containerId];
}

/** Returns the keyed digest that stands for a secret file's content in the state. */
export function secretFileDigest(containerId: string, relativePath: string, content: string | Buffer): string {
  return fileSet.secretDigest(containerDigestScope(containerId), relativePath, content);
}

// ---------------------------------------------------------------------------
// check

function isValidRelativePath(relativePath: string): boolean {
  const path: typeof import("path") = require("path");
  return (
    relativePath !== "" &&
    !relativePath.startsWith("/") &&
    path.posix.normalize(relativePath) === relativePath &&
    !relativePath.split("/").includes("..") &&
    relativePath !== "."
  );
}

async function checkContainerFiles(
  _olds: unknown,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<ContainerFilesProviderInputs>> {
  const restartWhen = news.restartWhen as Record<string, unknown> | undefined;
  const inputs: Record<string, unknown> = { ...fileSet.withDefaults(news), owner: news.owner ?? "0:0" };
  if (restartWhen !== undefined && restartWhen !== null && typeof restartWhen === "object" && !containsUnknown(restartWhen)) {
    inputs.restartWhen = {
      ...restartWhen,
      maxWaitSeconds: restartWhen.maxWaitSeconds ?? 300,
      pollIntervalSeconds: restartWhen.pollIntervalSeconds ?? 5,
    };
  }
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const known = (key: string) => !containsUnknown(inputs[key]);
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const isCommand = (value: unknown) =>
    Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string");

  if (known("containerId") && (typeof inputs.containerId !== "string" || !/^[0-9a-f]{64}$/.test(inputs.containerId))) {
    fail("containerId", `containerId must be a container id (64 hex digits), got ${JSON.stringify(inputs.containerId)}`);
  }
  fileSet.check(
    inputs,
    { noun: "path", isValid: (relativePath) => isValidRelativePath(relativePath), fix: 'use a normalized relative path without ".."' },
    failures,
  );
  const ownerPattern = /^(?:[A-Za-z_][A-Za-z0-9_.-]*(?::(?:[A-Za-z_][A-Za-z0-9_.-]*|\d+))?|\d+:\d+)$/;
  if (known("owner") && (typeof inputs.owner !== "string" || !ownerPattern.test(inputs.owner))) {
    fail("owner", `owner must be "user", "user:group" or "uid:gid", got ${JSON.stringify(inputs.owner)}`);
  }
  if (inputs.afterChange !== undefined && known("afterChange") && !isCommand(inputs.afterChange)) {
    fail("afterChange", "afterChange must be a non-empty command list, e.g. [\"asterisk\", \"-rx\", \"core reload\"]");
  }
  const restart = inputs.restartWhen as Record<string, unknown> | undefined;
  if (restart !== undefined && known("restartWhen")) {
    if (!Array.isArray(restart.paths) || !restart.paths.every((item) => typeof item === "string" && isValidRelativePath(item))) {
      fail("restartWhen.paths", "restartWhen.paths must list normalized relative paths");
    }
    if (restart.waitIdleCommand !== undefined && !isCommand(restart.waitIdleCommand)) {
      fail("restartWhen.waitIdleCommand", "waitIdleCommand must be a non-empty command list");
    }
    fileSet.checkPositiveSeconds(restart, ["maxWaitSeconds", "pollIntervalSeconds"], failures, "restartWhen.");
  }
  return { inputs: inputs as unknown as ContainerFilesProviderInputs, failures };
}

// ---------------------------------------------------------------------------
// diff

/**
 * Decides the plan. A new container, directory or engine replaces the
 * resource. Any change of file contents, file set, mode, owner or settings
 * updates it in place.
 */
export async function diffContainerFiles(
  _id: string,
  olds: ContainerFilesProviderOutputs,
  news: ContainerFilesProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  // A preview of any Container update (a start, a new restart policy) shows
  // its containerId as unknown, because dynamic providers cannot preview
  // outputs. An unknown id therefore counts as an update here; `pulumi up`
  // diffs again with the real id and replaces when the container was replaced.
  const replaceKeys = ["containerId", "directory", "engine"] as const;
  const replaces = replaceKeys.filter((key) => !containsUnknown(news[key]) && !deepEqual(olds[key], news[key]));

  // A new owner is resolved inside the container during the update, so it
  // counts as a change by itself.
  const settingKeys = [
    "owner",
    "mode",
    "secretMode",
    "afterChange",
    "restartWhen",
    "forceRestart",
    "commandTimeoutSeconds",
    "restartTimeoutSeconds",
  ];
  return fileSet.diff(olds, news, replaces, settingKeys, containerDigestScope(news.containerId));
}

// ---------------------------------------------------------------------------
// container access

async function readArchiveFile(
  docker: Dockerode,
  containerId: string,
  absolutePath: string,
): Promise<{ content: Buffer; mode: number; uid: number; gid: number } | undefined> {
  const tarStream: typeof import("tar-stream") = require("tar-stream");
  let archive: NodeJS.ReadableStream;
  try {
    archive = await docker.getContainer(containerId).getArchive({ path: absolutePath });
  } catch (error) {
    if (isNotFoundError(error)) {
      return undefined;
    }
    throw error;
  }
  const extract = tarStream.extract();
  let found: { content: Buffer; mode: number; uid: number; gid: number } | undefined;
  archive.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) {
      chunks.push(chunk as Buffer);
    }
    // A path that is a directory or a link is reported as absent, so the
    // next update writes a regular file there.
    if (found === undefined && entry.header.type === "file") {
      found = {
        content: Buffer.concat(chunks),
        mode: (entry.header.mode ?? 0) & 0o7777,
        uid: entry.header.uid ?? 0,
        gid: entry.header.gid ?? 0,
      };
    }
  }
  return found;
}

/** Reads the listed files back from the container and digests them. */
async function readSnapshot(
  docker: Dockerode,
  containerId: string,
  directory: string,
  paths: readonly string[],
  secretPaths: ReadonlySet<string>,
): Promise<fileSet.FileSnapshot> {
  const path: typeof import("path") = require("path");
  const snapshot = fileSet.emptySnapshot();
  for (const relativePath of paths) {
    const file = await readArchiveFile(docker, containerId, path.posix.join(directory, relativePath));
    if (file === undefined) {
      continue;
    }
    if (secretPaths.has(relativePath)) {
      snapshot.secretFileHashes[relativePath] = secretFileDigest(containerId, relativePath, file.content);
    } else {
      snapshot.fileHashes[relativePath] = sha256Digest(file.content);
    }
    snapshot.fileAttributes[relativePath] = fileSet.formatAttributes(file.mode, `${file.uid}:${file.gid}`);
  }
  return snapshot;
}

/** Writes files with one tar archive; missing parent directories are created, owned by root. */
async function writeFiles(
  docker: Dockerode,
  containerId: string,
  directory: string,
  writes: readonly fileSet.FileWrite[],
  ownerIds: string,
): Promise<void> {
  const path: typeof import("path") = require("path");
  const tarStream: typeof import("tar-stream") = require("tar-stream");
  const [uid, gid] = ownerIds.split(":").map((id) => Number(id));
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const archiveDone = new Promise<void>((resolve, reject) => {
    pack.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  const modifiedAt = new Date();
  for (const write of writes) {
    const name = path.posix.join(directory, write.relativePath).replace(/^\/+/, "");
    pack.entry(
      { name, type: "file", mode: parseInt(write.mode, 8), uid, gid, mtime: modifiedAt },
      Buffer.from(write.content, "utf8"),
    );
  }
  pack.finalize();
  await archiveDone;
  await docker.getContainer(containerId).putArchive(Buffer.concat(chunks), { path: "/" });
}

/** Resolves `user`, `user:group` or `uid:gid` to numeric ids inside the container. */
async function resolveOwner(
  docker: Dockerode,
  containerId: string,
  owner: string,
  timeoutSeconds: number,
): Promise<string> {
  const [user, group] = owner.split(":");
  const options = { timeoutSeconds };
  const uid = /^\d+$/.test(user) ? user : (await execOrThrow(docker, containerId, ["id", "-u", user], options)).stdout.trim();
  let gid: string;
  if (group === undefined) {
    gid = (await execOrThrow(docker, containerId, ["id", "-g", user], options)).stdout.trim();
  } else if (/^\d+$/.test(group)) {
    gid = group;
  } else {
    const entry = (await execOrThrow(docker, containerId, ["getent", "group", group], options)).stdout.trim();
    gid = entry.split(":")[2] ?? "";
  }
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) {
    throw new Error(`owner ${owner} could not be resolved in container ${containerId.slice(0, 12)} (got ${uid}:${gid})`);
  }
  return `${uid}:${gid}`;
}

/**
 * Returns the Docker steps of an update: files go in with one tar archive,
 * `rm` removes them, and the container restarts (after `waitIdleCommand`
 * prints `0`, when set) or runs `afterChange`.
 */
function containerTransport(docker: Dockerode, inputs: ContainerFilesProviderInputs, ownerIds: string): fileSet.Transport {
  const path: typeof import("path") = require("path");
  const restartPaths = new Set(inputs.restartWhen?.paths ?? []);
  const timeout = { timeoutSeconds: inputs.commandTimeoutSeconds };
  return {
    isRestartPath: (relativePath) => restartPaths.has(relativePath),
    waitUntilIdle: async () => {
      const restartWhen = inputs.restartWhen;
      if (restartWhen?.waitIdleCommand === undefined) {
        return;
      }
      await waitForIdle(docker, inputs.containerId, {
        command: restartWhen.waitIdleCommand,
        maxWaitSeconds: restartWhen.maxWaitSeconds,
        pollIntervalSeconds: restartWhen.pollIntervalSeconds,
        commandTimeoutSeconds: inputs.commandTimeoutSeconds,
        before: "before a restart",
        untouched: "No file was changed",
        override: "forceRestart: true to restart",
      });
    },
    writeFiles: (writes) => writeFiles(docker, inputs.containerId, inputs.directory, writes, ownerIds),
    removeFiles: async (relativePaths) => {
      const absolutePaths = relativePaths.map((relativePath) => path.posix.join(inputs.directory, relativePath));
      await execOrThrow(docker, inputs.containerId, ["rm", "-f", "--", ...absolutePaths], timeout);
    },
    restart: async () => {
      // Without `t` the engine waits the stop timeout set on the container.
      await docker.getContainer(inputs.containerId).restart();
      await waitUntilReady(docker, inputs.containerId, inputs.restartTimeoutSeconds, "restartTimeoutSeconds");
    },
    reload: async () => {
      if (inputs.afterChange !== undefined) {
        await execOrThrow(docker, inputs.containerId, inputs.afterChange, timeout);
      }
    },
    readSnapshot: (paths, secretPaths) => readSnapshot(docker, inputs.containerId, inputs.directory, paths, secretPaths),
  };
}

async function requireRunning(docker: Dockerode, containerId: string): Promise<void> {
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await docker.getContainer(containerId).inspect();
  } catch (error) {
    if (isNotFoundError(error)) {
      throw new Error(`container ${containerId.slice(0, 12)} not found; files can only be delivered into an existing container`);
    }
    throw error;
  }
  if (!info.State.Running || info.State.Paused) {
    throw new Error(
      `container ${info.Name.replace(/^\//, "")} is ${info.State.Status}; files are delivered only into a running container, so start it first`,
    );
  }
}

// ---------------------------------------------------------------------------
// create, read, update, delete

async function createContainerFiles(
  inputs: ContainerFilesProviderInputs,
): Promise<pulumi.dynamic.CreateResult<ContainerFilesProviderOutputs>> {
  const docker = connectEngine(inputs.engine);
  await requireRunning(docker, inputs.containerId);
  const ownerIds = await resolveOwner(docker, inputs.containerId, inputs.owner, inputs.commandTimeoutSeconds);
  const { paths, secretPaths } = fileSet.deliveredPaths(inputs);
  // Files that already match (for example from the image) count as unchanged,
  // so creating the resource does not reload or restart without need.
  const current = await readSnapshot(docker, inputs.containerId, inputs.directory, paths, secretPaths);
  const transport = containerTransport(docker, inputs, ownerIds);
  const { snapshot } = await fileSet.apply(inputs, ownerIds, current, containerDigestScope(inputs.containerId), transport);
  return {
    id: `${inputs.containerId.slice(0, 12)}:${inputs.directory}`,
    outs: fileSet.toOutputs(inputs, { ownerIds }, snapshot),
  };
}

async function updateContainerFiles(
  _id: string,
  olds: ContainerFilesProviderOutputs,
  news: ContainerFilesProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<ContainerFilesProviderOutputs>> {
  const docker = connectEngine(news.engine);
  await requireRunning(docker, news.containerId);
  const ownerIds =
    fileSet.keptOwnerIds(olds, news) ?? (await resolveOwner(docker, news.containerId, news.owner, news.commandTimeoutSeconds));
  const transport = containerTransport(docker, news, ownerIds);
  const { snapshot } = await fileSet.apply(news, ownerIds, olds, containerDigestScope(news.containerId), transport);
  return { outs: fileSet.toOutputs(news, { ownerIds }, snapshot) };
}

async function readContainerFiles(
  id: string,
  props?: ContainerFilesProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<ContainerFilesProviderOutputs>> {
  if (props === undefined) {
    return {};
  }
  const docker = connectEngine(props.engine);
  try {
    await docker.getContainer(props.containerId).inspect();
  } catch (error) {
    if (isNotFoundError(error)) {
      return {};
    }
    throw error;
  }
  const { paths, secretPaths } = fileSet.recordedPaths(props);
  const snapshot = await readSnapshot(docker, props.containerId, props.directory, paths, secretPaths);
  return { id, props: toPlainData({ ...props, ...snapshot }) };
}

/**
 * Leaves the files in place: they live and go with the container, and taking
 * them away from a running service would break it.
 */
async function deleteContainerFiles(): Promise<void> {
  return;
}

/** Provider of the `ContainerFiles` dynamic resource. */
export const containerFilesProvider: pulumi.dynamic.ResourceProvider<
  ContainerFilesProviderInputs,
  ContainerFilesProviderOutputs
> = {
  check: checkContainerFiles as unknown as pulumi.dynamic.ResourceProvider<ContainerFilesProviderInputs>["check"],
  diff: diffContainerFiles,
  create: createContainerFiles,
  update: updateContainerFiles,
  read: readContainerFiles,
  delete: deleteContainerFiles,
};
