// Shared setup of the provider integration tests: the local engine, unique
// `dp-test-` names, temporary build contexts and cleanup of what a test made.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Base image that exists on the test machine; builds and containers use it without network access. */
export const BASE_IMAGE = "inova/debian-sid:base";

/** Runs the docker CLI and returns its trimmed stdout; throws on a non-zero exit. */
export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Runs the docker CLI and returns its exit status with stdout, without throwing. */
export function dockerStatus(...args: string[]): { status: number; stdout: string } {
  try {
    return { status: 0, stdout: docker(...args) };
  } catch (error) {
    const failure = error as { status?: number; stdout?: string };
    return { status: failure.status ?? 1, stdout: (failure.stdout ?? "").toString().trim() };
  }
}

export function baseImageId(): string {
  return docker("image", "inspect", "--format", "{{.Id}}", BASE_IMAGE);
}

/** Returns a name unique to this process and call, prefixed `dp-test-`. */
export function uniqueName(kind: string): string {
  return `dp-test-${kind}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Tracks what a test file creates and removes it afterwards. */
export class Cleanup {
  private readonly containers = new Set<string>();
  private readonly images = new Set<string>();
  private readonly volumes = new Set<string>();
  private readonly directories = new Set<string>();

  container(name: string): string {
    this.containers.add(name);
    return name;
  }

  image(name: string): string {
    this.images.add(name);
    return name;
  }

  volume(name: string): string {
    this.volumes.add(name);
    return name;
  }

  /** Creates a temporary directory with the given files. */
  directory(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "dp-test-"));
    this.directories.add(root);
    for (const [relativePath, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, relativePath)), { recursive: true });
      writeFileSync(join(root, relativePath), content);
    }
    return root;
  }

  run(): void {
    for (const name of this.containers) {
      dockerStatus("rm", "-f", "-v", name);
    }
    for (const name of this.images) {
      dockerStatus("image", "rm", "-f", name);
    }
    for (const name of this.volumes) {
      dockerStatus("volume", "rm", "-f", name);
    }
    for (const root of this.directories) {
      rmSync(root, { recursive: true, force: true });
    }
  }
}
