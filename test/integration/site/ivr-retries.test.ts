// Failed attempts at every site's IVR: no digit before the timeout plays
// agotado, a digit that no option uses plays error, and both repeat the menu.
// Both count towards one limit of three attempts, after which the call ends
// with despedida, or rings the operator where the site has one (silicon: 401).
// Every prompt is a tone of its own, so the caller's recording gives the order
// in which the prompts played.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { describeAudio } from "../../support/audio";
import type { SipPhone } from "../../support/phones/sip-phone";
import { SitePbx } from "../../support/site-pbx";
import {
  describeHeard,
  describeSteps,
  DialplanTrace,
  findStep,
  heardTones,
  knownTones,
  MENU_TIMEOUT_SECONDS,
  PhoneSet,
  phoneTone,
  PROMPT_SECONDS,
  shortMenuTimeout,
  TEST_SITES,
  type DialplanStep,
  type HeardTone,
  type TestSite,
  waitForHeardCount,
  waitForHeardTone,
  writePromptTones,
} from "./ivr-support";

/** A digit that no site's IVR uses. */
const INVALID_DIGIT = "9";

/** Operator that the IVR rings after the last failed attempt. At sites without one, the IVR plays despedida and hangs up. */
const OPERATORS: Readonly<Record<TestSite["code"], string | undefined>> = {
  mochis: undefined,
  tabasco: undefined,
  silicon: "401",
};

const CALL_TIMEOUT_MS = 60_000;

let directory: string;
let recordings: Record<string, string>;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "ivr-retries-"));
  recordings = await writePromptTones(directory);
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

