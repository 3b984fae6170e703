// The carrier trunk: pjsip_carrier.conf and pjsip_carrier_auth.conf, and the dialplan of
// calls to and from the public telephone network, 911 included.

import { EMERGENCY_RECORDINGS, NATIONAL_PATTERNS } from "../model/carrier";
import { EMERGENCY_NUMBER } from "../model/reserved";
import type { Carrier, Extension, SiteModel, SiteSecrets, Site } from "../model/types";
import { Expression, plainArgument, steps, type Application, type Context, type DialplanExtension, type Priority } from "./dialplan";
import { setLanguage } from "./ivr";
import { ivrContext, origin, promptPath, rejectContext, SIP_TRANSPORT } from "./names";
import { ConfigSyntaxError, include, renderConfigFile, section, setting, type ConfigBlock } from "./writer";

/** Non-secret carrier sections, included from pjsip.conf. */
export const PJSIP_CARRIER_FILE = "pjsip_carrier.conf";

/** The carrier's credentials, included from pjsip_carrier.conf. */
export const PJSIP_CARRIER_AUTH_FILE = "pjsip_carrier_auth.conf";

/** Endpoint, AOR and auth base name of the carrier trunk. */
export const CARRIER_ENDPOINT = "carrier";

/** Codecs offered to the carrier: G.711 only, which every carrier accepts. */
const CARRIER_CODECS: readonly string[] = ["ulaw", "alaw"];

/** Seconds a national or emergency call may ring at the carrier. */
const CARRIER_RING_SECONDS = 120;

/** Seconds the notified extension rings. */
const NOTIFY_RING_SECONDS = 60;

/** Core sound (Spanish under `language=es`) played when the carrier cannot take a national call. */
const CARRIER_FAILED_SOUND = "tt-allbusy";

/** Q.850 cause 34 (no circuit available): SIP 503 to the phone. */
const NO_CIRCUIT_CAUSE = 34;

const ANSWERED_LABEL = "answered";

/** Context of calls from the carrier. */
export function carrierContext(site: Site): string {
  return `from-carrier-${site.code}`;
}

/** Context of national numbers, which phones reach through the carrier. */
export function nationalContext(site: Site): string {
  return `national-${site.code}`;
}

/** Context of the emergency number. */
export function emergencyContext(site: Site): string {
  return `emergency-${site.code}`;
}

/** Context that rings the notified extension; its extension is the one that dialed 911. */
export function emergencyNotifyContext(site: Site): string {
  return `emergency-notify-${site.code}`;
}

/** Context that tells the notified extension which extension dialed 911. */
export function emergencyNoticeContext(site: Site): string {
  return `emergency-notice-${site.code}`;
}

/** Renders pjsip_carrier.conf: the carrier's endpoint, AOR and IP identification, or no section without a carrier. */
export function renderPjsipCarrierConf(model: SiteModel): string {
  const { carrier } = model;
  const blocks: ConfigBlock[] = carrier === undefined ? [] : carrierSections(model, carrier);
  return renderConfigFile({
    origin: origin(model, "carrier"),
    description:
      carrier === undefined
        ? "Carrier trunk: none. Set inova-pbx:carrier and inova-pbx:carrierPassword to add one."
        : "Carrier trunk to the public telephone network.",
    blocks,
  });
}

/** Renders pjsip_carrier_auth.conf: the carrier's credentials, used in both directions. */
export function renderPjsipCarrierAuthConf(model: SiteModel, secrets: SiteSecrets): string {
  const { carrier } = model;
  const blocks: ConfigBlock[] = [];
  if (carrier !== undefined) {
    const password = secrets.carrierPassword;
    if (password === undefined || password === "") {
      throw new ConfigSyntaxError(`Site ${model.site.code} has a carrier but no carrier password; set it with \`pulumi config set --secret carrierPassword\`.`);
    }
    blocks.push(
      section(authName(), [
        setting("type", "auth"),
        setting("auth_type", "digest"),
        setting("username", carrier.username),
        setting("password", password),
      ]),
    );
  }
  return renderConfigFile({
    origin: origin(model, "carrier"),
    description: "Carrier trunk credentials. Contains a password: handle as a secret.",
    blocks,
  });
}

