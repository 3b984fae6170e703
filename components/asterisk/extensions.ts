// extensions.conf: the site's dialplan, built as a model, checked, then rendered.

import { buildCarrierContexts, emergencyShortcut, publicNetworkIncludes } from "./carrier";
import { FEATURE_CODES } from "../model/reserved";
import type { Extension, Ivr, IvrOption, RingGroup, Site, SiteModel } from "../model/types";
import {
  DialplanSyntaxError,
  Expression,
  plainArgument,
  renderDialplan,
  steps,
  type Application,
  type Context,
  type Dialplan,
  type DialplanExtension,
  type GotoTarget,
  type Priority,
} from "./dialplan";
import { buildIvrContext, IVR_RETURN_VARIABLE, setLanguage } from "./ivr";
import {
  CALL_COUNT_CATEGORY,
  CALL_LIMIT_VARIABLE,
  callCountContext,
  EXTENSION_RING_SECONDS,
  internalContext,
  internalRoutesContext,
  ivrContext,
  localContext,
  origin,
  outboundContext,
  rejectContext,
  sortByNumber,
  trunkContext,
  unknownNumberContext,
  voicemailContext,
} from "./names";
import { deviceName } from "./devices";
import { comparePeers, type PeerSite, type RenderOptions } from "./options";
import { buildOutboundContext, buildTrunkInboundContexts } from "./trunk-dialplan";
import { trunkPeers } from "./trunks";
import { renderConfigFile, section, setting } from "./writer";

/** Dial options on every call: both parties may transfer with the features.conf codes. */
export const DIAL_OPTIONS = "tT";

/** Label of the priority where an extension's unanswered call goes to voicemail. */
export const VOICEMAIL_LABEL = "voicemail";

/** Label of the priority that handles a busy extension. */
export const BUSY_LABEL = "busy";

/** Labels of the priority that routes a phone's call, and of the one that rejects it over the caller's call limit. */
const ROUTE_LABEL = "route";
const CALL_LIMIT_LABEL = "over-limit";

/** Channel variable of the count-calls handler: the dialed device, e.g. `PJSIP/100`. */
const DIALED_DEVICE_VARIABLE = "DIALED_DEVICE";

/** Label of a ring group's Dial, and of the jump to voicemail after it. */
const DIAL_LABEL = "dial";
const GROUP_DONE_LABEL = "unanswered";

/** Channel variable that collects the registered members of a ring-all group. */
export const RING_TARGETS_VARIABLE = "RING_TARGETS";

/** Patterns that match any dialed number: one character, and two or more. */
export const ANY_NUMBER_PATTERNS: readonly string[] = ["_[0-9*#+]", "_[0-9*#+]."];

/** Q.850 cause codes used by Hangup. */
export const HANGUP_CAUSE = {
  unallocatedNumber: 1,
  normalClearing: 16,
  userBusy: 17,
  noAnswer: 19,
  noCircuitAvailable: 34,
} as const;

/** Core sound (Spanish under `language=es`) for a number that does not exist. */
const NO_SUCH_NUMBER_SOUND = "ss-noservice";

/** Core sound for an unanswered call to an extension without voicemail. */
const NOBODY_AVAILABLE_SOUND = "vm-nobodyavail";

/** Renders extensions.conf from the site model. */
export function renderExtensionsConf(model: SiteModel, options?: RenderOptions): string {
  return renderConfigFile({
    origin: origin(model, "extensions"),
    description: "Dialplan: extensions, ring groups, IVR menus and feature codes.",
    blocks: [
      section("general", [
        setting("static", "yes"),
        // Forbids `dialplan save` from overwriting this generated file.
        setting("writeprotect", "yes"),
        setting("autofallthrough", "yes"),
        setting("clearglobalvars", "yes"),
      ]),
      ...renderDialplan(buildDialplan(model, options)),
    ],
  });
}

/**
 * Builds the site's dialplan:
 * - `from-internal-<site>`: where phones' calls start; rejects a call over the caller's call
 *   limit and sends the others on to `internal-routes-<site>`.
 * - `internal-routes-<site>`: phones' calls; feature codes, then local numbers, other sites,
 *   and an "unknown number" message, searched in that order.
 * - `local-<site>`: every extension, ring group and IVR number.
 * - `outbound-<site>`: access code + number of each other site, over its PJSIP trunk, else IAX2.
 * - `from-trunk-<site>-<peer>`: where calls from one other site's trunks start; sets the caller's
 *   callback number, then continues in `from-trunk-<site>`.
 * - `from-trunk-<site>`: calls from other sites; local numbers only, anything else rejected.
 * - `ivr-<site>-<number>`: one menu per IVR.
 * - `count-calls-<site>`: pre-dial handler that counts each dialed extension's channel as one
 *   of its calls.
 */
