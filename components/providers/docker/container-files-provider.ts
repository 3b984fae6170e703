// Dynamic provider that keeps a set of files in a running container and
// applies them: after a change it runs a command (e.g. a reload), or restarts
// the container once it is idle when a changed path needs a restart.
//
// The state contains no file content. Non-secret files are tracked by their
// SHA-256. Secret files are tracked by an HMAC-SHA256 keyed with the container
// id and the file path, and stored in a secret output. The output is secret
// because a plain digest of a file around a 4-digit PIN can be reversed by
// trying every PIN; the key is in the state, so it cannot prevent that. The
// key only makes equal secrets in different containers or files give
// unrelated digests.

import type * as pulumi from "@pulumi/pulumi";
import type Dockerode from "dockerode";
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

export interface ContainerFilesProviderInputs {
  /** Engine id of the container (64 hex digits); a new id replaces the resource. */
  readonly containerId: string;
  /** Absolute directory inside the container that the file paths are relative to. */
  readonly directory: string;
  /** Non-secret files: relative path to content. */
  readonly files: Readonly<Record<string, string>>;
  /** Secret files: relative path to content. Never stored in outputs. */
  readonly secretFiles: Readonly<Record<string, string>>;
  /** Permission bits of non-secret files, octal. @default "0644" */
  readonly mode: string;
  /** Permission bits of secret files, octal. @default "0640" */
  readonly secretMode: string;
  /** `user`, `user:group` or `uid:gid`, names resolved inside the container. @default "0:0" */
  readonly owner: string;
  /** Command run in the container after files changed, unless a restart applies them. */
  readonly afterChange?: readonly string[];
  readonly restartWhen?: RestartWhen;
  /** Restart without waiting for `waitIdleCommand` to report idle. @default false */
  readonly forceRestart: boolean;
  /** Seconds each command (owner lookup, afterChange, idle check) may take. @default 60 */
  readonly commandTimeoutSeconds: number;
  /** Seconds a restarted container may take to run again (and be healthy). @default 120 */
  readonly restartTimeoutSeconds: number;
  readonly engine?: EngineSpec;
}

/** Digests and attributes of the delivered files, as written or as read back. */
export interface FileSnapshot {
  /** Relative path to `sha256:<hex>` of a non-secret file's content. */
  readonly fileHashes: Readonly<Record<string, string>>;
  /** Relative path to `hmac-sha256:<hex>` of a secret file's content; a secret output. */
  readonly secretFileHashes: Readonly<Record<string, string>>;
  /** Relative path to `<octal mode> <uid>:<gid>` for every file. */
  readonly fileAttributes: Readonly<Record<string, string>>;
}

export type ContainerFilesProviderOutputs = Omit<ContainerFilesProviderInputs, "files" | "secretFiles"> &
  FileSnapshot & {
    /** Owner resolved inside the container, `uid:gid`. */
    readonly ownerIds: string;
  };

/** Returns the keyed digest that stands for a secret file's content in the state. */
export function secretFileDigest(containerId: string, relativePath: string, content: string | Buffer): string {
  const crypto: typeof import("crypto") = require("crypto");
  const key = `inova-pbx container-files\u0000${containerId}\u0000${relativePath}`;
  return `hmac-sha256:${crypto.createHmac("sha256", key).update(content).digest("hex")}`;
}

/** Formats permission bits and owner ids as stored in `fileAttributes`. */
function formatAttributes(mode: number, ownerIds: string): string {
  return `${mode.toString(8).padStart(4, "0")} ${ownerIds}`;
}

/** Computes the digests and attributes that the inputs ask for. */
export function desiredSnapshot(inputs: ContainerFilesProviderInputs, ownerIds: string): FileSnapshot {
  const fileHashes: Record<string, string> = {};
  const secretFileHashes: Record<string, string> = {};
  const fileAttributes: Record<string, string> = {};
  for (const [relativePath, content] of Object.entries(inputs.files)) {
    fileHashes[relativePath] = sha256Digest(content);
    fileAttributes[relativePath] = formatAttributes(parseInt(inputs.mode, 8), ownerIds);
  }
  for (const [relativePath, content] of Object.entries(inputs.secretFiles)) {
    secretFileHashes[relativePath] = secretFileDigest(inputs.containerId, relativePath, content);
    fileAttributes[relativePath] = formatAttributes(parseInt(inputs.secretMode, 8), ownerIds);
  }
  return { fileHashes, secretFileHashes, fileAttributes };
}

