// Test calls of the synthetic check, planned from the site model: which number each call
// dials, which digits it sends, and which dialplan state proves that the feature works.
// Pure: the caller supplies the phones' registration states and the site's local time.

import { ivrContext, localContext, outboundContext, sortByNumber, voicemailContext } from "../../components/asterisk/names";
import type { PeerSite } from "../../components/asterisk/options";
import type { Extension, GreetingBand, Ivr, SiteModel } from "../../components/model/types";

/** One row of `core show channels concise`, reduced to what the checks read. */
export interface ChannelSample {
  readonly channel: string;
  readonly context: string;
  readonly exten: string;
  readonly state: string;
  readonly application: string;
  readonly data: string;
  readonly accountCode: string;
  readonly uniqueId: string;
}

/** A test call: dial `number` in the site's local context, send `digits` once answered, and wait for `reached`. */
export interface CallProbe {
  readonly kind: "call";
  /** Feature name printed in the report, e.g. `ivr 199 option 3`. */
  readonly feature: string;
  readonly number: string;
  /** DTMF digits sent three seconds after the call is answered. */
  readonly digits?: string;
  /** Report text when the call reached its target. */
  readonly success: string;
  /** Report text when the call did not reach its target. */
  readonly failure: string;
  /** True once the samples show the feature working; the call is then hung up. */
  readonly reached: (samples: readonly ChannelSample[]) => boolean;
}

/** A feature that is reported without a call, e.g. because a call would ring a phone. */
export interface SkippedProbe {
  readonly kind: "skipped";
  readonly feature: string;
  readonly reason: string;
}

export type Probe = CallProbe | SkippedProbe;

/** Device state of each extension number, from `core show hints`, e.g. `Unavailable` or `Idle`. */
export type DeviceStates = Readonly<Record<string, string>>;

export interface PlanOptions {
  /** Also call features that ring registered phones. @default false */
  readonly ring?: boolean;
  /** The site's local time, `HH:MM`, which picks the expected greeting. */
  readonly localTime: string;
}

/** Returns true when the device state means that a phone is registered for the extension. */
export function isRegistered(state: string | undefined): boolean {
  return state !== undefined && state !== "Unavailable" && state !== "Invalid";
}

/** Plans the test calls for every extension, ring group, IVR greeting and IVR option of the site. */
export function planProbes(model: SiteModel, peers: readonly PeerSite[], states: DeviceStates, options: PlanOptions): Probe[] {
  const probes: Probe[] = [];
  for (const extension of sortByNumber(model.extensions)) {
    probes.push(extensionProbe(model, extension, states, options));
  }
  for (const group of sortByNumber(model.ringGroups)) {
    const members = group.members.map((number) => findExtension(model, number));
    const feature = `ring group ${group.number}`;
    const registered = members.filter((member) => isRegistered(states[member.number]));
    if (registered.length > 0 && options.ring !== true) {
      probes.push(skipRinging(feature, registered));
      continue;
    }
    const first = members[0];
    probes.push({
      kind: "call",
      feature,
      number: group.number,
      success:
        registered.length > 0
          ? `rang ${registered.map((member) => member.number).join(", ")} (${group.strategy})`
          : `no member registered; the call went to ${first.number}'s voicemail`,
      failure: `the call never reached ring group ${group.number} or the voicemail of ${first.number}`,
      reached: (samples) =>
        registered.length > 0
          ? samples.some((sample) => inLocal(model, sample, group.number) && sample.application === "Dial")
          : samples.some((sample) => isVoicemailOf(model, sample, first.number)),
    });
  }
  for (const ivr of sortByNumber(model.ivrs)) {
    probes.push(greetingProbe(model, ivr, options.localTime));
    for (const option of [...ivr.options].sort((left, right) => (left.digit < right.digit ? -1 : 1))) {
      probes.push(optionProbe(model, ivr, option.digit, peers, states, options));
    }
  }
  return probes;
}

function extensionProbe(model: SiteModel, extension: Extension, states: DeviceStates, options: PlanOptions): Probe {
  const feature = `extension ${extension.number}`;
  const state = states[extension.number];
  if (state === undefined) {
    return {
      kind: "call",
      feature,
      number: extension.number,
      success: "reachable",
      failure: `extension ${extension.number} has no hint in ${localContext(model.site)}: the site's dialplan does not have it`,
      reached: () => false,
    };
  }
  if (isRegistered(state)) {
    if (options.ring !== true) {
      return { kind: "skipped", feature, reason: `phone registered (${state}); not called, because the call would ring it (pass --ring)` };
    }
    return {
      kind: "call",
      feature,
      number: extension.number,
      success: `phone registered (${state}) and rang`,
      failure: `phone registered (${state}) but the call never dialed it`,
      reached: (samples) => samples.some((sample) => inLocal(model, sample, extension.number) && sample.application === "Dial"),
    };
  }
  if (!extension.voicemail) {
    return { kind: "skipped", feature, reason: "no phone registered and no voicemail box; nothing answers a test call" };
  }
  return {
    kind: "call",
    feature,
    number: extension.number,
    success: `no phone registered; voicemail ${extension.number} answered`,
    failure: `no phone registered, and voicemail ${extension.number} did not answer`,
    reached: (samples) => samples.some((sample) => isVoicemailOf(model, sample, extension.number)),
  };
}

