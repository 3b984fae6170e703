// Toll-fraud protection of a rendered site PBX with real phones: wrong passwords are
// rejected and logged, only allowed networks may register, and an extension cannot hold
// more simultaneous calls than its limit (maxCalls, 2 by default).
// Needs Docker with the inova/asterisk images, baresip, sipp and sox.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { MESSAGES_LOG, SECURITY_LOG } from "../../../components/asterisk/logger";
import { RegistrationError } from "../../support/phones/sip-phone";
import { sippRegister } from "../../support/phones/sipp";
import { sleep, waitFor } from "../../support/phones/wait";
import { connectSip, expectTone, SiteLab } from "./site-lab";

/** Simultaneous calls an extension may have when its stack entry sets no maxCalls. */
const DEFAULT_MAX_CALLS = 2;

describe("passwords and call limits at mochis", () => {
  let lab: SiteLab;

  beforeAll(async () => {
    lab = await SiteLab.start({ code: "mochis", slot: 0 });
  });

  afterEach(async (context) => {
    await lab?.endTest(context.task.result?.state === "fail");
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it("logs a wrong SIP password as a security event", async () => {
    const result = await sippRegister({ server: `${lab.pbx.address}:5060`, localAddress: "127.0.91.11", user: "100", password: "Wrong-Password-1" });

    expect(result.succeeded).toBe(false);
    expect(result.responses.at(-1)).toBe("SIP/2.0 401 Unauthorized");
    const line = await lab.waitForLogLine(SECURITY_LOG, [/SecurityEvent="ChallengeResponseFailed"/, /AccountID="100"/, /RemoteAddress="IPV4\/UDP\/127\.0\.91\.11\//]);
    expect(line).toMatch(/Service="PJSIP"/);
    expect(line).not.toContain("Wrong-Password-1");
  });

  it("registers the right SIP password without a failure event", async () => {
    const result = await sippRegister({ server: `${lab.pbx.address}:5060`, localAddress: "127.0.91.12", user: "101", password: lab.pbx.password("101") });

    expect(result.succeeded).toBe(true);
    await lab.waitForLogLine(SECURITY_LOG, [/SecurityEvent="SuccessfulAuth"/, /AccountID="101"/]);
    const failures = (await lab.log(SECURITY_LOG)).split("\n").filter((line) => /AccountID="101"/.test(line) && /Failed|InvalidPassword/.test(line));
    expect(failures).toEqual([]);
  });

  it("rejects a wrong IAX2 secret", async () => {
    const phone = await lab.iaxPhone("104", { register: false, secret: "WrongSecret1" });

    await expect(phone.register(8_000)).rejects.toThrow(/Rejected/);
    // The PBX keeps no address for the peer, so no call reaches a phone that never authenticated.
    expect(await lab.pbx.cli("iax2 show peer 104")).toMatch(/Addr->IP\s*:\s*\(null\)/);
  });

  it("rejects a third simultaneous call from one extension", async () => {
    // Each phone registers as 100 from its own address, because one baresip stops at two calls itself.
    const callers = [await lab.sipPhone("100"), await lab.sipPhone("100"), await lab.sipPhone("100")];
    const callees = [await lab.sipPhone("101"), await lab.sipPhone("102"), await lab.sipPhone("105")];

    await connectSip(callers[0], callees[0], "101");
    await connectSip(callers[1], callees[1], "102");
    await callers[2].dial("105");
    await callers[2].waitForState("CLOSED");

    expect(callers[2].events.find((event) => event.type === "CALL_CLOSED")?.param).toBe("503 Service Unavailable");
    expect(callees[2].events.some((event) => event.type === "CALL_INCOMING")).toBe(false);
    expect(callers[0].state).toBe("ESTABLISHED");
    expect(callers[1].state).toBe("ESTABLISHED");

    // Once one call ends, the extension may call again.
    await callers[0].hangup();
    await callees[0].waitForState("CLOSED");
    await connectSip(callers[2], callees[2], "105");
    await sleep(2_000);
    await callers[2].hangup();
    await callees[2].waitForState("CLOSED");
    await expectTone(await callees[2].recording(), lab.hz("100"));
  });

  it("sends a call to an extension at its limit to voicemail", async () => {
    // The IAX2 phone answers any number of calls, so only the PBX can hold back the third.
    const callee = await lab.iaxPhone("103");
    const callers = [await lab.sipPhone("100"), await lab.sipPhone("101"), await lab.sipPhone("102")];

    for (const caller of callers.slice(0, DEFAULT_MAX_CALLS)) {
      await caller.dial("103");
      await caller.waitForState("ESTABLISHED");
    }
    await waitFor(async () => (await callee.channels()).length === DEFAULT_MAX_CALLS, { timeoutMs: 5_000, description: "two calls at IAX2 103" });

    const third = callers[DEFAULT_MAX_CALLS];
    await third.dial("103");
    await third.waitForState("ESTABLISHED");
    const channels = await waitFor(
      async () => {
        const found = await lab.channels();
        return found.some((channel) => channel.name.startsWith("PJSIP/102-") && channel.application === "VoiceMail") && found;
      },
      { timeoutMs: 5_000, description: "the third call to reach voicemail" },
    );

    const thirdChannel = channels.find((channel) => channel.name.startsWith("PJSIP/102-"));
    expect(thirdChannel?.data).toBe("103@mochis,b");
    expect(await callee.channels()).toHaveLength(DEFAULT_MAX_CALLS);
    expect(channels.filter((channel) => channel.name.startsWith("IAX2/103-"))).toHaveLength(DEFAULT_MAX_CALLS);
  });
});

describe("allowed networks", () => {
  let lab: SiteLab;
  const allowed = "127.0.91.11";
  const outside = "127.0.91.12";

  beforeAll(async () => {
    lab = await SiteLab.start({ code: "mochis", slot: 1, renderOptions: { allowedNetworks: [`${allowed}/32`] } });
  });

  afterEach(async (context) => {
    await lab?.endTest(context.task.result?.state === "fail");
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it("accepts a SIP phone from the allowed address", async () => {
    const phone = await lab.sipPhone("100", { address: allowed, register: false });

    await expect(phone.register()).resolves.toBeUndefined();
  });

  it("rejects a SIP phone from another address", async () => {
    const phone = await lab.sipPhone("101", { address: outside, register: false });

    const error = await phone.register().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegistrationError);
    expect((error as RegistrationError).reason).toMatch(/^40[13] /);
    await lab.waitForLogLine(SECURITY_LOG, [/SecurityEvent="FailedACL"/, /AccountID="101"/, new RegExp(`RemoteAddress="IPV4/UDP/${outside.replace(/\./g, "\\.")}/`)]);
  });

  it("rejects a call from another address", async () => {
    const caller = await lab.sipPhone("100", { address: outside, register: false });
    const callee = await lab.sipPhone("101", { address: allowed });
    // baresip dials only from an account. The account's registration fails for the same reason.
    await caller.register().catch(() => undefined);

    await caller.dial("101");
    await caller.waitForState("CLOSED");

    expect(caller.events.some((event) => event.type === "CALL_ESTABLISHED")).toBe(false);
    expect(callee.events.some((event) => event.type === "CALL_INCOMING")).toBe(false);
  });

  it("accepts an IAX2 phone from the allowed address", async () => {
    const phone = await lab.iaxPhone("103", { address: allowed, register: false });

    await expect(phone.register()).resolves.toBeUndefined();
  });

  it("rejects an IAX2 phone from another address", async () => {
    const phone = await lab.iaxPhone("104", { address: outside, register: false });

    await expect(phone.register(8_000)).rejects.toThrow(/Rejected/);
    await lab.waitForLogLine(MESSAGES_LOG, [new RegExp(`IAX2 Peer ACL: Rejecting '${outside.replace(/\./g, "\\.")}'`)]);
  });
});
