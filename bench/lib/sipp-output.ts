// Files that sipp writes during a run: its statistics and error traces.

import { readFileSync } from "node:fs";

/** Returns the file's text, or "" when sipp did not write it. */
export function readOptional(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Reads the cumulative successful and failed call counts from the last line of sipp's statistics file. */
export function readFinalStats(file: string): { successful: number; failed: number } {
  const lines = readOptional(file)
    .split("\n")
    .filter((line) => line.trim() !== "");
  if (lines.length < 2) {
    throw new Error(`sipp wrote no statistics to ${file}; it probably failed to start`);
  }
  const header = lines[0].split(";");
  const last = lines[lines.length - 1].split(";");
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) {
      throw new Error(`sipp's statistics file has no column ${name}`);
    }
    return Number(last[index]);
  };
  return { successful: column("SuccessfulCall(C)"), failed: column("FailedCall(C)") };
}