function greetingProbe(model: SiteModel, ivr: Ivr, localTime: string): CallProbe {
  const band = currentBand(ivr.greetings, localTime);
  const context = ivrContext(model.site, ivr.number);
  return {
    kind: "call",
    feature: `ivr ${ivr.number} greeting`,
    number: ivr.number,
    success: `played "${band.recording}" (${band.from}-${band.to} at local time ${localTime}), then waited for a digit`,
    failure: `did not play "${band.recording}" and wait for a digit; check that the recording is in the PBX`,
    reached: (samples) => {
      const played = samples.some((sample) => sample.context === context && sample.application === "BackGround" && sample.data.endsWith(`/${band.recording}`));
      const waited = samples.some((sample) => sample.context === context && sample.application === "WaitExten");
      return played && waited;
    },
  };
}

function optionProbe(model: SiteModel, ivr: Ivr, digit: string, peers: readonly PeerSite[], states: DeviceStates, options: PlanOptions): Probe {
  const option = ivr.options.find((candidate) => candidate.digit === digit) as Ivr["options"][number];
  const feature = `ivr ${ivr.number} option ${digit}`;
  const base = { kind: "call" as const, feature, number: ivr.number, digits: digit };
  const target = option.target;

  switch (target.kind) {
    case "extension": {
      const extension = findExtension(model, target.number);
      if (isRegistered(states[extension.number]) && options.ring !== true) {
        return skipRinging(feature, [extension]);
      }
      return {
        ...base,
        success: `"${option.label}" reached extension ${extension.number}`,
        failure: `"${option.label}" did not reach extension ${extension.number}`,
        reached: (samples) => samples.some((sample) => inLocal(model, sample, extension.number)),
      };
    }
    case "ringGroup": {
      const group = model.ringGroups.find((candidate) => candidate.number === target.number);
      const members = (group?.members ?? []).map((number) => findExtension(model, number));
      const registered = members.filter((member) => isRegistered(states[member.number]));
      if (registered.length > 0 && options.ring !== true) {
        return skipRinging(feature, registered);
      }
      const first = members[0]?.number ?? "";
      return {
        ...base,
        success: `"${option.label}" reached ring group ${target.number}`,
        failure: `"${option.label}" did not reach ring group ${target.number}`,
        reached: (samples) => samples.some((sample) => inLocal(model, sample, target.number) || isVoicemailOf(model, sample, first)),
      };
    }
    case "ivr": {
      const context = ivrContext(model.site, target.number);
      return {
        ...base,
        success: `"${option.label}" reached IVR ${target.number}`,
        failure: `"${option.label}" did not reach IVR ${target.number}`,
        reached: (samples) => samples.some((sample) => sample.context === context && sample.application === "WaitExten"),
      };
    }
    case "remoteIvr": {
      const peer = peers.find((candidate) => candidate.code === target.site);
      const outbound = outboundContext(model.site);
      const dialed = peer === undefined || peer.ivrNumber === undefined ? undefined : `${peer.accessCode}${peer.ivrNumber}`;
      return {
        ...base,
        success: `"${option.label}" reached site ${target.site} over the trunk, and its IVR answered`,
        failure: `"${option.label}" did not reach site ${target.site}: no trunk call was answered`,
        reached: (samples) =>
          dialed !== undefined &&
          samples.some((sample) => sample.context === outbound && sample.exten === dialed) &&
          samples.some((sample) => !sample.channel.startsWith("Local/") && sample.state === "Up"),
      };
    }
  }
}

function skipRinging(feature: string, registered: readonly Extension[]): SkippedProbe {
  const numbers = registered.map((member) => member.number).join(", ");
  return { kind: "skipped", feature, reason: `not called, because the call would ring registered phone(s) ${numbers} (pass --ring)` };
}

function inLocal(model: SiteModel, sample: ChannelSample, number: string): boolean {
  return sample.context === localContext(model.site) && sample.exten === number;
}

function isVoicemailOf(model: SiteModel, sample: ChannelSample, number: string): boolean {
  return sample.application === "VoiceMail" && sample.data.startsWith(`${number}@${voicemailContext(model.site)}`);
}

function findExtension(model: SiteModel, number: string): Extension {
  const extension = model.extensions.find((candidate) => candidate.number === number);
  if (extension === undefined) {
    throw new Error(`site ${model.site.code} has no extension ${number}; fix the stack file.`);
  }
  return extension;
}

/** Returns the greeting band that contains `localTime` (`HH:MM`); bands may wrap past midnight. */
export function currentBand(bands: readonly GreetingBand[], localTime: string): GreetingBand {
  const now = toMinutes(localTime);
  const band = bands.find((candidate) => {
    const from = toMinutes(candidate.from);
    const to = toMinutes(candidate.to);
    return from <= to ? now >= from && now <= to : now >= from || now <= to;
  });
  if (band === undefined) {
    throw new Error(`no greeting band covers local time ${localTime}; the bands must cover all 24 hours.`);
  }
  return band;
}

function toMinutes(time: string): number {
  const [hours, minutes] = time.split(":").map(Number);
  return hours * 60 + minutes;
}

/** Returns the local time `HH:MM` in an IANA time zone. */
export function localTimeIn(timezone: string, now: Date): string {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const value = (type: string) => parts.find((part) => part.type === type)?.value ?? "00";
  return `${value("hour")}:${value("minute")}`;
}
