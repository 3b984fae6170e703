// Raw stack configuration as operators write it in Pulumi.<stack>.yaml, before defaults.
// Values arrive as parsed YAML (what `pulumi.Config.getObject` returns), so the loader
// checks every type at run time; these interfaces describe the expected shape.

/** Namespace of every key of this project in a stack file. */
export const CONFIG_NAMESPACE = "inova-pbx";

/** `inova-pbx:site` */
export interface RawSite {
  name: string;
  role: "hq" | "branch";
  timezone: string;
  address: string;
  publicNumber: string;
  accessCode: string;
  rtpPorts: { start: number; end: number };
  ports?: { sip?: number; iax?: number; ami?: number };
  language?: string;
}

/** An entry of `inova-pbx:extensions`. */
export interface RawExtension {
  number: string;
  name: string;
  protocol: "pjsip" | "iax2";
  voicemail?: boolean;
  maxCalls?: number;
}

/** An entry of `inova-pbx:ringGroups`. */
export interface RawRingGroup {
  number: string;
  name: string;
  strategy: "ringall" | "hunt";
  members: string[];
  ringSeconds?: number;
}

/** An IVR option; exactly one of `extension`, `ringGroup`, `ivr` and `site` is set. */
export interface RawIvrOption {
  digit: string;
  label: string;
  extension?: string;
  ringGroup?: string;
  ivr?: string;
  /** Stack name of another site whose IVR the option reaches over the trunk. */
  site?: string;
}

export interface RawGreetingBand {
  from: string;
  to: string;
  recording: string;
}

/** An entry of `inova-pbx:ivrs`. */
export interface RawIvr {
  number: string;
  name: string;
  options: RawIvrOption[];
  operator?: string;
  greetings?: RawGreetingBand[];
  timeoutSeconds?: number;
  maxAttempts?: number;
  timeoutRecording?: string;
  invalidRecording?: string;
  unavailableRecording?: string;
  goodbyeRecording?: string;
}

/** A value of `inova-pbx:recordings`: a file relative to the project directory, or text to speak. */
export type RawRecording = { file: string } | { text: string; voice?: string };

/** `inova-pbx:carrier`: the trunk to the public telephone network. */
export interface RawCarrier {
  address: string;
  port?: number;
  username: string;
  numbering: "mexico" | "nanp";
  outboundPrefix?: string;
  emergencyNotify?: string;
}

/**
 * Every key of the `inova-pbx` namespace, without the prefix.
 * `site` and `extensions` are required, the others optional.
 */
export interface RawSiteConfig {
  site?: RawSite;
  extensions?: RawExtension[];
  ringGroups?: RawRingGroup[];
  ivrs?: RawIvr[];
  /** Operator-supplied recordings keyed by recording name. */
  recordings?: Record<string, RawRecording>;
  /** Secret: SIP or IAX2 password keyed by extension number. */
  extensionPasswords?: Record<string, string>;
  /** Secret: voicemail PIN keyed by extension number. */
  voicemailPins?: Record<string, string>;
  carrier?: RawCarrier;
  /** Secret: password of the carrier trunk. */
  carrierPassword?: string;
}
