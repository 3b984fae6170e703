// Typed site model. Plain data only: nothing here imports Pulumi, so the model,
// its validation and every renderer run in unit tests without an engine.

/** Stack name of a site; it is also the stable key used in resource names. */
export type SiteCode = string;

export type SiteRole = "hq" | "branch";

export type Protocol = "pjsip" | "iax2";

/** Dialing code that reaches another site, followed by the remote extension. */
export type AccessCode = string;

/** Inclusive UDP port range for RTP media. Sites share the host network, so ranges must not overlap. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

/** Ports that each service of the site binds on the site's own loopback address. */
export interface SitePorts {
  /** PJSIP UDP and TCP transport. @default 5060 */
  readonly sip: number;
  /** IAX2. @default 4569 */
  readonly iax: number;
  /** Asterisk Manager Interface, used to count active calls before a restart. @default 5038 */
  readonly ami: number;
  /** RTP media range. */
  readonly rtp: PortRange;
}

export interface Site {
  /** Stack name, e.g. `mochis`. */
  readonly code: SiteCode;
  /** Display name, e.g. `Los Mochis`. */
  readonly name: string;
  readonly role: SiteRole;
  /** IANA time zone of the site, e.g. `America/Mazatlan`. */
  readonly timezone: string;
  /** Loopback address that every service of the site binds, e.g. `127.0.81.1`. */
  readonly address: string;
  /** Public number, digits only, e.g. `6688197328`. */
  readonly publicNumber: string;
  /** Prefix that other sites dial to reach this one, e.g. `81`. */
  readonly accessCode: AccessCode;
  readonly ports: SitePorts;
  /** Language of prompts and voicemail, e.g. `es`. @default "es" */
  readonly language: string;
}

export interface Extension {
  /** Dialable number; also the stable identifier of the endpoint and its voicemail box. */
  readonly number: string;
  /** Display name; may repeat across extensions. */
  readonly name: string;
  readonly protocol: Protocol;
  /** Voicemail e-mail is not delivered; the box is reached by the voicemail access codes. */
  readonly voicemail: boolean;
  /** Maximum simultaneous calls for this extension (toll-fraud guard). @default 2 */
  readonly maxCalls: number;
}

export type RingStrategy = "ringall" | "hunt";

export interface RingGroup {
  readonly number: string;
  readonly name: string;
  readonly strategy: RingStrategy;
  /** Extension numbers, in hunt order. */
  readonly members: readonly string[];
  /** Seconds each member rings (hunt) or the whole group rings (ringall). @default 15 */
  readonly ringSeconds: number;
}

/** Where an IVR option sends the caller. */
export type IvrTarget =
  | { readonly kind: "extension"; readonly number: string }
  | { readonly kind: "ringGroup"; readonly number: string }
  | { readonly kind: "ivr"; readonly number: string }
  /** The IVR of another site, reached over the trunk to that site. */
  | { readonly kind: "remoteIvr"; readonly site: SiteCode };

export interface IvrOption {
  /** A single DTMF digit, `0`-`9`. */
  readonly digit: string;
  /** Spoken label, used in docs and diagrams. */
  readonly label: string;
  readonly target: IvrTarget;
}

/** A greeting played during a band of the site's local time of day. */
export interface GreetingBand {
  /** Local start time, `HH:MM`, inclusive. */
  readonly from: string;
  /** Local end time, `HH:MM`, inclusive to the minute (`11:59`). May wrap past midnight. */
  readonly to: string;
  /** Name of the recording played for this band. */
  readonly recording: string;
}

