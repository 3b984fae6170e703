import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import {
  collectBuildContext,
  digestCacheFileOf,
  hashBuildContext,
  hashContextDirectory,
  isIgnored,
  parseDockerignore,
} from "../../../components/providers/docker/build-context";

const directories: string[] = [];

function makeContext(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "dp-test-context-"));
  directories.push(root);
  for (const [relativePath, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, relativePath)), { recursive: true });
    writeFileSync(join(root, relativePath), content);
  }
  return root;
}

function contextPaths(root: string, dockerfile?: string): string[] {
  return collectBuildContext(root, dockerfile).entries.map((entry) => entry.path);
}

afterEach(() => {
  for (const directory of directories.splice(0)) {
    rmSync(directory, { recursive: true, force: true });
    rmSync(digestCacheFileOf(directory), { force: true });
  }
});

describe("dockerignore matching", () => {
  const cases: [string, string, boolean][] = [
    // [patterns, path, ignored]
    ["*.log", "build.log", true],
    ["*.log", "logs/build.log", false],
    ["**/*.log", "logs/deep/build.log", true],
    ["**/*.log", "build.log", true],
    ["secrets", "secrets/key.pem", true],
    ["/secrets/", "secrets/key.pem", true],
    ["docs/*", "docs/a/b.md", true],
    ["docs/**", "docs", false],
    ["docs/**", "docs/a.md", true],
    ["a/**/z", "a/z", true],
    ["a/**/z", "a/b/c/z", true],
    ["file?.txt", "file1.txt", true],
    ["file?.txt", "file10.txt", false],
    ["[a-c].txt", "b.txt", true],
    ["[^a-c].txt", "b.txt", false],
    ["[^a-c].txt", "d.txt", true],
    ["\\*.txt", "*.txt", true],
    ["\\*.txt", "a.txt", false],
    ["# comment\n\n*.tmp", "x.tmp", true],
    ["*.md\n!README.md", "README.md", false],
    ["*.md\n!README.md", "CHANGES.md", true],
    ["!README.md\n*.md", "README.md", true],
    ["vendor\n!vendor/keep.txt", "vendor/keep.txt", false],
    ["vendor\n!vendor/keep.txt", "vendor/drop.txt", true],
  ];
  for (const [patterns, path, ignored] of cases) {
    it(`${JSON.stringify(patterns)} on ${path}`, () => {
      expect(isIgnored(path, parseDockerignore(patterns))).toBe(ignored);
    });
  }

  it("rejects an unclosed character class", () => {
    expect(() => parseDockerignore("ok\n[abc")).toThrow(/line 2: invalid pattern "\[abc"/);
  });

  it("strips the leading slash and trailing slashes", () => {
    const [rule] = parseDockerignore("  /build/out/  ");
    expect(rule.pattern).toBe("build/out");
    expect(rule.exception).toBe(false);
  });
});

describe("build context listing", () => {
  it("honours .dockerignore and keeps the Dockerfile", () => {
    const root = makeContext({
      Dockerfile: "FROM scratch\n",
      ".dockerignore": "Dockerfile\n**/*.log\nnode_modules\n",
      "app/main.conf": "x",
      "app/debug.log": "noise",
      "node_modules/pkg/index.js": "y",
    });
    const paths = contextPaths(root);
    expect(paths).toEqual([".dockerignore", "Dockerfile", "app", "app/main.conf"]);
  });

  it("walks into an ignored directory for an exception", () => {
    const root = makeContext({
      Dockerfile: "FROM scratch\n",
      ".dockerignore": "vendor\n!vendor/keep.txt\n",
      "vendor/keep.txt": "k",
      "vendor/drop.txt": "d",
    });
    expect(contextPaths(root)).toEqual([".dockerignore", "Dockerfile", "vendor/keep.txt"]);
  });

  it("adds a Dockerfile from outside the context", () => {
    const root = makeContext({ "a.txt": "a" });
    const outside = makeContext({ "Custom.Dockerfile": "FROM scratch\n" });
    const context = collectBuildContext(root, join(outside, "Custom.Dockerfile"));
    expect(context.dockerfilePath).toBe(".pulumi-external.Dockerfile");
    expect(context.entries.map((entry) => entry.path)).toEqual([".pulumi-external.Dockerfile", "a.txt"]);
  });

  it("fails when the Dockerfile is missing", () => {
    const root = makeContext({ "a.txt": "a" });
    expect(() => collectBuildContext(root)).toThrow(/Dockerfile .* not found/);
  });
});

