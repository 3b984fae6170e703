// scripts/register-typescript.js, the loader that Pulumi.yaml gives the program: it runs
// TypeScript files, caches their JavaScript and transpiles a changed file again.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..", "..", "..");
const HOOK = join(ROOT, "scripts", "register-typescript.js");
const CACHE_DIRECTORY = join(ROOT, "node_modules", ".cache", "inova-pbx-typescript");

const directory = mkdtempSync(join(tmpdir(), "register-typescript-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs `file` with node and the loader; returns what it printed. */
function run(file: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(process.execPath, ["--require", HOOK, file], { encoding: "utf8", env: { ...process.env, INOVA_SOURCE_MAPS: "", ...env } }).trim();
}

function cacheEntries(): Set<string> {
  try {
    return new Set(readdirSync(CACHE_DIRECTORY));
  } catch {
    return new Set();
  }
}

describe("TypeScript loader of the program", () => {
  const program = join(directory, "program.ts");
  const helper = join(directory, "helper.ts");
  const marker = `${process.pid}-${Date.now()}`;

  it("runs a program that imports TypeScript", () => {
    writeFileSync(helper, `export const greeting: string = "hola ${marker}";\n`);
    writeFileSync(program, 'import { greeting } from "./helper";\nconst words: readonly string[] = [greeting, "1"];\nconsole.log(words.join(" "));\n');
    const before = cacheEntries();

    expect(run(program)).toBe(`hola ${marker} 1`);

    const added = [...cacheEntries()].filter((name) => !before.has(name));
    expect(added).toHaveLength(2);
  });

  it("reads an unchanged file from the cache", () => {
    const before = cacheEntries();

    expect(run(program)).toBe(`hola ${marker} 1`);

    expect(cacheEntries()).toEqual(before);
  });

  it("transpiles a changed file again", () => {
    writeFileSync(helper, `export const greeting: string = "adiós ${marker}";\n`);
    const before = cacheEntries();

    expect(run(program)).toBe(`adiós ${marker} 1`);

    const added = [...cacheEntries()].filter((name) => !before.has(name));
    expect(added).toHaveLength(1);
  });

  it("maps stack traces to TypeScript lines on request", () => {
    const thrower = join(directory, "thrower.ts");
    // The two type declarations vanish from the JavaScript, so the Error is on line 3 of
    // the TypeScript file and on an earlier line of its JavaScript.
    writeFileSync(
      thrower,
      `interface Marker { readonly id: string }\ntype Id = Marker["id"];\nconst error = new Error("${marker}");\nconsole.log(/thrower\\.ts:(\\d+)/.exec(error.stack ?? "")?.[1]);\n`,
    );

    expect(Number(run(thrower))).toBeLessThan(3);
    expect(run(thrower, { INOVA_SOURCE_MAPS: "1" })).toBe("3");
  });
});
