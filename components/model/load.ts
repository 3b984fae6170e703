// Turns a stack's raw configuration into the typed site model, applying defaults.

import {
  DEFAULT_EXTENSION,
  DEFAULT_GREETING_BANDS,
  DEFAULT_IVR,
  DEFAULT_LANGUAGE,
  DEFAULT_PORTS,
  DEFAULT_RING_SECONDS,
  defaultGreetingName,
} from "./defaults";
import { buildCarrier, withEmergencyRecordings } from "./carrier";
import { SiteValidationError } from "./errors";
import type { RawExtension, RawIvr, RawIvrOption, RawRingGroup, RawSite, RawSiteConfig } from "./raw";
import { buildRecordings, type LoadedIvr } from "./recordings";
import type { Extension, IvrOption, IvrTarget, OperatorSecrets, RingGroup, Site, SiteModel } from "./types";
import { validateRawShape } from "./validate/shape";

export type * from "./raw";
export { loadProjectSites, type ProjectSite } from "./project";

export interface LoadOptions {
  /** Directory of Pulumi.yaml; recording files are relative to it. */
  readonly projectDir: string;
}

/**
 * Builds the model of site `code` (its stack name) from the raw configuration, with defaults applied.
 * Throws a `SiteValidationError` listing every structural problem (missing keys, wrong types,
 * unknown keys) when no model can be built; `validateSite` checks everything else.
 */
export function loadSite(code: string, raw: RawSiteConfig, options: LoadOptions): SiteModel {
  const problems = validateRawShape(raw);
  if (problems.length > 0) {
    throw new SiteValidationError(code, problems);
  }

  // The shape check above guarantees the types that the casts below assume.
  const site = buildSite(code, raw.site as RawSite);
  const extensions = (raw.extensions ?? []).map(buildExtension);
  const ringGroups = (raw.ringGroups ?? []).map(buildRingGroup);
  const loadedIvrs = (raw.ivrs ?? []).map((ivr, index) => buildIvr(ivr, index === 0));
  const recordings = withEmergencyRecordings(buildRecordings(loadedIvrs, raw.recordings ?? {}, options.projectDir));
  const carrier = raw.carrier == null ? {} : { carrier: buildCarrier(raw.carrier) };

  return { site, extensions, ringGroups, ivrs: loadedIvrs.map((loaded) => loaded.ivr), recordings, ...carrier };
}

/** Returns the operator-set secrets of the raw configuration; missing maps are empty. */
export function loadOperatorSecrets(raw: RawSiteConfig): OperatorSecrets {
  return {
    extensionPasswords: { ...(raw.extensionPasswords ?? {}) },
    voicemailPins: { ...(raw.voicemailPins ?? {}) },
    ...(raw.carrierPassword == null ? {} : { carrierPassword: raw.carrierPassword }),
  };
}

function buildSite(code: string, raw: RawSite): Site {
  return {
    code,
    name: raw.name,
    role: raw.role,
    timezone: raw.timezone,
    address: raw.address,
    publicNumber: raw.publicNumber,
    accessCode: raw.accessCode,
    ports: {
      sip: raw.ports?.sip ?? DEFAULT_PORTS.sip,
      iax: raw.ports?.iax ?? DEFAULT_PORTS.iax,
      ami: raw.ports?.ami ?? DEFAULT_PORTS.ami,
      rtp: { start: raw.rtpPorts.start, end: raw.rtpPorts.end },
    },
    language: raw.language ?? DEFAULT_LANGUAGE,
  };
}

function buildExtension(raw: RawExtension): Extension {
  return {
    number: raw.number,
    name: raw.name,
    protocol: raw.protocol,
    voicemail: raw.voicemail ?? DEFAULT_EXTENSION.voicemail,
    maxCalls: raw.maxCalls ?? DEFAULT_EXTENSION.maxCalls,
  };
}

function buildRingGroup(raw: RawRingGroup): RingGroup {
  return {
    number: raw.number,
    name: raw.name,
    strategy: raw.strategy,
    members: [...raw.members],
    ringSeconds: raw.ringSeconds ?? DEFAULT_RING_SECONDS,
  };
}

function buildIvr(raw: RawIvr, isFirstIvr: boolean): LoadedIvr {
  const greetings =
    raw.greetings ??
    DEFAULT_GREETING_BANDS.map((band) => ({
      from: band.from,
      to: band.to,
      recording: defaultGreetingName(band.part, raw.number, isFirstIvr),
    }));
  const ivr = {
    number: raw.number,
    name: raw.name,
    greetings: greetings.map((band) => ({ from: band.from, to: band.to, recording: band.recording })),
    options: raw.options.map(buildIvrOption),
    timeoutSeconds: raw.timeoutSeconds ?? DEFAULT_IVR.timeoutSeconds,
    maxAttempts: raw.maxAttempts ?? DEFAULT_IVR.maxAttempts,
    timeoutRecording: raw.timeoutRecording ?? DEFAULT_IVR.timeoutRecording,
    invalidRecording: raw.invalidRecording ?? DEFAULT_IVR.invalidRecording,
    unavailableRecording: raw.unavailableRecording ?? DEFAULT_IVR.unavailableRecording,
    goodbyeRecording: raw.goodbyeRecording ?? DEFAULT_IVR.goodbyeRecording,
    ...(raw.operator == null ? {} : { operator: raw.operator }),
  };
  const defaultParts = raw.greetings == null ? DEFAULT_GREETING_BANDS.map((band) => band.part) : undefined;
  return { ivr, defaultParts };
}

function buildIvrOption(raw: RawIvrOption): IvrOption {
  return { digit: raw.digit, label: raw.label, target: buildTarget(raw) };
}

function buildTarget(raw: RawIvrOption): IvrTarget {
  if (raw.extension != null) {
    return { kind: "extension", number: raw.extension };
  }
  if (raw.ringGroup != null) {
    return { kind: "ringGroup", number: raw.ringGroup };
  }
  if (raw.ivr != null) {
    return { kind: "ivr", number: raw.ivr };
  }
  return { kind: "remoteIvr", site: raw.site as string };
}
