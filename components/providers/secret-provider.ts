// Provider of a random password or PIN generated once and kept in the state.
//
// The value is made at creation and does not change on later updates. Only a
// new `length`, `alphabet` or `rotation` replaces the resource, with a new value.

import type * as pulumi from "@pulumi/pulumi";

export type SecretAlphabet = "alnum" | "digits";

export interface GeneratedSecretProviderInputs {
  readonly length: number;
  readonly alphabet: SecretAlphabet;
  /** Any new value generates a new secret. @default "" */
  readonly rotation: string;
}

export interface GeneratedSecretProviderOutputs extends GeneratedSecretProviderInputs {
  readonly value: string;
}

/** Returns the characters of an alphabet. */
function alphabetCharacters(alphabet: SecretAlphabet): string {
  const digits = "0123456789";
  return alphabet === "digits" ? digits : `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz${digits}`;
}

/** Returns the shortest length accepted for an alphabet. */
function minimumLength(alphabet: SecretAlphabet): number {
  return alphabet === "digits" ? 4 : 8;
}

/**
 * Reports whether `pin` is acceptable as a voicemail PIN. It must have at
 * least 4 digits and nothing else, not all the same digit, and must not be one
 * run up or down by one. Runs wrap from 9 to 0, so 7890 and 2109 count as runs.
 */
export function isAcceptablePin(pin: string): boolean {
  if (!/^[0-9]{4,}$/.test(pin)) {
    return false;
  }
  const digits = [...pin].map((digit) => Number(digit));
  const steps = digits.slice(1).map((digit, index) => (digit - digits[index] + 10) % 10);
  const allSame = steps.every((step) => step === 0);
  const ascending = steps.every((step) => step === 1);
  const descending = steps.every((step) => step === 9);
  return !allSame && !ascending && !descending;
}

/**
 * Generates a value of `length` characters, each drawn uniformly from the
 * alphabet with a cryptographic random source. Digit values are drawn again
 * until they pass {@link isAcceptablePin}.
 */
export function generateSecretValue(length: number, alphabet: SecretAlphabet): string {
  const crypto: typeof import("crypto") = require("crypto");
  const characters = alphabetCharacters(alphabet);
  for (;;) {
    let value = "";
    for (let index = 0; index < length; index++) {
      value += characters[crypto.randomInt(characters.length)];
    }
    if (alphabet !== "digits" || isAcceptablePin(value)) {
      return value;
    }
  }
}

async function checkGeneratedSecret(
  _olds: unknown,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<GeneratedSecretProviderInputs>> {
  const inputs: Record<string, unknown> = { ...news, rotation: news.rotation ?? "" };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
  const alphabet = inputs.alphabet;
  if (alphabet !== unknown && alphabet !== "alnum" && alphabet !== "digits") {
    failures.push({ property: "alphabet", reason: `alphabet must be "alnum" or "digits", got ${JSON.stringify(alphabet)}` });
  }
  const length = inputs.length;
  if (length !== unknown && (alphabet === "alnum" || alphabet === "digits")) {
    const minimum = minimumLength(alphabet);
    if (typeof length !== "number" || !Number.isInteger(length) || length < minimum || length > 256) {
      failures.push({
        property: "length",
        reason: `length must be an integer from ${minimum} to 256 for alphabet "${alphabet}", got ${JSON.stringify(length)}`,
      });
    }
  }
  if (typeof inputs.rotation === "number") {
    inputs.rotation = String(inputs.rotation);
  }
  if (inputs.rotation !== unknown && typeof inputs.rotation !== "string") {
    failures.push({ property: "rotation", reason: "rotation must be a string or a number" });
  }
  return { inputs: inputs as unknown as GeneratedSecretProviderInputs, failures };
}

/** Replaces the secret when its length, alphabet or rotation changes; nothing else is a change. */
export async function diffGeneratedSecret(
  _id: string,
  olds: GeneratedSecretProviderOutputs,
  news: GeneratedSecretProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const keys = ["length", "alphabet", "rotation"] as const;
  const replaces = keys.filter((key) => (olds[key] ?? "") !== (news[key] ?? ""));
  return { changes: replaces.length > 0, replaces: [...replaces], deleteBeforeReplace: false };
}

async function createGeneratedSecret(
  inputs: GeneratedSecretProviderInputs,
): Promise<pulumi.dynamic.CreateResult<GeneratedSecretProviderOutputs>> {
  const crypto: typeof import("crypto") = require("crypto");
  const value = generateSecretValue(inputs.length, inputs.alphabet);
  return {
    id: crypto.randomUUID(),
    outs: { length: inputs.length, alphabet: inputs.alphabet, rotation: inputs.rotation, value },
  };
}

/** Keeps the stored value: there is nothing outside the state to read. */
async function readGeneratedSecret(
  id: string,
  props?: GeneratedSecretProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<GeneratedSecretProviderOutputs>> {
  return { id, props };
}

async function deleteGeneratedSecret(): Promise<void> {
  return;
}

/** Provider of the `GeneratedSecret` dynamic resource. */
export const generatedSecretProvider: pulumi.dynamic.ResourceProvider<
  GeneratedSecretProviderInputs,
  GeneratedSecretProviderOutputs
> = {
  check: checkGeneratedSecret as unknown as pulumi.dynamic.ResourceProvider<GeneratedSecretProviderInputs>["check"],
  diff: diffGeneratedSecret,
  create: createGeneratedSecret,
  read: readGeneratedSecret,
  delete: deleteGeneratedSecret,
};
