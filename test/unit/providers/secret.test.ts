import { describe, expect, it } from "vitest";

import {
  generateSecretValue,
  generatedSecretProvider,
  isAcceptablePin,
  type GeneratedSecretProviderInputs,
  type GeneratedSecretProviderOutputs,
} from "../../../components/providers/secret-provider";

describe("PIN rules", () => {
  const cases: [string, boolean][] = [
    ["482913", true],
    ["1928", true],
    ["1111", false],
    ["000000", false],
    ["1234", false],
    ["123456", false],
    ["4321", false],
    ["7890", false],
    ["2109", false],
    ["1235", true],
    ["123", false],
    ["12a4", false],
  ];
  for (const [pin, acceptable] of cases) {
    it(`${pin} is ${acceptable ? "accepted" : "rejected"}`, () => {
      expect(isAcceptablePin(pin)).toBe(acceptable);
    });
  }
});

describe("secret generation", () => {
  it("draws digits that pass the PIN rules", () => {
    for (let attempt = 0; attempt < 500; attempt++) {
      const pin = generateSecretValue(4, "digits");
      expect(pin).toMatch(/^[0-9]{4}$/);
      expect(isAcceptablePin(pin)).toBe(true);
    }
  });

  it("draws letters and digits of the requested length", () => {
    const password = generateSecretValue(32, "alnum");
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it("gives different values on each call", () => {
    const values = new Set(Array.from({ length: 20 }, () => generateSecretValue(24, "alnum")));
    expect(values.size).toBe(20);
  });
});

describe("GeneratedSecret provider", () => {
  const inputs: GeneratedSecretProviderInputs = { length: 6, alphabet: "digits", rotation: "" };

  it("creates a value in the outputs", async () => {
    const created = await generatedSecretProvider.create(inputs);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.outs?.value).toMatch(/^[0-9]{6}$/);
  });

  it("keeps the value when nothing relevant changes", async () => {
    const olds: GeneratedSecretProviderOutputs = { ...inputs, value: "482913" };
    const result = await generatedSecretProvider.diff!("id", olds, { ...inputs });
    expect(result.changes).toBe(false);
  });

  const replacing: [string, Partial<GeneratedSecretProviderInputs>][] = [
    ["length", { length: 8 }],
    ["alphabet", { alphabet: "alnum", length: 8 }],
    ["rotation", { rotation: "2025-06" }],
  ];
  for (const [key, change] of replacing) {
    it(`replaces on ${key}`, async () => {
      const olds: GeneratedSecretProviderOutputs = { ...inputs, value: "482913" };
      const result = await generatedSecretProvider.diff!("id", olds, { ...inputs, ...change });
      expect(result.changes).toBe(true);
      expect(result.replaces).toContain(key);
    });
  }

  it("reads back the stored value", async () => {
    const olds: GeneratedSecretProviderOutputs = { ...inputs, value: "482913" };
    expect(await generatedSecretProvider.read!("id", olds)).toEqual({ id: "id", props: olds });
  });

  it("rejects a PIN shorter than 4 digits", async () => {
    const { failures } = await generatedSecretProvider.check!(
      {} as GeneratedSecretProviderInputs,
      { length: 3, alphabet: "digits" } as GeneratedSecretProviderInputs,
    );
    expect(failures?.map((failure) => failure.property)).toEqual(["length"]);
  });

  it("rejects an unknown alphabet", async () => {
    const { failures } = await generatedSecretProvider.check!(
      {} as GeneratedSecretProviderInputs,
      { length: 8, alphabet: "hex" } as unknown as GeneratedSecretProviderInputs,
    );
    expect(failures?.map((failure) => failure.property)).toEqual(["alphabet"]);
  });

  it("defaults rotation to empty", async () => {
    const { inputs: checked } = await generatedSecretProvider.check!(
      {} as GeneratedSecretProviderInputs,
      { length: 8, alphabet: "alnum" } as GeneratedSecretProviderInputs,
    );
    expect(checked?.rotation).toBe("");
  });
});
