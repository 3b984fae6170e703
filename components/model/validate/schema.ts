// Expected shape of each key of the raw configuration, checked by ./shape.ts.

/** Expected shape of one value. `example` is shown in the fix of a missing or mistyped value. */
export type FieldSpec =
  /** `secret` keeps the value out of messages. */
  | { readonly kind: "string"; readonly required?: boolean; readonly values?: readonly string[]; readonly example?: string; readonly secret?: boolean }
  | { readonly kind: "integer"; readonly required?: boolean; readonly example?: string }
  | { readonly kind: "boolean"; readonly required?: boolean; readonly example?: string }
  | ObjectSpec
  | { readonly kind: "array"; readonly required?: boolean; readonly items: FieldSpec; readonly example?: string }
  /** A mapping with keys chosen by the operator; `secret` keeps its values out of messages. */
  | { readonly kind: "map"; readonly required?: boolean; readonly values: FieldSpec; readonly secret?: boolean; readonly example?: string };

export interface ObjectSpec {
  readonly kind: "object";
  readonly required?: boolean;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Keys of which exactly one must be set, and the problem code when that fails. */
  readonly exactlyOne?: { readonly keys: readonly string[]; readonly code: "E_TARGET_COUNT" | "E_RECORDING_SOURCE" };
  readonly example?: string;
}

const portRange: ObjectSpec = {
  kind: "object",
  required: true,
  fields: {
    start: { kind: "integer", required: true, example: "start: 10000" },
    end: { kind: "integer", required: true, example: "end: 10999" },
  },
  example: "rtpPorts: { start: 10000, end: 10999 }",
};

const site: ObjectSpec = {
  kind: "object",
  required: true,
  fields: {
    name: { kind: "string", required: true, example: "name: Los Mochis" },
    role: { kind: "string", required: true, values: ["hq", "branch"], example: "role: branch" },
    timezone: { kind: "string", required: true, example: "timezone: America/Mazatlan" },
    address: { kind: "string", required: true, example: "address: 127.0.81.1" },
    publicNumber: { kind: "string", required: true, example: 'publicNumber: "6688197328"' },
    accessCode: { kind: "string", required: true, example: 'accessCode: "81"' },
    rtpPorts: portRange,
    ports: {
      kind: "object",
      fields: {
        sip: { kind: "integer", example: "sip: 5060" },
        iax: { kind: "integer", example: "iax: 4569" },
        ami: { kind: "integer", example: "ami: 5038" },
      },
      example: "ports: { sip: 5060, iax: 4569, ami: 5038 }",
    },
    language: { kind: "string", example: "language: es" },
  },
  example: "inova-pbx:site: { name: Los Mochis, role: hq, ... }",
};

const extension: ObjectSpec = {
  kind: "object",
  fields: {
    number: { kind: "string", required: true, example: 'number: "100"' },
    name: { kind: "string", required: true, example: "name: Soporte" },
    protocol: { kind: "string", required: true, values: ["pjsip", "iax2"], example: "protocol: pjsip" },
    voicemail: { kind: "boolean", example: "voicemail: true" },
    maxCalls: { kind: "integer", example: "maxCalls: 2" },
  },
  example: '{ number: "100", name: Soporte, protocol: pjsip }',
};

const ringGroup: ObjectSpec = {
  kind: "object",
  fields: {
    number: { kind: "string", required: true, example: 'number: "601"' },
    name: { kind: "string", required: true, example: "name: Soporte" },
    strategy: { kind: "string", required: true, values: ["ringall", "hunt"], example: "strategy: ringall" },
    members: {
      kind: "array",
      required: true,
      items: { kind: "string", example: '"100"' },
      example: 'members: ["100", "105"]',
    },
    ringSeconds: { kind: "integer", example: "ringSeconds: 15" },
  },
  example: '{ number: "601", name: Soporte, strategy: ringall, members: ["100"] }',
};

/** Keys of an IVR option that name its target; exactly one is set. */
export const IVR_TARGET_KEYS = ["extension", "ringGroup", "ivr", "site"] as const;

