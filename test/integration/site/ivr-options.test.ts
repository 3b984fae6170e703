// Every option of every site's IVR, chosen by an RFC 4733 digit from a SIP
// phone. The phones that the option should reach answer with a tone of their
// own, so the caller's recording shows where the digit led, and the dialplan
// log shows which number the IVR sent the call to. Options that lead to
// another site end, while no trunk exists, in the "not available" message
// and the menu again.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { describeAudio, toneSeconds } from "../../support/audio";
import type { IaxPhone } from "../../support/phones/iax-phone";
import type { SipPhone } from "../../support/phones/sip-phone";
import { SitePbx } from "../../support/site-pbx";
import {
  describeHeard,
  describeSteps,
  DialplanTrace,
  findStep,
  heardTones,
  knownTones,
  PhoneSet,
  phoneTone,
  PROMPT_SECONDS,
  shortMenuTimeout,
  TEST_SITES,
  type DialplanStep,
  type TestSite,
  waitForHeardCount,
  waitForHeardTone,
  writePromptTones,
} from "./ivr-support";

/** An option that rings local phones: a ring group or one extension. */
interface LocalOption {
  readonly digit: string;
  /** Number the IVR sends the call to. */
  readonly target: string;
  /** What the test name calls the target, e.g. `ring group 601`. */
  readonly label: string;
  /** PJSIP phones that ring at once. The last one answers. */
  readonly ringing: readonly string[];
  /** IAX2 phone that answers instead of PJSIP phones. */
  readonly iax?: string;
}

/** An option that leads to another site's IVR over a trunk. */
interface RemoteOption {
  readonly digit: string;
  /** Access code and IVR number of the other site. */
  readonly dialed: string;
  /** Stack name of the other site. */
  readonly site: string;
}

interface SiteMenu {
  readonly local: readonly LocalOption[];
  readonly remote: readonly RemoteOption[];
  /** A digit that no option uses. */
  readonly unused: string;
}

// Ring-all groups ring every member, so all are registered. Hunt groups ring their first
// member first, so only that member is registered.
const MENUS: Readonly<Record<TestSite["code"], SiteMenu>> = {
  mochis: {
    local: [
      { digit: "1", target: "601", label: "ring group 601", ringing: ["100", "105", "106"] },
      { digit: "2", target: "602", label: "ring group 602", ringing: ["101"] },
      { digit: "3", target: "102", label: "extension 102", ringing: ["102"] },
      { digit: "4", target: "103", label: "IAX2 extension 103", ringing: [], iax: "103" },
    ],
    remote: [
      { digit: "5", dialed: "82399", site: "tabasco" },
      { digit: "6", dialed: "83400", site: "silicon" },
    ],
    unused: "7",
  },
  tabasco: {
    local: [
      { digit: "1", target: "601", label: "ring group 601", ringing: ["300", "305", "306"] },
      { digit: "2", target: "602", label: "ring group 602", ringing: ["301"] },
      { digit: "3", target: "302", label: "extension 302", ringing: ["302"] },
      { digit: "4", target: "303", label: "IAX2 extension 303", ringing: [], iax: "303" },
    ],
    remote: [],
    unused: "5",
  },
  silicon: {
    local: [
      { digit: "1", target: "601", label: "ring group 601", ringing: ["2000", "2001", "2002"] },
      { digit: "2", target: "603", label: "ring group 603", ringing: ["3000", "3001", "3002"] },
      { digit: "3", target: "602", label: "ring group 602", ringing: ["1000"] },
    ],
    remote: [],
    unused: "4",
  },
};

/** Seconds of the answering phone's tone the caller must hear. */
const MIN_TALK_SECONDS = 1;
const CALL_TIMEOUT_MS = 60_000;

let directory: string;
let recordings: Record<string, string>;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "ivr-options-"));
  recordings = await writePromptTones(directory);
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

