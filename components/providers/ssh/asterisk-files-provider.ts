// Dynamic provider that keeps Asterisk's configuration files on a Linux host
// that runs Asterisk itself, over SSH, and applies them. A changed file is
// reloaded with its own CLI command. A changed file that Asterisk reads only at
// start restarts Asterisk in place (`core restart now`) once no call is active.
// The plan of each update comes from ../file-set.ts; this file reads and writes
// the files with shell commands over SSH.
//
// Secret files are tracked by an HMAC-SHA256 keyed with the host, the directory
// and the file name. A refresh reads the files back over SSH, so a hand edit on
// the host shows as a change.

import type * as pulumi from "@pulumi/pulumi";
import type { Client } from "ssh2";

import { toPlainData } from "../docker/common";
import * as fileSet from "../file-set";
import { openSsh, runRemote, runRemoteOrThrow, shellQuote, type SshAccess } from "./connection";

/** Apply mode of a changed file: a CLI command, or a restart of Asterisk. */
export type FileApplyMode = { readonly kind: "reload"; readonly command: string } | { readonly kind: "restart" };

/** SSH login of the host, as stored in the state: a key file path or the agent, never a key. */
export interface HostLogin extends SshAccess {
  readonly user: string;
}

export interface AsteriskHostFilesInputs extends fileSet.Inputs {
  readonly login: HostLogin;
  /** Absolute directory Asterisk reads its configuration from, e.g. /etc/asterisk. The file paths are plain file names. */
  readonly directory: string;
  /** Apply mode of each file; every file needs an entry. */
  readonly applyModes: Readonly<Record<string, FileApplyMode>>;
  /** `user` or `user:group` on the host. */
  readonly owner: string;
  /** Seconds a restart waits for active calls to end before the update fails. @default 600 */
  readonly maxRestartWaitSeconds: number;
}

export type AsteriskHostFilesOutputs = Omit<AsteriskHostFilesInputs, "files" | "secretFiles"> &
  fileSet.Outputs & {
    /** Action of the last create or update: `unchanged`, `reloaded` or `restarted`. */
    readonly lastApply: string;
  };

/** Returns the scope that keys the digests of a host's secret files: its address, port and directory. */
export function hostDigestScope(login: HostLogin, directory: string): fileSet.SecretDigestScope {
  return ["inova-pbx asterisk-host-files", `${login.host}:${login.port}`, directory];
}

/** Returns the keyed digest that represents a secret file's content in the state. */
export function hostSecretDigest(login: HostLogin, directory: string, name: string, content: string | Buffer): string {
  return fileSet.secretDigest(hostDigestScope(login, directory), name, content);
}

/** Reports whether a change of the named file needs a restart of Asterisk: the file is read only at start. */
export function isRestartFile(applyModes: Readonly<Record<string, FileApplyMode>>, name: string): boolean {
  return applyModes[name]?.kind === "restart";
}

/** Lists the reload commands for a set of changed or removed files, each distinct command once, in file name order. */
export function reloadCommands(
  changedOrRemoved: readonly string[],
  applyModes: Readonly<Record<string, FileApplyMode>>,
): string[] {
  const commands: string[] = [];
  for (const name of [...changedOrRemoved].sort()) {
    const mode = applyModes[name];
    if (mode?.kind === "reload" && !commands.includes(mode.command)) {
      commands.push(mode.command);
    }
  }
  return commands;
}

// ---------------------------------------------------------------------------
// check and diff

const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

