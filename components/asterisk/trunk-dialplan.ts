// Dialplan of the calls between sites: the outbound routes by access code, and the contexts
// where calls from each peer site's trunks start.

import type { SiteModel } from "../model/types";
import { DialplanSyntaxError, Expression, plainArgument, steps, type Application, type Context, type DialplanExtension, type Priority } from "./dialplan";
import { ANY_NUMBER_PATTERNS, DIAL_OPTIONS, HANGUP_CAUSE } from "./extensions";
import { IVR_RETURN_VARIABLE, setLanguage, UNAVAILABLE_EXTENSION } from "./ivr";
import { ivrContext, outboundContext, promptPath, sortByNumber, trunkContext } from "./names";
import type { PeerSite } from "./options";
import { TRUNK_ORIGIN_VARIABLE, TRUNK_RING_SECONDS, trunkInboundContext, trunkName, type TrunkPeer } from "./trunks";

/** Labels of the outbound route's steps: the IAX2 attempt, the "not available" message and the rejection. */
const IAX_LABEL = "iax";
const UNAVAILABLE_LABEL = "unavailable";
const REJECTED_LABEL = "rejected";

/** Core sound (Spanish under `language=es`) for a number that does not exist. */
const NO_SUCH_NUMBER_SOUND = "ss-noservice";

/**
 * Builds `outbound-<site>`: one pattern per peer site, its access code followed by the remote
 * number. A call goes over the PJSIP trunk, and over the IAX2 trunk when PJSIP cannot carry it
 * (DIALSTATUS CHANUNAVAIL or CONGESTION). A number the peer rejects as unallocated (cause 1,
 * SIP 404) is rejected here too and never retried. When both trunks fail the caller hears the
 * "not available" message, and a caller that came from an IVR option is sent back to that menu.
 * Calls that arrived over a trunk are rejected, so no call passes through this site to a third one.
 * NOTE: this also rejects a trunk call that a local extension transfers to another site.
 */
export function buildOutboundContext(model: SiteModel, peers: readonly PeerSite[]): Context {
  const extensions = peers.map((peer): DialplanExtension => {
    const accessCode = plainArgument(peer.accessCode, `access code of site ${peer.code}`);
    if (!/^[0-9]+$/.test(accessCode)) {
      throw new DialplanSyntaxError(`access code "${accessCode}" of site ${peer.code} is invalid: expected digits.`);
    }
    const siteText = plainArgument(`Call to site ${peer.code}`, `site code ${peer.code}`);
    if (peer.trunk === undefined) {
      return {
        name: `_${accessCode}X.`,
        comment: `Site ${peer.code} (${peer.name}): access code ${accessCode} + number. Its stack file gives no address, so it has no trunk.`,
        priorities: [...steps({ app: "NoOp", text: siteText }, setLanguage(model.site)), ...unavailable(model)],
      };
    }
    return {
      name: `_${accessCode}X.`,
      comment: `Site ${peer.code} (${peer.name}): access code ${accessCode} + number, over PJSIP, else IAX2.`,
      priorities: trunkRoute(model, peer as TrunkPeer, accessCode.length, siteText),
    };
  });

  return { name: outboundContext(model.site), comments: ["Numbers of other sites: access code, then the remote number."], extensions };
}

function trunkRoute(model: SiteModel, peer: TrunkPeer, accessCodeLength: number, siteText: string): Priority[] {
  const trunk = trunkName(peer.code);
  const dial = (technology: "PJSIP" | "IAX2"): Application => ({
    app: "Dial",
    channels: Expression.trunkTarget(technology, trunk, accessCodeLength),
    timeoutSeconds: TRUNK_RING_SECONDS,
    options: DIAL_OPTIONS,
  });
  const rejectedByPeer: Application = {
    app: "GotoIf",
    condition: Expression.equals("HANGUPCAUSE", String(HANGUP_CAUSE.unallocatedNumber)),
    ifTrue: { priority: REJECTED_LABEL },
  };
  const trunkFailed = (target: string): Application[] =>
    ["CHANUNAVAIL", "CONGESTION"].map((status) => ({
      app: "GotoIf",
      condition: Expression.equals("DIALSTATUS", status),
      ifTrue: { priority: target },
    }));

  return [
    ...steps(
      { app: "NoOp", text: siteText },
      setLanguage(model.site),
      { app: "GotoIf", condition: Expression.equals(TRUNK_ORIGIN_VARIABLE, ""), ifFalse: { priority: REJECTED_LABEL } },
      dial("PJSIP"),
      rejectedByPeer,
      ...trunkFailed(IAX_LABEL),
      { app: "Hangup" },
    ),
    { label: IAX_LABEL, application: { app: "NoOp", text: plainArgument(`PJSIP trunk to ${peer.code} unavailable so trying IAX2`, "trunk note") } },
    ...steps(dial("IAX2"), rejectedByPeer, ...trunkFailed(UNAVAILABLE_LABEL), { app: "Hangup" }),
    ...unavailable(model),
    { label: REJECTED_LABEL, application: { app: "Hangup", cause: HANGUP_CAUSE.unallocatedNumber } },
  ];
}

/**
 * Returns the steps that tell the caller the other site cannot be reached: back to the IVR
 * menu the call came from, else the first IVR's "not available" recording and cause 34.
 */
function unavailable(model: SiteModel): Priority[] {
  const ivrs = sortByNumber(model.ivrs);
  // A site without an IVR has no "not available" recording, so it uses the core "no such number" sound.
  const sound = ivrs.length === 0 ? NO_SUCH_NUMBER_SOUND : promptPath(ivrs[0].unavailableRecording);
  const returns = ivrs.map(
    (ivr): Application => ({
      app: "GotoIf",
      condition: Expression.equals(IVR_RETURN_VARIABLE, ivr.number),
      ifTrue: { context: ivrContext(model.site, ivr.number), extension: UNAVAILABLE_EXTENSION, priority: 1 },
    }),
  );
  const [first, ...rest] = steps(...returns, { app: "Progress" }, { app: "Playback", files: [sound], noAnswer: true }, {
    app: "Hangup",
    cause: HANGUP_CAUSE.noCircuitAvailable,
  });
  return [{ ...first, label: UNAVAILABLE_LABEL }, ...rest];
}

/**
 * Builds one context per peer site where that site's trunk calls start. It presents the caller
 * as a number this site can call back (the peer's access code + the caller's number, e.g.
 * `81100`), marks the call as a trunk call and continues in `from-trunk-<site>`, which reaches
 * local numbers only and rejects everything else.
 */
export function buildTrunkInboundContexts(model: SiteModel, peers: readonly TrunkPeer[]): Context[] {
  return peers.map((peer): Context => {
    const priorities = steps(
      { app: "Set", variable: "CALLERID(num)", value: Expression.prefixed(peer.accessCode, "CALLERID(num)") },
      { app: "Set", variable: TRUNK_ORIGIN_VARIABLE, value: plainArgument(peer.code, "site code") },
      { app: "Goto", target: { context: trunkContext(model.site), extension: Expression.variable("EXTEN"), priority: 1 } },
    );
    return {
      name: trunkInboundContext(model.site, peer.code),
      comments: [`Calls from site ${peer.code} (${peer.name}): caller shown as ${peer.accessCode} + number.`],
      extensions: [...ANY_NUMBER_PATTERNS, "s"].map((name) => ({ name, priorities })),
    };
  });
}