const ivrOption: ObjectSpec = {
  kind: "object",
  fields: {
    digit: { kind: "string", required: true, example: 'digit: "1"' },
    label: { kind: "string", required: true, example: "label: Soporte" },
    extension: { kind: "string", example: 'extension: "102"' },
    ringGroup: { kind: "string", example: 'ringGroup: "601"' },
    ivr: { kind: "string", example: 'ivr: "199"' },
    site: { kind: "string", example: "site: tabasco" },
  },
  exactlyOne: { keys: IVR_TARGET_KEYS, code: "E_TARGET_COUNT" },
  example: '{ digit: "1", label: Soporte, ringGroup: "601" }',
};

const greetingBand: ObjectSpec = {
  kind: "object",
  fields: {
    from: { kind: "string", required: true, example: 'from: "06:00"' },
    to: { kind: "string", required: true, example: 'to: "11:59"' },
    recording: { kind: "string", required: true, example: "recording: ivr-dia" },
  },
  example: '{ from: "06:00", to: "11:59", recording: ivr-dia }',
};

const ivr: ObjectSpec = {
  kind: "object",
  fields: {
    number: { kind: "string", required: true, example: 'number: "199"' },
    name: { kind: "string", required: true, example: "name: IVR" },
    options: { kind: "array", required: true, items: ivrOption, example: 'options: [{ digit: "1", label: Soporte, ringGroup: "601" }]' },
    operator: { kind: "string", example: 'operator: "401"' },
    greetings: { kind: "array", items: greetingBand, example: 'greetings: [{ from: "06:00", to: "11:59", recording: ivr-dia }]' },
    timeoutSeconds: { kind: "integer", example: "timeoutSeconds: 5" },
    maxAttempts: { kind: "integer", example: "maxAttempts: 3" },
    timeoutRecording: { kind: "string", example: "timeoutRecording: agotado" },
    invalidRecording: { kind: "string", example: "invalidRecording: error" },
    unavailableRecording: { kind: "string", example: "unavailableRecording: no-disponible" },
    goodbyeRecording: { kind: "string", example: "goodbyeRecording: despedida" },
  },
  example: '{ number: "199", name: IVR, options: [...] }',
};

const recording: ObjectSpec = {
  kind: "object",
  fields: {
    file: { kind: "string", example: "file: assets/recordings/ivr-dia.wav" },
    text: { kind: "string", example: "text: Buenos días." },
    voice: { kind: "string", example: "voice: es-419" },
  },
  exactlyOne: { keys: ["file", "text"], code: "E_RECORDING_SOURCE" },
  example: "{ file: assets/recordings/ivr-dia.wav }",
};

const carrier: ObjectSpec = {
  kind: "object",
  fields: {
    address: { kind: "string", required: true, example: 'address: "203.0.113.10"' },
    port: { kind: "integer", example: "port: 5060" },
    username: { kind: "string", required: true, example: "username: inova-mochis" },
    numbering: { kind: "string", required: true, values: ["mexico", "nanp"], example: "numbering: mexico" },
    outboundPrefix: { kind: "string", example: 'outboundPrefix: "0"' },
    emergencyNotify: { kind: "string", example: 'emergencyNotify: "2000"' },
  },
  example: '{ address: "203.0.113.10", username: inova-mochis, numbering: mexico }',
};

/** Shape of every key of the namespace, keyed as in `RawSiteConfig`. */
export const RAW_CONFIG_SCHEMA: Readonly<Record<string, FieldSpec>> = {
  site,
  extensions: { kind: "array", required: true, items: extension, example: 'inova-pbx:extensions: [{ number: "100", name: Soporte, protocol: pjsip }]' },
  ringGroups: { kind: "array", items: ringGroup },
  ivrs: { kind: "array", items: ivr },
  recordings: { kind: "map", values: recording },
  extensionPasswords: { kind: "map", values: { kind: "string" }, secret: true },
  voicemailPins: { kind: "map", values: { kind: "string" }, secret: true },
  carrier,
  carrierPassword: { kind: "string", secret: true },
};
