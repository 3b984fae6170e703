// In-call features of each site's rendered PBX with real SIP phones: blind transfer (##),
// attended transfer (*2) and the music on hold that the held party hears meanwhile. Who
// talks to whom is checked by the tone each phone plays.
// Needs Docker with the inova/asterisk images, baresip and sox.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { ATTENDED_TRANSFER_CODE, BLIND_TRANSFER_CODE } from "../../../components/asterisk/features";
import { BLOCK_SECONDS, goertzelPower, readWav } from "../../support/audio";
import type { SipPhone } from "../../support/phones/sip-phone";
import { sleep, waitFor } from "../../support/phones/wait";
import { connectSip, extensionsOf, SITE_CODES, SiteLab, waitForHeardTone } from "./site-lab";

/** Pause between a feature code and the number, so that the transfer prompt has started. */
const DIGITS_AFTER_CODE_MS = 800;
/** Seconds of hold music the held caller must hear. */
const MIN_MUSIC_SECONDS = 2;

describe.each(SITE_CODES.map((code, slot) => ({ code, slot })))("call features at $code", ({ code, slot }) => {
  let lab: SiteLab;
  const [first, second, third] = extensionsOf(code, "pjsip");

  beforeAll(async () => {
    lab = await SiteLab.start({ code, slot });
  });

  afterEach(async (context) => {
    await lab?.endTest(context.task.result?.state === "fail");
  });

  afterAll(async () => {
    await lab?.stop();
  });

  /** Starts the caller, the called extension and the transfer target, and connects the first two. */
  async function callInProgress(): Promise<{ caller: SipPhone; callee: SipPhone; target: SipPhone }> {
    const caller = await lab.sipPhone(first);
    const callee = await lab.sipPhone(second);
    const target = await lab.sipPhone(third);
    await connectSip(caller, callee, second);
    await waitForHeardTone(caller, lab.hz(second));
    await waitForHeardTone(callee, lab.hz(first));
    return { caller, callee, target };
  }

  /** Sends a transfer feature code and the target number, then answers at the target. */
  async function transfer(transferer: SipPhone, featureCode: string, target: SipPhone, number: string): Promise<void> {
    await transferer.sendDtmf(featureCode);
    await sleep(DIGITS_AFTER_CODE_MS);
    await transferer.sendDtmf(number);
    await target.waitForIncoming();
    await target.answer();
    await target.waitForState("ESTABLISHED");
  }

  it(`callee blind-transfers with ${BLIND_TRANSFER_CODE}`, async () => {
    const { caller, callee, target } = await callInProgress();

    await transfer(callee, BLIND_TRANSFER_CODE, target, third);
    await callee.waitForState("CLOSED");

    await waitForHeardTone(caller, lab.hz(third));
    await waitForHeardTone(target, lab.hz(first));
    expect(caller.state).toBe("ESTABLISHED");
    await caller.hangup();
    await target.waitForState("CLOSED");
  });

  it(`caller blind-transfers with ${BLIND_TRANSFER_CODE}`, async () => {
    const { caller, callee, target } = await callInProgress();

    await transfer(caller, BLIND_TRANSFER_CODE, target, third);
    await caller.waitForState("CLOSED");

    await waitForHeardTone(callee, lab.hz(third));
    await waitForHeardTone(target, lab.hz(second));
    expect(callee.state).toBe("ESTABLISHED");
    await callee.hangup();
    await target.waitForState("CLOSED");
  });

  it(`callee transfers attended with ${ATTENDED_TRANSFER_CODE}`, async () => {
    const { caller, callee, target } = await callInProgress();

    await transfer(callee, ATTENDED_TRANSFER_CODE, target, third);
    // The transferer first talks to the target alone.
    await waitForHeardTone(callee, lab.hz(third));
    await waitForHeardTone(target, lab.hz(second));
    expect(caller.state).toBe("ESTABLISHED");
    await callee.hangup();

    await waitForHeardTone(caller, lab.hz(third));
    await waitForHeardTone(target, lab.hz(first), 2);
    expect(target.state).toBe("ESTABLISHED");
    await caller.hangup();
    await target.waitForState("CLOSED");
  });

  it(`caller transfers attended with ${ATTENDED_TRANSFER_CODE}`, async () => {
    const { caller, callee, target } = await callInProgress();

    await transfer(caller, ATTENDED_TRANSFER_CODE, target, third);
    await waitForHeardTone(caller, lab.hz(third));
    await waitForHeardTone(target, lab.hz(first));
    await caller.hangup();

    await waitForHeardTone(callee, lab.hz(third));
    await waitForHeardTone(target, lab.hz(second), 2);
    await callee.hangup();
    await target.waitForState("CLOSED");
  });

  it("held caller hears music during a consultation", async () => {
    const { caller, callee, target } = await callInProgress();

    await transfer(callee, ATTENDED_TRANSFER_CODE, target, third);
    const tones = [lab.hz(first), lab.hz(second), lab.hz(third)];
    let heard = 0;
    await waitFor(
      async () => {
        heard = await musicSeconds(await caller.recording(), tones);
        return heard >= MIN_MUSIC_SECONDS;
      },
      { timeoutMs: 15_000, intervalMs: 500, description: () => `${first} on hold to hear ${MIN_MUSIC_SECONDS} s of music (${heard} s so far)` },
    );

    expect(caller.state).toBe("ESTABLISHED");

    // Back from hold, the caller talks to the target.
    await callee.hangup();
    await waitForHeardTone(caller, lab.hz(third));
  });
});

/**
 * Returns the seconds of `wavPath` that are audible (louder than -40 dBFS) and carry none of
 * the phones' tones: with the phones playing pure tones, that is what the PBX played, such as
 * hold music. A block counts as a tone when the tone carries 30% of its energy.
 */
async function musicSeconds(wavPath: string, toneHz: readonly number[]): Promise<number> {
  const audio = await readWav(wavPath);
  const length = Math.round(audio.sampleRate * BLOCK_SECONDS);
  let seconds = 0;
  for (let start = 0; start + length <= audio.samples.length; start += length) {
    let energy = 0;
    for (let i = start; i < start + length; i++) {
      energy += audio.samples[i] * audio.samples[i];
    }
    const levelDbfs = 10 * Math.log10(energy / length);
    if (!(levelDbfs > -40)) {
      continue;
    }
    const isTone = toneHz.some((hz) => (2 * goertzelPower(audio.samples, start, length, hz, audio.sampleRate)) / (length * energy) >= 0.3);
    if (!isTone) {
      seconds += length / audio.sampleRate;
    }
  }
  return Math.round(seconds * 10) / 10;
}