async function checkAsteriskHostFiles(
  _olds: unknown,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<AsteriskHostFilesInputs>> {
  const inputs: Record<string, unknown> = {
    ...fileSet.withDefaults(news),
    maxRestartWaitSeconds: news.maxRestartWaitSeconds ?? 600,
  };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  fileSet.check(
    inputs,
    { noun: "file name", isValid: (name) => FILE_NAME.test(name), fix: 'use a plain file name without "/"' },
    failures,
  );
  fileSet.checkPositiveSeconds(inputs, ["maxRestartWaitSeconds"], failures);
  return { inputs: inputs as unknown as AsteriskHostFilesInputs, failures };
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
  ];
  return fileSet.diff(olds, news, replaces, settingKeys, hostDigestScope(news.login, news.directory));
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
): Promise<fileSet.FileSnapshot> {
  const snapshot = fileSet.emptySnapshot();
  if (names.length === 0) {
    return snapshot;
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
    snapshot.fileAttributes[name] = fileSet.formatAttributes(parseInt(mode, 8), ownerIds);
    if (!secretNames.has(name)) {
      snapshot.fileHashes[name] = `sha256:${digest}`;
    }
  }
  // Secret files are read in full over the encrypted channel and digested here
  // with the keyed HMAC; their plain digest never leaves this function.
  for (const name of Object.keys(snapshot.fileAttributes).filter((file) => secretNames.has(file))) {
    const content = await runRemoteOrThrow(client, `cat -- ${shellQuote(`${inputs.directory}/${name}`)}`, {
      timeoutSeconds: inputs.commandTimeoutSeconds,
      description: `reading ${name}`,
    });
    snapshot.secretFileHashes[name] = hostSecretDigest(inputs.login, inputs.directory, name, content);
  }
  return snapshot;
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

/**
 * Returns the SSH steps of an update: each file is replaced atomically, `rm`
 * removes files, and Asterisk restarts in place (after its calls end) or runs
 * the reload command of each changed file.
 */
function hostTransport(client: Client, inputs: AsteriskHostFilesInputs, ownerIds: string): fileSet.Transport {
  return {
    isRestartPath: (name) => isRestartFile(inputs.applyModes, name),
    waitUntilIdle: () => waitUntilIdle(client, inputs),
    writeFiles: async (writes) => {
      for (const write of writes) {
        const absolutePath = `${inputs.directory}/${write.relativePath}`;
        await writeHostFile(client, absolutePath, write.content, write.mode, ownerIds, inputs.commandTimeoutSeconds);
      }
    },
    removeFiles: async (names) => {
      const paths = names.map((name) => shellQuote(`${inputs.directory}/${name}`)).join(" ");
      await runRemoteOrThrow(client, `rm -f -- ${paths}`, {
        timeoutSeconds: inputs.commandTimeoutSeconds,
        description: "removing files no longer deployed",
      });
    },
    restart: async () => {
      // Asterisk re-executes itself in place, so the restart needs no service manager.
      await runRemote(client, "asterisk -rx 'core restart now'", { timeoutSeconds: inputs.commandTimeoutSeconds });
      await sleep(2000);
      await waitUntilBooted(client, inputs);
    },
    reload: async (changedOrRemoved) => {
      for (const command of reloadCommands(changedOrRemoved, inputs.applyModes)) {
        await asteriskCli(client, command, inputs.commandTimeoutSeconds);
      }
    },
    readSnapshot: (names, secretNames) => readHostSnapshot(client, inputs, names, secretNames),
  };
}

async function withHost<T>(login: HostLogin, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await openSsh(login);
  try {
    return await work(client);
  } finally {
    client.end();
  }
}

// ---------------------------------------------------------------------------
// create, read, update, delete

async function createAsteriskHostFiles(
  inputs: AsteriskHostFilesInputs,
): Promise<pulumi.dynamic.CreateResult<AsteriskHostFilesOutputs>> {
  return withHost(inputs.login, async (client) => {
    const ownerIds = await resolveOwner(client, inputs.owner, inputs.commandTimeoutSeconds);
    const { paths, secretPaths } = fileSet.deliveredPaths(inputs);
    // Files that already match count as unchanged, so adopting a configured host does not reload it.
    const current = await readHostSnapshot(client, inputs, paths, secretPaths);
    const transport = hostTransport(client, inputs, ownerIds);
    const scope = hostDigestScope(inputs.login, inputs.directory);
    const { snapshot, action } = await fileSet.apply(inputs, ownerIds, current, scope, transport);
    return {
      id: `${inputs.login.host}:${inputs.login.port}:${inputs.directory}`,
      outs: fileSet.toOutputs(inputs, { ownerIds, lastApply: action }, snapshot),
    };
  });
}

async function updateAsteriskHostFiles(
  _id: string,
  olds: AsteriskHostFilesOutputs,
  news: AsteriskHostFilesInputs,
): Promise<pulumi.dynamic.UpdateResult<AsteriskHostFilesOutputs>> {
  return withHost(news.login, async (client) => {
    const ownerIds = fileSet.keptOwnerIds(olds, news) ?? (await resolveOwner(client, news.owner, news.commandTimeoutSeconds));
    const transport = hostTransport(client, news, ownerIds);
    const scope = hostDigestScope(news.login, news.directory);
    const { snapshot, action } = await fileSet.apply(news, ownerIds, olds, scope, transport);
    return { outs: fileSet.toOutputs(news, { ownerIds, lastApply: action }, snapshot) };
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
    const { paths, secretPaths } = fileSet.recordedPaths(props);
    const snapshot = await readHostSnapshot(client, props, paths, secretPaths);
    return { id, props: toPlainData({ ...props, ...snapshot }) };
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
