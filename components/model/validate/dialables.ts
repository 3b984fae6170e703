// The numbers a caller can dial at a site, with where each is configured.

import { entryPath } from "../paths";
import type { SiteModel } from "../types";

export type DialableKind = "extension" | "ring group" | "IVR";

export interface Dialable {
  readonly kind: DialableKind;
  readonly number: string;
  readonly name: string;
  /** Path of the `number` setting. */
  readonly path: string;
}

/** Lists extensions, ring groups and IVRs in configuration order. */
export function listDialables(model: SiteModel): Dialable[] {
  return [
    ...model.extensions.map((extension, index) => ({
      kind: "extension" as const,
      number: extension.number,
      name: extension.name,
      path: entryPath("extensions", index, "number"),
    })),
    ...model.ringGroups.map((group, index) => ({
      kind: "ring group" as const,
      number: group.number,
      name: group.name,
      path: entryPath("ringGroups", index, "number"),
    })),
    ...model.ivrs.map((ivr, index) => ({
      kind: "IVR" as const,
      number: ivr.number,
      name: ivr.name,
      path: entryPath("ivrs", index, "number"),
    })),
  ];
}

/** Returns the first dialable with that number. */
export function findDialable(model: SiteModel, number: string): Dialable | undefined {
  return listDialables(model).find((dialable) => dialable.number === number);
}

/** Describes a dialable for a message, e.g. `ring group "Soporte"`. */
export function describeDialable(dialable: Dialable): string {
  return `${dialable.kind} "${dialable.name}"`;
}
