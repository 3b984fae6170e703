// Ring groups of each site's rendered PBX with real phones. Ring-all groups ring every
// member at once, and hunt groups ring members one after another in order. An unanswered
// group ends in its first member's voicemail, and a member can pick up a ringing call with *8.
// Ring times are lowered to RING_SECONDS with the stack's ringSeconds so that tests stay short.
// Needs Docker with the inova/asterisk images, baresip and sox.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { RawSiteConfig } from "../../../components/model/raw";
import type { IaxPhone } from "../../support/phones/iax-phone";
import type { SipPhone } from "../../support/phones/sip-phone";
import { sleep, waitFor } from "../../support/phones/wait";
import { expectNoTone, expectTone, REFERENCE, SITE_CODES, SiteLab, type ReferenceRingGroup, type SiteCode } from "./site-lab";

/** ringSeconds of every group in these tests: 5 s, the smallest value the stack accepts. */
const RING_SECONDS = 5;
/** Largest spread between the members' INVITEs of a ring-all call. */
const RING_ALL_SPREAD_MS = 1_000;
/** Allowed difference between a measured hunt step and RING_SECONDS. */
const HUNT_TOLERANCE_MS = 1_500;
const TALK_MS = 2_000;
/** How late polling an IAX2 phone's channels may notice a change. */
const POLL_LAG_MS = 1_000;

/** Extensions that belong to no ring group, so they can call the groups. */
const OUTSIDE_CALLER: Readonly<Record<SiteCode, string>> = { mochis: "102", tabasco: "302", silicon: "401" };

function withRingSeconds(raw: RawSiteConfig): void {
  for (const group of raw.ringGroups ?? []) {
    group.ringSeconds = RING_SECONDS;
  }
}

/** Times at which a member's phone started and stopped ringing, in Date.now() milliseconds. */
interface RingTimes {
  readonly member: string;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
}

/** A member's phone that rings without answering, with how its ringing is observed. */
interface RingingMember {
  readonly member: string;
  readonly times: () => RingTimes | undefined;
  readonly stop: () => Promise<void>;
}

function sipRinging(member: string, phone: SipPhone): RingingMember {
  return {
    member,
    times: () => {
      const incoming = phone.events.find((event) => event.type === "CALL_INCOMING");
      if (incoming === undefined) {
        return undefined;
      }
      const closed = phone.events.find((event) => event.type === "CALL_CLOSED" && event.receivedAt >= incoming.receivedAt);
      return { member, startedAt: incoming.receivedAt, endedAt: closed?.receivedAt };
    },
    stop: async () => undefined,
  };
}

/** Polls an IAX2 phone's channels in the background, because its Asterisk shows a ringing call only as a channel. */
function iaxRinging(member: string, phone: IaxPhone): RingingMember {
  let startedAt: number | undefined;
  let endedAt: number | undefined;
  let running = true;
  const polling = (async () => {
    while (running) {
      const busy = (await phone.channels()).length > 0;
      const now = Date.now();
      if (busy && startedAt === undefined) {
        startedAt = now;
      } else if (!busy && startedAt !== undefined && endedAt === undefined) {
        endedAt = now;
      }
      await sleep(50);
    }
  })();
  return {
    member,
    times: () => (startedAt === undefined ? undefined : { member, startedAt, endedAt }),
    stop: async () => {
      running = false;
      await polling;
    },
  };
}