export function buildDialplan(model: SiteModel, options?: RenderOptions): Dialplan {
  const { site } = model;
  const peers = [...(options?.peers ?? [])].sort(comparePeers);
  const ivrs = sortByNumber(model.ivrs);
  checkPrompts(model);

  return {
    contexts: [
      buildPhoneContext(site),
      internalCallsContext(site, model),
      buildLocalContext(model),
      buildOutboundContext(model, peers),
      buildUnknownNumberContext(site),
      {
        name: trunkContext(site),
        comments: ["Calls from other sites' trunks: local numbers only; anything else is rejected."],
        includes: [localContext(site), rejectContext(site)],
        extensions: [],
      },
      ...buildTrunkInboundContexts(model, trunkPeers(options)),
      buildRejectContext(site),
      ...ivrs.map((ivr) => buildIvrContext(model, ivr, (option) => optionTarget(model, ivr, option, peers))),
      buildCallCountContext(site),
      ...buildCarrierContexts(model),
    ],
  };
}

/**
 * Builds the context where phones' calls start. Each extension's channels are counted in the
 * CALL_COUNT_CATEGORY group of its number: the channel a phone calls from (set here) and the
 * channel that rings it (set by the count-calls handler). A call that would give the caller
 * more than its CALL_LIMIT is rejected with cause 34 (no circuit available, SIP 503).
 * A channel without CALL_LIMIT is not a phone's own call but, for example, an outside caller
 * whom an extension blind-transfers. It is routed without the check, and the extension it
 * reaches still applies its own limit.
 */
function buildPhoneContext(site: Site): Context {
  const caller = Expression.variable("CALLERID(num)");
  const overLimit = Expression.compare(Expression.groupCount(caller, CALL_COUNT_CATEGORY), ">", Expression.variable(CALL_LIMIT_VARIABLE));
  const priorities: Priority[] = [
    ...steps(
      { app: "Set", variable: `GROUP(${CALL_COUNT_CATEGORY})`, value: caller },
      { app: "GotoIf", condition: Expression.equals(CALL_LIMIT_VARIABLE, ""), ifTrue: { priority: ROUTE_LABEL } },
      { app: "GotoIf", condition: overLimit, ifTrue: { priority: CALL_LIMIT_LABEL } },
    ),
    {
      label: ROUTE_LABEL,
      application: { app: "Goto", target: { context: internalRoutesContext(site), extension: Expression.variable("EXTEN"), priority: 1 } },
    },
    { label: CALL_LIMIT_LABEL, application: { app: "NoOp", text: "Call limit of the calling extension reached" } },
    { application: { app: "Hangup", cause: HANGUP_CAUSE.noCircuitAvailable } },
  ];
  return {
    name: internalContext(site),
    comments: [
      "Calls from the site's phones: the caller's call limit (CALL_LIMIT, set by its endpoint or peer), then routing.",
    ],
    extensions: [emergencyShortcut(site), ...ANY_NUMBER_PATTERNS.map((pattern) => ({ name: pattern, priorities }))],
  };
}

/**
 * Builds the pre-dial handler of every Dial to an extension. It runs on the dialed channel,
 * e.g. `PJSIP/100-00000001`, and puts it in the group of its extension, `100`. Extension
 * numbers are digits only, so the device name ends at the first `-`.
 */
function buildCallCountContext(site: Site): Context {
  return {
    name: callCountContext(site),
    comments: ["Pre-dial handler: counts the dialed channel as a call of its extension."],
    extensions: [
      {
        name: "s",
        priorities: steps(
          { app: "Set", variable: DIALED_DEVICE_VARIABLE, value: Expression.cut("CHANNEL(name)", "-", 1) },
          { app: "Set", variable: `GROUP(${CALL_COUNT_CATEGORY})`, value: Expression.cut(DIALED_DEVICE_VARIABLE, "/", 2) },
          { app: "Return" },
        ),
      },
    ],
  };
}