describe("build context hash", () => {
  it("ignores modification times", () => {
    const root = makeContext({ Dockerfile: "FROM scratch\n", "etc/a.conf": "a=1\n" });
    const before = hashContextDirectory(root);
    utimesSync(join(root, "etc/a.conf"), new Date("2001-01-01"), new Date("2001-01-01"));
    utimesSync(join(root, "Dockerfile"), new Date("2030-01-01"), new Date("2030-01-01"));
    expect(hashContextDirectory(root)).toBe(before);
  });

  it("changes with file content", () => {
    const root = makeContext({ Dockerfile: "FROM scratch\n", "etc/a.conf": "a=1\n" });
    const before = hashContextDirectory(root);
    writeFileSync(join(root, "etc/a.conf"), "a=2\n");
    expect(hashContextDirectory(root)).not.toBe(before);
  });

  it("changes with permission bits", () => {
    const root = makeContext({ Dockerfile: "FROM scratch\n", "run.sh": "#!/bin/sh\n" });
    chmodSync(join(root, "run.sh"), 0o644);
    const before = hashContextDirectory(root);
    chmodSync(join(root, "run.sh"), 0o755);
    expect(hashContextDirectory(root)).not.toBe(before);
  });

  it("changes when a file is added", () => {
    const root = makeContext({ Dockerfile: "FROM scratch\n" });
    const before = hashContextDirectory(root);
    writeFileSync(join(root, "new.txt"), "");
    expect(hashContextDirectory(root)).not.toBe(before);
  });

  it("ignores changes to ignored files", () => {
    const root = makeContext({ Dockerfile: "FROM scratch\n", ".dockerignore": "*.log\n", "a.log": "1" });
    const before = hashContextDirectory(root);
    writeFileSync(join(root, "a.log"), "2");
    writeFileSync(join(root, "b.log"), "3");
    expect(hashContextDirectory(root)).toBe(before);
  });

  it("is equal for equal content in different directories", () => {
    const files = { Dockerfile: "FROM scratch\n", "etc/a.conf": "a=1\n" };
    expect(hashContextDirectory(makeContext(files))).toBe(hashContextDirectory(makeContext(files)));
  });

  it("has the sha256 form", () => {
    const root = makeContext({ Dockerfile: "FROM scratch\n" });
    expect(hashContextDirectory(root)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("file digest cache", () => {
  const LONG_AGO = new Date("2001-01-01");

  /** Makes a context whose files were last modified long ago, so their digests are cached. */
  function oldContext(): string {
    const root = makeContext({ Dockerfile: "FROM scratch\n", "etc/a.conf": "a=1\n" });
    for (const file of ["Dockerfile", "etc/a.conf"]) {
      utimesSync(join(root, file), LONG_AGO, LONG_AGO);
    }
    return root;
  }

  it("gives the hash computed without it", () => {
    const root = oldContext();
    const uncached = hashBuildContext(collectBuildContext(root));

    expect(hashContextDirectory(root)).toBe(uncached);
    expect(hashContextDirectory(root)).toBe(uncached);
  });

  it("reuses the digest of an unchanged file", () => {
    const root = oldContext();
    const uncached = hashContextDirectory(root);
    const cacheFile = digestCacheFileOf(root);
    const digests = JSON.parse(readFileSync(cacheFile, "utf8")) as Record<string, string>;
    // A wrong digest in the cache shows in the hash only if the file itself was not read.
    writeFileSync(cacheFile, JSON.stringify(Object.fromEntries(Object.keys(digests).map((key) => [key, "0".repeat(64)]))));

    expect(hashContextDirectory(root)).not.toBe(uncached);
  });

  it("reads a changed file of the same size again", () => {
    const root = oldContext();
    const before = hashContextDirectory(root);

    writeFileSync(join(root, "etc/a.conf"), "a=2\n");

    expect(hashContextDirectory(root)).not.toBe(before);
    expect(hashContextDirectory(root)).toBe(hashBuildContext(collectBuildContext(root)));
  });
});
