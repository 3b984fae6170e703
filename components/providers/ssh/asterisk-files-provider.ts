// Dynamic provider that keeps Asterisk's configuration files on a Linux host
// that runs Asterisk itself, over SSH, and applies them. A changed file is
// reloaded with its own CLI command. A changed file that Asterisk reads only at
// start restarts Asterisk in place (`core restart now`) once no call is active.
//
// The state contains no file content. Non-secret files are tracked by their
// SHA-256; secret files by an HMAC-SHA256 keyed with the host, the directory
// and the path, in a secret output, for the same reason as ContainerFiles: a
// plain digest of a short PIN file could be reversed by trying every PIN.
// A refresh reads the files back over SSH, so a hand edit on the host shows as a change.

import type * as pulumi from "@pulumi/pulumi";
import type { Client } from "ssh2";

import { openSsh, runRemote, runRemoteOrThrow, shellQuote, type SshAccess } from "./connection";

/** Apply mode of a changed file: a CLI command, or a restart of Asterisk. */
export type FileApplyMode = { readonly kind: "reload"; readonly command: string } | { readonly kind: "restart" };

/** SSH login of the host, as stored in the state: a key file path or the agent, never a key. */
export interface HostLogin extends SshAccess {
  readonly user: string;
}

export interface AsteriskHostFilesInputs {
  readonly login: HostLogin;
  /** Absolute directory Asterisk reads its configuration from, e.g. /etc/asterisk. */
  readonly directory: string;
  /** Non-secret files: file name to content. */
  readonly files: Readonly<Record<string, string>>;
  /** Secret files: file name to content. Never stored in outputs. */
  readonly secretFiles: Readonly<Record<string, string>>;
  /** Apply mode of each file; every file needs an entry. */
  readonly applyModes: Readonly<Record<string, FileApplyMode>>;
  /** `user` or `user:group` on the host. */
  readonly owner: string;
  /** Permission bits of non-secret files, octal. @default "0644" */
  readonly mode: string;
  /** Permission bits of secret files, octal. @default "0640" */
  readonly secretMode: string;
  /** Restart without waiting for active calls to end. @default false */
  readonly forceRestart: boolean;
  /** Seconds a restart waits for active calls to end before the update fails. @default 600 */
  readonly maxRestartWaitSeconds: number;
  /** Seconds each remote command may take. @default 60 */
  readonly commandTimeoutSeconds: number;
  /** Seconds Asterisk may take to boot fully after a restart. @default 120 */
  readonly restartTimeoutSeconds: number;
}

/** Digests and attributes of the files on the host. */
export interface HostFileSnapshot {
  /** File name to `sha256:<hex>` of a non-secret file's content. */
  readonly fileHashes: Readonly<Record<string, string>>;
  /** File name to `hmac-sha256:<hex>` of a secret file's content; a secret output. */
  readonly secretFileHashes: Readonly<Record<string, string>>;
  /** File name to `<octal mode> <uid>:<gid>`. */
  readonly fileAttributes: Readonly<Record<string, string>>;
}

export type AsteriskHostFilesOutputs = Omit<AsteriskHostFilesInputs, "files" | "secretFiles"> &
  HostFileSnapshot & {
    /** Owner resolved on the host, `uid:gid`. */
    readonly ownerIds: string;
    /** Action of the last create or update: `unchanged`, `reloaded` or `restarted`. */
    readonly lastApply: string;
  };

/** Returns the keyed digest that represents a secret file's content in the state. */
export function hostSecretDigest(login: HostLogin, directory: string, name: string, content: string | Buffer): string {
  const crypto: typeof import("crypto") = require("crypto");
  const key = `inova-pbx asterisk-host-files\u0000${login.host}:${login.port}\u0000${directory}\u0000${name}`;
  return `hmac-sha256:${crypto.createHmac("sha256", key).update(content).digest("hex")}`;
}

function sha256Digest(content: string | Buffer): string {
  const crypto: typeof import("crypto") = require("crypto");
  return `sha256:${crypto.createHash("sha256").update(content).digest("hex")}`;
}

function formatAttributes(mode: number, ownerIds: string): string {
  return `${mode.toString(8).padStart(4, "0")} ${ownerIds}`;
}

