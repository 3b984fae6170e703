// Calls followed through the rendered dialplan with the test interpreter: menus by time of
// day, retries, ring group strategies and unknown numbers.

import { describe, expect, it } from "vitest";

import { parseDialplan } from "../../support/asterisk-conf-parser";
import { MODELS, SITE_CODES, type SiteCode } from "./fixtures";
import { renderFixture } from "./render";
import { simulateCall, type CallInput } from "./simulator";

const PROMPTS = "/usr/share/asterisk/sounds/inova";

function dialplanOf(code: SiteCode) {
  return parseDialplan(renderFixture(code).files["extensions.conf"]);
}

/** Calls that play a greeting list only Background, Playback, Dial and VoiceMail steps. */
function audible(trace: readonly string[]): string[] {
  return trace.filter((step) => /^(Background|Playback|Dial|VoiceMail)\(/.test(step));
}

const NOON_UTC = new Date("2024-07-01T19:30:00Z");

/** Dial options of every call to an extension: transfers, and the handler that counts the dialed channel. */
function dialOptions(code: SiteCode): string {
  return `tTb(count-calls-${code}^s^1)`;
}

describe.each(SITE_CODES)("IVR of %s", (code) => {
  const model = MODELS[code];
  const ivr = model.ivrs[0];
  const context = `ivr-${code}-${ivr.number}`;
  const dialplan = dialplanOf(code);
  const call = (input: Partial<CallInput>) => simulateCall(dialplan, `from-internal-${code}`, ivr.number, { now: NOON_UTC, ...input });

  it.each([
    // 2024-07-01 in each zone (summer time where it applies).
    ["06:00", "ivr-dia"],
    ["11:59", "ivr-dia"],
    ["12:00", "ivr-tarde"],
    ["18:59", "ivr-tarde"],
    ["19:00", "ivr-noche"],
    ["23:59", "ivr-noche"],
    ["00:00", "ivr-noche"],
    ["05:59", "ivr-noche"],
  ])("at %s local time plays %s", (localTime, greeting) => {
    const now = instantAt(localTime, model.site.timezone);
    const result = call({ now, keys: ["1"] });
    expect(audible(result.trace)[0]).toBe(`Background(${PROMPTS}/${greeting})`);
  });

  it("repeats the menu after each timeout, then lets the caller go", () => {
    const result = call({ keys: [] });
    const round = [`Background(${PROMPTS}/ivr-tarde)`, `Playback(${PROMPTS}/${ivr.timeoutRecording})`];
    const expected = Array.from({ length: ivr.maxAttempts }, () => round).flat();
    if (ivr.operator === undefined) {
      expected.push(`Playback(${PROMPTS}/${ivr.goodbyeRecording})`);
    } else {
      expected.push(`Dial(PJSIP/${ivr.operator},20,${dialOptions(code)})`, `VoiceMail(${ivr.operator}@${code},u)`);
    }
    expect(audible(result.trace)).toEqual(expected);
    expect(result.end).toBe("hangup");
  });

  it("counts invalid keys and timeouts together", () => {
    const result = call({ keys: ["9", null, "*"] });
    expect(audible(result.trace).slice(0, 6)).toEqual([
      `Background(${PROMPTS}/ivr-tarde)`,
      `Playback(${PROMPTS}/${ivr.invalidRecording})`,
      `Background(${PROMPTS}/ivr-tarde)`,
      `Playback(${PROMPTS}/${ivr.timeoutRecording})`,
      `Background(${PROMPTS}/ivr-tarde)`,
      `Playback(${PROMPTS}/${ivr.invalidRecording})`,
    ]);
    expect(result.trace.filter((step) => step.startsWith("Background("))).toHaveLength(ivr.maxAttempts);
  });

  it("a valid key after a failure still reaches its target", () => {
    const option = ivr.options[0];
    const result = call({ keys: ["9", option.digit], dialResult: () => "ANSWER" });
    expect(result.end).toBe("answered");
    expect(result.steps.some((step) => step.context === `local-${code}` && step.extension === (option.target as { number: string }).number)).toBe(true);
  });

  for (const option of ivr.options.filter((candidate) => candidate.target.kind === "remoteIvr")) {
    it(`option ${option.digit} says the site is unavailable and repeats the menu`, () => {
      const result = call({ keys: [option.digit, "9", "9", "9"] });
      expect(audible(result.trace).slice(0, 3)).toEqual([
        `Background(${PROMPTS}/ivr-tarde)`,
        `Playback(${PROMPTS}/${ivr.unavailableRecording})`,
        `Background(${PROMPTS}/ivr-tarde)`,
      ]);
      // The trip to the other site is not a failed attempt: three more invalid keys are needed.
      expect(result.trace.filter((step) => step.startsWith(`Playback(${PROMPTS}/${ivr.invalidRecording})`))).toHaveLength(
        ivr.maxAttempts,
      );
    });
  }

  it("is reachable from other sites over the trunk", () => {
    const result = simulateCall(dialplan, `from-trunk-${code}`, ivr.number, { now: NOON_UTC, keys: [] });
    expect(result.steps.some((step) => step.context === context)).toBe(true);
  });
});

describe.each(SITE_CODES)("ring groups of %s", (code) => {
  const model = MODELS[code];
  const dialplan = dialplanOf(code);
  const device = (number: string): string => {
    const extension = model.extensions.find((candidate) => candidate.number === number);
    return `${extension?.protocol === "pjsip" ? "PJSIP" : "IAX2"}/${number}`;
  };

  for (const group of model.ringGroups) {
    const devices = group.members.map(device);
    const dials = (input: Partial<CallInput>) =>
      simulateCall(dialplan, `from-internal-${code}`, group.number, { now: NOON_UTC, ...input }).trace.filter(
        (step) => step.startsWith("Dial(") || step.startsWith("VoiceMail("),
      );

    it(`${group.number} (${group.strategy}) rings every member, then the first member's voicemail`, () => {
      const expected =
        group.strategy === "ringall"
          ? [`Dial(${devices.join("&")},${group.ringSeconds},${dialOptions(code)})`]
          : devices.map((target) => `Dial(${target},${group.ringSeconds},${dialOptions(code)})`);
      expect(dials({})).toEqual([...expected, `VoiceMail(${group.members[0]}@${code},u)`]);
    });

    it(`${group.number} leaves out members that are not registered`, () => {
      const states = { [devices[1]]: "UNAVAILABLE" };
      const remaining = devices.filter((_target, index) => index !== 1);
      const expected =
        group.strategy === "ringall"
          ? [`Dial(${remaining.join("&")},${group.ringSeconds},${dialOptions(code)})`]
          : remaining.map((target) => `Dial(${target},${group.ringSeconds},${dialOptions(code)})`);
      expect(dials({ deviceStates: states })).toEqual([...expected, `VoiceMail(${group.members[0]}@${code},u)`]);
    });

    it(`${group.number} with nobody registered goes straight to voicemail`, () => {
      const states = Object.fromEntries(devices.map((target) => [target, "UNAVAILABLE"]));
      expect(dials({ deviceStates: states })).toEqual([`VoiceMail(${group.members[0]}@${code},u)`]);
    });

    if (group.strategy === "hunt") {
      it(`${group.number} skips busy members`, () => {
        const states = { [devices[0]]: "BUSY" };
        expect(dials({ deviceStates: states })[0]).toBe(`Dial(${devices[1]},${group.ringSeconds},${dialOptions(code)})`);
      });

      it(`${group.number} stops at the member who answers`, () => {
        const result = simulateCall(dialplan, `from-internal-${code}`, group.number, {
          now: NOON_UTC,
          dialResult: (targets) => (targets === devices[1] ? "ANSWER" : "NOANSWER"),
        });
        expect(result.end).toBe("answered");
        expect(result.trace.filter((step) => step.startsWith("Dial("))).toHaveLength(2);
      });
    }
  }
});

describe.each(SITE_CODES)("extensions of %s", (code) => {
  const model = MODELS[code];
  const dialplan = dialplanOf(code);
  const extension = model.extensions[0];
  const target = `${extension.protocol === "pjsip" ? "PJSIP" : "IAX2"}/${extension.number}`;
  const call = (input: Partial<CallInput>) => simulateCall(dialplan, `from-internal-${code}`, extension.number, { now: NOON_UTC, ...input });

  it("a busy extension gets the busy greeting", () => {
    expect(call({ dialResult: () => "BUSY" }).trace).toContain(`VoiceMail(${extension.number}@${code},b)`);
  });

  it("an unanswered extension gets the unavailable greeting", () => {
    expect(call({}).trace).toContain(`VoiceMail(${extension.number}@${code},u)`);
  });

  it("an unregistered extension is not dialed", () => {
    const trace = call({ deviceStates: { [target]: "UNAVAILABLE" } }).trace;
    expect(trace.some((step) => step.startsWith("Dial("))).toBe(false);
    expect(trace).toContain(`VoiceMail(${extension.number}@${code},u)`);
  });

  it("an unknown number gets a message and cause 1", () => {
    const result = simulateCall(dialplan, `from-internal-${code}`, "5555", { now: NOON_UTC });
    expect(result.trace.slice(-2)).toEqual(["Playback(ss-noservice,noanswer)", "Hangup(1)"]);
  });

  it("a trunk call to an unknown number is rejected with cause 1", () => {
    for (const dialed of ["5555", "*97", "s"]) {
      const result = simulateCall(dialplan, `from-trunk-${code}`, dialed, { now: NOON_UTC });
      expect(result.trace).toEqual(["NoOp(Rejected trunk call to an unknown number)", "Hangup(1)"]);
    }
  });

  it("*97 opens the caller's own box", () => {
    const result = simulateCall(dialplan, `from-internal-${code}`, "*97", { now: NOON_UTC, callerNumber: extension.number });
    expect(result.trace).toContain(`VoiceMailMain(${extension.number}@${code})`);
  });
});

describe.each(SITE_CODES)("call limits of %s", (code) => {
  const model = MODELS[code];
  const dialplan = dialplanOf(code);
  const [caller, callee] = model.extensions.map((extension) => extension.number);
  const limit = model.extensions[0].maxCalls;
  const fromPhone = (dialed: string, callCounts: Record<string, number>) =>
    simulateCall(dialplan, `from-internal-${code}`, dialed, {
      now: NOON_UTC,
      callerNumber: caller,
      channelVariables: { CALL_LIMIT: String(limit) },
      callCounts,
      dialResult: () => "ANSWER",
    });

  it("a phone's call within its limit is routed", () => {
    const result = fromPhone(callee, { [caller]: limit - 1 });
    expect(result.end).toBe("answered");
    expect(result.steps.some((step) => step.context === `local-${code}` && step.extension === callee)).toBe(true);
  });

  it("a call over the caller's limit is rejected with cause 34", () => {
    for (const dialed of [callee, "*97", "5555"]) {
      const result = fromPhone(dialed, { [caller]: limit });
      expect(result.trace.slice(-2)).toEqual(["NoOp(Call limit of the calling extension reached)", "Hangup(34)"]);
      expect(result.steps.some((step) => step.context !== `from-internal-${code}`)).toBe(false);
    }
  });

  it("a call without a caller limit is routed unchecked", () => {
    const result = simulateCall(dialplan, `from-internal-${code}`, callee, {
      now: NOON_UTC,
      callerNumber: "5550100",
      callCounts: { "5550100": 5 },
      dialResult: () => "ANSWER",
    });
    expect(result.end).toBe("answered");
  });

  it("an extension at its limit is busy without ringing", () => {
    const result = simulateCall(dialplan, `from-internal-${code}`, callee, { now: NOON_UTC, callCounts: { [callee]: limit } });
    expect(result.trace.some((step) => step.startsWith("Dial("))).toBe(false);
    expect(result.trace).toContain(`VoiceMail(${callee}@${code},b)`);
  });

  it("an extension below its limit rings", () => {
    const result = simulateCall(dialplan, `from-internal-${code}`, callee, { now: NOON_UTC, callCounts: { [callee]: limit - 1 } });
    expect(result.trace.filter((step) => step.startsWith("Dial("))).toHaveLength(1);
  });

  for (const group of model.ringGroups) {
    it(`${group.number} leaves out members at their limit`, () => {
      const devices = group.members.map((number) => {
        const extension = model.extensions.find((candidate) => candidate.number === number);
        return `${extension?.protocol === "pjsip" ? "PJSIP" : "IAX2"}/${number}`;
      });
      const result = simulateCall(dialplan, `from-internal-${code}`, group.number, { now: NOON_UTC, callCounts: { [group.members[0]]: limit } });
      const dialed = result.trace.filter((step) => step.startsWith("Dial(")).map((step) => step.slice("Dial(".length).split(",")[0]);
      expect(dialed).toEqual(group.strategy === "ringall" ? [devices.slice(1).join("&")] : devices.slice(1));
    });
  }
});

/** Returns the instant of 2024-07-01 at `time` local time in `timezone`. */
function instantAt(time: string, timezone: string): Date {
  const guess = new Date(`2024-07-01T${time}:00Z`);
  for (let offsetHours = -14; offsetHours <= 14; offsetHours += 1) {
    const candidate = new Date(guess.getTime() - offsetHours * 3600_000);
    const local = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(candidate);
    if (local === time) {
      return candidate;
    }
  }
  throw new Error(`no instant of 2024-07-01 is ${time} in ${timezone}`);
}
