// Problems found in a stack's configuration, and the one error that reports them all.

/** Stable identifier of a validation rule; tests and tooling match on it, so never rename one. */
export type ProblemCode =
  // Shape of the raw configuration.
  | "E_REQUIRED"
  | "E_TYPE"
  | "E_UNKNOWN_KEY"
  | "E_INVALID_VALUE"
  | "E_TARGET_COUNT"
  | "E_RECORDING_SOURCE"
  // Site settings.
  | "E_SITE_CODE"
  | "E_PUBLIC_NUMBER"
  | "E_LANGUAGE"
  | "E_TIMEZONE"
  | "E_DUPLICATE_HQ"
  | "E_NO_HQ"
  // Dialable numbers.
  | "E_NUMBER_FORMAT"
  | "E_DUPLICATE_NUMBER"
  | "E_RESERVED_NUMBER"
  | "E_ACCESS_CODE_PREFIX"
  | "E_ACCESS_CODE_FORMAT"
  | "E_DUPLICATE_ACCESS_CODE"
  // Names and identifiers.
  | "E_DUPLICATE_NAME"
  | "E_INVALID_NAME"
  | "E_SYNTAX_CHARACTER"
  // References between entries.
  | "E_UNKNOWN_MEMBER"
  | "E_MEMBER_NOT_EXTENSION"
  | "E_DUPLICATE_MEMBER"
  | "E_EMPTY_RING_GROUP"
  | "E_UNKNOWN_TARGET"
  | "E_WRONG_TARGET_KIND"
  | "E_UNKNOWN_SITE"
  | "E_SITE_WITHOUT_IVR"
  | "E_SELF_SITE"
  // IVR menus and greetings.
  | "E_IVR_DIGIT"
  | "E_DUPLICATE_DIGIT"
  | "E_NO_OPTIONS"
  | "E_OUT_OF_RANGE"
  | "E_TIME_FORMAT"
  | "E_GREETING_GAP"
  | "E_GREETING_OVERLAP"
  // Recordings.
  | "E_RECORDING_NOT_FOUND"
  | "E_RECORDING_OUTSIDE_PROJECT"
  | "E_RECORDING_NOT_AUDIO"
  | "E_RECORDING_UNUSED"
  | "E_VOICE"
  | "E_EMPTY_TEXT"
  // Operator-set secrets.
  | "E_WEAK_PASSWORD"
  | "E_WEAK_PIN"
  | "E_SECRET_CHARACTERS"
  | "E_SECRET_UNKNOWN_EXTENSION"
  // Addresses and ports.
  | "E_ADDRESS_FORMAT"
  | "E_ADDRESS_RANGE"
  | "E_ADDRESS_RESERVED"
  | "E_DUPLICATE_ADDRESS"
  | "E_PORT_RANGE"
  | "E_PORT_CONFLICT"
  | "E_RTP_RANGE"
  | "E_RTP_TOO_SMALL"
  | "E_RTP_OVERLAP"
  // Carrier trunk and emergency calls.
  | "E_CARRIER_ADDRESS"
  | "E_CARRIER_PORT"
  | "E_CARRIER_USERNAME"
  | "E_CARRIER_PASSWORD"
  | "E_CARRIER_NUMBERING"
  | "E_CARRIER_PREFIX"
  | "E_CARRIER_NO_IVR"
  | "E_EMERGENCY_NOTIFY";

/** One invalid setting. */
export interface ValidationProblem {
  /** Property path in the stack configuration, e.g. `inova-pbx:ringGroups[1].members[2]`. */
  readonly path: string;
  readonly code: ProblemCode;
  /** Names the bad value, the rule it breaks and the fix. Never contains a secret's value. */
  readonly message: string;
}

/** Invalid configuration of one site, listing every problem found, so one run shows them all. */
export class SiteValidationError extends Error {
  readonly site: string;
  readonly stackFile: string;
  readonly problems: readonly ValidationProblem[];

  constructor(site: string, problems: readonly ValidationProblem[], stackFile = `Pulumi.${site}.yaml`) {
    super(formatProblems(site, problems, stackFile));
    this.name = "SiteValidationError";
    this.site = site;
    this.stackFile = stackFile;
    this.problems = problems;
  }
}

/** Formats the message of a `SiteValidationError`: a summary line, then one line per problem. */
export function formatProblems(site: string, problems: readonly ValidationProblem[], stackFile: string): string {
  const noun = problems.length === 1 ? "setting" : "settings";
  const header = `Site "${site}" has ${problems.length} invalid ${noun} in ${stackFile}:`;
  const lines = problems.map((problem) => `  - ${problem.path}: ${problem.message} [${problem.code}]`);
  return [header, ...lines].join("\n");
}
