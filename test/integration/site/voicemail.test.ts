// Voicemail of each site's rendered PBX with real phones: an unanswered call leaves a
// message with the caller's audio, and the box is reached with *97 (own box) or *98 (any
// box) and its PIN. Messages are checked by the tone each caller plays.
// Needs Docker with the inova/asterisk images, baresip and sox.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { SipPhone } from "../../support/phones/sip-phone";
import { sleep, waitFor } from "../../support/phones/wait";
import { expectNoTone, expectTone, extensionsOf, SITE_CODES, SiteLab, waitForHeardTone } from "./site-lab";

/** Seconds an extension rings before its voicemail answers (EXTENSION_RING_SECONDS of the renderer). */
const EXTENSION_RING_SECONDS = 20;
/** Seconds of the caller's tone recorded into each message. */
const MESSAGE_SECONDS = 3;
/** Main menu key of app_voicemail that plays the first message of the folder. */
const PLAY_MESSAGES_KEY = "1";

describe.each(SITE_CODES.map((code, slot) => ({ code, slot })))("voicemail at $code", ({ code, slot }) => {
  let lab: SiteLab;
  const [caller, box, other] = extensionsOf(code, "pjsip");
  const [iaxBox] = extensionsOf(code, "iax2");

  beforeAll(async () => {
    lab = await SiteLab.start({ code, slot });
  });

  afterEach(async (context) => {
    await lab?.endTest(context.task.result?.state === "fail");
    await lab?.clearVoicemail();
  });

  afterAll(async () => {
    await lab?.stop();
  });

  /** Calls `number`, waits for its voicemail to answer and records MESSAGE_SECONDS of the phone's tone. */
  async function leaveMessage(phone: SipPhone, number: string, mailbox = number, answerTimeoutMs = 10_000): Promise<string> {
    await phone.dial(number);
    await phone.waitForState("ESTABLISHED", answerTimeoutMs);
    await lab.waitForRecordedSeconds(mailbox, MESSAGE_SECONDS);
    await phone.hangup();
    return lab.waitForMessage(mailbox);
  }

  it(`sends an unanswered call to ${box} to its voicemail`, async () => {
    const phone = await lab.sipPhone(caller);
    const owner = await lab.sipPhone(box);

    const messageFile = leaveMessage(phone, box, box, (EXTENSION_RING_SECONDS + 5) * 1_000);
    await owner.waitForIncoming();
    const message = await messageFile;

    expect(owner.events.some((event) => event.type === "CALL_ESTABLISHED")).toBe(false);
    await expectTone(message, lab.hz(caller), MESSAGE_SECONDS - 1);
    const envelope = (await lab.pbx.asterisk.readFile(`${lab.mailboxPath(box)}/msg0000.txt`)).toString("utf8");
    expect(envelope).toMatch(new RegExp(`^callerid=.*<${caller}>$`, "m"));
    expect(envelope).toMatch(new RegExp(`^origmailbox=${box}$`, "m"));
  });

  it(`sends a call to unregistered IAX2 ${iaxBox} to its voicemail at once`, async () => {
    const phone = await lab.sipPhone(caller);

    const startedAt = Date.now();
    const message = await leaveMessage(phone, iaxBox);

    expect(Date.now() - startedAt).toBeLessThan(EXTENSION_RING_SECONDS * 1_000);
    await expectTone(message, lab.hz(caller), MESSAGE_SECONDS - 1);
  });

  it(`plays ${box}'s message to its owner after *97 and the PIN`, async () => {
    // Unregistered, the box's extension goes to voicemail at once.
    await leaveMessage(await lab.sipPhone(caller), box);
    const owner = await lab.sipPhone(box);

    await owner.dial("*97");
    await owner.waitForState("ESTABLISHED");
    await owner.sendDtmf(`${lab.pbx.pin(box)}#`);
    await sleep(1_000);
    await owner.sendDtmf(PLAY_MESSAGES_KEY);
    await waitForHeardTone(owner, lab.hz(caller), MESSAGE_SECONDS - 1);
    await owner.hangup();

    // A message that was played moves from INBOX to Old when the caller leaves the box.
    await waitFor(async () => (await lab.mailboxFiles(box, "Old")).includes("msg0000.wav"), {
      timeoutMs: 5_000,
      description: `the played message in ${lab.mailboxPath(box, "Old")}`,
    });
  });

  it(`plays ${box}'s message to ${other} after *98, the box and the PIN`, async () => {
    await leaveMessage(await lab.sipPhone(caller), box);
    const listener = await lab.sipPhone(other);

    await listener.dial("*98");
    await listener.waitForState("ESTABLISHED");
    await listener.sendDtmf(`${box}#`);
    await sleep(1_000);
    await listener.sendDtmf(`${lab.pbx.pin(box)}#`);
    await sleep(1_000);
    await listener.sendDtmf(PLAY_MESSAGES_KEY);
    await waitForHeardTone(listener, lab.hz(caller), MESSAGE_SECONDS - 1);
    await listener.hangup();
  });

  it(`rejects a wrong PIN for ${box}`, async () => {
    await leaveMessage(await lab.sipPhone(caller), box);
    const owner = await lab.sipPhone(box);
    const wrongPin = `${lab.pbx.pin(box)}0`;

    await owner.dial("*97");
    await owner.waitForState("ESTABLISHED");
    await owner.sendDtmf(`${wrongPin}#`);
    await sleep(1_000);
    await owner.sendDtmf(PLAY_MESSAGES_KEY);
    // app_voicemail asks again until maxlogins (3) attempts have failed, then hangs up.
    await owner.waitForState("CLOSED", 60_000);

    await expectNoTone(await owner.recording(), lab.hz(caller));
    expect(await lab.mailboxFiles(box)).toContain("msg0000.wav");
    expect(await lab.mailboxFiles(box, "Old")).toEqual([]);
  });
});
