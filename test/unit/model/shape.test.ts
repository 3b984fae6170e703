import { describe, expect, it } from "vitest";
import { SiteValidationError } from "../../../components/model/errors";
import { loadSite } from "../../../components/model/load";
import { REPO_DIR, shapeProblems, validRaw } from "./fixtures";

/** Returns a copy of the valid raw configuration as loose data, so a test can put any value anywhere. */
function looseRaw(): Record<string, any> {
  return JSON.parse(JSON.stringify(validRaw()));
}

describe("raw shape", () => {
  it("accepts the valid site", () => {
    expect(shapeProblems(validRaw())).toEqual([]);
  });

  it("rejects missing required settings", () => {
    const raw = looseRaw();
    delete raw.site.timezone;
    delete raw.extensions[1].protocol;
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:site.timezone",
        code: "E_REQUIRED",
        message: "missing required setting; add it, e.g. timezone: America/Mazatlan.",
      },
      {
        path: "inova-pbx:extensions[1].protocol",
        code: "E_REQUIRED",
        message: "missing required setting; add it, e.g. protocol: pjsip.",
      },
    ]);
  });

  it("rejects a missing top-level key", () => {
    const raw = looseRaw();
    delete raw.extensions;
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:extensions",
        code: "E_REQUIRED",
        message: 'missing required setting; add it, e.g. inova-pbx:extensions: [{ number: "100", name: Soporte, protocol: pjsip }].',
      },
    ]);
  });

  it("treats an empty value as missing", () => {
    const raw = looseRaw();
    raw.extensions[0].name = null;
    expect(shapeProblems(raw)).toEqual([
      { path: "inova-pbx:extensions[0].name", code: "E_REQUIRED", message: "missing required setting; add it, e.g. name: Soporte." },
    ]);
  });

  it("asks to quote an unquoted number", () => {
    const raw = looseRaw();
    raw.extensions[0].number = 100;
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:extensions[0].number",
        code: "E_TYPE",
        message: 'is the number 100 but must be a string; quote it: "100".',
      },
    ]);
  });

  it("asks to unquote a quoted port", () => {
    const raw = looseRaw();
    raw.site.ports = { sip: "5060" };
    expect(shapeProblems(raw)).toEqual([
      { path: "inova-pbx:site.ports.sip", code: "E_TYPE", message: 'is the string "5060" but must be a whole number; remove the quotes.' },
    ]);
  });

  it("rejects a fractional number", () => {
    const raw = looseRaw();
    raw.ringGroups[0].ringSeconds = 7.5;
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[0].ringSeconds",
        code: "E_TYPE",
        message: "is the number 7.5 but must be a whole number; write digits without quotes, e.g. ringSeconds: 15.",
      },
    ]);
  });

  it("rejects a quoted boolean", () => {
    const raw = looseRaw();
    raw.extensions[0].voicemail = "yes";
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:extensions[0].voicemail",
        code: "E_TYPE",
        message: 'is the string "yes" but must be true or false; write true or false without quotes.',
      },
    ]);
  });

  it("rejects members given as one string", () => {
    const raw = looseRaw();
    raw.ringGroups[0].members = "100, 101";
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[0].members",
        code: "E_TYPE",
        message: 'is the string "100, 101" but must be a list; write it in brackets or as "- " items, e.g. members: ["100", "105"].',
      },
    ]);
  });

  it("rejects a list where a mapping belongs", () => {
    const raw = looseRaw();
    raw.site.rtpPorts = [10000, 10999];
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:site.rtpPorts",
        code: "E_TYPE",
        message: "is a list but must be a mapping; write it as keys and values, e.g. rtpPorts: { start: 10000, end: 10999 }.",
      },
    ]);
  });

  it("rejects a configuration that is not a mapping", () => {
    expect(shapeProblems("site")).toEqual([
      {
        path: "inova-pbx",
        code: "E_TYPE",
        message: 'the configuration is the string "site" but must be a mapping of keys such as site and extensions.',
      },
    ]);
  });

  it("rejects a value outside the allowed ones", () => {
    const raw = looseRaw();
    raw.extensions[0].protocol = "sip";
    raw.ringGroups[0].strategy = "Hunt";
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:extensions[0].protocol",
        code: "E_INVALID_VALUE",
        message: '"sip" is not allowed. Use one of: pjsip, iax2.',
      },
      {
        path: "inova-pbx:ringGroups[0].strategy",
        code: "E_INVALID_VALUE",
        message: '"Hunt" is not allowed. Did you mean "hunt"? Use one of: ringall, hunt.',
      },
    ]);
  });

  it("suggests the close key for an unknown one", () => {
    const raw = looseRaw();
    raw.ringGroups[0].ringSecond = 20;
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[0].ringSecond",
        code: "E_UNKNOWN_KEY",
        message:
          'unknown key "ringSecond". Did you mean "ringSeconds"? Otherwise remove it; ' +
          "the accepted keys are number, name, strategy, members, ringSeconds.",
      },
    ]);
  });

  it("rejects an unknown top-level key", () => {
    const raw = looseRaw();
    raw.ringgroups = raw.ringGroups;
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:ringgroups",
        code: "E_UNKNOWN_KEY",
        message:
          'unknown key "ringgroups". Did you mean "ringGroups"? Otherwise remove it; ' +
          "the accepted keys are site, extensions, ringGroups, ivrs, recordings, extensionPasswords, voicemailPins, carrier, carrierPassword.",
      },
    ]);
  });

  it("rejects an unknown key without a close match", () => {
    const raw = looseRaw();
    raw.extensions[2].department = "ventas";
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:extensions[2].department",
        code: "E_UNKNOWN_KEY",
        message: 'unknown key "department"; remove it or use one of the accepted keys: number, name, protocol, voicemail, maxCalls.',
      },
    ]);
  });

  it("rejects an IVR option without a target", () => {
    const raw = looseRaw();
    raw.ivrs[0].options[0] = { digit: "1", label: "Soporte" };
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[0]",
        code: "E_TARGET_COUNT",
        message: "sets none of extension, ringGroup, ivr, site; set exactly one of them.",
      },
    ]);
  });

  it("rejects an IVR option with two targets", () => {
    const raw = looseRaw();
    raw.ivrs[0].options[1].ringGroup = "601";
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[1]",
        code: "E_TARGET_COUNT",
        message: 'sets "extension" and "ringGroup"; keep exactly one of extension, ringGroup, ivr, site.',
      },
    ]);
  });

  it("rejects a recording with both file and text", () => {
    const raw = looseRaw();
    raw.recordings = { "ivr-dia": { file: "a.wav", text: "Hola" }, error: {} };
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:recordings.ivr-dia",
        code: "E_RECORDING_SOURCE",
        message: 'sets "file" and "text"; keep exactly one of file, text.',
      },
      {
        path: "inova-pbx:recordings.error",
        code: "E_RECORDING_SOURCE",
        message: "sets none of file, text; set exactly one of them.",
      },
    ]);
  });

  it("rejects a voice for a file recording", () => {
    const raw = looseRaw();
    raw.recordings = { "ivr-dia": { file: "a.wav", voice: "es-419" } };
    expect(shapeProblems(raw)).toEqual([
      {
        path: "inova-pbx:recordings.ivr-dia.voice",
        code: "E_RECORDING_SOURCE",
        message: "voice applies only to a recording given as text; remove voice or replace file with text.",
      },
    ]);
  });

  it("never prints a secret of the wrong type", () => {
    const raw = looseRaw();
    raw.voicemailPins = { "100": 482_615 };
    raw.extensionPasswords = { "101": ["Xk7#pQ2!mW9$vL4@"] };
    const problems = shapeProblems(raw);
    expect(problems).toEqual([
      {
        path: 'inova-pbx:extensionPasswords["101"]',
        code: "E_TYPE",
        message: "is a list but must be a string; write it as text in quotes.",
      },
      {
        path: 'inova-pbx:voicemailPins["100"]',
        code: "E_TYPE",
        message: "is a number but must be a string; write it as text in quotes.",
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain("482615");
    expect(JSON.stringify(problems)).not.toContain("Xk7");
  });

  it("reports every structural problem in one error", () => {
    const raw = looseRaw();
    raw.site.role = "main";
    raw.extensions[0].number = 100;
    raw.ivrs[0].opcions = raw.ivrs[0].options;
    delete raw.ivrs[0].options;
    let caught: unknown;
    try {
      loadSite("alpha", raw, { projectDir: REPO_DIR });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SiteValidationError);
    expect((caught as Error).message).toBe(
      [
        'Site "alpha" has 4 invalid settings in Pulumi.alpha.yaml:',
        '  - inova-pbx:site.role: "main" is not allowed. Use one of: hq, branch. [E_INVALID_VALUE]',
        '  - inova-pbx:extensions[0].number: is the number 100 but must be a string; quote it: "100". [E_TYPE]',
        '  - inova-pbx:ivrs[0].opcions: unknown key "opcions". Did you mean "options"? Otherwise remove it; the accepted keys are ' +
          "number, name, options, operator, greetings, timeoutSeconds, maxAttempts, timeoutRecording, invalidRecording, " +
          "unavailableRecording, goodbyeRecording. [E_UNKNOWN_KEY]",
        "  - inova-pbx:ivrs[0].options: missing required setting; add it, e.g. options: [{ digit: \"1\", label: Soporte, ringGroup: \"601\" }]. [E_REQUIRED]",
      ].join("\n"),
    );
  });
});
