// Values the loader applies when the stack configuration leaves a setting out.

export const DEFAULT_PORTS = { sip: 5060, iax: 4569, ami: 5038 } as const;

export const DEFAULT_LANGUAGE = "es";

export const DEFAULT_EXTENSION = { maxCalls: 2, voicemail: true } as const;

export const DEFAULT_RING_SECONDS = 15;

export const DEFAULT_IVR = {
  timeoutSeconds: 5,
  maxAttempts: 3,
  timeoutRecording: "agotado",
  invalidRecording: "error",
  unavailableRecording: "no-disponible",
  goodbyeRecording: "despedida",
} as const;

/** Part of the day that a greeting band covers; it picks the greeting's wording. */
export type DayPart = "dia" | "tarde" | "noche";

/** Default greeting bands in local time: morning, afternoon, and night wrapping past midnight. */
export const DEFAULT_GREETING_BANDS: readonly { readonly from: string; readonly to: string; readonly part: DayPart }[] = [
  { from: "06:00", to: "11:59", part: "dia" },
  { from: "12:00", to: "18:59", part: "tarde" },
  { from: "19:00", to: "05:59", part: "noche" },
];

/**
 * Name of the default greeting recording of a band. The site's first IVR uses `ivr-dia`,
 * `ivr-tarde` and `ivr-noche`. Any other IVR has its own menu, so its names carry its number
 * (`ivr-500-dia`).
 */
export function defaultGreetingName(part: DayPart, ivrNumber: string, isFirstIvr: boolean): string {
  return isFirstIvr ? `ivr-${part}` : `ivr-${ivrNumber}-${part}`;
}

/** Voice that espeak-ng uses for generated prompts: Latin American Spanish. */
export const DEFAULT_VOICE = "es-419";