/** Lists the paths whose digest or attributes differ between two snapshots, and those no longer wanted. */
export function compareSnapshots(
  current: FileSnapshot,
  desired: FileSnapshot,
): { changed: string[]; removed: string[] } {
  const currentHashes = current.fileHashes ?? {};
  const currentSecretHashes = current.secretFileHashes ?? {};
  const currentAttributes = current.fileAttributes ?? {};
  const changed = Object.keys(desired.fileAttributes).filter(
    (relativePath) =>
      currentHashes[relativePath] !== desired.fileHashes[relativePath] ||
      currentSecretHashes[relativePath] !== desired.secretFileHashes[relativePath] ||
      currentAttributes[relativePath] !== desired.fileAttributes[relativePath],
  );
  const currentPaths = new Set([...Object.keys(currentHashes), ...Object.keys(currentSecretHashes)]);
  const removed = [...currentPaths].filter((relativePath) => desired.fileAttributes[relativePath] === undefined);
  return { changed: changed.sort(), removed: removed.sort() };
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

function validateFileSet(
  property: "files" | "secretFiles",
  value: unknown,
  failures: pulumi.dynamic.CheckFailure[],
): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    failures.push({ property, reason: `${property} must map relative paths to file contents` });
    return;
  }
  for (const [relativePath, content] of Object.entries(value as Record<string, unknown>)) {
    if (!isValidRelativePath(relativePath)) {
      failures.push({ property, reason: `invalid path ${JSON.stringify(relativePath)}: use a normalized relative path without ".."` });
    }
    // The content of a secret file is never echoed in a failure message.
    if (typeof content !== "string" && !containsUnknown(content)) {
      failures.push({ property, reason: `content of ${JSON.stringify(relativePath)} must be a string` });
    }
  }
}

