// Strength of operator-set secrets. Messages name the extension, never the secret's value.

import * as fs from "node:fs";
import * as path from "node:path";
import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import type { OperatorSecrets, SiteModel } from "../types";

export const MIN_PASSWORD_LENGTH = 16;
/** Character classes required among lowercase letters, uppercase letters, digits and symbols. */
export const MIN_CHARACTER_CLASSES = 3;
export const MIN_DISTINCT_CHARACTERS = 8;

/** Printable ASCII without the space and the characters that Asterisk config or dial strings treat as syntax. */
const PASSWORD_CHARACTERS = /^[A-Za-z0-9!#%&()*+\-./:<=>?@^_`{}~]+$/;
const PASSWORD_CHARACTERS_TEXT = "letters, digits and the symbols !#%&()*+-./:<=>?@^_`{}~";

const COMMON_PASSWORDS_FILE = path.join(__dirname, "..", "common-passwords.txt");

let commonPasswords: readonly string[] | undefined;

/** Entries of common-passwords.txt in lowercase, read once. */
function loadCommonPasswords(): readonly string[] {
  commonPasswords ??= fs
    .readFileSync(COMMON_PASSWORDS_FILE, "utf8")
    .split("\n")
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line !== "" && !line.startsWith("#"));
  return commonPasswords;
}

export function validateSecrets(model: SiteModel, secrets: OperatorSecrets | undefined): ValidationProblem[] {
  if (secrets === undefined) {
    return [];
  }
  const numbers = new Set(model.extensions.map((extension) => extension.number));
  const problems: ValidationProblem[] = [];

  for (const [number, password] of Object.entries(secrets.extensionPasswords)) {
    const path = entryPath("extensionPasswords", number);
    const subject = `the password set for extension ${number}`;
    if (!numbers.has(number)) {
      problems.push(unknownExtension(path, "a password", number));
      continue;
    }
    if (!PASSWORD_CHARACTERS.test(password)) {
      problems.push({
        path,
        code: "E_SECRET_CHARACTERS",
        message: `${subject} contains a character that cannot be written into Asterisk configuration; use only ${PASSWORD_CHARACTERS_TEXT}.`,
      });
      continue;
    }
    const weaknesses = findPasswordWeaknesses(password, number);
    if (weaknesses.length > 0) {
      problems.push({
        path,
        code: "E_WEAK_PASSWORD",
        message:
          `${subject} is weak: it ${weaknesses.join(", it ")}. Set a password of at least ${MIN_PASSWORD_LENGTH} ` +
          `characters from at least ${MIN_CHARACTER_CLASSES} of lowercase, uppercase, digits and symbols, ` +
          "or remove the setting to have one generated.",
      });
    }
  }

  for (const [number, pin] of Object.entries(secrets.voicemailPins)) {
    const path = entryPath("voicemailPins", number);
    if (!numbers.has(number)) {
      problems.push(unknownExtension(path, "a voicemail PIN", number));
      continue;
    }
    const weakness = findPinWeakness(pin, number);
    if (weakness !== undefined) {
      problems.push({
        path,
        code: "E_WEAK_PIN",
        message:
          `the voicemail PIN set for extension ${number} ${weakness}. Set 4 to 10 digits that do not repeat one digit ` +
          "or count up or down, or remove the setting to have one generated.",
      });
    }
  }
  return problems;
}

function unknownExtension(path: string, what: string, number: string): ValidationProblem {
  return {
    path,
    code: "E_SECRET_UNKNOWN_EXTENSION",
    message: `${what} is set for extension ${number}, which is not in inova-pbx:extensions; remove it or correct the extension number.`,
  };
}

/** Lists what makes a password weak, each as a phrase following "it". */
export function findPasswordWeaknesses(password: string, extensionNumber: string): string[] {
  const weaknesses: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) {
    weaknesses.push(`is shorter than ${MIN_PASSWORD_LENGTH} characters`);
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
  if (classes < MIN_CHARACTER_CLASSES) {
    weaknesses.push(`uses fewer than ${MIN_CHARACTER_CLASSES} of the 4 character classes`);
  }
  if (new Set(password).size < MIN_DISTINCT_CHARACTERS) {
    weaknesses.push(`has fewer than ${MIN_DISTINCT_CHARACTERS} different characters`);
  }
  if (containsCommonPassword(password)) {
    weaknesses.push("contains a word of the common-password list");
  }
  if (password.includes(extensionNumber)) {
    weaknesses.push("contains the extension number");
  }
  return weaknesses;
}

/** Checks the password as typed and with common letter-for-digit swaps undone (p4ssw0rd). */
function containsCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  const swaps: Record<string, string> = { "0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "!": "i" };
  const undo = (one: string): string => [...lower].map((character) => (character === "1" ? one : (swaps[character] ?? character))).join("");
  const variants = [lower, undo("i"), undo("l")];
  return loadCommonPasswords().some((entry) => variants.some((variant) => variant.includes(entry)));
}

/** Returns what makes a PIN weak, as a phrase following the subject, or undefined. */
export function findPinWeakness(pin: string, extensionNumber: string): string | undefined {
  if (!/^[0-9]{4,10}$/.test(pin)) {
    return "is not 4 to 10 digits";
  }
  if (pin === extensionNumber) {
    return "equals the extension number";
  }
  if (new Set(pin).size === 1) {
    return "repeats a single digit";
  }
  const steps = [...pin].slice(1).map((digit, index) => (Number(digit) - Number(pin[index]) + 10) % 10);
  if (steps.every((step) => step === 1) || steps.every((step) => step === 9)) {
    return "counts up or down one digit at a time";
  }
  return undefined;
}
