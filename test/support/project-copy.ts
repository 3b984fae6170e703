// A private copy of the project for end-to-end tests: its own stack files to
// edit, its own file backend, and the repository's node_modules linked in.

import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_DIR = path.resolve(__dirname, "..", "..");

const EXCLUDED = ["node_modules", ".git", ".pulumi-state", "test-results", "bench/results"];

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class ProjectCopy {
  private constructor(
    readonly dir: string,
    readonly stateDir: string,
  ) {}

  /** Copies the working tree (tracked and untracked files) into a new temporary directory. */
  static create(prefix: string): ProjectCopy {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    const dir = path.join(root, "project");
    const stateDir = path.join(root, "state");
    fs.mkdirSync(dir);
    fs.mkdirSync(stateDir);
    const excludes = EXCLUDED.flatMap((name) => ["--exclude", `./${name}`]);
    execFileSync("bash", ["-c", `tar -C "$1" ${excludes.map((e) => `'${e}'`).join(" ")} -cf - . | tar -C "$2" -xf -`, "copy", REPO_DIR, dir]);
    fs.symlinkSync(path.join(REPO_DIR, "node_modules"), path.join(dir, "node_modules"));
    return new ProjectCopy(dir, stateDir);
  }

  /** Environment for Pulumi commands on this copy's backend, with the project's toolchain on PATH. */
  env(): NodeJS.ProcessEnv {
    const toolchainBin = toolchainBinDir();
    return {
      ...process.env,
      PATH: `${toolchainBin}:${process.env.PATH ?? ""}`,
      PULUMI_BACKEND_URL: `file://${this.stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: "inova-local-only",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
  }

  /** Runs a command in the copy; resolves with its exit code and output, never rejects on exit codes. */
  run(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], { cwd: this.dir, env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => {
        child.kill("SIGTERM");
        reject(new Error(`${command} ${args.join(" ")} timed out after ${options.timeoutMs} ms\n${stdout}\n${stderr}`));
      }, options.timeoutMs ?? 600_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  /** Runs `pulumi` with the given arguments and fails with its output when it exits non-zero. */
  async pulumi(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    const result = await this.run("pulumi", args, options);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  }

  readFile(relativePath: string): string {
    return fs.readFileSync(path.join(this.dir, relativePath), "utf8");
  }

  writeFile(relativePath: string, text: string): void {
    fs.writeFileSync(path.join(this.dir, relativePath), text);
  }

  remove(): void {
    fs.rmSync(path.dirname(this.dir), { recursive: true, force: true });
  }
}

/** Directory of the Pulumi toolchain that scripts/toolchain/build.sh built, read from its env file. */
export function toolchainBinDir(): string {
  const envFile = path.join(REPO_DIR, "scripts", "toolchain", "env.sh");
  const text = fs.readFileSync(envFile, "utf8");
  const match = /export PATH="?([^:"]+):/.exec(text);
  if (match === null) {
    throw new Error(`no PATH entry in ${envFile}; run bash scripts/setup.sh`);
  }
  return match[1];
}
