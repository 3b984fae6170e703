// IVR menus: greeting by the site's local time, digit options, and retry handling.

import type { GreetingBand, Ivr, IvrOption, Site, SiteModel } from "../model/types";
import { DialplanSyntaxError, Expression, plainArgument, steps, type Application, type Context, type Priority } from "./dialplan";
import { ivrContext, localContext, promptPath } from "./names";

/** Channel variable counting failed attempts (invalid digit or timeout) in the current menu. */
export const IVR_FAILURES_VARIABLE = "IVR_FAILURES";

/** Channel variable naming the IVR a call to another site returns to when that call fails. */
export const IVR_RETURN_VARIABLE = "IVR_RETURN";

/** Extension of an IVR menu that plays the "not available" message and repeats the menu. */
export const UNAVAILABLE_EXTENSION = "unavailable";

/** Extension of an IVR menu reached after the last failed attempt. */
export const GIVE_UP_EXTENSION = "give-up";

/** Label of the priority where the menu (greeting and options) starts again. */
export const MENU_LABEL = "menu";

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Builds the context of one IVR menu. `s` answers the call, resets the attempt counter, picks the
 * greeting with one GotoIfTime per band in the site's zone, plays it with Background and ends
 * with WaitExten (it must be last, or a timeout would not reach `t`). Each digit leads to its
 * target; `i` (invalid digit) and `t` (timeout) share one counter and repeat the menu until
 * `maxAttempts` failures, then `give-up` says goodbye and hangs up or calls the operator.
 */
export function buildIvrContext(
  model: SiteModel,
  ivr: Ivr,
  optionTarget: (option: IvrOption) => Priority[],
): Context {
  const { site } = model;
  const options = [...ivr.options].sort((left, right) => (left.digit < right.digit ? -1 : 1));
  for (const option of options) {
    if (!/^[0-9*#]$/.test(option.digit)) {
      throw new DialplanSyntaxError(`IVR ${ivr.number} option "${option.digit}" is invalid: an option is one key, 0-9, * or #.`);
    }
  }

  return {
    name: ivrContext(site, ivr.number),
    comments: [`IVR ${ivr.number}: ${ivr.name}. Greeting by local time in ${site.timezone}.`],
    requiredExtensions: ["i", "t"],
    extensions: [
      { name: "s", priorities: menuPriorities(model, ivr) },
      ...options.map((option) => ({
        name: option.digit,
        comment: `${option.digit}: ${option.label}`,
        priorities: optionTarget(option),
      })),
      { name: "i", comment: "Invalid digit.", priorities: failedAttempt(ivr, ivr.invalidRecording) },
      { name: "t", comment: "No digit before the timeout.", priorities: failedAttempt(ivr, ivr.timeoutRecording) },
      { name: GIVE_UP_EXTENSION, comment: "Last attempt failed.", priorities: giveUp(model, ivr) },
      {
        name: UNAVAILABLE_EXTENSION,
        comment: "The chosen site cannot be reached: say so and repeat the menu.",
        priorities: steps(
          { app: "Set", variable: IVR_RETURN_VARIABLE, value: "" },
          { app: "Playback", files: [promptPath(ivr.unavailableRecording)] },
          { app: "Goto", target: { extension: "s", priority: MENU_LABEL } },
        ),
      },
    ],
  };
}

function menuPriorities(model: SiteModel, ivr: Ivr): Priority[] {
  const { site } = model;
  const ranges = greetingRanges(ivr);
  if (ranges.length === 0) {
    throw new DialplanSyntaxError(`IVR ${ivr.number} has no greeting bands.`);
  }

  const priorities: Priority[] = steps(
    { app: "NoOp", text: plainArgument(`IVR ${ivr.number} ${ivr.name}`, `name of IVR ${ivr.number}`) },
    setLanguage(site),
    { app: "Set", variable: IVR_FAILURES_VARIABLE, value: "0" },
    { app: "Set", variable: IVR_RETURN_VARIABLE, value: "" },
    { app: "Answer" },
    { app: "Wait", seconds: 1 },
  );

  // One GotoIfTime per range, in the site's zone: without the zone argument Asterisk
  // would compare against the container's clock, which runs in UTC.
  ranges.forEach((range, index) => {
    priorities.push({
      ...(index === 0 ? { label: MENU_LABEL } : {}),
      application: {
        app: "GotoIfTime",
        condition: { times: range.times, weekdays: "*", monthDays: "*", months: "*", timezone: site.timezone },
        ifTrue: { priority: greetingLabel(range.band) },
      },
    });
  });

  // Bands cover the whole day, so the last GotoIfTime never falls through; if a gap were
  // left, the first greeting plays rather than silence.
  ivr.greetings.forEach((band, index) => {
    priorities.push({ label: greetingLabel(index), application: { app: "Background", files: [promptPath(band.recording)] } });
    if (index < ivr.greetings.length - 1) {
      priorities.push({ application: { app: "Goto", target: { priority: "wait" } } });
    }
  });
  priorities.push({ label: "wait", application: { app: "WaitExten", seconds: ivr.timeoutSeconds } });
  return priorities;
}

function failedAttempt(ivr: Ivr, recording: string): Priority[] {
  return steps(
    { app: "Set", variable: IVR_FAILURES_VARIABLE, value: Expression.plus(IVR_FAILURES_VARIABLE, 1) },
    { app: "Playback", files: [promptPath(recording)] },
    {
      app: "GotoIf",
      condition: Expression.atLeast(IVR_FAILURES_VARIABLE, ivr.maxAttempts),
      ifTrue: { extension: GIVE_UP_EXTENSION, priority: 1 },
    },
    { app: "Goto", target: { extension: "s", priority: MENU_LABEL } },
  );
}

function giveUp(model: SiteModel, ivr: Ivr): Priority[] {
  if (ivr.operator !== undefined) {
    return steps({ app: "Goto", target: { context: localContext(model.site), extension: ivr.operator, priority: 1 } });
  }
  return steps({ app: "Playback", files: [promptPath(ivr.goodbyeRecording)] }, { app: "Hangup", cause: 16 });
}

interface TimeRange {
  /** `HH:MM-HH:MM` within one day. */
  readonly times: string;
  /** Index of the greeting band the range belongs to. */
  readonly band: number;
}

/** Splits the greeting bands into ranges within one day: a band that wraps past midnight gives two. */
export function greetingRanges(ivr: Ivr): TimeRange[] {
  const ranges: TimeRange[] = [];
  ivr.greetings.forEach((band, index) => {
    const from = minutes(band, "from", ivr);
    const to = minutes(band, "to", ivr);
    if (from <= to) {
      ranges.push({ times: `${band.from}-${band.to}`, band: index });
    } else {
      ranges.push({ times: `${band.from}-23:59`, band: index }, { times: `00:00-${band.to}`, band: index });
    }
  });
  return ranges;
}

function minutes(band: GreetingBand, field: "from" | "to", ivr: Ivr): number {
  const match = TIME.exec(band[field]);
  if (match === null) {
    throw new DialplanSyntaxError(`IVR ${ivr.number} greeting "${band.recording}" ${field} time "${band[field]}" is invalid: expected HH:MM.`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function greetingLabel(index: number): string {
  return `greeting-${index + 1}`;
}

/** Returns `Set(CHANNEL(language)=<site language>)`, so prompts play in the site's language for every caller. */
export function setLanguage(site: Site): Application {
  return { app: "Set", variable: "CHANNEL(language)", value: site.language };
}
