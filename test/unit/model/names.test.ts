import { describe, expect, it } from "vitest";
import { check, makeProjectDir, validRaw } from "./fixtures";
import * as fs from "node:fs";
import * as path from "node:path";

describe("names and labels", () => {
  it.each([
    [";", "starts a comment in Asterisk configuration files"],
    ["[", "opens a section name in Asterisk configuration files"],
    ["]", "closes a section name in Asterisk configuration files"],
    [",", "separates application arguments in the dialplan"],
    ["|", "separated application arguments in older dialplans"],
    ['"', "quotes the caller ID name"],
    ["<", "encloses the number in a caller ID"],
    ["\\", "escapes the next character in Asterisk configuration files"],
    ["$", "starts a variable reference such as ${EXTEN} in the dialplan"],
  ])("rejects %s in an extension name", (character, reason) => {
    const raw = validRaw();
    const name = `Soporte ${character} 2`;
    raw.extensions![0].name = name;
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:extensions[0].name",
        code: "E_SYNTAX_CHARACTER",
        message: `name ${JSON.stringify(name)} contains "${character}", which ${reason}; remove it or use another character such as "-".`,
      },
    ]);
  });

  it("rejects a newline in an option label", () => {
    const raw = validRaw();
    raw.ivrs![0].options[0].label = "Soporte\nexten => 999";
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[0].label",
        code: "E_SYNTAX_CHARACTER",
        message:
          'label "Soporte\\nexten => 999" contains the non-printable character U+000A, which would break the ' +
          "configuration line; remove it.",
      },
    ]);
  });

  it("rejects a zero-width character in a site name", () => {
    const raw = validRaw();
    raw.site!.name = "Al\u200bpha";
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:site.name",
        code: "E_SYNTAX_CHARACTER",
        message: 'name "Al\u200bpha" contains the non-printable character U+200B, which would break the configuration line; remove it.',
      },
    ]);
  });

  it("rejects surrounding spaces, empty and long names", () => {
    const raw = validRaw();
    raw.ringGroups![0].name = " Soporte";
    raw.ivrs![0].name = "   ";
    raw.extensions![1].name = "Q".repeat(65);
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:extensions[1].name",
        code: "E_SYNTAX_CHARACTER",
        message: `name "${"Q".repeat(65)}" is longer than 64 characters; shorten it.`,
      },
      {
        path: "inova-pbx:ringGroups[0].name",
        code: "E_SYNTAX_CHARACTER",
        message: 'name " Soporte" starts or ends with a space, which Asterisk drops; remove the space.',
      },
      { path: "inova-pbx:ivrs[0].name", code: "E_SYNTAX_CHARACTER", message: 'name "   " is empty; write a name.' },
    ]);
  });

  it("accepts accents and repeated display names", () => {
    const raw = validRaw();
    raw.extensions![1].name = "Soporte";
    raw.ivrs![0].options[0].label = "Atención a clientes (soporte)";
    expect(check(raw)).toEqual([]);
  });
});

describe("recording names", () => {
  function projectWithWav(): string {
    const dir = makeProjectDir();
    fs.writeFileSync(path.join(dir, "dia.wav"), Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt ", "latin1"));
    return dir;
  }

  it("rejects a supplied name that differs only in case from a played one", () => {
    const raw = validRaw();
    raw.recordings = { "IVR-Dia": { file: "dia.wav" } };
    expect(check(raw, { projectDir: projectWithWav() })).toEqual([
      {
        path: "inova-pbx:recordings.IVR-Dia",
        code: "E_DUPLICATE_NAME",
        message:
          'recording name "IVR-Dia" differs only in case from "ivr-dia" played by IVR "199"; recording names also ' +
          'name sound files, so write "ivr-dia" if both mean the same recording, or choose a distinct name.',
      },
    ]);
  });

  it("rejects two supplied names that differ only in case", () => {
    const raw = validRaw();
    raw.ivrs![0].goodbyeRecording = "Adios";
    raw.recordings = { Adios: { text: "Adiós." }, adios: { text: "Hasta pronto." } };
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:recordings.adios",
        code: "E_DUPLICATE_NAME",
        message:
          'recording name "adios" differs only in case from "Adios" played by IVR "199"; recording names also ' +
          'name sound files, so write "Adios" if both mean the same recording, or choose a distinct name.',
      },
    ]);
  });

  it("rejects a played name that differs only in case from another", () => {
    const raw = validRaw();
    raw.ivrs![0].greetings = [
      { from: "00:00", to: "11:59", recording: "ivr-dia" },
      { from: "12:00", to: "23:59", recording: "IVR-DIA" },
    ];
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].greetings[1].recording",
        code: "E_DUPLICATE_NAME",
        message:
          'recording name "IVR-DIA" differs only in case from "ivr-dia" played by IVR "199"; recording names also ' +
          'name sound files, so write "ivr-dia" if both mean the same recording, or choose a distinct name.',
      },
    ]);
  });

  it.each(["ivr dia", "-dia", "día", "../dia"])("rejects recording name %j", (name) => {
    const raw = validRaw();
    raw.ivrs![0].timeoutRecording = name;
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].timeoutRecording",
        code: "E_INVALID_NAME",
        message:
          `recording name ${JSON.stringify(name)} is invalid; it also names a sound file, so use up to 64 letters, ` +
          'digits, "-" and "_", starting with a letter or digit, e.g. ivr-dia.',
      },
    ]);
  });
});
