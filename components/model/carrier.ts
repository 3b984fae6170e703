// The carrier trunk and emergency calls: defaults, dialing rules and the prompts they play.

import { DEFAULT_VOICE } from "./defaults";
import type { RawCarrier } from "./raw";
import type { Carrier, NumberingPlan, Recording } from "./types";

export const DEFAULT_CARRIER_PORT = 5060;

/**
 * Prefix dialed before a national number. Validation requires extensions and access codes to
 * start with 1-9, so "0" cannot collide with them.
 */
export const DEFAULT_OUTBOUND_PREFIX = "0";

/**
 * National numbers of each plan as Asterisk patterns, without the outbound prefix. Mexican
 * numbers have 10 digits and never start with 0 or 1. NANP numbers have a 3-digit area code and
 * a 3-digit exchange that both start with 2-9, then 4 digits, optionally after the trunk prefix 1.
 */
export const NATIONAL_PATTERNS: Readonly<Record<NumberingPlan, readonly string[]>> = {
  mexico: ["[2-9]XXXXXXXXX"],
  nanp: ["[2-9]XX[2-9]XXXXXX", "1[2-9]XX[2-9]XXXXXX"],
};

/** Length of the public number (caller ID) that each plan's carriers expect. */
export const NATIONAL_NUMBER_LENGTH: Readonly<Record<NumberingPlan, number>> = { mexico: 10, nanp: 10 };

/** Recordings of emergency calls; every site deploys them, generated unless the operator supplies them. */
export const EMERGENCY_RECORDINGS = {
  /** Played to a phone that dials 911 when the call cannot reach a carrier. */
  unavailable: "emergencia-sin-linea",
  /** Played to the notified extension before the number of the extension that dialed 911. */
  notice: "aviso-emergencia",
} as const;

const EMERGENCY_TEXTS: Readonly<Record<keyof typeof EMERGENCY_RECORDINGS, string>> = {
  unavailable:
    "Este teléfono no puede comunicarle con el 9 1 1 porque la central no tiene línea externa. " +
    "Llame al 9 1 1 desde un teléfono celular o una línea fija.",
  notice: "Aviso de emergencia. Se llamó al 9 1 1 desde la extensión",
};

/** Builds the carrier of the model from its raw setting, with defaults applied. */
export function buildCarrier(raw: RawCarrier): Carrier {
  return {
    address: raw.address,
    port: raw.port ?? DEFAULT_CARRIER_PORT,
    username: raw.username,
    numbering: raw.numbering,
    outboundPrefix: raw.outboundPrefix ?? DEFAULT_OUTBOUND_PREFIX,
    ...(raw.emergencyNotify == null ? {} : { emergencyNotify: raw.emergencyNotify }),
  };
}

/** Adds the emergency recordings that `recordings` lacks, as generated speech, and keeps the list sorted by name. */
export function withEmergencyRecordings(recordings: readonly Recording[]): Recording[] {
  const result = [...recordings];
  for (const [role, name] of Object.entries(EMERGENCY_RECORDINGS) as [keyof typeof EMERGENCY_RECORDINGS, string][]) {
    if (!result.some((recording) => recording.name === name)) {
      result.push({ name, source: { kind: "speech", text: EMERGENCY_TEXTS[role], voice: DEFAULT_VOICE }, generated: true });
    }
  }
  return result.sort(compareNames);
}

/** Orders recordings by name in code-point order, as buildRecordings does. */
function compareNames(a: Recording, b: Recording): number {
  if (a.name === b.name) {
    return 0;
  }
  return a.name < b.name ? -1 : 1;
}