async function checkContainerFiles(
  _olds: unknown,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<ContainerFilesProviderInputs>> {
  const restartWhen = news.restartWhen as Record<string, unknown> | undefined;
  const inputs: Record<string, unknown> = {
    ...news,
    files: news.files ?? {},
    secretFiles: news.secretFiles ?? {},
    mode: news.mode ?? "0644",
    secretMode: news.secretMode ?? "0640",
    owner: news.owner ?? "0:0",
    forceRestart: news.forceRestart ?? false,
    commandTimeoutSeconds: news.commandTimeoutSeconds ?? 60,
    restartTimeoutSeconds: news.restartTimeoutSeconds ?? 120,
  };
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
  const isPositive = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0;

  if (known("containerId") && (typeof inputs.containerId !== "string" || !/^[0-9a-f]{64}$/.test(inputs.containerId))) {
    fail("containerId", `containerId must be a container id (64 hex digits), got ${JSON.stringify(inputs.containerId)}`);
  }
  if (known("directory") && (typeof inputs.directory !== "string" || !inputs.directory.startsWith("/"))) {
    fail("directory", `directory must be an absolute path, got ${JSON.stringify(inputs.directory)}`);
  }
  if (known("files")) {
    validateFileSet("files", inputs.files, failures);
  }
  if (known("secretFiles")) {
    validateFileSet("secretFiles", inputs.secretFiles, failures);
  }
  if (known("files") && known("secretFiles") && failures.length === 0) {
    const overlap = Object.keys(inputs.files as object).filter((key) => key in (inputs.secretFiles as object));
    if (overlap.length > 0) {
      fail("secretFiles", `paths listed in both files and secretFiles: ${overlap.join(", ")}`);
    }
  }
  for (const key of ["mode", "secretMode"]) {
    if (known(key) && (typeof inputs[key] !== "string" || !/^0?[0-7]{3}$/.test(inputs[key] as string))) {
      fail(key, `${key} must be octal permission bits such as "0640", got ${JSON.stringify(inputs[key])}`);
    }
  }
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
    for (const key of ["maxWaitSeconds", "pollIntervalSeconds"]) {
      if (!isPositive(restart[key])) {
        fail(`restartWhen.${key}`, `${key} must be a positive number of seconds`);
      }
    }
  }
  if (known("forceRestart") && typeof inputs.forceRestart !== "boolean") {
    fail("forceRestart", "forceRestart must be a boolean");
  }
  for (const key of ["commandTimeoutSeconds", "restartTimeoutSeconds"]) {
    if (known(key) && !isPositive(inputs[key])) {
      fail(key, `${key} must be a positive number of seconds`);
    }
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
  if (replaces.length > 0) {
    return { changes: true, replaces: [...replaces], deleteBeforeReplace: false };
  }
  if (containsUnknown(news)) {
    return { changes: true, replaces: [], deleteBeforeReplace: false };
  }

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
  ] as const;
  const settingsChanged = settingKeys.some((key) => !deepEqual(olds[key], news[key]));

  const { changed, removed } = compareSnapshots(olds, desiredSnapshot(news, olds.ownerIds));
  return {
    changes: settingsChanged || changed.length > 0 || removed.length > 0,
    replaces: [],
    deleteBeforeReplace: false,
  };
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
): Promise<FileSnapshot> {
  const path: typeof import("path") = require("path");
  const fileHashes: Record<string, string> = {};
  const secretFileHashes: Record<string, string> = {};
  const fileAttributes: Record<string, string> = {};
  for (const relativePath of paths) {
    const file = await readArchiveFile(docker, containerId, path.posix.join(directory, relativePath));
    if (file === undefined) {
      continue;
    }
    if (secretPaths.has(relativePath)) {
      secretFileHashes[relativePath] = secretFileDigest(containerId, relativePath, file.content);
    } else {
      fileHashes[relativePath] = sha256Digest(file.content);
    }
    fileAttributes[relativePath] = formatAttributes(file.mode, `${file.uid}:${file.gid}`);
  }
  return { fileHashes, secretFileHashes, fileAttributes };
}