describe.each(SITE_CODES.map((code, slot) => ({ code, slot })))("ring groups at $code", ({ code, slot }) => {
  let lab: SiteLab;
  const caller = OUTSIDE_CALLER[code];
  const watchers: RingingMember[] = [];

  beforeAll(async () => {
    lab = await SiteLab.start({ code, slot, editConfig: withRingSeconds });
  });

  afterEach(async (context) => {
    await Promise.allSettled(watchers.splice(0).map((watcher) => watcher.stop()));
    await lab?.endTest(context.task.result?.state === "fail");
    await lab?.clearVoicemail();
  });

  afterAll(async () => {
    await lab?.stop();
  });

  /** Starts a member's phone that rings without answering. */
  async function ringingMember(member: string): Promise<RingingMember> {
    const watcher = REFERENCE[code].extensions[member] === "pjsip"
      ? sipRinging(member, await lab.sipPhone(member))
      : iaxRinging(member, await lab.iaxPhone(member, { ringOnly: true }));
    watchers.push(watcher);
    return watcher;
  }

  for (const group of REFERENCE[code].ringGroups.filter((candidate) => candidate.strategy === "ringall")) {
    it(`${group.number} rings ${group.members.join(", ")} at once`, async () => {
      const phone = await lab.sipPhone(caller);
      const members = await Promise.all(group.members.map((member) => lab.sipPhone(member)));

      await phone.dial(group.number);
      await Promise.all(members.map((member) => member.waitForIncoming()));
      const invitedAt = members.map((member) => member.events.find((event) => event.type === "CALL_INCOMING")?.receivedAt ?? NaN);
      expect(Math.max(...invitedAt) - Math.min(...invitedAt)).toBeLessThanOrEqual(RING_ALL_SPREAD_MS);

      const [, answering, ...others] = members;
      const unanswered = [members[0], ...others];
      await answering.answer();
      await phone.waitForState("ESTABLISHED");
      for (const member of unanswered) {
        await member.waitForState("CLOSED", 3_000);
        expect(member.events.some((event) => event.type === "CALL_ESTABLISHED")).toBe(false);
      }
      await sleep(TALK_MS);
      await phone.hangup();
      await answering.waitForState("CLOSED");

      await expectTone(await phone.recording(), lab.hz(group.members[1]));
      await expectTone(await answering.recording(), lab.hz(caller));
    });
  }

  for (const group of REFERENCE[code].ringGroups.filter((candidate) => candidate.strategy === "hunt")) {
    it(`${group.number} rings ${group.members.join(", ")} one after another`, async () => {
      const phone = await lab.sipPhone(caller);
      const ringing: RingingMember[] = [];
      for (const member of group.members.slice(0, -1)) {
        ringing.push(await ringingMember(member));
      }
      const last = group.members[group.members.length - 1];
      const lastPhone = REFERENCE[code].extensions[last] === "pjsip" ? await lab.sipPhone(last) : await lab.iaxPhone(last);

      await phone.dial(group.number);
      const startedAt = Date.now();
      const lastRangAt = await waitForCall(lastPhone, (RING_SECONDS * group.members.length + 5) * 1_000);
      if ("answer" in lastPhone) {
        await lastPhone.answer();
      }
      await phone.waitForState("ESTABLISHED");
      // IAX2 phones are polled, so their end of ringing shows up a poll later.
      const times = await waitFor(
        () => {
          const found = ringing.map((watcher) => watcher.times());
          return found.every((time) => time?.endedAt !== undefined) && found;
        },
        { timeoutMs: 3_000, description: `${group.members.slice(0, -1).join(" and ")} to stop ringing` },
      );

      // Each member rings alone for RING_SECONDS, in member order.
      const starts = [...times.map((time) => time?.startedAt ?? NaN), lastRangAt];
      expect(starts[0] - startedAt).toBeLessThan(HUNT_TOLERANCE_MS);
      for (let index = 1; index < starts.length; index++) {
        expect(Math.abs(starts[index] - starts[index - 1] - RING_SECONDS * 1_000), `${group.members[index]} after ${group.members[index - 1]}`).toBeLessThanOrEqual(HUNT_TOLERANCE_MS);
      }
      times.forEach((time, index) => {
        expect(time?.endedAt ?? NaN, `${group.members[index]} stops before the next member rings`).toBeLessThanOrEqual(starts[index + 1] + POLL_LAG_MS);
      });

      await sleep(TALK_MS);
      await phone.hangup();
      await waitFor(async () => (await lab.channels()).length === 0, { timeoutMs: 5_000, description: "the call to end at the PBX" });
      await expectTone(await phone.recording(), lab.hz(last));
      await expectNoTone(await phone.recording(), lab.hz(caller));
    });
  }

  for (const group of REFERENCE[code].ringGroups) {
    it(`${group.number} unanswered goes to the voicemail of ${group.members[0]}`, async () => {
      const phone = await lab.sipPhone(caller);
      for (const member of group.members) {
        await ringingMember(member);
      }

      await phone.dial(group.number);
      const timeoutMs = (RING_SECONDS * (group.strategy === "hunt" ? group.members.length : 1) + 10) * 1_000;
      await phone.waitForState("ESTABLISHED", timeoutMs);
      await lab.waitForRecordedSeconds(group.members[0], 3);
      await phone.hangup();

      const message = await lab.waitForMessage(group.members[0]);
      await expectTone(message, lab.hz(caller), 2);
      for (const member of group.members.slice(1)) {
        expect(await lab.mailboxFiles(member), `INBOX of ${member}`).toEqual([]);
      }
      for (const watcher of watchers) {
        expect(watcher.times(), `${watcher.member} rang`).toBeDefined();
      }
    });
  }

  const pickups = pickupCases(code);
  for (const { group, dialed, ringing, pickingUp } of pickups) {
    it(`${pickingUp} picks up a call to ${dialed} with *8`, async () => {
      const phone = await lab.sipPhone(caller);
      const ringingPhone = await lab.sipPhone(ringing);
      const member = await lab.sipPhone(pickingUp);
      expect(group.members).toContain(pickingUp);

      await phone.dial(dialed);
      await ringingPhone.waitForIncoming();
      await member.dial("*8");
      await member.waitForState("ESTABLISHED");
      await phone.waitForState("ESTABLISHED");
      await ringingPhone.waitForState("CLOSED", 3_000);
      await sleep(TALK_MS);
      await phone.hangup();
      await member.waitForState("CLOSED");

      expect(ringingPhone.events.some((event) => event.type === "CALL_ESTABLISHED")).toBe(false);
      await expectTone(await phone.recording(), lab.hz(pickingUp));
      await expectTone(await member.recording(), lab.hz(caller));
    });
  }

  it("*8 from another group picks up nothing", async () => {
    const [group, ...otherGroups] = REFERENCE[code].ringGroups;
    const outsider = otherGroups
      .flatMap((candidate) => candidate.members)
      .find((extension) => REFERENCE[code].extensions[extension] === "pjsip" && !group.members.includes(extension));
    if (outsider === undefined) {
      throw new Error(`${code} has no SIP extension in a group other than ${group.number}`);
    }
    const phone = await lab.sipPhone(caller);
    const ringingPhone = await lab.sipPhone(group.members[0]);
    const stranger = await lab.sipPhone(outsider);

    await phone.dial(group.members[0]);
    await ringingPhone.waitForIncoming();
    await stranger.dial("*8");
    await stranger.waitForState("CLOSED");

    expect(stranger.events.some((event) => event.type === "CALL_ESTABLISHED")).toBe(false);
    expect(ringingPhone.state).toBe("INCOMING");
    expect(phone.state).not.toBe("ESTABLISHED");
    await ringingPhone.answer();
    await phone.waitForState("ESTABLISHED");
  });
});