function internalCallsContext(site: Site, model: SiteModel): Context {
  const languageSet = setLanguage(site);
  const mailboxContext = voicemailContext(site);
  return {
    name: internalRoutesContext(site),
    comments: [`Routing of the site's phones' calls, once ${internalContext(site)} has checked the call limit.`],
    includes: [localContext(site), outboundContext(site), ...publicNetworkIncludes(model), unknownNumberContext(site)],
    extensions: [
      {
        name: FEATURE_CODES.ownVoicemail,
        comment: "The caller's own voicemail box; asks for the PIN.",
        priorities: steps(
          { app: "NoOp", text: "Own voicemail" },
          languageSet,
          // CALLERID(num) is the caller's extension: endpoints and peers set it, phones cannot.
          { app: "VoiceMailMain", mailbox: Expression.variable("CALLERID(num)"), context: mailboxContext },
          { app: "Hangup" },
        ),
      },
      {
        name: FEATURE_CODES.anyVoicemail,
        comment: "Any voicemail box; asks for the box number and its PIN.",
        priorities: steps({ app: "NoOp", text: "Any voicemail box" }, languageSet, { app: "VoiceMailMain", context: mailboxContext }, {
          app: "Hangup",
        }),
      },
      {
        name: FEATURE_CODES.pickup,
        // NOTE: chan_pjsip performs the features.conf pickup before the dialplan runs, so only
        // IAX2 phones reach this extension. chan_iax2 has no pickup groups, so it finds nothing.
        comment: "Picks up a call ringing in the caller's pickup groups (the ring groups it belongs to).",
        priorities: steps({ app: "Pickup" }, { app: "Hangup" }),
      },
    ],
  };
}

function buildLocalContext(model: SiteModel): Context {
  const { site } = model;
  const extensions: DialplanExtension[] = [];

  for (const extension of sortByNumber(model.extensions)) {
    extensions.push(extensionDial(site, extension));
  }
  for (const ringGroup of sortByNumber(model.ringGroups)) {
    extensions.push(ringGroupDial(model, ringGroup));
  }
  for (const ivr of sortByNumber(model.ivrs)) {
    extensions.push({
      name: ivr.number,
      comment: `IVR ${ivr.number}: ${ivr.name}`,
      priorities: steps({ app: "Goto", target: { context: ivrContext(site, ivr.number), extension: "s", priority: 1 } }),
    });
  }

  return { name: localContext(site), comments: ["Every number of the site."], extensions };
}

/**
 * Builds an extension that rings its device for 20 s, then goes to its voicemail: the busy greeting when
 * the device was busy, the unavailable one otherwise. A device that is not registered (device
 * state UNAVAILABLE) goes to voicemail at once: dialing it would only fail, and PJSIP logs
 * an error for every such attempt. An extension already in `maxCalls` calls is busy without
 * ringing.
 */
function extensionDial(site: Site, extension: Extension): DialplanExtension {
  const device = deviceOf(extension);
  const afterDial: Priority[] = extension.voicemail
    ? [
        { label: VOICEMAIL_LABEL, application: voiceMail(site, extension, "unavailable") },
        { application: { app: "Hangup" } },
        { label: BUSY_LABEL, application: voiceMail(site, extension, "busy") },
        { application: { app: "Hangup" } },
      ]
    : [
        { label: VOICEMAIL_LABEL, application: { app: "Progress" } },
        { application: { app: "Playback", files: [NOBODY_AVAILABLE_SOUND], noAnswer: true } },
        { application: { app: "Hangup", cause: HANGUP_CAUSE.noAnswer } },
        { label: BUSY_LABEL, application: { app: "Hangup", cause: HANGUP_CAUSE.userBusy } },
      ];

  return {
    name: extension.number,
    hint: device,
    comment: `Extension ${extension.number}: ${extension.name}`,
    priorities: [
      ...steps(
        { app: "NoOp", text: plainArgument(`Extension ${extension.number} ${extension.name}`, `name of extension ${extension.number}`) },
        setLanguage(site),
        skipIfInState(device, "UNAVAILABLE", { priority: VOICEMAIL_LABEL }),
        skipIfAtCallLimit(extension, { priority: BUSY_LABEL }),
        dialExtensions(site, [device], EXTENSION_RING_SECONDS),
        { app: "GotoIf", condition: Expression.equals("DIALSTATUS", "BUSY"), ifTrue: { priority: BUSY_LABEL } },
      ),
      ...afterDial,
    ],
  };
}

/**
 * Builds a ring group that rings its members at once (ringall) or one after another (hunt, each for
 * `ringSeconds`). Members that are not registered or already in `maxCalls` calls are left
 * out, and hunt also skips busy members. Unanswered, the call goes to the voicemail of the
 * first member.
 */
