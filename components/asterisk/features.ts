// features.conf: in-call feature codes.

import { FEATURE_CODES } from "../model/reserved";
import type { SiteModel } from "../model/types";
import { origin } from "./names";
import { renderConfigFile, section, setting } from "./writer";

/** DTMF sequence for a blind transfer during a call. */
export const BLIND_TRANSFER_CODE = "##";

/** DTMF sequence for an attended transfer during a call. */
export const ATTENDED_TRANSFER_CODE = "*2";

/**
 * Renders features.conf: blind transfer `##`, attended transfer `*2` and the pickup code.
 * Transfers work only on calls dialed with the Dial options `t`/`T`, which the dialplan sets.
 */
export function renderFeaturesConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "features"),
    description: "Call features: transfers and call pickup.",
    blocks: [
      section("general", [
        setting("pickupexten", FEATURE_CODES.pickup),
        setting("transferdigittimeout", 3),
        setting("atxfernoanswertimeout", 15),
      ]),
      section("featuremap", [setting("blindxfer", BLIND_TRANSFER_CODE), setting("atxfer", ATTENDED_TRANSFER_CODE)]),
    ],
  });
}