/** Waits until the phone gets a call and returns when it did, in Date.now() milliseconds. */
async function waitForCall(phone: SipPhone | IaxPhone, timeoutMs: number): Promise<number> {
  if ("events" in phone) {
    await phone.waitForIncoming(timeoutMs);
    return phone.events.filter((event) => event.type === "CALL_INCOMING").at(-1)?.receivedAt ?? NaN;
  }
  await phone.waitForIncoming(timeoutMs);
  return Date.now();
}

interface PickupCase {
  readonly group: ReferenceRingGroup;
  /** Number the caller dials: a member's extension or the group. */
  readonly dialed: string;
  /** Member whose phone rings. */
  readonly ringing: string;
  /** Member who dials *8. */
  readonly pickingUp: string;
}

/**
 * Returns the pickup cases of the site's groups with SIP members, whose *8 chan_pjsip handles
 * itself. A call to a ring-all group's first member is picked up by the second. A hunt group
 * call, which rings only its first member, is picked up by the last SIP member.
 */
function pickupCases(code: SiteCode): PickupCase[] {
  const cases: PickupCase[] = [];
  const sipMembers = (group: ReferenceRingGroup): string[] => group.members.filter((member) => REFERENCE[code].extensions[member] === "pjsip");
  for (const group of REFERENCE[code].ringGroups) {
    const members = sipMembers(group);
    if (group.strategy === "ringall" && members.length >= 2) {
      cases.push({ group, dialed: members[0], ringing: members[0], pickingUp: members[1] });
    }
    if (group.strategy === "hunt" && members.length >= 2 && members[0] === group.members[0]) {
      cases.push({ group, dialed: group.number, ringing: members[0], pickingUp: members[members.length - 1] });
    }
  }
  return cases;
}