/** Computes the digests and attributes that the inputs ask for. */
export function desiredHostSnapshot(inputs: AsteriskHostFilesInputs, ownerIds: string): HostFileSnapshot {
  const fileHashes: Record<string, string> = {};
  const secretFileHashes: Record<string, string> = {};
  const fileAttributes: Record<string, string> = {};
  for (const [name, content] of Object.entries(inputs.files)) {
    fileHashes[name] = sha256Digest(content);
    fileAttributes[name] = formatAttributes(parseInt(inputs.mode, 8), ownerIds);
  }
  for (const [name, content] of Object.entries(inputs.secretFiles)) {
    secretFileHashes[name] = hostSecretDigest(inputs.login, inputs.directory, name, content);
    fileAttributes[name] = formatAttributes(parseInt(inputs.secretMode, 8), ownerIds);
  }
  return { fileHashes, secretFileHashes, fileAttributes };
}

/** Lists the files whose digest or attributes differ, and those no longer wanted. */
export function compareHostSnapshots(
  current: HostFileSnapshot,
  desired: HostFileSnapshot,
): { changed: string[]; removed: string[] } {
  const currentHashes = current.fileHashes ?? {};
  const currentSecretHashes = current.secretFileHashes ?? {};
  const currentAttributes = current.fileAttributes ?? {};
  const changed = Object.keys(desired.fileAttributes).filter(
    (name) =>
      currentHashes[name] !== desired.fileHashes[name] ||
      currentSecretHashes[name] !== desired.secretFileHashes[name] ||
      currentAttributes[name] !== desired.fileAttributes[name],
  );
  const currentNames = new Set([...Object.keys(currentHashes), ...Object.keys(currentSecretHashes)]);
  const removed = [...currentNames].filter((name) => desired.fileAttributes[name] === undefined);
  return { changed: changed.sort(), removed: removed.sort() };
}

/**
 * Plans how to apply a set of changed files. Asterisk restarts when any of them
 * is read only at start and was already on the host, because a file written for
 * the first time has never been read. Otherwise each distinct reload command runs once.
 */
export function planApply(
  changedOrRemoved: readonly string[],
  applyModes: Readonly<Record<string, FileApplyMode>>,
  existing: ReadonlySet<string>,
): { restart: boolean; reloadCommands: string[] } {
  const restart = changedOrRemoved.some((name) => applyModes[name]?.kind === "restart" && existing.has(name));
  const reloadCommands: string[] = [];
  for (const name of [...changedOrRemoved].sort()) {
    const mode = applyModes[name];
    if (mode?.kind === "reload" && !reloadCommands.includes(mode.command)) {
      reloadCommands.push(mode.command);
    }
  }
  return { restart, reloadCommands: restart ? [] : reloadCommands };
}

// ---------------------------------------------------------------------------
// check and diff

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