for (const site of TEST_SITES) {
  describe(`${site.code} IVR ${site.ivr}`, () => {
    const operator = OPERATORS[site.code];
    const callerChannel = `PJSIP/${site.caller}-`;
    const ivrContext = `ivr-${site.code}-${site.ivr}`;
    let pbx: SitePbx;
    let phones: PhoneSet;

    beforeAll(async () => {
      pbx = await SitePbx.start({ code: site.code, address: site.address, rtpStart: site.rtpStart, recordings, editConfig: shortMenuTimeout });
      phones = new PhoneSet(pbx, site, directory);
    }, 120_000);

    afterEach(async (context) => {
      if (context.task.result?.state === "fail") {
        console.log(await phones.logs());
        console.log(await pbx.asterisk.logTail(40).catch((error: Error) => error.message));
      }
      await phones.stopAll();
    });

    afterAll(async () => {
      await pbx?.stop();
    });

    async function callIvr(): Promise<{ caller: SipPhone; trace: DialplanTrace }> {
      const caller = await phones.sip(site.caller);
      const trace = await DialplanTrace.start(pbx);
      await caller.dial(site.ivr);
      await caller.waitForState("ESTABLISHED");
      return { caller, trace };
    }

    /** Returns the names of the tones the caller heard, and a description for assertion messages. */
    async function heardBy(caller: SipPhone, extensions: readonly string[] = []): Promise<{ heard: HeardTone[]; detail: string }> {
      const recording = await caller.recording();
      const heard = await heardTones(recording, knownTones(extensions));
      return { heard, detail: `${describeHeard(heard)}; ${await describeAudio(recording)}` };
    }

    function expectStep(steps: readonly DialplanStep[], step: Partial<DialplanStep>): void {
      expect(steps, describeSteps(steps)).toContainEqual(expect.objectContaining(step));
    }

    const greeting = expect.stringMatching(/^ivr-(dia|tarde|noche)$/);

    it("timeout plays agotado, then the menu", { timeout: CALL_TIMEOUT_MS }, async () => {
      const { caller, trace } = await callIvr();
      const steps = await trace.waitForMenu(callerChannel, 2, 15_000);
      await waitForHeardCount(caller, knownTones([]), 3);
      await caller.hangup();
      await caller.waitForState("CLOSED");

      expectStep(steps, { context: ivrContext, extension: "t", application: "Playback" });
      const { heard, detail } = await heardBy(caller);
      expect(heard.map((tone) => tone.name), detail).toEqual([greeting, "agotado", heard[0]?.name]);
      // The PBX sends no audio while it waits, so the wait shows in its log, not in the recording.
      const waitedMs = findStep(steps, { context: ivrContext, extension: "t" }).atMs - findStep(steps, { context: ivrContext, application: "WaitExten" }).atMs;
      expect(waitedMs, `milliseconds from the end of the greeting to the timeout; ${describeSteps(steps)}`).toBeGreaterThanOrEqual(MENU_TIMEOUT_SECONDS * 1000 - 100);
      expect(waitedMs, `milliseconds from the end of the greeting to the timeout; ${describeSteps(steps)}`).toBeLessThan(MENU_TIMEOUT_SECONDS * 1000 + 1000);
    });

    it("invalid digit plays error, then the menu", { timeout: CALL_TIMEOUT_MS }, async () => {
      const { caller, trace } = await callIvr();
      await trace.waitForMenu(callerChannel, 1);
      await caller.sendDtmf(INVALID_DIGIT);
      const steps = await trace.waitForMenu(callerChannel, 2);
      await waitForHeardCount(caller, knownTones([]), 3);
      await caller.hangup();
      await caller.waitForState("CLOSED");

      expectStep(steps, { context: ivrContext, extension: "i", application: "Playback" });
      const { heard, detail } = await heardBy(caller);
      expect(heard.map((tone) => tone.name), detail).toEqual([greeting, "error", heard[0]?.name]);
    });

    if (operator === undefined) {
      it("third failure ends with despedida", { timeout: CALL_TIMEOUT_MS }, async () => {
        const { caller, trace } = await callIvr();
        await trace.waitForMenu(callerChannel, 1);
        await caller.sendDtmf(INVALID_DIGIT);
        // No digit in the second menu: the timeout is the second failed attempt.
        await trace.waitForMenu(callerChannel, 3, 15_000);
        await caller.sendDtmf(INVALID_DIGIT);
        // The PBX ends the call, because the caller never hangs up.
        await caller.waitForState("CLOSED", 15_000);

        const steps = await trace.steps(callerChannel);
        expectStep(steps, { context: ivrContext, extension: "give-up", application: "Hangup", data: "16" });
        const { heard, detail } = await heardBy(caller);
        expect(heard.map((tone) => tone.name), detail).toEqual([greeting, "error", heard[0]?.name, "agotado", heard[0]?.name, "error", "despedida"]);
        const goodbye = heard[heard.length - 1];
        expect(goodbye.endSeconds - goodbye.startSeconds, `seconds of despedida heard; ${detail}`).toBeGreaterThan(PROMPT_SECONDS - 0.15);
      });

      it("three timeouts end with despedida", { timeout: CALL_TIMEOUT_MS }, async () => {
        const { caller, trace } = await callIvr();
        await caller.waitForState("CLOSED", 30_000);

        expectStep(await trace.steps(callerChannel), { context: ivrContext, extension: "give-up", application: "Hangup" });
        const { heard, detail } = await heardBy(caller);
        const menu = heard[0]?.name;
        expect(heard.map((tone) => tone.name), detail).toEqual([greeting, "agotado", menu, "agotado", menu, "agotado", "despedida"]);
      });
    } else {
      it(`third failure rings operator ${operator}`, { timeout: CALL_TIMEOUT_MS }, async () => {
        const operatorPhone = await phones.sip(operator);
        const { caller, trace } = await callIvr();
        await trace.waitForMenu(callerChannel, 1);
        await caller.sendDtmf(INVALID_DIGIT);
        await trace.waitForMenu(callerChannel, 3, 15_000);
        await caller.sendDtmf(INVALID_DIGIT);

        expect(await operatorPhone.waitForIncoming(10_000), `incoming call to ${operator}`).toContain(site.caller);
        await operatorPhone.answer();
        await operatorPhone.waitForState("ESTABLISHED");
        await waitForHeardTone(caller, phoneTone(operator), 1);
        await caller.hangup();
        await caller.waitForState("CLOSED");
        await operatorPhone.waitForState("CLOSED");

        expectStep(await trace.steps(callerChannel), { context: `local-${site.code}`, extension: operator, application: "Dial" });
        const { heard, detail } = await heardBy(caller, [operator]);
        expect(heard.map((tone) => tone.name), detail).toEqual([greeting, "error", heard[0]?.name, "agotado", heard[0]?.name, "error", `phone ${operator}`]);
      });

      it(`three timeouts ring operator ${operator}`, { timeout: CALL_TIMEOUT_MS }, async () => {
        const operatorPhone = await phones.sip(operator);
        const { caller, trace } = await callIvr();

        expect(await operatorPhone.waitForIncoming(30_000), `incoming call to ${operator}`).toContain(site.caller);
        await operatorPhone.answer();
        await operatorPhone.waitForState("ESTABLISHED");
        await waitForHeardTone(caller, phoneTone(operator), 1);
        await caller.hangup();
        await caller.waitForState("CLOSED");

        expectStep(await trace.steps(callerChannel), { context: `local-${site.code}`, extension: operator, application: "Dial" });
        const { heard, detail } = await heardBy(caller, [operator]);
        const menu = heard[0]?.name;
        expect(heard.map((tone) => tone.name), detail).toEqual([greeting, "agotado", menu, "agotado", menu, "agotado", `phone ${operator}`]);
      });
    }
  });
}
