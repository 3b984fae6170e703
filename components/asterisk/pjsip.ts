// pjsip.conf, pjsip_transport.conf and pjsip_auth.conf: the site's SIP phones.

import { PJSIP_CARRIER_FILE } from "./carrier";
import type { Extension, SiteModel, SiteSecrets } from "../model/types";
import { callerId, deviceName, extensionPassword } from "./devices";
import {
  authSection,
  CALL_LIMIT_VARIABLE,
  CODECS,
  internalContext,
  LOCAL_ACL,
  origin,
  SIP_TRANSPORT,
  sortByNumber,
  voicemailContext,
} from "./names";
import { PJSIP_TRUNK_AUTH_FILE, PJSIP_TRUNKS_FILE } from "./trunks";
import { ConfigSyntaxError, include, renderConfigFile, section, setting, type ConfigSection } from "./writer";

/** UDP transport; Asterisk binds it only at start, so a change here needs a restart. */
export const PJSIP_TRANSPORT_FILE = "pjsip_transport.conf";

/** Auth sections with the extensions' passwords. */
export const PJSIP_AUTH_FILE = "pjsip_auth.conf";

/** Seconds between OPTIONS requests that check whether a registered phone is still reachable. */
export const QUALIFY_SECONDS = 60;

/**
 * Renders pjsip.conf: global settings, the transport include, then one endpoint and one AOR
 * per PJSIP extension, and the auth include last. Every endpoint is limited by the named ACL
 * for its source address and its registered contact.
 */
export function renderPjsipConf(model: SiteModel): string {
  const pickupGroups = pickupGroupsByMember(model);
  const endpoints = sortByNumber(model.extensions.filter((extension) => extension.protocol === "pjsip")).flatMap(
    (extension) => [endpointSection(model, extension, pickupGroups.get(extension.number) ?? []), aorSection(extension)],
  );

  return renderConfigFile({
    origin: origin(model, "pjsip"),
    description: "PJSIP: endpoints and addresses of record of the site's SIP phones.",
    blocks: [
      section("global", [setting("type", "global"), setting("user_agent", "inova-pbx")]),
      include(PJSIP_TRANSPORT_FILE, ["Transport bound to the site's address; changing it needs a restart."]),
      ...endpoints,
      include(PJSIP_TRUNKS_FILE, ["Trunks to the other sites."]),
      include(PJSIP_CARRIER_FILE, ["Carrier trunk to the public telephone network, when the site has one."]),
      include(PJSIP_AUTH_FILE, ["Passwords, kept out of this file."]),
      include(PJSIP_TRUNK_AUTH_FILE, ["Trunk passwords, kept out of this file."]),
    ],
  });
}

/** Renders pjsip_transport.conf: one UDP transport on the site's address and SIP port. */
export function renderPjsipTransportConf(model: SiteModel): string {
  const { site } = model;
  return renderConfigFile({
    origin: origin(model, "pjsip"),
    description: "PJSIP transport, bound when Asterisk starts.",
    blocks: [
      section(SIP_TRANSPORT, [
        setting("type", "transport"),
        setting("protocol", "udp"),
        setting("bind", `${site.address}:${site.ports.sip}`),
      ]),
    ],
  });
}

/** Renders pjsip_auth.conf: one digest auth section per PJSIP extension, with its password. */
export function renderPjsipAuthConf(model: SiteModel, secrets: SiteSecrets): string {
  const sections = sortByNumber(model.extensions.filter((extension) => extension.protocol === "pjsip")).map((extension) =>
    section(authSection(deviceName(extension)), [
      setting("type", "auth"),
      setting("auth_type", "digest"),
      setting("username", extension.number),
      setting("password", extensionPassword(model, secrets, extension)),
    ]),
  );

  return renderConfigFile({
    origin: origin(model, "pjsip"),
    description: "PJSIP authentication of the site's SIP phones. Contains passwords: handle as a secret.",
    blocks: sections,
  });
}

function endpointSection(model: SiteModel, extension: Extension, groups: readonly number[]): ConfigSection {
  const name = deviceName(extension);
  const lines = [
    setting("type", "endpoint"),
    setting("transport", SIP_TRANSPORT),
    setting("context", internalContext(model.site)),
    // The dialplan rejects a call from this endpoint that would exceed its call limit.
    setting("set_var", `__${CALL_LIMIT_VARIABLE}=${extension.maxCalls}`),
    setting("disallow", "all"),
    ...CODECS.map((codec) => setting("allow", codec)),
    setting("auth", authSection(name)),
    setting("aors", name),
    setting("callerid", callerId(extension)),
    setting("language", model.site.language),
    setting("direct_media", "no"),
    setting("dtmf_mode", "rfc4733"),
    // Reports the endpoint busy in its hint once this many calls are up. The dialplan enforces the limit.
    setting("device_state_busy_at", extension.maxCalls),
    setting("acl", LOCAL_ACL),
    setting("contact_acl", LOCAL_ACL),
  ];
  if (extension.voicemail) {
    lines.push(setting("mailboxes", `${name}@${voicemailContext(model.site)}`));
  }
  if (groups.length > 0) {
    lines.push(setting("call_group", groups.join(",")), setting("pickup_group", groups.join(",")));
  }
  return section(name, lines, { comments: [`Extension ${name}: ${extension.name}`] });
}

function aorSection(extension: Extension): ConfigSection {
  return section(deviceName(extension), [
    setting("type", "aor"),
    setting("max_contacts", 1),
    setting("remove_existing", "yes"),
    setting("qualify_frequency", QUALIFY_SECONDS),
  ]);
}

/**
 * Maps each extension to the pickup groups it belongs to: ring groups sorted by number get
 * groups 1, 2, ..., so a member can pick up a call ringing at another member with `*8`.
 */
export function pickupGroupsByMember(model: SiteModel): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  sortByNumber(model.ringGroups).forEach((ringGroup, index) => {
    if (index + 1 > 63) {
      throw new ConfigSyntaxError(`Site ${model.site.code} has more than 63 ring groups; Asterisk has only call groups 0 to 63 and group 0 is left unused.`);
    }
    for (const member of ringGroup.members) {
      groups.set(member, [...(groups.get(member) ?? []), index + 1]);
    }
  });
  return groups;
}
