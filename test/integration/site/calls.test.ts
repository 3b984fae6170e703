// Calls between extensions of each site's rendered PBX, with real SIP and IAX2 phones:
// audio both ways checked by tone, and unknown numbers rejected without reaching anyone.
// Needs Docker with the inova/asterisk images, baresip and sox.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { IaxPhone } from "../../support/phones/iax-phone";
import { sleep } from "../../support/phones/wait";
import { connectSip, expectNoTone, expectTone, extensionsOf, SITE_CODES, SiteLab, type SiteCode } from "./site-lab";

/** How long each call carries audio before it is hung up. */
const TALK_MS = 2_500;

/** Numbers that no site assigns: an unused neighbour of the site's extensions and a free 4-digit number. */
const UNKNOWN_NUMBERS: Readonly<Record<SiteCode, readonly string[]>> = {
  mochis: ["109", "5555"],
  tabasco: ["309", "5555"],
  silicon: ["1003", "5555"],
};

describe.each(SITE_CODES.map((code, slot) => ({ code, slot })))("calls at $code", ({ code, slot }) => {
  let lab: SiteLab;
  const [firstSip, secondSip, thirdSip] = extensionsOf(code, "pjsip");
  const [firstIax] = extensionsOf(code, "iax2");

  beforeAll(async () => {
    lab = await SiteLab.start({ code, slot });
  });

  afterEach(async (context) => {
    await lab?.endTest(context.task.result?.state === "fail");
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it(`connects ${firstSip} to ${secondSip} with audio both ways`, async () => {
    const caller = await lab.sipPhone(firstSip);
    const callee = await lab.sipPhone(secondSip);

    await connectSip(caller, callee, secondSip);
    expect(callee.remoteUri).toContain(firstSip);
    await sleep(TALK_MS);
    await caller.hangup();
    await callee.waitForState("CLOSED");

    await expectTone(await caller.recording(), lab.hz(secondSip));
    await expectNoTone(await caller.recording(), lab.hz(firstSip));
    await expectTone(await callee.recording(), lab.hz(firstSip));
    await expectNoTone(await callee.recording(), lab.hz(secondSip));
  });

  it(`connects IAX2 ${firstIax} to ${firstSip} with audio both ways`, async () => {
    const caller = await lab.iaxPhone(firstIax);
    const callee = await lab.sipPhone(firstSip);

    await caller.dial(firstSip);
    expect(await callee.waitForIncoming()).toContain(firstIax);
    await callee.answer();
    await callee.waitForState("ESTABLISHED");
    await caller.waitForState("ESTABLISHED");
    await sleep(TALK_MS);
    await callee.hangup();
    await caller.waitForState("CLOSED");

    const callerHeard = await caller.recording(lab.directory);
    await expectTone(callerHeard, lab.hz(firstSip));
    await expectNoTone(callerHeard, lab.hz(firstIax));
    await expectTone(await callee.recording(), lab.hz(firstIax));
  });

  it(`connects ${firstSip} to IAX2 ${firstIax} with audio both ways`, async () => {
    const caller = await lab.sipPhone(firstSip);
    const callee = await lab.iaxPhone(firstIax);

    await caller.dial(firstIax);
    await callee.waitForIncoming();
    // The IAX2 phone answers by itself.
    await caller.waitForState("ESTABLISHED");
    await sleep(TALK_MS);
    await caller.hangup();
    await callee.waitForState("CLOSED");

    const calleeHeard = await callee.recording(lab.directory);
    await expectTone(calleeHeard, lab.hz(firstSip));
    await expectNoTone(calleeHeard, lab.hz(firstIax));
    await expectTone(await caller.recording(), lab.hz(firstIax));
  });

  it.each(UNKNOWN_NUMBERS[code])("rejects unknown number %s without ringing anyone", async (number) => {
    const caller = await lab.sipPhone(firstSip);
    const others = [await lab.sipPhone(secondSip), await lab.sipPhone(thirdSip)];
    const iax = await lab.iaxPhone(firstIax);

    await caller.dial(number);
    const channelNames = await channelsUntilClosed(lab, () => caller.state === "CLOSED");

    expect(caller.events.some((event) => event.type === "CALL_ESTABLISHED")).toBe(false);
    const closed = caller.events.find((event) => event.type === "CALL_CLOSED");
    // Hangup cause 1 (unallocated number) reaches a SIP phone as 404 Not Found.
    expect(closed?.param).toMatch(/404/);
    expect([...channelNames].filter((name) => !name.startsWith(`PJSIP/${firstSip}-`))).toEqual([]);
    for (const other of others) {
      expect(other.events.some((event) => event.type === "CALL_INCOMING"), `${other.options.user} rang`).toBe(false);
    }
    expect(await iax.channels()).toEqual([]);
  });

  it(`rejects an unknown number dialed by IAX2 ${firstIax}`, async () => {
    const caller = await lab.iaxPhone(firstIax);
    const other = await lab.sipPhone(firstSip);
    const [number] = UNKNOWN_NUMBERS[code];

    await caller.dial(number);
    const states = await iaxStatesUntilClosed(caller);

    expect(states).not.toContain("ESTABLISHED");
    expect(other.events.some((event) => event.type === "CALL_INCOMING")).toBe(false);
    expect(await lab.channels()).toEqual([]);
  });
});

/** Collects the names of the PBX's channels until `done` returns true. */
async function channelsUntilClosed(lab: SiteLab, done: () => boolean, timeoutMs = 20_000): Promise<Set<string>> {
  const names = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(`the call was still up after ${timeoutMs} ms; channels seen: ${[...names].join(", ") || "none"}`);
    }
    for (const channel of await lab.channels()) {
      names.add(channel.name);
    }
    await sleep(100);
  }
  return names;
}

/** Polls the IAX2 phone's call state until the call has closed, and returns every state seen. */
async function iaxStatesUntilClosed(phone: IaxPhone, timeoutMs = 20_000): Promise<string[]> {
  const states: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await phone.state();
    states.push(state);
    if (state === "CLOSED") {
      return states;
    }
    if (Date.now() > deadline) {
      throw new Error(`the call of IAX2 ${phone.options.extension} was still ${state} after ${timeoutMs} ms`);
    }
    await sleep(100);
  }
}
