import { describe, expect, it } from "vitest";
import type { RawGreetingBand } from "../../../components/model/raw";
import { check, validRaw } from "./fixtures";

function withBands(greetings: RawGreetingBand[]) {
  const raw = validRaw();
  raw.ivrs![0].greetings = greetings;
  return raw;
}

const PATH = "inova-pbx:ivrs[0].greetings";

describe("greeting bands", () => {
  it("accepts bands that wrap past midnight", () => {
    const raw = withBands([
      { from: "22:00", to: "07:59", recording: "ivr-noche" },
      { from: "08:00", to: "21:59", recording: "ivr-dia" },
    ]);
    expect(check(raw)).toEqual([]);
  });

  it("accepts one band for the whole day", () => {
    expect(check(withBands([{ from: "00:00", to: "23:59", recording: "ivr-dia" }]))).toEqual([]);
  });

  it("names the minutes no band covers", () => {
    const raw = withBands([
      { from: "06:00", to: "11:59", recording: "ivr-dia" },
      { from: "12:30", to: "18:59", recording: "ivr-tarde" },
      { from: "19:00", to: "05:58", recording: "ivr-noche" },
    ]);
    expect(check(raw)).toEqual([
      {
        path: PATH,
        code: "E_GREETING_GAP",
        message: "05:59 is not covered by any greeting band; extend a band or add one so that the bands cover all 24 hours.",
      },
      {
        path: PATH,
        code: "E_GREETING_GAP",
        message: "12:00-12:29 is not covered by any greeting band; extend a band or add one so that the bands cover all 24 hours.",
      },
    ]);
  });

  it("reports a gap across midnight as one span", () => {
    const raw = withBands([{ from: "06:00", to: "22:59", recording: "ivr-dia" }]);
    expect(check(raw)).toEqual([
      {
        path: PATH,
        code: "E_GREETING_GAP",
        message: "23:00-05:59 is not covered by any greeting band; extend a band or add one so that the bands cover all 24 hours.",
      },
    ]);
  });

  it("names the minutes two bands cover", () => {
    const raw = withBands([
      { from: "06:00", to: "12:29", recording: "ivr-dia" },
      { from: "12:00", to: "18:59", recording: "ivr-tarde" },
      { from: "19:00", to: "05:59", recording: "ivr-noche" },
    ]);
    expect(check(raw)).toEqual([
      {
        path: PATH,
        code: "E_GREETING_OVERLAP",
        message:
          "12:00-12:29 is covered by more than one greeting band: 06:00-12:29 (ivr-dia) and 12:00-18:59 (ivr-tarde); " +
          "make each band end the minute before the next one starts.",
      },
    ]);
  });

  it("rejects an empty list of bands", () => {
    expect(check(withBands([]))).toEqual([
      {
        path: PATH,
        code: "E_GREETING_GAP",
        message: "00:00-23:59 is not covered by any greeting band; extend a band or add one so that the bands cover all 24 hours.",
      },
    ]);
  });

  it.each(["6:00", "24:00", "12:60", "noon"])("rejects time %s", (time) => {
    const raw = withBands([
      { from: time, to: "11:59", recording: "ivr-dia" },
      { from: "12:00", to: "05:59", recording: "ivr-noche" },
    ]);
    expect(check(raw)).toEqual([
      {
        path: `${PATH}[0].from`,
        code: "E_TIME_FORMAT",
        message: `time "${time}" is invalid; write HH:MM in 24-hour time, in quotes, e.g. "06:00".`,
      },
    ]);
  });
});