export interface Ivr {
  readonly number: string;
  readonly name: string;
  /** Bands that together cover all 24 hours without overlap. */
  readonly greetings: readonly GreetingBand[];
  readonly options: readonly IvrOption[];
  /** Seconds to wait for a digit after the menu. @default 5 */
  readonly timeoutSeconds: number;
  /** Failed attempts (invalid digit or timeout, counted together) before the caller is let go. @default 3 */
  readonly maxAttempts: number;
  /** Recording played on timeout. @default "agotado" */
  readonly timeoutRecording: string;
  /** Recording played on an invalid digit. @default "error" */
  readonly invalidRecording: string;
  /** Recording played when an option's site cannot be reached. @default "no-disponible" */
  readonly unavailableRecording: string;
  /** Recording played before hanging up after the last failed attempt. @default "despedida" */
  readonly goodbyeRecording: string;
  /** Extension that receives callers after the last failed attempt; hang up when absent. */
  readonly operator?: string;
}

/** Source of a prompt: a file the operator supplies, or text spoken by espeak-ng. */
export type RecordingSource =
  /** `path` is relative to the project directory (where Pulumi.yaml is), with `/` separators. */
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "speech"; readonly text: string; readonly voice: string };

export interface Recording {
  /**
   * Name used by the dialplan, e.g. `ivr-dia`: letters, digits, `-` and `_`, unique within the
   * site even ignoring case, because it also names the sound file.
   */
  readonly name: string;
  readonly source: RecordingSource;
  /** True when the operator supplied nothing and the text was generated from the model. */
  readonly generated?: boolean;
}

/** Secrets set by the operator with `pulumi config set --secret`; missing ones are generated. */
export interface OperatorSecrets {
  /** SIP or IAX2 password per extension number. */
  readonly extensionPasswords: Readonly<Record<string, string>>;
  /** Voicemail PIN per extension number. */
  readonly voicemailPins: Readonly<Record<string, string>>;
  /** Password that the carrier issued for the trunk. */
  readonly carrierPassword?: string;
}

/** Numbering plan of a carrier's national numbers. */
export type NumberingPlan = "mexico" | "nanp";

/**
 * SIP trunk to a carrier of the public telephone network. The carrier's password is the
 * secret `inova-pbx:carrierPassword`; the same credentials authenticate both directions.
 */
export interface Carrier {
  /** IPv4 address of the carrier's SIP server; the only address its calls are accepted from. */
  readonly address: string;
  /** UDP port of the carrier's SIP server. @default 5060 */
  readonly port: number;
  readonly username: string;
  /** `mexico`: 10-digit numbers; `nanp` (United States, Canada): 10 digits or 1 + 10. */
  readonly numbering: NumberingPlan;
  /** Digits dialed before a national number, e.g. `0`; empty for none. @default "0" */
  readonly outboundPrefix: string;
  /** Extension notified of every emergency call, with the calling extension; none when absent. */
  readonly emergencyNotify?: string;
}

/** Everything one stack deploys, as plain data. */
export interface SiteModel {
  readonly site: Site;
  readonly extensions: readonly Extension[];
  readonly ringGroups: readonly RingGroup[];
  readonly ivrs: readonly Ivr[];
  readonly recordings: readonly Recording[];
  /** Trunk to the public telephone network; absent when the site has none. */
  readonly carrier?: Carrier;
}

/** Secrets resolved for rendering: operator-set or generated, never written to git. */
export interface SiteSecrets {
  readonly extensionPasswords: Readonly<Record<string, string>>;
  readonly voicemailPins: Readonly<Record<string, string>>;
  /** Password of the Asterisk Manager Interface account used by the provisioner. */
  readonly amiPassword: string;
  /** Password of the carrier trunk; set whenever the model has a carrier. */
  readonly carrierPassword?: string;
  /** Passwords of the trunks to each other site, keyed by that site's code. @default {} */
  readonly trunkPasswords?: Readonly<Record<SiteCode, TrunkPasswords>>;
  /** The site's certificate and private key for TLS on the trunks, PEM; absent when trunk TLS is off. */
  readonly trunkTlsCredentials?: { readonly certificate: string; readonly key: string };
}

/** Passwords that two sites share for their trunks, derived on both sides from the company secret. */
export interface TrunkPasswords {
  /** Digest password of the PJSIP trunk, used in both directions. */
  readonly sip: string;
  /** MD5 secret of the IAX2 trunk, used in both directions. */
  readonly iax: string;
}
