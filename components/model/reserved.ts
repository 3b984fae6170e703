// Numbers that the dialplan keeps for itself; no extension, ring group or IVR may use them.

/** Feature codes dialed from an extension. */
export const FEATURE_CODES = {
  /** The caller's own voicemail box. */
  ownVoicemail: "*97",
  /** Any voicemail box; the caller enters the box number. */
  anyVoicemail: "*98",
  /** Picks up a call ringing at another extension of the site. */
  pickup: "*8",
} as const;

/** Emergency number in Mexico and the United States. */
export const EMERGENCY_NUMBER = "911";

/** Every reserved number with what it does, for messages. */
export const RESERVED_NUMBERS: ReadonlyMap<string, string> = new Map([
  [FEATURE_CODES.ownVoicemail, "the feature code for one's own voicemail"],
  [FEATURE_CODES.anyVoicemail, "the feature code for any voicemail box"],
  [FEATURE_CODES.pickup, "the feature code for call pickup"],
  [EMERGENCY_NUMBER, "the emergency number"],
]);
