// Builds the images that integration and end-to-end tests run, from the same
// Dockerfiles the stacks deploy, so a fresh machine needs no image built by hand.
// The Docker layer cache makes this a few seconds when nothing changed.

import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** Image tag used by tests, and the build context it comes from. */
export const TEST_IMAGES: Readonly<Record<string, string>> = {
  "inova/asterisk:dev": "assets/asterisk",
  // Built FROM inova/asterisk:dev, so it comes second.
  "inova/asterisk:faketime": "test/fixtures/faketime",
};

export default function setup(): void {
  for (const [tag, context] of Object.entries(TEST_IMAGES)) {
    const started = Date.now();
    try {
      execFileSync("docker", ["build", "-q", "-t", tag, path.join(ROOT, context)], { stdio: ["ignore", "ignore", "pipe"] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
      throw new Error(`building test image ${tag} from ${context} failed: ${stderr}`);
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    if (seconds > 5) {
      console.log(`test setup: built ${tag} in ${seconds} s`);
    }
  }
}
