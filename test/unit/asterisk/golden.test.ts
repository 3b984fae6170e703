// Golden files: the full rendered configuration of each site, checked into
// test/unit/asterisk/golden/<site>/. Run with UPDATE_GOLDEN=1 to rewrite them after an
// intended change, then review the diff.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { SITE_CODES } from "./fixtures";
import { allFiles, renderFixture } from "./render";

const GOLDEN_DIR = path.join(__dirname, "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** Trailing whitespace and runs of blank lines carry no meaning in these files. */
function normalise(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

describe.each(SITE_CODES)("golden files of %s", (code) => {
  const files = allFiles(renderFixture(code));
  const directory = path.join(GOLDEN_DIR, code);

  if (UPDATE) {
    fs.rmSync(directory, { recursive: true, force: true });
    fs.mkdirSync(directory, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      fs.writeFileSync(path.join(directory, name), text);
    }
  }

  it("has a golden file for each rendered file", () => {
    expect(fs.readdirSync(directory).sort()).toEqual(Object.keys(files).sort());
  });

  it.each(Object.keys(files).sort())("%s matches its golden file", (name) => {
    const golden = fs.readFileSync(path.join(directory, name), "utf8");
    expect(normalise(files[name])).toBe(normalise(golden));
  });
});