/** Writes files with one tar archive; missing parent directories are created, owned by root. */
async function writeFiles(
  docker: Dockerode,
  containerId: string,
  files: readonly { absolutePath: string; content: string; mode: number }[],
  ownerIds: string,
): Promise<void> {
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
  for (const file of files) {
    pack.entry(
      { name: file.absolutePath.replace(/^\/+/, ""), type: "file", mode: file.mode, uid, gid, mtime: modifiedAt },
      Buffer.from(file.content, "utf8"),
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
 * Runs the idle command until it prints `0`. Throws when the bound passes;
 * nothing has been written at that point.
 */
async function waitUntilIdle(
  docker: Dockerode,
  containerId: string,
  restartWhen: RestartWhen,
  commandTimeoutSeconds: number,
): Promise<void> {
  await waitForIdle(docker, containerId, {
    command: restartWhen.waitIdleCommand as readonly string[],
    maxWaitSeconds: restartWhen.maxWaitSeconds,
    pollIntervalSeconds: restartWhen.pollIntervalSeconds,
    commandTimeoutSeconds,
    before: "before a restart",
    untouched: "No file was changed",
    override: "forceRestart: true to restart",
  });
}

/**
 * Brings the container's files from `current` to what `inputs` ask for: waits
 * for idle when a restart will follow, writes changed files, deletes dropped
 * ones, then restarts or runs `afterChange`. Returns the files as read back.
 */
async function applyFiles(
  docker: Dockerode,
  inputs: ContainerFilesProviderInputs,
  ownerIds: string,
  current: FileSnapshot,
): Promise<FileSnapshot> {
  const path: typeof import("path") = require("path");
  const desired = desiredSnapshot(inputs, ownerIds);
  const { changed, removed } = compareSnapshots(current, desired);
  const secretPaths = new Set(Object.keys(inputs.secretFiles));
  const allPaths = Object.keys(desired.fileAttributes).sort();
  if (changed.length === 0 && removed.length === 0) {
    return desired;
  }

  // Only a file the running service has already read needs a restart: files
  // written for the first time are read when the service starts.
  const restartPaths = new Set(inputs.restartWhen?.paths ?? []);
  const needsRestart = [...changed, ...removed].some(
    (relativePath) => restartPaths.has(relativePath) && relativePath in current.fileAttributes,
  );
  if (needsRestart && inputs.restartWhen?.waitIdleCommand !== undefined && !inputs.forceRestart) {
    await waitUntilIdle(docker, inputs.containerId, inputs.restartWhen, inputs.commandTimeoutSeconds);
  }

  if (changed.length > 0) {
    const files = changed.map((relativePath) => {
      const secret = secretPaths.has(relativePath);
      return {
        absolutePath: path.posix.join(inputs.directory, relativePath),
        content: secret ? inputs.secretFiles[relativePath] : inputs.files[relativePath],
        mode: parseInt(secret ? inputs.secretMode : inputs.mode, 8),
      };
    });
    await writeFiles(docker, inputs.containerId, files, ownerIds);
  }
  if (removed.length > 0) {
    const absolutePaths = removed.map((relativePath) => path.posix.join(inputs.directory, relativePath));
    await execOrThrow(docker, inputs.containerId, ["rm", "-f", "--", ...absolutePaths], {
      timeoutSeconds: inputs.commandTimeoutSeconds,
    });
  }

  if (needsRestart) {
    // Without `t` the engine waits the stop timeout set on the container.
    await docker.getContainer(inputs.containerId).restart();
    await waitUntilReady(docker, inputs.containerId, inputs.restartTimeoutSeconds, "restartTimeoutSeconds");
  } else if (inputs.afterChange !== undefined) {
    await execOrThrow(docker, inputs.containerId, inputs.afterChange, { timeoutSeconds: inputs.commandTimeoutSeconds });
  }
  return readSnapshot(docker, inputs.containerId, inputs.directory, allPaths, secretPaths);
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

function toOutputs(
  inputs: ContainerFilesProviderInputs,
  ownerIds: string,
  snapshot: FileSnapshot,
): ContainerFilesProviderOutputs {
  const { files: _files, secretFiles: _secretFiles, ...settings } = inputs;
  return toPlainData({ ...settings, ownerIds, ...snapshot });
}

// ---------------------------------------------------------------------------
// create, read, update, delete

async function createContainerFiles(
  inputs: ContainerFilesProviderInputs,
): Promise<pulumi.dynamic.CreateResult<ContainerFilesProviderOutputs>> {
  const docker = connectEngine(inputs.engine);
  await requireRunning(docker, inputs.containerId);
  const ownerIds = await resolveOwner(docker, inputs.containerId, inputs.owner, inputs.commandTimeoutSeconds);
  const paths = [...Object.keys(inputs.files), ...Object.keys(inputs.secretFiles)].sort();
  const secretPaths = new Set(Object.keys(inputs.secretFiles));
  // Files that already match (for example from the image) count as unchanged,
  // so creating the resource does not reload or restart without need.
  const current = await readSnapshot(docker, inputs.containerId, inputs.directory, paths, secretPaths);
  const snapshot = await applyFiles(docker, inputs, ownerIds, current);
  return {
    id: `${inputs.containerId.slice(0, 12)}:${inputs.directory}`,
    outs: toOutputs(inputs, ownerIds, snapshot),
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
    olds.owner === news.owner && olds.ownerIds !== undefined
      ? olds.ownerIds
      : await resolveOwner(docker, news.containerId, news.owner, news.commandTimeoutSeconds);
  const snapshot = await applyFiles(docker, news, ownerIds, olds);
  return { outs: toOutputs(news, ownerIds, snapshot) };
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
  const secretPaths = new Set(Object.keys(props.secretFileHashes ?? {}));
  const paths = Object.keys(props.fileAttributes ?? {}).sort();
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