function ringGroupDial(model: SiteModel, ringGroup: RingGroup): DialplanExtension {
  const members = ringGroup.members.map((number) => findMember(model, ringGroup, number));
  if (members.length === 0) {
    throw new DialplanSyntaxError(`ring group ${ringGroup.number} has no members.`);
  }
  const voicemail: GotoTarget = { extension: members[0].number, priority: VOICEMAIL_LABEL };
  const dialing = ringGroup.strategy === "ringall" ? ringAll(model.site, ringGroup, members, voicemail) : hunt(model.site, ringGroup, members);
  const strategy = ringGroup.strategy === "ringall" ? "all members at once" : "members one after another";

  return {
    name: ringGroup.number,
    comment: `Ring group ${ringGroup.number}: ${ringGroup.name}, ${strategy}; unanswered calls go to ${members[0].number}'s voicemail.`,
    priorities: [
      ...steps(
        {
          app: "NoOp",
          text: plainArgument(`Ring group ${ringGroup.number} ${ringGroup.name}`, `name of ring group ${ringGroup.number}`),
        },
        setLanguage(model.site),
      ),
      ...dialing,
      { label: GROUP_DONE_LABEL, application: { app: "Goto", target: voicemail } },
    ],
  };
}

/**
 * Collects the registered members into RING_TARGETS (`&PJSIP/100&IAX2/103`), then dials them
 * all with one Dial; with no member registered the call goes straight to voicemail.
 */
function ringAll(site: Site, ringGroup: RingGroup, members: readonly Extension[], voicemail: GotoTarget): Priority[] {
  const priorities: Priority[] = [{ application: { app: "Set", variable: RING_TARGETS_VARIABLE, value: "" } }];
  members.forEach((member, index) => {
    const next = index + 1 < members.length ? memberLabel(index + 1) : DIAL_LABEL;
    priorities.push(
      { ...labelFor(index), application: skipIfInState(deviceOf(member), "UNAVAILABLE", { priority: next }) },
      { application: skipIfAtCallLimit(member, { priority: next }) },
      { application: { app: "Set", variable: RING_TARGETS_VARIABLE, value: Expression.withDialTarget(RING_TARGETS_VARIABLE, deviceOf(member)) } },
    );
  });
  priorities.push(
    { label: DIAL_LABEL, application: { app: "GotoIf", condition: Expression.equals(RING_TARGETS_VARIABLE, ""), ifTrue: voicemail } },
    { application: dialExtensions(site, Expression.substring(RING_TARGETS_VARIABLE, 1), ringGroup.ringSeconds) },
  );
  return priorities;
}

/** Dials each member in turn, skipping those that are not registered, busy or at their call limit. */
function hunt(site: Site, ringGroup: RingGroup, members: readonly Extension[]): Priority[] {
  const priorities: Priority[] = [];
  members.forEach((member, index) => {
    const next = index + 1 < members.length ? memberLabel(index + 1) : GROUP_DONE_LABEL;
    const device = deviceOf(member);
    priorities.push(
      { ...labelFor(index), application: skipIfInState(device, "UNAVAILABLE", { priority: next }) },
      { application: skipIfInState(device, "BUSY", { priority: next }) },
      { application: skipIfAtCallLimit(member, { priority: next }) },
      { application: dialExtensions(site, [device], ringGroup.ringSeconds) },
    );
  });
  return priorities;
}

/** `GotoIf($["${DEVICE_STATE(device)}" = "STATE"]?target)`. */
function skipIfInState(device: string, state: "UNAVAILABLE" | "BUSY", target: GotoTarget): Application {
  return { app: "GotoIf", condition: Expression.equals(`DEVICE_STATE(${device})`, state), ifTrue: target };
}

/** `GotoIf($[${GROUP_COUNT(100@extension-calls)} >= maxCalls]?target)`: the extension has no call left. */
function skipIfAtCallLimit(extension: Extension, target: GotoTarget): Application {
  const calls = Expression.groupCount(deviceName(extension), CALL_COUNT_CATEGORY);
  return { app: "GotoIf", condition: Expression.compare(calls, ">=", extension.maxCalls), ifTrue: target };
}

/** Dials extensions' devices with the transfer options and the handler that counts each dialed channel. */
function dialExtensions(site: Site, channels: readonly string[] | Expression, timeoutSeconds: number): Application {
  return {
    app: "Dial",
    channels,
    timeoutSeconds,
    options: DIAL_OPTIONS,
    preDialHandler: { context: callCountContext(site), extension: "s", priority: 1 },
  };
}

