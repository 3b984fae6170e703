// Checks that greeting bands have valid HH:MM times and together cover every minute of the day exactly once.

import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import type { GreetingBand, SiteModel } from "../types";

const MINUTES_PER_DAY = 24 * 60;
const TIME_PATTERN = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

export function validateGreetings(model: SiteModel): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  model.ivrs.forEach((ivr, ivrIndex) => {
    let timesValid = true;
    ivr.greetings.forEach((band, bandIndex) => {
      for (const key of ["from", "to"] as const) {
        if (!TIME_PATTERN.test(band[key])) {
          timesValid = false;
          problems.push({
            path: entryPath("ivrs", ivrIndex, "greetings", bandIndex, key),
            code: "E_TIME_FORMAT",
            message: `time "${band[key]}" is invalid; write HH:MM in 24-hour time, in quotes, e.g. "06:00".`,
          });
        }
      }
    });
    // Coverage is only meaningful once every time parses.
    if (timesValid) {
      problems.push(...checkCoverage(ivr.greetings, entryPath("ivrs", ivrIndex, "greetings")));
    }
  });
  return problems;
}

/** Minute of the day of an `HH:MM` time. */
export function minuteOfDay(time: string): number {
  const match = TIME_PATTERN.exec(time) as RegExpExecArray;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Formats a minute of the day as `HH:MM`. */
export function formatMinute(minute: number): string {
  const hours = Math.floor(minute / 60);
  const minutes = minute % 60;
  return `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}

/** Indices of the bands that cover each minute of the day; a band whose `to` is before its `from` wraps past midnight. */
function coveringBands(bands: readonly GreetingBand[]): number[][] {
  const cover: number[][] = Array.from({ length: MINUTES_PER_DAY }, () => []);
  bands.forEach((band, index) => {
    const from = minuteOfDay(band.from);
    const to = minuteOfDay(band.to);
    const length = ((to - from + MINUTES_PER_DAY) % MINUTES_PER_DAY) + 1;
    for (let offset = 0; offset < length; offset++) {
      cover[(from + offset) % MINUTES_PER_DAY].push(index);
    }
  });
  return cover;
}

interface Run {
  readonly from: number;
  readonly to: number;
  /** Bands covering the run, as a key such as `0,1`; empty for a gap. */
  readonly key: string;
}

/**
 * Splits the day into runs of minutes covered by the same set of bands. A run may wrap past
 * midnight, so runs start at the first change after 00:00; a day without change is one run.
 */
function coverageRuns(cover: readonly number[][]): Run[] {
  const keys = cover.map((bands) => bands.join(","));
  const start = keys.findIndex((key, minute) => key !== keys[(minute + MINUTES_PER_DAY - 1) % MINUTES_PER_DAY]);
  if (start === -1) {
    return [{ from: 0, to: MINUTES_PER_DAY - 1, key: keys[0] }];
  }

  const runs: Run[] = [];
  let runStart = start;
  for (let offset = 1; offset <= MINUTES_PER_DAY; offset++) {
    const minute = (start + offset) % MINUTES_PER_DAY;
    if (offset === MINUTES_PER_DAY || keys[minute] !== keys[runStart]) {
      runs.push({ from: runStart, to: (minute + MINUTES_PER_DAY - 1) % MINUTES_PER_DAY, key: keys[runStart] });
      runStart = minute;
    }
  }
  return runs;
}

function checkCoverage(bands: readonly GreetingBand[], path: string): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const describeBand = (index: number): string => `${bands[index].from}-${bands[index].to} (${bands[index].recording})`;

  for (const run of coverageRuns(coveringBands(bands))) {
    const span = run.from === run.to ? formatMinute(run.from) : `${formatMinute(run.from)}-${formatMinute(run.to)}`;
    const indices = run.key === "" ? [] : run.key.split(",").map(Number);
    if (indices.length === 0) {
      problems.push({
        path,
        code: "E_GREETING_GAP",
        message: `${span} is not covered by any greeting band; extend a band or add one so that the bands cover all 24 hours.`,
      });
    } else if (indices.length > 1) {
      problems.push({
        path,
        code: "E_GREETING_OVERLAP",
        message:
          `${span} is covered by more than one greeting band: ${indices.map(describeBand).join(" and ")}; ` +
          "make each band end the minute before the next one starts.",
      });
    }
  }
  return problems;
}
