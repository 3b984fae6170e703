// An Asterisk container for tests, on the host network, configured from files
// written into it before it starts.
//
// The image's entrypoint waits for the marker /var/lib/inova/config-ready and
// then runs `asterisk -f`, so the configuration and the marker go in with the
// Docker archive API between create and start, and Asterisk boots at once.

import { spawnSync } from "node:child_process";
import { PassThrough } from "node:stream";
import Docker from "dockerode";
import * as tar from "tar-stream";

import { waitFor } from "./wait";

export const DEFAULT_ASTERISK_IMAGE = "inova/asterisk:dev";

/** File contents by absolute path inside the container. */
export type ContainerFiles = Readonly<Record<string, string | Buffer>>;

export interface AsteriskContainerOptions {
  /** Container name; must start with `phone-test-` so that cleanup never touches other containers. */
  readonly name: string;
  /** Files to write before Asterisk starts; must include /etc/asterisk/asterisk.conf. */
  readonly files: ContainerFiles;
  /** @default DEFAULT_ASTERISK_IMAGE */
  readonly image?: string;
  /** Time allowed for `core waitfullybooted` to succeed, in milliseconds. @default 20000 */
  readonly bootTimeoutMs?: number;
  /** Environment of the container, e.g. LD_PRELOAD and FAKETIME for an injected clock. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const NAME_PREFIX = "phone-test-";

/** Names of containers created by this process and not yet removed. */
const liveContainers = new Set<string>();
let exitHookInstalled = false;

// Last resort when a test run ends without calling remove(): the exit event
// allows only synchronous work, so the Docker CLI removes what is left.
function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const name of liveContainers) {
      spawnSync("docker", ["rm", "-f", name], { stdio: "ignore", timeout: 10_000 });
    }
  });
}

let sharedDocker: Docker | undefined;

function docker(): Docker {
  sharedDocker ??= new Docker();
  return sharedDocker;
}

export class AsteriskContainer {
  private constructor(
    readonly name: string,
    private readonly container: Docker.Container,
  ) {}

  /** Creates the container, writes the files, starts it and waits until Asterisk has fully booted. */
  static async start(options: AsteriskContainerOptions): Promise<AsteriskContainer> {
    if (!options.name.startsWith(NAME_PREFIX)) {
      throw new Error(`invalid container name ${options.name}; test containers are named ${NAME_PREFIX}*`);
    }
    if (!("/etc/asterisk/asterisk.conf" in options.files)) {
      throw new Error(`files for ${options.name} are missing /etc/asterisk/asterisk.conf, without which the entrypoint never starts Asterisk`);
    }

    await removeContainer(options.name);
    installExitHook();
    const container = await docker().createContainer({
      name: options.name,
      Image: options.image ?? DEFAULT_ASTERISK_IMAGE,
      HostConfig: { NetworkMode: "host" },
      Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
      Labels: { "phone-test.owner-pid": String(process.pid) },
    });
    liveContainers.add(options.name);
    const asterisk = new AsteriskContainer(options.name, container);

    try {
      // The image's entrypoint starts Asterisk once this marker exists.
      await asterisk.putFiles({ ...options.files, "/var/lib/inova/config-ready": "" });
      await container.start();
      await asterisk.waitFullyBooted(options.bootTimeoutMs ?? 20_000);
    } catch (error) {
      const logs = await asterisk.containerLogs().catch(() => "");
      await asterisk.remove();
      throw new Error(`${options.name}: Asterisk failed to start: ${(error as Error).message}\n${logs}`);
    }
    return asterisk;
  }

  /** Writes files into the container, creating parent folders; files are world-readable. */
  async putFiles(files: ContainerFiles): Promise<void> {
    const pack = tar.pack();
    for (const [path, content] of Object.entries(files)) {
      if (!path.startsWith("/")) {
        throw new Error(`invalid container path ${path}; expected an absolute path`);
      }
      pack.entry({ name: path.slice(1), mode: 0o644 }, typeof content === "string" ? Buffer.from(content) : content);
    }
    pack.finalize();

    const chunks: Buffer[] = [];
    for await (const chunk of pack) {
      chunks.push(chunk as Buffer);
    }
    await this.container.putArchive(Buffer.concat(chunks), { path: "/" });
  }

  /** Reads one file out of the container. */
  async readFile(path: string): Promise<Buffer> {
    const archive = await this.container.getArchive({ path });
    const extract = tar.extract();
    archive.pipe(extract);

    const contents: Buffer[] = [];
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) {
        chunks.push(chunk as Buffer);
      }
      if (entry.header.type === "file") {
        contents.push(Buffer.concat(chunks));
      }
    }

    if (contents.length !== 1) {
      throw new Error(`${this.name}: ${path} is not a single regular file`);
    }
    return contents[0];
  }

  /** Runs a command in the container as root and collects its output. */
  async exec(command: readonly string[]): Promise<ExecResult> {
    const exec = await this.container.exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdoutText = collect(stdout);
    const stderrText = collect(stderr);

    await new Promise<void>((resolve, reject) => {
      docker().modem.demuxStream(stream, stdout, stderr);
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", reject);
    });
    stdout.end();
    stderr.end();

    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, stdout: await stdoutText, stderr: await stderrText };
  }

  /** Runs an Asterisk CLI command with `asterisk -rx` and returns its output; throws when it fails. */
  async cli(command: string): Promise<string> {
    const result = await this.exec(["asterisk", "-rx", command]);
    if (result.exitCode !== 0) {
      throw new Error(`${this.name}: asterisk -rx '${command}' exited with ${result.exitCode}: ${result.stdout}${result.stderr}`);
    }
    return result.stdout;
  }

  /** Returns the last lines of Asterisk's messages log, for failure reports. */
  async logTail(lines = 60): Promise<string> {
    const result = await this.exec(["tail", "-n", String(lines), "/var/log/asterisk/messages.log"]);
    return result.stdout + result.stderr;
  }

  /** Removes the container; does nothing when it is already gone. */
  async remove(): Promise<void> {
    await removeContainer(this.name);
  }

  private async waitFullyBooted(timeoutMs: number): Promise<void> {
    let lastOutput = "";
    await waitFor(
      async () => {
        const state = await this.container.inspect();
        if (!state.State.Running) {
          throw new Error(`container exited with code ${state.State.ExitCode}`);
        }
        const result = await this.exec(["asterisk", "-rx", "core waitfullybooted"]);
        lastOutput = (result.stdout + result.stderr).trim();
        return result.exitCode === 0;
      },
      { timeoutMs, intervalMs: 200, description: () => `${this.name} to finish booting (last output: ${lastOutput || "none"})` },
    );
  }

  private async containerLogs(): Promise<string> {
    const logs = await this.container.logs({ stdout: true, stderr: true, tail: 40 });
    return logs.toString("utf8");
  }
}

async function removeContainer(name: string): Promise<void> {
  try {
    await docker().getContainer(name).remove({ force: true });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) {
      throw error;
    }
  }
  liveContainers.delete(name);
}

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return streamToBuffer(stream).then((buffer) => buffer.toString("utf8"));
}

function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}
