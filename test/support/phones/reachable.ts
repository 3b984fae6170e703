// Waits until Asterisk can reach a registered SIP phone, before a test calls that phone.

import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { waitFor } from "./wait";

const execFileAsync = promisify(execFile);

/** Function that runs one Asterisk CLI command and returns its output. */
export type AsteriskCli = (command: string) => Promise<string>;

/**
 * Waits until the PBX has qualified the registered contact of `extension` as reachable.
 * Dial skips a contact whose qualify went unanswered. On a busy machine the first qualify
 * after registration can time out, and the next one comes only after qualify_frequency,
 * so the wait sends a new qualify itself.
 */
export async function waitForReachableContact(cli: AsteriskCli, extension: string, timeoutMs = 20_000): Promise<void> {
  let status = "no contact";
  let qualifiedAt = Date.now();
  await waitFor(
    async () => {
      const output = await cli(`pjsip show contacts like ^${extension}/`);
      const line = output.split("\n").find((candidate) => candidate.trim().startsWith(`Contact:  ${extension}/`));
      status = line?.trim().split(/\s+/)[3] ?? "no contact";
      if (status === "Avail") {
        return true;
      }
      if (status === "Unavail" && Date.now() - qualifiedAt > 1_000) {
        qualifiedAt = Date.now();
        await cli(`pjsip qualify ${extension}`);
      }
      return false;
    },
    { timeoutMs, intervalMs: 200, description: () => `the PBX to reach ${extension}'s phone (contact status: ${status})` },
  );
}

/** Runs an Asterisk CLI command in the container `container` through the docker CLI. */
export function dockerAsteriskCli(container: string): AsteriskCli {
  return async (command) => {
    const { stdout } = await execFileAsync("docker", ["exec", container, "asterisk", "-rx", command], { encoding: "utf8" });
    return stdout;
  };
}
