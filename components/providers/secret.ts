// A random password or PIN generated once and kept in the state.
//
// The value is made at creation and does not change on later updates. Only a
// new `length`, `alphabet` or `rotation` replaces the resource, with a new
// value. `value` is an additional secret output, so the state stores it encrypted.

import * as pulumi from "@pulumi/pulumi";
import { PROVIDERS, ProjectResource } from "./project-resource";
import type { SecretAlphabet } from "./secret-provider";

export interface GeneratedSecretArgs {
  /** Number of characters: 4 to 256 for digits, 8 to 256 for alnum. */
  readonly length: pulumi.Input<number>;
  /** `alnum` (A-Z, a-z, 0-9) or `digits` (0-9, passing the PIN rules of `isAcceptablePin` in secret-provider.ts). */
  readonly alphabet: pulumi.Input<SecretAlphabet>;
  /** Change this to generate a new value. @default "" */
  readonly rotation?: pulumi.Input<string>;
}

/** Random password or PIN, generated at creation and stable afterwards; `value` is secret. */
export class GeneratedSecret extends ProjectResource {
  // `declare` fields emit no class field, which would overwrite the outputs set by the base constructor.
  declare public readonly length: pulumi.Output<number>;
  declare public readonly alphabet: pulumi.Output<SecretAlphabet>;
  declare public readonly rotation: pulumi.Output<string>;
  declare public readonly value: pulumi.Output<string>;

  constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.generatedSecret,
      name,
      { length: args.length, alphabet: args.alphabet, rotation: args.rotation ?? "", value: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "value"] },
      "inova",
      "GeneratedSecret",
    );
  }
}