async function checkAsteriskHostFiles(
  _olds: unknown,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<AsteriskHostFilesInputs>> {
  const inputs: Record<string, unknown> = {
    ...news,
    files: news.files ?? {},
    secretFiles: news.secretFiles ?? {},
    mode: news.mode ?? "0644",
    secretMode: news.secretMode ?? "0640",
    forceRestart: news.forceRestart ?? false,
    maxRestartWaitSeconds: news.maxRestartWaitSeconds ?? 600,
    commandTimeoutSeconds: news.commandTimeoutSeconds ?? 60,
    restartTimeoutSeconds: news.restartTimeoutSeconds ?? 120,
  };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  if (typeof inputs.directory === "string" && !inputs.directory.startsWith("/")) {
    fail("directory", `directory must be an absolute path, got ${JSON.stringify(inputs.directory)}`);
  }
  for (const key of ["files", "secretFiles"] as const) {
    const value = inputs[key];
    if (value !== null && typeof value === "object") {
      for (const name of Object.keys(value)) {
        if (!FILE_NAME.test(name)) {
          fail(key, `invalid file name ${JSON.stringify(name)}: use a plain file name without "/"`);
        }
      }
    }
  }
  for (const key of ["mode", "secretMode"]) {
    if (typeof inputs[key] === "string" && !/^0?[0-7]{3}$/.test(inputs[key] as string)) {
      fail(key, `${key} must be octal permission bits such as "0640", got ${JSON.stringify(inputs[key])}`);
    }
  }
  for (const key of ["maxRestartWaitSeconds", "commandTimeoutSeconds", "restartTimeoutSeconds"]) {
    const value = inputs[key];
    if (typeof value === "number" && !(value > 0)) {
      fail(key, `${key} must be a positive number of seconds, got ${value}`);
    }
  }
  return { inputs: inputs as unknown as AsteriskHostFilesInputs, failures };
}

function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Plans the change: a new host, port or directory replaces the resource, and any other change updates it in place. */
async function diffAsteriskHostFiles(
  _id: string,
  olds: AsteriskHostFilesOutputs,
  news: AsteriskHostFilesInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = [];
  if (olds.login?.host !== news.login?.host || olds.login?.port !== news.login?.port) {
    replaces.push("login");
  }
  if (olds.directory !== news.directory) {
    replaces.push("directory");
  }
  if (replaces.length > 0) {
    return { changes: true, replaces, deleteBeforeReplace: false };
  }
  const settingKeys = [
    "login",
    "applyModes",
    "owner",
    "mode",
    "secretMode",
    "forceRestart",
    "maxRestartWaitSeconds",
    "commandTimeoutSeconds",
    "restartTimeoutSeconds",
  ] as const;
  const settingsChanged = settingKeys.some((key) => !sameJson(olds[key], news[key]));
  const { changed, removed } = compareHostSnapshots(olds, desiredHostSnapshot(news, olds.ownerIds));
  return { changes: settingsChanged || changed.length > 0 || removed.length > 0, replaces: [], deleteBeforeReplace: false };
}

// ---------------------------------------------------------------------------
// host access

async function resolveOwner(client: Client, owner: string, timeoutSeconds: number): Promise<string> {
  const [user, group] = owner.split(":");
  const groupCommand = group === undefined ? `id -g ${shellQuote(user)}` : `getent group ${shellQuote(group)} | cut -d: -f3`;
  const output = await runRemoteOrThrow(client, `id -u ${shellQuote(user)} && ${groupCommand}`, {
    timeoutSeconds,
    description: `resolving owner ${owner}`,
  });
  const [uid, gid] = output.toString("utf8").trim().split("\n");
  if (!/^\d+$/.test(uid ?? "") || !/^\d+$/.test(gid ?? "")) {
    throw new Error(`owner ${owner} not found on the host; set target.fileOwner to the account Asterisk runs as`);
  }
  return `${uid}:${gid}`;
}

/** Reads the files back: mode, owner and digest of each regular file that exists. */
async function readHostSnapshot(
  client: Client,
  inputs: Pick<AsteriskHostFilesInputs, "login" | "directory" | "commandTimeoutSeconds">,
  names: readonly string[],
  secretNames: ReadonlySet<string>,
): Promise<HostFileSnapshot> {
  const fileHashes: Record<string, string> = {};
  const secretFileHashes: Record<string, string> = {};
  const fileAttributes: Record<string, string> = {};
  if (names.length === 0) {
    return { fileHashes, secretFileHashes, fileAttributes };
  }

  // One line per regular file: "<octal mode> <uid>:<gid> <sha256 hex> <name>". A link
  // or directory counts as absent, so the next update writes a regular file there.
  const script =
    `cd ${shellQuote(inputs.directory)} 2>/dev/null || exit 0\n` +
    `for f in ${names.map(shellQuote).join(" ")}; do\n` +
    `  if [ -f "$f" ] && [ ! -L "$f" ]; then\n` +
    `    printf '%s %s %s\\n' "$(stat -c '%a %u:%g' -- "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)" "$f"\n` +
    `  fi\n` +
    `done`;
  const output = await runRemoteOrThrow(client, script, {
    timeoutSeconds: inputs.commandTimeoutSeconds,
    description: `reading files in ${inputs.directory}`,
  });

  for (const line of output.toString("utf8").split("\n")) {
    const match = /^([0-7]+) (\d+:\d+) ([0-9a-f]{64}) (.+)$/.exec(line);
    if (match === null) {
      continue;
    }
    const [, mode, ownerIds, digest, name] = match;
    fileAttributes[name] = formatAttributes(parseInt(mode, 8), ownerIds);
    if (!secretNames.has(name)) {
      fileHashes[name] = `sha256:${digest}`;
    }
  }
  // Secret files are read in full over the encrypted channel and digested here
  // with the keyed HMAC; their plain digest never leaves this function.
  for (const name of Object.keys(fileAttributes).filter((file) => secretNames.has(file))) {
    const content = await runRemoteOrThrow(client, `cat -- ${shellQuote(`${inputs.directory}/${name}`)}`, {
      timeoutSeconds: inputs.commandTimeoutSeconds,
      description: `reading ${name}`,
    });
    secretFileHashes[name] = hostSecretDigest(inputs.login, inputs.directory, name, content);
  }
  return { fileHashes, secretFileHashes, fileAttributes };
}

/** Replaces one file atomically: written to a temporary file beside it with owner and mode set, then renamed. */
async function writeHostFile(
  client: Client,
  absolutePath: string,
  content: string,
  mode: string,
  ownerIds: string,
  timeoutSeconds: number,
): Promise<void> {
  const script =
    "set -e; umask 077\n" +
    `target=${shellQuote(absolutePath)}\n` +
    `temporary=$(mktemp "$(dirname "$target")/.inova-pbx.XXXXXX")\n` +
    `trap 'rm -f "$temporary"' EXIT\n` +
    `cat > "$temporary"\n` +
    `chown ${shellQuote(ownerIds)} "$temporary"\n` +
    `chmod ${shellQuote(mode)} "$temporary"\n` +
    `mv -f "$temporary" "$target"\n` +
    "trap - EXIT";
  await runRemoteOrThrow(client, script, { stdin: content, timeoutSeconds, description: `writing ${absolutePath}` });
}

/** Runs one Asterisk CLI command with `asterisk -rx` and returns its output. */
async function asteriskCli(client: Client, command: string, timeoutSeconds: number): Promise<string> {
  const output = await runRemoteOrThrow(client, `asterisk -rx ${shellQuote(command)}`, {
    timeoutSeconds,
    description: `asterisk -rx "${command}"`,
  });
  return output.toString("utf8");
}

async function sleep(milliseconds: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Waits until Asterisk reports no active call; throws after `maxRestartWaitSeconds`, before any file is written. */
async function waitUntilIdle(client: Client, inputs: AsteriskHostFilesInputs): Promise<void> {
  const deadline = Date.now() + inputs.maxRestartWaitSeconds * 1000;
  for (;;) {
    const output = await asteriskCli(client, "core show channels count", inputs.commandTimeoutSeconds);
    const active = /(\d+) active calls?/.exec(output)?.[1];
    if (active === "0") {
      return;
    }
    if (Date.now() + 5000 > deadline) {
      throw new Error(
        `Asterisk on ${inputs.login.host} still had ${active ?? "an unknown number of"} active calls after ${inputs.maxRestartWaitSeconds} s, ` +
          "and a changed file needs a restart. No file was changed. Run the update again later, or set forceRestart: true (active calls are dropped).",
      );
    }
    await sleep(5000);
  }
}

/** Waits until Asterisk has fully booted, e.g. after `core restart now`. */
async function waitUntilBooted(client: Client, inputs: AsteriskHostFilesInputs): Promise<void> {
  const deadline = Date.now() + inputs.restartTimeoutSeconds * 1000;
  for (;;) {
    const result = await runRemote(client, "asterisk -rx 'core waitfullybooted'", { timeoutSeconds: inputs.commandTimeoutSeconds });
    if (result.exitCode === 0 && result.stdout.toString("utf8").includes("fully booted")) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Asterisk on ${inputs.login.host} did not boot within ${inputs.restartTimeoutSeconds} s after a restart; ` +
          `check its log on the host (last output: ${result.stderr.trim() || result.stdout.toString("utf8").trim()})`,
      );
    }
    await sleep(1000);
  }
}

/** Brings the host's files from `current` to the inputs, then reloads or restarts Asterisk. */
async function applyHostFiles(
  client: Client,
  inputs: AsteriskHostFilesInputs,
  ownerIds: string,
  current: HostFileSnapshot,
): Promise<{ snapshot: HostFileSnapshot; lastApply: string }> {
  const desired = desiredHostSnapshot(inputs, ownerIds);
  const { changed, removed } = compareHostSnapshots(current, desired);
  const secretNames = new Set(Object.keys(inputs.secretFiles));
  const names = Object.keys(desired.fileAttributes).sort();
  if (changed.length === 0 && removed.length === 0) {
    return { snapshot: desired, lastApply: "unchanged" };
  }

  const plan = planApply([...changed, ...removed], inputs.applyModes, new Set(Object.keys(current.fileAttributes ?? {})));
  if (plan.restart && !inputs.forceRestart) {
    await waitUntilIdle(client, inputs);
  }
  for (const name of changed) {
    const secret = secretNames.has(name);
    await writeHostFile(
      client,
      `${inputs.directory}/${name}`,
      secret ? inputs.secretFiles[name] : inputs.files[name],
      secret ? inputs.secretMode : inputs.mode,
      ownerIds,
      inputs.commandTimeoutSeconds,
    );
  }
  if (removed.length > 0) {
    const paths = removed.map((name) => shellQuote(`${inputs.directory}/${name}`)).join(" ");
    await runRemoteOrThrow(client, `rm -f -- ${paths}`, {
      timeoutSeconds: inputs.commandTimeoutSeconds,
      description: "removing files no longer deployed",
    });
  }

  let lastApply = "reloaded";
  if (plan.restart) {
    // Asterisk re-executes itself in place, so the restart needs no service manager.
    await runRemote(client, "asterisk -rx 'core restart now'", { timeoutSeconds: inputs.commandTimeoutSeconds });
    await sleep(2000);
    await waitUntilBooted(client, inputs);
    lastApply = "restarted";
  } else {
    for (const command of plan.reloadCommands) {
      await asteriskCli(client, command, inputs.commandTimeoutSeconds);
    }
  }
  return { snapshot: await readHostSnapshot(client, inputs, names, secretNames), lastApply };
}

async function withHost<T>(login: HostLogin, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await openSsh(login);
  try {
    return await work(client);
  } finally {
    client.end();
  }
}

function toOutputs(
  inputs: AsteriskHostFilesInputs,
  ownerIds: string,
  snapshot: HostFileSnapshot,
  lastApply: string,
): AsteriskHostFilesOutputs {
  const { files: _files, secretFiles: _secretFiles, ...settings } = inputs;
  return JSON.parse(JSON.stringify({ ...settings, ownerIds, lastApply, ...snapshot })) as AsteriskHostFilesOutputs;
}

// ---------------------------------------------------------------------------
// create, read, update, delete

async function createAsteriskHostFiles(
  inputs: AsteriskHostFilesInputs,
): Promise<pulumi.dynamic.CreateResult<AsteriskHostFilesOutputs>> {
  return withHost(inputs.login, async (client) => {
    const ownerIds = await resolveOwner(client, inputs.owner, inputs.commandTimeoutSeconds);
    const names = [...Object.keys(inputs.files), ...Object.keys(inputs.secretFiles)].sort();
    // Files that already match count as unchanged, so adopting a configured host does not reload it.
    const current = await readHostSnapshot(client, inputs, names, new Set(Object.keys(inputs.secretFiles)));
    const { snapshot, lastApply } = await applyHostFiles(client, inputs, ownerIds, current);
    return {
      id: `${inputs.login.host}:${inputs.login.port}:${inputs.directory}`,
      outs: toOutputs(inputs, ownerIds, snapshot, lastApply),
    };
  });
}

async function updateAsteriskHostFiles(
  _id: string,
  olds: AsteriskHostFilesOutputs,
  news: AsteriskHostFilesInputs,
): Promise<pulumi.dynamic.UpdateResult<AsteriskHostFilesOutputs>> {
  return withHost(news.login, async (client) => {
    const ownerIds =
      olds.owner === news.owner && olds.ownerIds !== undefined
        ? olds.ownerIds
        : await resolveOwner(client, news.owner, news.commandTimeoutSeconds);
    const { snapshot, lastApply } = await applyHostFiles(client, news, ownerIds, olds);
    return { outs: toOutputs(news, ownerIds, snapshot, lastApply) };
  });
}

async function readAsteriskHostFiles(
  id: string,
  props?: AsteriskHostFilesOutputs,
): Promise<pulumi.dynamic.ReadResult<AsteriskHostFilesOutputs>> {
  if (props === undefined) {
    return {};
  }
  return withHost(props.login, async (client) => {
    const secretNames = new Set(Object.keys(props.secretFileHashes ?? {}));
    const names = Object.keys(props.fileAttributes ?? {}).sort();
    const snapshot = await readHostSnapshot(client, props, names, secretNames);
    return { id, props: JSON.parse(JSON.stringify({ ...props, ...snapshot })) as AsteriskHostFilesOutputs };
  });
}

/**
 * Removes the deployed files from the host. Asterisk keeps what it has loaded
 * until its next reload or restart, so calls in progress are not dropped.
 */
async function deleteAsteriskHostFiles(_id: string, props: AsteriskHostFilesOutputs): Promise<void> {
  const names = Object.keys(props.fileAttributes ?? {});
  if (names.length === 0) {
    return;
  }
  await withHost(props.login, async (client) => {
    const paths = names.map((name) => shellQuote(`${props.directory}/${name}`)).join(" ");
    await runRemoteOrThrow(client, `rm -f -- ${paths}`, {
      timeoutSeconds: props.commandTimeoutSeconds,
      description: `removing the deployed files from ${props.directory}`,
    });
  });
}

/** Provider of the `AsteriskHostFiles` dynamic resource. */
export const asteriskHostFilesProvider: pulumi.dynamic.ResourceProvider<AsteriskHostFilesInputs, AsteriskHostFilesOutputs> = {
  check: checkAsteriskHostFiles as unknown as pulumi.dynamic.ResourceProvider<AsteriskHostFilesInputs>["check"],
  diff: diffAsteriskHostFiles,
  create: createAsteriskHostFiles,
  update: updateAsteriskHostFiles,
  read: readAsteriskHostFiles,
  delete: deleteAsteriskHostFiles,
};
