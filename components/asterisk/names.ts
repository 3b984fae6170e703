// Names shared by several renderers: contexts, files, ACLs and sections.
// They must agree across files, so every renderer takes them from here.

import type { Site, SiteModel } from "../model/types";
import type { FileOrigin } from "./writer";

/** Directory where the image's prompt builder writes the site's recordings (`<name>.wav`, `<name>.sln16`). */
export const PROMPT_DIRECTORY = "/usr/share/asterisk/sounds/inova";

/** Named ACL in acl.conf that endpoints, peers and the manager user reference. */
export const LOCAL_ACL = "inova-local";

/** Networks allowed to reach the site's services when the caller gives none: the loopback range. */
export const DEFAULT_ALLOWED_NETWORKS: readonly string[] = ["127.0.0.0/8"];

/** Codecs offered to phones, in order of preference. */
export const CODECS: readonly string[] = ["ulaw", "alaw", "gsm"];

/** Seconds an extension rings before the call goes to its voicemail. */
export const EXTENSION_RING_SECONDS = 20;

/** PJSIP transport section, in pjsip_transport.conf. */
export const SIP_TRANSPORT = "transport-udp";

/** Manager (AMI) account that the provisioner uses to count calls and reload. */
export const MANAGER_USER = "inova-provisioner";

/**
 * Group category (func_groupcount) that contains one channel per call of an extension: the
 * channel a phone calls from, and the channel that rings it. The group is the extension number.
 */
export const CALL_COUNT_CATEGORY = "extension-calls";

/**
 * Channel variable with the maximum simultaneous calls of the calling extension, set by its
 * endpoint or peer. Endpoints and peers set it as `__CALL_LIMIT`, so that channels created on
 * behalf of the phone, such as the consultation call of an attended transfer, inherit it.
 */
export const CALL_LIMIT_VARIABLE = "CALL_LIMIT";

/** Context where calls placed by the site's phones start: it checks the caller's call limit. */
export function internalContext(site: Site): string {
  return `from-internal-${site.code}`;
}

/** Context that routes calls placed by the site's phones, once the call limit allows them. */
export function internalRoutesContext(site: Site): string {
  return `internal-routes-${site.code}`;
}

/** Context of the pre-dial handler that counts a dialed extension's channel as one of its calls. */
export function callCountContext(site: Site): string {
  return `count-calls-${site.code}`;
}

/** Context with every local number: extensions, ring groups and IVRs. */
export function localContext(site: Site): string {
  return `local-${site.code}`;
}

/** Context for numbers of other sites (access code + remote number). */
export function outboundContext(site: Site): string {
  return `outbound-${site.code}`;
}

/** Context of calls that arrive over a trunk from another site. */
export function trunkContext(site: Site): string {
  return `from-trunk-${site.code}`;
}

/** Context that handles an unassigned number dialed by the site's phones. */
export function unknownNumberContext(site: Site): string {
  return `unknown-number-${site.code}`;
}

/** Context that rejects an unassigned number in trunk calls. */
export function rejectContext(site: Site): string {
  return `reject-unknown-${site.code}`;
}

/** Context of the IVR menu with this number. */
export function ivrContext(site: Site, ivrNumber: string): string {
  return `ivr-${site.code}-${ivrNumber}`;
}

/** Voicemail context: one per site, named after the site code. */
export function voicemailContext(site: Site): string {
  return site.code;
}

/** PJSIP auth section of an extension, in pjsip_auth.conf. */
export function authSection(extensionNumber: string): string {
  return `${extensionNumber}-auth`;
}

/** Absolute path (without extension) of a site recording, as Playback and Background take it. */
export function promptPath(recording: string): string {
  return `${PROMPT_DIRECTORY}/${recording}`;
}

/** Header data of a file rendered by `renderer` (the module name under components/asterisk/). */
export function origin(model: SiteModel, renderer: string): FileOrigin {
  return { siteCode: model.site.code, siteName: model.site.name, renderer };
}

/** Orders numbers as numbers when both are numeric, so `99` sorts before `100`. */
export function compareNumbers(left: string, right: string): number {
  if (/^\d+$/.test(left) && /^\d+$/.test(right) && left.length !== right.length) {
    return left.length - right.length;
  }
  if (left === right) {
    return 0;
  }
  return left < right ? -1 : 1;
}

/** Returns a copy sorted by `number`, so the output does not depend on the order of the stack file. */
export function sortByNumber<T extends { readonly number: string }>(items: readonly T[]): T[] {
  return [...items].sort((left, right) => compareNumbers(left.number, right.number));
}
