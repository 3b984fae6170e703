// `npm run check` against a real PBX: the Villahermosa site rendered into the real image on
// 127.0.107.1, without a call-record database. Every call feature passes on the healthy PBX,
// the records check fails because no database container exists, and a missing IVR greeting
// fails the greeting alone.

import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PROMPT_DIRECTORY } from "../../../components/asterisk/names";
import { PROJECT_DIR, SitePbx } from "../../support/site-pbx";

const NO_DATABASE = "synthetic-no-database";

let pbx: SitePbx;

interface CheckResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCheck(): Promise<CheckResult> {
  const args = ["run", "--silent", "check", "--", "tabasco", "--pbx-container", pbx.asterisk.name, "--db-container", NO_DATABASE, "--hq-db-container", NO_DATABASE];
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Returns the report line of a feature, e.g. `PASS  extension 300 ...`. */
function reportLine(result: CheckResult, feature: string): string {
  const line = result.stdout.split("\n").find((candidate) => candidate.slice(6).startsWith(`${feature} `));
  if (line === undefined) {
    throw new Error(`no report line for "${feature}" in:\n${result.stdout}\n${result.stderr}`);
  }
  return line;
}

beforeAll(async () => {
  pbx = await SitePbx.start({ code: "tabasco", address: "127.0.107.1", rtpStart: 36000, containerName: "phone-test-synthetic-check" });
});

afterAll(async () => {
  await pbx?.stop();
});

describe("synthetic check on a real PBX", () => {
  it("passes every call feature", async () => {
    const result = await runCheck();

    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    for (const extension of ["300", "301", "302", "303", "304", "305", "306", "307", "308"]) {
      expect(reportLine(result, `extension ${extension}`)).toMatch(new RegExp(`^PASS .*no phone registered; voicemail ${extension} answered$`));
    }
    expect(reportLine(result, "ring group 601")).toMatch(/^PASS .*the call went to 300's voicemail$/);
    expect(reportLine(result, "ring group 602")).toMatch(/^PASS .*the call went to 301's voicemail$/);
    expect(reportLine(result, "ivr 399 greeting")).toMatch(/^PASS  ivr 399 greeting +played "ivr-(dia|tarde|noche)" \(.*\), then waited for a digit$/);
    expect(reportLine(result, "ivr 399 option 1")).toMatch(/^PASS .*"Soporte" reached ring group 601$/);
    expect(reportLine(result, "ivr 399 option 2")).toMatch(/^PASS .*"Quejas" reached ring group 602$/);
    expect(reportLine(result, "ivr 399 option 3")).toMatch(/^PASS .*"Facturación" reached extension 302$/);
    expect(reportLine(result, "ivr 399 option 4")).toMatch(/^PASS .*"Inventario" reached extension 303$/);
    expect(reportLine(result, "call records")).toBe(`FAIL  call records           cannot query ${NO_DATABASE}: container ${NO_DATABASE} is missing`);
    expect(result.stdout).toMatch(/^summary: 17 passed, 2 failed, 0 skipped$/m);
  });

  it("leaves no test context or message", async () => {
    expect(await pbx.cli("dialplan show synthetic-check")).toMatch(/There is no existence of 'synthetic-check' context/);
    const messages = await pbx.asterisk.exec(["sh", "-c", "find /var/spool/asterisk/voicemail -name 'msg*.txt' | wc -l"]);
    expect(messages.stdout.trim()).toBe("0");
  });

  it("fails a missing IVR greeting", async () => {
    await pbx.asterisk.exec(["sh", "-c", `rm -f ${PROMPT_DIRECTORY}/ivr-dia.* ${PROMPT_DIRECTORY}/ivr-tarde.* ${PROMPT_DIRECTORY}/ivr-noche.*`]);

    const result = await runCheck();

    expect(result.code).toBe(1);
    expect(reportLine(result, "ivr 399 greeting")).toMatch(/^FAIL .*did not play "ivr-(dia|tarde|noche)" and wait for a digit; check that the recording is in the PBX/);
    expect(reportLine(result, "extension 300")).toMatch(/^PASS/);
    expect(reportLine(result, "ring group 601")).toMatch(/^PASS/);
  });
});