function carrierSections(model: SiteModel, carrier: Carrier): ConfigBlock[] {
  return [
    section(
      CARRIER_ENDPOINT,
      [
        setting("type", "endpoint"),
        setting("transport", SIP_TRANSPORT),
        setting("context", carrierContext(model.site)),
        setting("disallow", "all"),
        ...CARRIER_CODECS.map((codec) => setting("allow", codec)),
        // The carrier authenticates its calls with these credentials, and the site responds to the carrier's challenges with them.
        setting("auth", authName()),
        setting("outbound_auth", authName()),
        setting("aors", CARRIER_ENDPOINT),
        // Only requests from the carrier's address reach this endpoint, and the ACL drops any other.
        setting("identify_by", "ip"),
        setting("deny", "0.0.0.0/0.0.0.0"),
        setting("permit", `${carrier.address}/255.255.255.255`),
        setting("language", model.site.language),
        setting("direct_media", "no"),
        setting("dtmf_mode", "rfc4733"),
        setting("send_pai", "yes"),
        setting("trust_id_outbound", "yes"),
      ],
      { comments: [`Carrier at ${carrier.address}:${carrier.port}`] },
    ),
    section(CARRIER_ENDPOINT, [
      setting("type", "aor"),
      setting("contact", `sip:${carrier.address}:${carrier.port}`),
      setting("qualify_frequency", 60),
    ]),
    section(`${CARRIER_ENDPOINT}-identify`, [setting("type", "identify"), setting("endpoint", CARRIER_ENDPOINT), setting("match", carrier.address)]),
    include(PJSIP_CARRIER_AUTH_FILE, ["The carrier's credentials, kept out of this file."]),
  ];
}

function authName(): string {
  return `${CARRIER_ENDPOINT}-auth`;
}

/** Builds the extension of the phones' first context that sends 911 to the emergency context, before any call limit. */
export function emergencyShortcut(site: Site): DialplanExtension {
  return {
    name: EMERGENCY_NUMBER,
    comment: "Emergency calls go out whatever the caller's call limit.",
    priorities: steps({ app: "Goto", target: { context: emergencyContext(site), extension: EMERGENCY_NUMBER, priority: 1 } }),
  };
}

/** Contexts that the phones' routing includes for the public network: national numbers, when the site has a carrier. */
export function publicNetworkIncludes(model: SiteModel): string[] {
  return model.carrier === undefined ? [] : [nationalContext(model.site)];
}

/** Builds the dialplan contexts of the carrier and of emergency calls. */
export function buildCarrierContexts(model: SiteModel): Context[] {
  const { site, carrier } = model;
  const contexts = [buildEmergencyContext(model)];
  if (carrier === undefined) {
    return contexts;
  }
  contexts.push(buildInboundContext(model), buildNationalContext(site, carrier));
  const notify = carrier.emergencyNotify === undefined ? undefined : model.extensions.find((extension) => extension.number === carrier.emergencyNotify);
  if (notify !== undefined) {
    contexts.push(buildNotifyContext(site, notify), buildNoticeContext(site));
  }
  return contexts;
}

/** Calls from the carrier: the public number reaches the site's first IVR; any other number is rejected. */
function buildInboundContext(model: SiteModel): Context {
  const { site } = model;
  const firstIvr = model.ivrs[0];
  const publicNumber = plainArgument(site.publicNumber, "public number");
  const extensions: DialplanExtension[] =
    firstIvr === undefined
      ? []
      : [
          {
            name: publicNumber,
            comment: `Public number: IVR ${firstIvr.number} (${firstIvr.name}).`,
            priorities: steps(
              { app: "NoOp", text: "Call from the carrier to the public number" },
              { app: "Goto", target: { context: ivrContext(site, firstIvr.number), extension: "s", priority: 1 } },
            ),
          },
        ];
  return {
    name: carrierContext(site),
    comments: ["Calls from the carrier: the public number only; any other number is rejected with cause 1."],
    includes: [rejectContext(site)],
    extensions,
  };
}

/** National numbers, after the outbound prefix, leave through the carrier with the public number as caller ID. */
function buildNationalContext(site: Site, carrier: Carrier): Context {
  const prefix = carrier.outboundPrefix;
  const extensions = NATIONAL_PATTERNS[carrier.numbering].map(
    (pattern): DialplanExtension => ({
      name: `_${prefix}${pattern}`,
      priorities: [
        ...steps(
          { app: "NoOp", text: "National call through the carrier" },
          setLanguage(site),
          ...publicCallerId(site),
          { app: "Dial", channels: Expression.trunkTarget("PJSIP", CARRIER_ENDPOINT, prefix.length), timeoutSeconds: CARRIER_RING_SECONDS },
          { app: "GotoIf", condition: Expression.equals("DIALSTATUS", "ANSWER"), ifTrue: { priority: ANSWERED_LABEL } },
          { app: "Progress" },
          { app: "Playback", files: [CARRIER_FAILED_SOUND], noAnswer: true },
          { app: "Hangup", cause: NO_CIRCUIT_CAUSE },
        ),
        { label: ANSWERED_LABEL, application: { app: "Hangup" } },
      ],
    }),
  );
  const rule = prefix === "" ? "dialed without a prefix" : `dialed after the prefix ${prefix}`;
  return {
    name: nationalContext(site),
    comments: [`National numbers (${carrier.numbering} plan), ${rule}, through the carrier.`],
    extensions,
  };
}

