// Failed IAX2 authentication at a rendered site PBX leaves a log line that names the
// extension and the client's address. chan_iax2 raises no security event for a wrong
// secret, so the line comes from authdebug in iax.conf and goes to messages.log.
// The client is a second Asterisk (test/support/phones/iax-phone.ts).
// Needs Docker with the inova/asterisk images.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { MESSAGES_LOG } from "../../../components/asterisk/logger";
import { writeToneWav } from "../../support/audio";
import { IaxPhone } from "../../support/phones/iax-phone";
import { waitFor } from "../../support/phones/wait";
import { SitePbx } from "../../support/site-pbx";

const PBX_ADDRESS = "127.0.108.2";
const RTP_START = 37200;
const CLIENT_ADDRESS = "127.0.108.12";
const WRONG_SECRET = "WrongSecret77";

describe("IAX2 authentication log at mochis", () => {
  let pbx: SitePbx;
  let directory: string;
  let toneFile: string;
  let client: IaxPhone | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "iax-auth-log-"));
    toneFile = await writeToneWav(join(directory, "tone-700.wav"), 700, 30);
    pbx = await SitePbx.start({ code: "mochis", address: PBX_ADDRESS, rtpStart: RTP_START });
  });

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") {
      console.log(await client?.logTail(40).catch((error: Error) => error.message));
      console.log(await pbx?.asterisk.logTail(60).catch((error: Error) => error.message));
    }
    await client?.stop();
    client = undefined;
  });

  afterAll(async () => {
    await pbx?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  async function messagesLog(): Promise<string[]> {
    const result = await pbx.asterisk.exec(["sh", "-c", `cat /var/log/asterisk/${MESSAGES_LOG} 2>/dev/null || true`]);
    return result.stdout.split("\n");
  }

  async function waitForLogLine(patterns: readonly RegExp[], timeoutMs = 15_000): Promise<string> {
    return waitFor(async () => (await messagesLog()).find((line) => patterns.every((pattern) => pattern.test(line))), {
      timeoutMs,
      intervalMs: 200,
      description: `a line of ${MESSAGES_LOG} matching ${patterns.join(" and ")}`,
    });
  }

  function startClient(extension: string, secret: string): Promise<IaxPhone> {
    return IaxPhone.start({ extension, secret, pbxAddress: PBX_ADDRESS, localAddress: CLIENT_ADDRESS, audioFile: toneFile });
  }

  it("logs a call with a wrong secret", async () => {
    client = await startClient("104", WRONG_SECRET);

    await client.dial("101");

    const line = await waitForLogLine([/failed MD5 authentication for '104'/]);
    expect(line).toMatch(/ NOTICE\[\d+\] chan_iax2\.c: /);
    expect(line).toContain(`Host ${CLIENT_ADDRESS} failed`);
    expect(line).not.toContain(WRONG_SECRET);
    await client.waitForState("CLOSED");
    expect((await pbx.cli("core show channels concise")).split("\n").filter((row) => row.startsWith("IAX2/"))).toEqual([]);
  });

  it("logs a registration with a wrong secret", async () => {
    client = await startClient("107", WRONG_SECRET);

    await expect(client.register(10_000)).rejects.toThrow(/Rejected/);

    const line = await waitForLogLine([/failed MD5 authentication for '107'/]);
    expect(line).toMatch(/ NOTICE\[\d+\] chan_iax2\.c: /);
    expect(line).toContain(`Host ${CLIENT_ADDRESS} failed`);
    expect(line).not.toContain(WRONG_SECRET);
  });

  it("logs no failure for the right secret", async () => {
    client = await startClient("103", pbx.password("103"));

    await client.register(10_000);

    const failures = (await messagesLog()).filter((line) => line.includes("failed MD5 authentication for '103'"));
    expect(failures).toEqual([]);
  });
});
