// Planning shared by the dynamic providers that keep a set of files in one
// directory: ContainerFiles (inside a container, through the Docker Engine API)
// and AsteriskHostFiles (on a host, over SSH). This module contains the input
// defaults and checks, the snapshot of digests and attributes kept in the
// state, the diff, and the order of the steps of an update. Each provider
// supplies only its transport: how it reads, writes and removes files, and how
// it reloads or restarts the service that reads them.
//
// The state contains no file content. Non-secret files are tracked by their
// SHA-256. Secret files are tracked by an HMAC-SHA256 keyed with the place the
// file is written to, and stored in a secret output. The output is secret
// because a plain digest of a file around a 4-digit PIN can be reversed by
// trying every PIN; the key is in the state, so it cannot prevent that. The
// key only makes equal secrets in different places give unrelated digests.
//
// Pulumi serializes each provider object together with every function it
// reaches, so functions here load modules with `require` inside their bodies
// and keep no module-level state.

import type * as pulumi from "@pulumi/pulumi";

import { containsUnknown, deepEqual, sha256Digest, toPlainData } from "./docker/common";

/** Inputs that every file set has, after `withDefaults`. */
export interface Inputs {
  /** Absolute directory that the file paths are relative to. */
  readonly directory: string;
  /** Non-secret files: relative path to content. */
  readonly files: Readonly<Record<string, string>>;
  /** Secret files: relative path to content. Never stored in outputs. */
  readonly secretFiles: Readonly<Record<string, string>>;
  /** Permission bits of non-secret files, octal. @default "0644" */
  readonly mode: string;
  /** Permission bits of secret files, octal. @default "0640" */
  readonly secretMode: string;
  /** Owner of the files, resolved to `uid:gid` where they are written. */
  readonly owner: string;
  /** Restart without waiting for the service to be idle. @default false */
  readonly forceRestart: boolean;
  /** Seconds each command of the transport may take. @default 60 */
  readonly commandTimeoutSeconds: number;
  /** Seconds the service may take to run again after a restart. @default 120 */
  readonly restartTimeoutSeconds: number;
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

/** Outputs that every file set has: its settings, the snapshot and the resolved owner. */
export type Outputs = Omit<Inputs, "files" | "secretFiles"> &
  FileSnapshot & {
    /** Owner resolved where the files are written, `uid:gid`. */
    readonly ownerIds: string;
  };

/**
 * Label and place that key the digest of a secret file, e.g.
 * `["inova-pbx container-files", containerId]`. The digest's key is these parts
 * and the file's relative path, joined with NUL characters.
 */
export type SecretDigestScope = readonly string[];

/** One file to write: its relative path, content and octal permission bits. */
export interface FileWrite {
  readonly relativePath: string;
  readonly content: string;
  readonly mode: string;
}

/** Action of an update: none (`unchanged`), a reload (or `afterChange`) or a restart. */
export type Action = "unchanged" | "reloaded" | "restarted";

/** The steps of an update that depend on where the files live. */
export interface Transport {
  /** Reports whether a change of this path takes effect only after a restart. */
  isRestartPath(relativePath: string): boolean;
  /** Waits until the service is idle. Throws before anything is written when it does not get idle in time. */
  waitUntilIdle(): Promise<void>;
  writeFiles(writes: readonly FileWrite[]): Promise<void>;
  removeFiles(relativePaths: readonly string[]): Promise<void>;
  /** Restarts the service and waits until it runs again. */
  restart(): Promise<void>;
  /** Makes the running service read the changed or removed paths again. */
  reload(changedOrRemoved: readonly string[]): Promise<void>;
  /** Reads the listed files back and leaves out each path that is not a regular file. */
  readSnapshot(paths: readonly string[], secretPaths: ReadonlySet<string>): Promise<FileSnapshot>;
}

/** Rule that a key of `files` and `secretFiles` must meet, with the advice a failure gives. */
export interface PathRule {
  /** Name of the key in a failure message, e.g. "path" or "file name". */
  readonly noun: string;
  isValid(relativePath: string): boolean;
  /** How to fix an invalid key, e.g. `use a plain file name without "/"`. */
  readonly fix: string;
}

// ---------------------------------------------------------------------------
// snapshots

/** Returns the keyed digest that represents a secret file's content in the state. */
export function secretDigest(scope: SecretDigestScope, relativePath: string, content: string | Buffer): string {
  const crypto: typeof import("crypto") = require("crypto");
  const key = [...scope, relativePath].join("\u0000");
  return `hmac-sha256:${crypto.createHmac("sha256", key).update(content).digest("hex")}`;
}

/** Formats permission bits and owner ids as stored in `fileAttributes`. */
export function formatAttributes(mode: number, ownerIds: string): string {
  return `${mode.toString(8).padStart(4, "0")} ${ownerIds}`;
}

/** Returns a snapshot with no file, for a transport to fill while it reads files back. */
export function emptySnapshot(): {
  fileHashes: Record<string, string>;
  secretFileHashes: Record<string, string>;
  fileAttributes: Record<string, string>;
} {
  return { fileHashes: {}, secretFileHashes: {}, fileAttributes: {} };
}

/** Computes the digests and attributes that the inputs ask for. */
export function desiredSnapshot(
  inputs: Pick<Inputs, "files" | "secretFiles" | "mode" | "secretMode">,
  ownerIds: string,
  scope: SecretDigestScope,
): FileSnapshot {
  const snapshot = emptySnapshot();
  for (const [relativePath, content] of Object.entries(inputs.files)) {
    snapshot.fileHashes[relativePath] = sha256Digest(content);
    snapshot.fileAttributes[relativePath] = formatAttributes(parseInt(inputs.mode, 8), ownerIds);
  }
  for (const [relativePath, content] of Object.entries(inputs.secretFiles)) {
    snapshot.secretFileHashes[relativePath] = secretDigest(scope, relativePath, content);
    snapshot.fileAttributes[relativePath] = formatAttributes(parseInt(inputs.secretMode, 8), ownerIds);
  }
  return snapshot;
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

/** Paths the inputs deliver, sorted, and those of them that are secret. */
export function deliveredPaths(inputs: Pick<Inputs, "files" | "secretFiles">): {
  paths: string[];
  secretPaths: Set<string>;
} {
  return {
    paths: [...Object.keys(inputs.files), ...Object.keys(inputs.secretFiles)].sort(),
    secretPaths: new Set(Object.keys(inputs.secretFiles)),
  };
}

/** Paths that the state records, sorted, and those of them that are secret. */
export function recordedPaths(outputs: Partial<FileSnapshot>): { paths: string[]; secretPaths: Set<string> } {
  return {
    paths: Object.keys(outputs.fileAttributes ?? {}).sort(),
    secretPaths: new Set(Object.keys(outputs.secretFileHashes ?? {})),
  };
}

/** Returns the owner ids resolved before when the owner is unchanged; `undefined` means resolve them again. */
export function keptOwnerIds(olds: Pick<Outputs, "owner" | "ownerIds">, news: Pick<Inputs, "owner">): string | undefined {
  return olds.owner === news.owner ? olds.ownerIds : undefined;
}

/** Builds the outputs: every input but the file contents, then `extra`, then the snapshot. */
export function toOutputs<ProviderInputs extends Inputs, Extra extends object>(
  inputs: ProviderInputs,
  extra: Extra,
  snapshot: FileSnapshot,
): Omit<ProviderInputs, "files" | "secretFiles"> & Extra & FileSnapshot {
  const { files: _files, secretFiles: _secretFiles, ...settings } = inputs;
  return toPlainData({ ...settings, ...extra, ...snapshot });
}

// ---------------------------------------------------------------------------
// check

/** Copies the raw inputs with the defaults that every file set shares filled in. */
export function withDefaults(news: Record<string, unknown>): Record<string, unknown> {
  return {
    ...news,
    files: news.files ?? {},
    secretFiles: news.secretFiles ?? {},
    mode: news.mode ?? "0644",
    secretMode: news.secretMode ?? "0640",
    forceRestart: news.forceRestart ?? false,
    commandTimeoutSeconds: news.commandTimeoutSeconds ?? 60,
    restartTimeoutSeconds: news.restartTimeoutSeconds ?? 120,
  };
}

/** Reports whether `value` is a number of seconds greater than zero. */
export function isPositiveSeconds(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/** Adds a failure for each listed key whose known value is not a positive number of seconds. */
export function checkPositiveSeconds(
  inputs: Record<string, unknown>,
  keys: readonly string[],
  failures: pulumi.dynamic.CheckFailure[],
  propertyPrefix = "",
): void {
  for (const key of keys) {
    const value = inputs[key];
    if (!containsUnknown(value) && !isPositiveSeconds(value)) {
      failures.push({
        property: `${propertyPrefix}${key}`,
        reason: `${key} must be a positive number of seconds, got ${JSON.stringify(value)}`,
      });
    }
  }
}

function checkFileMap(
  property: "files" | "secretFiles",
  value: unknown,
  pathRule: PathRule,
  failures: pulumi.dynamic.CheckFailure[],
): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    failures.push({ property, reason: `${property} must map relative paths to file contents` });
    return;
  }
  for (const [relativePath, content] of Object.entries(value as Record<string, unknown>)) {
    if (!pathRule.isValid(relativePath)) {
      failures.push({ property, reason: `invalid ${pathRule.noun} ${JSON.stringify(relativePath)}: ${pathRule.fix}` });
    }
    // The content of a secret file is never echoed in a failure message.
    if (typeof content !== "string" && !containsUnknown(content)) {
      failures.push({ property, reason: `content of ${JSON.stringify(relativePath)} must be a string` });
    }
  }
}

/**
 * Adds a failure for each shared input that is known and invalid: the
 * directory, both file maps and their keys, a path listed in both maps, the
 * modes, `forceRestart` and the two timeouts. Values unknown during a preview
 * are checked when they are known.
 */
export function check(
  inputs: Record<string, unknown>,
  pathRule: PathRule,
  failures: pulumi.dynamic.CheckFailure[],
): void {
  const known = (key: string) => !containsUnknown(inputs[key]);
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  if (known("directory") && (typeof inputs.directory !== "string" || !inputs.directory.startsWith("/"))) {
    fail("directory", `directory must be an absolute path, got ${JSON.stringify(inputs.directory)}`);
  }

  const fileMapFailures: pulumi.dynamic.CheckFailure[] = [];
  for (const key of ["files", "secretFiles"] as const) {
    if (known(key)) {
      checkFileMap(key, inputs[key], pathRule, fileMapFailures);
    }
  }
  failures.push(...fileMapFailures);
  if (known("files") && known("secretFiles") && fileMapFailures.length === 0) {
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
  if (known("forceRestart") && typeof inputs.forceRestart !== "boolean") {
    fail("forceRestart", "forceRestart must be a boolean");
  }
  checkPositiveSeconds(inputs, ["commandTimeoutSeconds", "restartTimeoutSeconds"], failures);
}

// ---------------------------------------------------------------------------
// diff

/**
 * Decides the plan once the provider has listed the inputs whose change
 * replaces the resource. An input unknown during a preview counts as an
 * update. Otherwise a change of a setting in `settingKeys`, of a file's
 * content or attributes, or of the set of files updates the resource in place.
 */
export function diff(
  olds: Outputs,
  news: Inputs,
  replaces: readonly string[],
  settingKeys: readonly string[],
  scope: SecretDigestScope,
): pulumi.dynamic.DiffResult {
  if (replaces.length > 0) {
    return { changes: true, replaces: [...replaces], deleteBeforeReplace: false };
  }
  if (containsUnknown(news)) {
    return { changes: true, replaces: [], deleteBeforeReplace: false };
  }

  const oldSettings = olds as unknown as Record<string, unknown>;
  const newSettings = news as unknown as Record<string, unknown>;
  const settingsChanged = settingKeys.some((key) => !deepEqual(oldSettings[key], newSettings[key]));
  const { changed, removed } = compareSnapshots(olds, desiredSnapshot(news, olds.ownerIds, scope));
  return {
    changes: settingsChanged || changed.length > 0 || removed.length > 0,
    replaces: [],
    deleteBeforeReplace: false,
  };
}

// ---------------------------------------------------------------------------
// update

/** The changes that bring the files from one snapshot to what the inputs ask for. */
export interface Plan {
  /** Snapshot that the inputs ask for. */
  readonly desired: FileSnapshot;
  /** Files to write, in path order. */
  readonly writes: readonly FileWrite[];
  /** Paths to remove, sorted. */
  readonly removed: readonly string[];
  /** Whether a restart applies the change, in place of a reload. */
  readonly restart: boolean;
}

/**
 * Plans an update from `current` to the inputs. A restart applies it when a
 * changed or removed restart path was already there, because the running
 * service has read that file. A file written for the first time is read when
 * the service starts, so it needs no restart.
 */
export function plan(
  inputs: Inputs,
  ownerIds: string,
  current: FileSnapshot,
  scope: SecretDigestScope,
  isRestartPath: (relativePath: string) => boolean,
): Plan {
  const desired = desiredSnapshot(inputs, ownerIds, scope);
  const { changed, removed } = compareSnapshots(current, desired);
  const existing = new Set(Object.keys(current.fileAttributes ?? {}));
  const restart = [...changed, ...removed].some((relativePath) => existing.has(relativePath) && isRestartPath(relativePath));
  const { secretPaths } = deliveredPaths(inputs);
  const writes = changed.map((relativePath) => {
    const secret = secretPaths.has(relativePath);
    return {
      relativePath,
      content: secret ? inputs.secretFiles[relativePath] : inputs.files[relativePath],
      mode: secret ? inputs.secretMode : inputs.mode,
    };
  });
  return { desired, writes, removed, restart };
}

/**
 * Brings the files from `current` to what `inputs` ask for: waits for idle
 * when a restart will follow (unless `forceRestart`), writes changed files,
 * removes dropped ones, then restarts or reloads. Returns the files as read
 * back, or the desired snapshot when nothing changed.
 */
export async function apply(
  inputs: Inputs,
  ownerIds: string,
  current: FileSnapshot,
  scope: SecretDigestScope,
  transport: Transport,
): Promise<{ snapshot: FileSnapshot; action: Action }> {
  const changes = plan(inputs, ownerIds, current, scope, (relativePath) => transport.isRestartPath(relativePath));
  const changedOrRemoved = [...changes.writes.map((write) => write.relativePath), ...changes.removed];
  if (changedOrRemoved.length === 0) {
    return { snapshot: changes.desired, action: "unchanged" };
  }

  if (changes.restart && !inputs.forceRestart) {
    await transport.waitUntilIdle();
  }
  if (changes.writes.length > 0) {
    await transport.writeFiles(changes.writes);
  }
  if (changes.removed.length > 0) {
    await transport.removeFiles(changes.removed);
  }

  if (changes.restart) {
    await transport.restart();
  } else {
    await transport.reload(changedOrRemoved);
  }
  const { paths, secretPaths } = deliveredPaths(inputs);
  return { snapshot: await transport.readSnapshot(paths, secretPaths), action: changes.restart ? "restarted" : "reloaded" };
}
