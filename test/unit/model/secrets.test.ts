import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { check, REPO_DIR, validRaw } from "./fixtures";

const STRONG = "Tq8-vLm2#Rw9zPk4";
const FIX =
  "Set a password of at least 16 characters from at least 3 of lowercase, uppercase, digits and symbols, " +
  "or remove the setting to have one generated.";

function checkPassword(password: string, extension = "100") {
  return check(validRaw(), { secrets: { extensionPasswords: { [extension]: password } } });
}

function checkPin(pin: string, extension = "100") {
  return check(validRaw(), { secrets: { voicemailPins: { [extension]: pin } } });
}

describe("extension passwords", () => {
  it("accepts a strong password", () => {
    expect(checkPassword(STRONG)).toEqual([]);
  });

  it.each([
    ["Tq8-vLm2#Rw9", "is shorter than 16 characters"],
    ["tqavlmrwzpkxbnhy", "uses fewer than 3 of the 4 character classes"],
    ["Aa1Aa1Aa1Aa1Aa1Aa1", "has fewer than 8 different characters"],
    ["Xq7-Password-Zt4!", "contains a word of the common-password list"],
    ["Xq7-P4ssw0rd-Zt4!", "contains a word of the common-password list"],
    ["Xq7-Inova2024-Zt!", "contains a word of the common-password list"],
    ["Tq8-vLm2#Rw9z100", "contains the extension number"],
  ])("rejects %s", (password, weakness) => {
    expect(checkPassword(password)).toEqual([
      {
        path: 'inova-pbx:extensionPasswords["100"]',
        code: "E_WEAK_PASSWORD",
        message: `the password set for extension 100 is weak: it ${weakness}. ${FIX}`,
      },
    ]);
  });

  it("lists every weakness at once", () => {
    expect(checkPassword("asterisk")).toEqual([
      {
        path: 'inova-pbx:extensionPasswords["100"]',
        code: "E_WEAK_PASSWORD",
        message:
          "the password set for extension 100 is weak: it is shorter than 16 characters, it uses fewer than 3 of the " +
          "4 character classes, it has fewer than 8 different characters, it contains a word of the common-password list. " +
          FIX,
      },
    ]);
  });

  it.each(["Tq8-vLm2;Rw9zPk4", 'Tq8-vLm2"Rw9zPk4', "Tq8 vLm2#Rw9zPk4", "Tq8-vLm2#Rw9zPkñ", "Tq8-vLm2\nRw9zPk4"])(
    "rejects a syntax character in %j",
    (password) => {
      expect(checkPassword(password)).toEqual([
        {
          path: 'inova-pbx:extensionPasswords["100"]',
          code: "E_SECRET_CHARACTERS",
          message:
            "the password set for extension 100 contains a character that cannot be written into Asterisk " +
            "configuration; use only letters, digits and the symbols !#%&()*+-./:<=>?@^_`{}~.",
        },
      ]);
    },
  );

  it("rejects a password for an unknown extension", () => {
    expect(checkPassword(STRONG, "109")).toEqual([
      {
        path: 'inova-pbx:extensionPasswords["109"]',
        code: "E_SECRET_UNKNOWN_EXTENSION",
        message: "a password is set for extension 109, which is not in inova-pbx:extensions; remove it or correct the extension number.",
      },
    ]);
  });

  it("never prints the password", () => {
    const password = "Xq7-Monkey-Zt4!9k";
    const problems = checkPassword(password);
    expect(problems).toHaveLength(1);
    expect(JSON.stringify(problems)).not.toContain("Xq7");
    expect(JSON.stringify(problems)).not.toContain("Monkey");
  });
});

describe("voicemail PINs", () => {
  it.each(["4826", "9071", "2468", "5821937460"])("accepts %s", (pin) => {
    expect(checkPin(pin)).toEqual([]);
  });

  it.each([
    ["123", "is not 4 to 10 digits"],
    ["12345678901", "is not 4 to 10 digits"],
    ["48a6", "is not 4 to 10 digits"],
    ["7777", "repeats a single digit"],
    ["1234", "counts up or down one digit at a time"],
    ["0123456", "counts up or down one digit at a time"],
    ["7890", "counts up or down one digit at a time"],
    ["4321", "counts up or down one digit at a time"],
  ])("rejects %s", (pin, weakness) => {
    expect(checkPin(pin)).toEqual([
      {
        path: 'inova-pbx:voicemailPins["100"]',
        code: "E_WEAK_PIN",
        message:
          `the voicemail PIN set for extension 100 ${weakness}. Set 4 to 10 digits that do not repeat one digit ` +
          "or count up or down, or remove the setting to have one generated.",
      },
    ]);
  });

  it("rejects the extension number as PIN", () => {
    const raw = validRaw();
    raw.extensions!.push({ number: "4826", name: "Ventas", protocol: "pjsip" });
    expect(check(raw, { secrets: { voicemailPins: { "4826": "4826" } } })).toEqual([
      {
        path: 'inova-pbx:voicemailPins["4826"]',
        code: "E_WEAK_PIN",
        message:
          "the voicemail PIN set for extension 4826 equals the extension number. Set 4 to 10 digits that do not " +
          "repeat one digit or count up or down, or remove the setting to have one generated.",
      },
    ]);
  });

  it("rejects a PIN for an unknown extension", () => {
    expect(checkPin("4826", "999")).toEqual([
      {
        path: 'inova-pbx:voicemailPins["999"]',
        code: "E_SECRET_UNKNOWN_EXTENSION",
        message: "a voicemail PIN is set for extension 999, which is not in inova-pbx:extensions; remove it or correct the extension number.",
      },
    ]);
  });

  it("never prints the PIN", () => {
    const problems = checkPin("7777");
    expect(JSON.stringify(problems)).not.toContain("7777");
  });
});

describe("common-password list", () => {
  const entries = fs
    .readFileSync(path.join(REPO_DIR, "components/model/common-passwords.txt"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"));

  it("has about two hundred entries", () => {
    expect(entries.length).toBeGreaterThanOrEqual(180);
  });

  it("has no entry shorter than 5 characters", () => {
    expect(entries.filter((entry) => entry.length < 5)).toEqual([]);
  });
});