/**
 * 911 from any phone. With a carrier the call goes there with the public number as caller ID,
 * after the notified extension, if any, starts ringing. Without a carrier, or when the carrier
 * fails, the caller hears that 911 cannot be reached from this phone.
 *
 * NOTE: the carrier gets only the site's public number. A dispatchable location per phone
 * (floor, room), which US rules expect from multi-line systems, is not sent.
 */
function buildEmergencyContext(model: SiteModel): Context {
  const { site, carrier } = model;
  const unavailable: Application[] = [
    { app: "Progress" },
    { app: "Playback", files: [promptPath(EMERGENCY_RECORDINGS.unavailable), promptPath(EMERGENCY_RECORDINGS.unavailable)], noAnswer: true },
    { app: "Hangup", cause: NO_CIRCUIT_CAUSE },
  ];
  let priorities: Priority[];
  if (carrier === undefined) {
    priorities = steps({ app: "NoOp", text: "Emergency call without a carrier" }, setLanguage(site), ...unavailable);
  } else {
    const notify: Application[] =
      carrier.emergencyNotify === undefined
        ? []
        : [
            {
              app: "Originate",
              channel: Expression.localChannel(Expression.variable("CALLERID(num)"), emergencyNotifyContext(site)),
              target: { context: emergencyNoticeContext(site), extension: Expression.variable("CALLERID(num)"), priority: 1 },
              timeoutSeconds: NOTIFY_RING_SECONDS,
            },
          ];
    priorities = [
      ...steps(
        { app: "NoOp", text: "Emergency call through the carrier" },
        setLanguage(site),
        ...notify,
        ...publicCallerId(site),
        { app: "Dial", channels: [`PJSIP/${EMERGENCY_NUMBER}@${CARRIER_ENDPOINT}`], timeoutSeconds: CARRIER_RING_SECONDS },
        { app: "GotoIf", condition: Expression.equals("DIALSTATUS", "ANSWER"), ifTrue: { priority: ANSWERED_LABEL } },
      ),
      ...steps(...unavailable),
      { label: ANSWERED_LABEL, application: { app: "Hangup" } },
    ];
  }
  return {
    name: emergencyContext(site),
    comments: [carrier === undefined ? "911: the site has no carrier, so the caller hears that 911 cannot be reached from here." : "911 through the carrier."],
    extensions: [{ name: EMERGENCY_NUMBER, priorities }],
  };
}

/** Rings the notified extension with the calling extension as caller ID; the extension is the caller's number. */
function buildNotifyContext(site: Site, notify: Extension): Context {
  const device = `${notify.protocol === "pjsip" ? "PJSIP" : "IAX2"}/${notify.number}`;
  return {
    name: emergencyNotifyContext(site),
    comments: [`Emergency notice to extension ${notify.number}: rings it with the number of the extension that dialed 911.`],
    extensions: [
      {
        name: "_X.",
        priorities: steps(
          { app: "Set", variable: "CALLERID(num)", value: Expression.variable("EXTEN") },
          { app: "Set", variable: "CALLERID(name)", value: `Emergencia ${EMERGENCY_NUMBER}` },
          { app: "Dial", channels: [device], timeoutSeconds: NOTIFY_RING_SECONDS },
          { app: "Hangup" },
        ),
      },
    ],
  };
}

/** Tells the notified extension, twice, which extension dialed 911. */
function buildNoticeContext(site: Site): Context {
  const notice: Application[] = [
    { app: "Playback", files: [promptPath(EMERGENCY_RECORDINGS.notice)] },
    { app: "SayDigits", digits: Expression.variable("EXTEN") },
    { app: "Wait", seconds: 1 },
  ];
  return {
    name: emergencyNoticeContext(site),
    comments: ["Message to the notified extension: the number of the extension that dialed 911."],
    extensions: [
      {
        name: "_X.",
        priorities: steps(setLanguage(site), { app: "Answer" }, { app: "Wait", seconds: 1 }, ...notice, ...notice, { app: "Hangup" }),
      },
    ],
  };
}

function publicCallerId(site: Site): Application[] {
  return [
    { app: "Set", variable: "CALLERID(num)", value: plainArgument(site.publicNumber, "public number") },
    { app: "Set", variable: "CALLERID(name)", value: plainArgument(site.name, "site name") },
  ];
}
