// Runs commands inside containers through the Engine API exec endpoints.

import type Dockerode from "dockerode";

export interface ExecOptions {
  /** Seconds before the command is abandoned. @default 60 */
  readonly timeoutSeconds?: number;
  /** User (name or uid[:gid]) to run as; the container's user when absent. */
  readonly user?: string;
  /** Extra environment variables, `NAME=value`. */
  readonly env?: readonly string[];
  readonly workingDir?: string;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` in a running container and returns its exit code with stdout
 * and stderr demultiplexed. Throws when the command does not finish within the
 * timeout. The Engine API cannot kill an exec process, so a timed-out command
 * may go on running inside the container.
 */
export async function execInContainer(
  docker: Dockerode,
  containerId: string,
  command: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const { Writable } = require("stream") as typeof import("stream");
  const timeoutSeconds = options.timeoutSeconds ?? 60;
  const container = docker.getContainer(containerId);
  const exec = await container.exec({
    Cmd: [...command],
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: options.user,
    Env: options.env ? [...options.env] : undefined,
    WorkingDir: options.workingDir,
  });
  const stream = await exec.start({ hijack: true, stdin: false });

  const stdoutChunks: Buffer[] = [];
  const stderrChunks: Buffer[] = [];
  const collectInto = (chunks: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
  docker.modem.demuxStream(stream, collectInto(stdoutChunks), collectInto(stderrChunks));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      (stream as unknown as { destroy(): void }).destroy();
      reject(
        new Error(
          `command ${JSON.stringify(command)} in container ${containerId} timed out after ${timeoutSeconds} s`,
        ),
      );
    }, timeoutSeconds * 1000);
    const finish = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });

  // The stream can end a moment before the engine records the exit code.
  let info = await exec.inspect();
  for (let attempt = 0; info.Running && attempt < 50; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    info = await exec.inspect();
  }
  return {
    exitCode: info.ExitCode ?? -1,
    stdout: Buffer.concat(stdoutChunks).toString("utf8"),
    stderr: Buffer.concat(stderrChunks).toString("utf8"),
  };
}

/** Formats a failed command with its exit code and the end of its output. */
export function describeExecFailure(command: readonly string[], containerId: string, result: ExecResult): string {
  const output = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-20).join("\n");
  const shownOutput = output === "" ? "no output" : `output:\n${output}`;
  return `command ${JSON.stringify(command)} in container ${containerId} exited with code ${result.exitCode}; ${shownOutput}`;
}

/** Runs `command` like {@link execInContainer} and throws when it exits non-zero. */
export async function execOrThrow(
  docker: Dockerode,
  containerId: string,
  command: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const result = await execInContainer(docker, containerId, command, options);
  if (result.exitCode !== 0) {
    throw new Error(describeExecFailure(command, containerId, result));
  }
  return result;
}

/** How to wait until a service inside a container has no active work, such as calls. */
export interface IdleWait {
  /** Command that prints only the number of active calls (or other work). */
  readonly command: readonly string[];
  readonly maxWaitSeconds: number;
  readonly pollIntervalSeconds: number;
  /** Seconds each run of the command may take. */
  readonly commandTimeoutSeconds: number;
  /** Phrase naming the step that waits for idle, e.g. `before a restart`. */
  readonly before: string;
  /** Sentence stating what stays unchanged when the wait fails, e.g. `No file was changed`. */
  readonly untouched: string;
  /** The setting that skips the wait, e.g. `forceRestart: true to restart`. */
  readonly override: string;
}

/**
 * Runs the idle command until it prints `0`. Throws when the bound passes,
 * naming the last count, what was left untouched and the override.
 */
export async function waitForIdle(docker: Dockerode, containerId: string, wait: IdleWait): Promise<void> {
  const deadline = Date.now() + wait.maxWaitSeconds * 1000;
  for (;;) {
    const result = await execInContainer(docker, containerId, wait.command, { timeoutSeconds: wait.commandTimeoutSeconds });
    const printed = result.stdout.trim();
    if (result.exitCode === 0 && printed === "0") {
      return;
    }
    if (Date.now() + wait.pollIntervalSeconds * 1000 > deadline) {
      const last =
        result.exitCode === 0
          ? `it last printed ${JSON.stringify(printed)}`
          : `it last exited with code ${result.exitCode}: ${result.stderr.trim()}`;
      throw new Error(
        `container ${containerId.slice(0, 12)} was not idle within ${wait.maxWaitSeconds} s: ` +
          `${JSON.stringify(wait.command)} must print 0 ${wait.before}, and ${last}. ` +
          `${wait.untouched}. Run the update again later, or set ${wait.override} without waiting (active calls are dropped).`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait.pollIntervalSeconds * 1000));
  }
}
