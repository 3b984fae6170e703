import { describe, expect, it } from "vitest";
import { check, validRaw } from "./fixtures";

describe("dialable numbers", () => {
  it("accepts the valid site", () => {
    expect(check(validRaw())).toEqual([]);
  });

  it.each(["0100", "1", "1234567", "10a"])("rejects number %s", (number) => {
    const raw = validRaw();
    raw.extensions!.push({ number, name: "Nueva", protocol: "pjsip" });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:extensions[3].number",
        code: "E_NUMBER_FORMAT",
        message: `number "${number}" is invalid; use 2 to 6 digits, the first not 0, e.g. "100".`,
      },
    ]);
  });

  it("rejects an extension number used twice", () => {
    const raw = validRaw();
    raw.extensions!.push({ number: "101", name: "Quejas 2", protocol: "pjsip" });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:extensions[3].number",
        code: "E_DUPLICATE_NUMBER",
        message:
          'number "101" is already used by extension "Quejas" at inova-pbx:extensions[1].number; ' +
          "give each extension, ring group and IVR its own number.",
      },
    ]);
  });

  it("rejects a ring group with an extension's number", () => {
    const raw = validRaw();
    raw.ringGroups!.push({ number: "102", name: "Facturación", strategy: "hunt", members: ["100"] });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[1].number",
        code: "E_DUPLICATE_NUMBER",
        message:
          'number "102" is already used by extension "Facturación" at inova-pbx:extensions[2].number; ' +
          "give each extension, ring group and IVR its own number.",
      },
    ]);
  });

  it("rejects an IVR with a ring group's number", () => {
    const raw = validRaw();
    raw.ivrs![0].number = "601";
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].number",
        code: "E_DUPLICATE_NUMBER",
        message:
          'number "601" is already used by ring group "Soporte" at inova-pbx:ringGroups[0].number; ' +
          "give each extension, ring group and IVR its own number.",
      },
    ]);
  });

  it("rejects the emergency number", () => {
    const raw = validRaw();
    raw.extensions![0].number = "911";
    raw.ringGroups![0].members = ["101"];
    expect(check(raw)).toEqual([
      { path: "inova-pbx:extensions[0].number", code: "E_RESERVED_NUMBER", message: 'number "911" is the emergency number; choose another number.' },
    ]);
  });

  it("rejects a number that starts with the emergency number", () => {
    const raw = validRaw();
    raw.ringGroups![0].number = "9110";
    raw.ivrs![0].options[0].ringGroup = "9110";
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[0].number",
        code: "E_RESERVED_NUMBER",
        message:
          'number "9110" starts with the emergency number 911, so a phone that sends digits one by one would wait ' +
          "for more digits before calling 911; choose a number that does not start with 911.",
      },
    ]);
  });

  it("rejects a number that starts with this site's access code", () => {
    const raw = validRaw();
    raw.extensions!.push({ number: "8400", name: "Ventas", protocol: "pjsip" });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:extensions[3].number",
        code: "E_ACCESS_CODE_PREFIX",
        message:
          'number "8400" starts with 84, the access code of this site, so the dialplan would route it to that site; ' +
          "choose a number that does not start with any site's access code.",
      },
    ]);
  });

  it("rejects a number equal to another site's access code", () => {
    const raw = validRaw();
    raw.extensions!.push({ number: "85", name: "Ventas", protocol: "pjsip" });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:extensions[3].number",
        code: "E_ACCESS_CODE_PREFIX",
        message:
          'number "85" starts with 85, the access code of site beta (Pulumi.beta.yaml), so the dialplan would route ' +
          "it to that site; choose a number that does not start with any site's access code.",
      },
    ]);
  });

  it("allows numbers that share a prefix", () => {
    const raw = validRaw();
    raw.extensions!.push({ number: "10", name: "Corto", protocol: "pjsip" }, { number: "1000", name: "Largo", protocol: "pjsip" });
    expect(check(raw)).toEqual([]);
  });
});

describe("whole-number limits", () => {
  it("rejects values out of range", () => {
    const raw = validRaw();
    raw.extensions![0].maxCalls = 0;
    raw.ringGroups![0].ringSeconds = 2;
    raw.ivrs![0].timeoutSeconds = 90;
    raw.ivrs![0].maxAttempts = 11;
    expect(check(raw)).toEqual([
      { path: "inova-pbx:extensions[0].maxCalls", code: "E_OUT_OF_RANGE", message: "maxCalls 0 is out of range; use 1 to 10." },
      { path: "inova-pbx:ringGroups[0].ringSeconds", code: "E_OUT_OF_RANGE", message: "ringSeconds 2 is out of range; use 5 to 300." },
      { path: "inova-pbx:ivrs[0].timeoutSeconds", code: "E_OUT_OF_RANGE", message: "timeoutSeconds 90 is out of range; use 1 to 60." },
      { path: "inova-pbx:ivrs[0].maxAttempts", code: "E_OUT_OF_RANGE", message: "maxAttempts 11 is out of range; use 1 to 10." },
    ]);
  });
});