/** Returns the label of a member's first check. The first member needs none, because nothing jumps to it. */
function labelFor(index: number): { label?: string } {
  return index === 0 ? {} : { label: memberLabel(index) };
}

function memberLabel(index: number): string {
  return `member-${index + 1}`;
}

function buildUnknownNumberContext(site: Site): Context {
  return {
    name: unknownNumberContext(site),
    comments: ["Unassigned numbers dialed from a phone: a message, then hang up. Never routed anywhere else."],
    extensions: ANY_NUMBER_PATTERNS.map((pattern) => ({
      name: pattern,
      priorities: steps(
        { app: "NoOp", text: "Unknown number" },
        setLanguage(site),
        { app: "Progress" },
        { app: "Playback", files: [NO_SUCH_NUMBER_SOUND], noAnswer: true },
        { app: "Hangup", cause: HANGUP_CAUSE.unallocatedNumber },
      ),
    })),
  };
}

function buildRejectContext(site: Site): Context {
  const reject = steps({ app: "NoOp", text: "Rejected trunk call to an unknown number" }, { app: "Hangup", cause: HANGUP_CAUSE.unallocatedNumber });
  return {
    name: rejectContext(site),
    comments: ["Trunk calls to unassigned numbers: hang up with cause 1 (unallocated number)."],
    extensions: [...ANY_NUMBER_PATTERNS.map((pattern) => ({ name: pattern, priorities: reject })), { name: "s", priorities: reject }],
  };
}

/** Returns the priorities that send the caller to an IVR option's target. */
function optionTarget(model: SiteModel, ivr: Ivr, option: IvrOption, peers: readonly PeerSite[]): Priority[] {
  const { site } = model;
  const target = option.target;
  switch (target.kind) {
    case "extension":
    case "ringGroup":
      return steps({ app: "Goto", target: { context: localContext(site), extension: target.number, priority: 1 } });
    case "ivr":
      return steps({ app: "Goto", target: { context: ivrContext(site, target.number), extension: "s", priority: 1 } });
    case "remoteIvr": {
      const peer = peers.find((candidate) => candidate.code === target.site);
      if (peer === undefined) {
        throw new DialplanSyntaxError(
          `IVR ${ivr.number} option ${option.digit} targets site "${target.site}", which is not in the peer list; pass it in RenderOptions.peers.`,
        );
      }
      if (peer.ivrNumber === undefined) {
        throw new DialplanSyntaxError(`IVR ${ivr.number} option ${option.digit} targets site "${target.site}", which has no IVR.`);
      }
      const remoteNumber: GotoTarget = { context: outboundContext(site), extension: `${peer.accessCode}${peer.ivrNumber}`, priority: 1 };
      return steps({ app: "Set", variable: IVR_RETURN_VARIABLE, value: ivr.number }, { app: "Goto", target: remoteNumber });
    }
  }
}

function findMember(model: SiteModel, ringGroup: RingGroup, number: string): Extension {
  const member = model.extensions.find((extension) => extension.number === number);
  if (member === undefined) {
    throw new DialplanSyntaxError(`ring group ${ringGroup.number} lists member ${number}, which is not an extension of site ${model.site.code}.`);
  }
  return member;
}

/** Every recording the IVRs play must be one the site deploys, or the caller would hear silence. */
function checkPrompts(model: SiteModel): void {
  const deployed = new Set(model.recordings.map((recording) => recording.name));
  for (const ivr of model.ivrs) {
    const played = [
      ...ivr.greetings.map((band) => band.recording),
      ivr.timeoutRecording,
      ivr.invalidRecording,
      ivr.unavailableRecording,
      ivr.goodbyeRecording,
    ];
    for (const name of played) {
      if (!deployed.has(name)) {
        throw new DialplanSyntaxError(`IVR ${ivr.number} plays recording "${name}", which site ${model.site.code} does not deploy; add it to the recordings.`);
      }
    }
  }
}

function deviceOf(extension: Extension): string {
  return extension.protocol === "pjsip" ? `PJSIP/${extension.number}` : `IAX2/${extension.number}`;
}

function voiceMail(site: Site, extension: Extension, greeting: "unavailable" | "busy"): Application {
  return { app: "VoiceMail", mailbox: extension.number, context: voicemailContext(site), greeting };
}