for (const site of TEST_SITES) {
  describe(`${site.code} IVR ${site.ivr}`, () => {
    const menu = MENUS[site.code];
    const callerChannel = `PJSIP/${site.caller}-`;
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

    /** Calls the IVR from the site's caller, waits for the menu and sends `digit`. */
    async function chooseOption(digit: string): Promise<{ caller: SipPhone; trace: DialplanTrace }> {
      const caller = await phones.sip(site.caller);
      const trace = await DialplanTrace.start(pbx);
      await caller.dial(site.ivr);
      await caller.waitForState("ESTABLISHED");
      await trace.waitForMenu(callerChannel, 1);
      await caller.sendDtmf(digit);
      return { caller, trace };
    }

    async function expectHeard(caller: SipPhone, extensions: readonly string[], expected: readonly unknown[]): Promise<void> {
      const recording = await caller.recording();
      const heard = await heardTones(recording, knownTones(extensions));
      expect(heard.map((tone) => tone.name), `${describeHeard(heard)}; ${await describeAudio(recording)}`).toEqual(expected);
    }

    function expectStep(steps: readonly DialplanStep[], step: Partial<DialplanStep>): void {
      expect(steps, describeSteps(steps)).toContainEqual(expect.objectContaining(step));
    }

    const greeting = expect.stringMatching(/^ivr-(dia|tarde|noche)$/);

    for (const option of menu.local.filter((candidate) => candidate.iax === undefined)) {
      it(`option ${option.digit} rings ${option.label}`, { timeout: CALL_TIMEOUT_MS }, async () => {
        const members = await Promise.all(option.ringing.map((extension) => phones.sip(extension)));
        const answering = option.ringing[option.ringing.length - 1];
        const { caller, trace } = await chooseOption(option.digit);

        for (const [index, member] of members.entries()) {
          expect(await member.waitForIncoming(10_000), `incoming call to ${option.ringing[index]}`).toContain(site.caller);
        }
        const answerer = members[members.length - 1];
        await answerer.answer();
        await answerer.waitForState("ESTABLISHED");
        for (const member of members.slice(0, -1)) {
          await member.waitForState("CLOSED");
        }
        await waitForHeardTone(caller, phoneTone(answering), MIN_TALK_SECONDS);
        await caller.hangup();
        await caller.waitForState("CLOSED");
        await answerer.waitForState("CLOSED");

        await expectHeard(caller, option.ringing, [greeting, `phone ${answering}`]);
        const answererHeard = await answerer.recording();
        expect(await toneSeconds(answererHeard, phoneTone(site.caller)), await describeAudio(answererHeard)).toBeGreaterThanOrEqual(MIN_TALK_SECONDS);
        expectStep(await trace.steps(callerChannel), { context: `local-${site.code}`, extension: option.target, application: "Dial" });
      });
    }

    for (const option of menu.local.filter((candidate) => candidate.iax !== undefined)) {
      it(`option ${option.digit} rings ${option.label}`, { timeout: CALL_TIMEOUT_MS }, async () => {
        const extension = option.iax as string;
        const target: IaxPhone = await phones.iax(extension);
        const { caller, trace } = await chooseOption(option.digit);

        await target.waitForIncoming(10_000);
        await target.answer();
        await waitForHeardTone(caller, phoneTone(extension), MIN_TALK_SECONDS);
        const channels = await pbx.cli("core show channels concise");
        expect(channels, "channels of the PBX during the call").toContain(`IAX2/${extension}-`);
        await caller.hangup();
        await caller.waitForState("CLOSED");
        await target.waitForState("CLOSED");

        await expectHeard(caller, [extension], [greeting, `phone ${extension}`]);
        const targetHeard = await target.recording(directory);
        expect(await toneSeconds(targetHeard, phoneTone(site.caller)), await describeAudio(targetHeard)).toBeGreaterThanOrEqual(MIN_TALK_SECONDS);
        expectStep(await trace.steps(callerChannel), { context: `local-${site.code}`, extension: option.target, application: "Dial", data: expect.stringMatching(new RegExp(`^IAX2/${extension},`)) });
      });
    }

    for (const option of menu.remote) {
      it(`option ${option.digit} to ${option.site} plays no-disponible`, { timeout: CALL_TIMEOUT_MS }, async () => {
        const { caller, trace } = await chooseOption(option.digit);
        const chosenAt = Date.now();
        const steps = await trace.waitForMenu(callerChannel, 2, 10_000);
        const backInMenuMs = Date.now() - chosenAt;
        await waitForHeardCount(caller, knownTones([]), 3);
        await caller.hangup();
        await caller.waitForState("CLOSED");

        expect(backInMenuMs, "milliseconds from the digit to the menu again").toBeLessThan(5_000);
        expectStep(steps, { context: `outbound-${site.code}`, extension: option.dialed });

        const recording = await caller.recording();
        const heard = await heardTones(recording, knownTones([]));
        const detail = `${describeHeard(heard)}; ${await describeAudio(recording)}`;
        expect(heard.map((tone) => tone.name), detail).toEqual([greeting, "no-disponible", heard[0]?.name]);

        // The PBX sends no audio while nothing plays, so silences show in its log, not in the recording.
        const ivrContext = `ivr-${site.code}-${site.ivr}`;
        const digit = findStep(steps, { context: ivrContext, extension: option.digit });
        const message = findStep(steps, { context: ivrContext, extension: "unavailable", application: "Playback" });
        const menuAgain = steps.find((step) => step.context === ivrContext && step.application === "BackGround" && step.atMs >= message.atMs);
        expect(message.atMs - digit.atMs, `milliseconds from the digit to no-disponible; ${describeSteps(steps)}`).toBeLessThan(1_000);
        expect(menuAgain, `greeting after no-disponible; ${describeSteps(steps)}`).toBeDefined();
        expect((menuAgain?.atMs ?? Infinity) - message.atMs, `milliseconds from no-disponible to the menu; ${describeSteps(steps)}`).toBeLessThan(PROMPT_SECONDS * 1000 + 500);
      });
    }

    it(`option ${menu.unused} does not exist`, { timeout: CALL_TIMEOUT_MS }, async () => {
      const { caller, trace } = await chooseOption(menu.unused);
      const steps = await trace.waitForMenu(callerChannel, 2, 10_000);
      await waitForHeardCount(caller, knownTones([]), 3);
      await caller.hangup();
      await caller.waitForState("CLOSED");

      expectStep(steps, { context: `ivr-${site.code}-${site.ivr}`, extension: "i" });
      const recording = await caller.recording();
      const heard = await heardTones(recording, knownTones([]));
      expect(heard.map((tone) => tone.name), `${describeHeard(heard)}; ${await describeAudio(recording)}`).toEqual([greeting, "error", heard[0]?.name]);
    });
  });
}
