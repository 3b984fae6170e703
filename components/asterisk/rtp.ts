// rtp.conf: the site's RTP port range.

import type { SiteModel } from "../model/types";
import { origin } from "./names";
import { ConfigSyntaxError, renderConfigFile, section, setting } from "./writer";

/**
 * Renders rtp.conf with the site's own port range; sites share the host network,
 * so each needs a range of its own. ICE is off because every party is on this host.
 */
export function renderRtpConf(model: SiteModel): string {
  const { start, end } = model.site.ports.rtp;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 1024 || end > 65535 || start >= end) {
    throw new ConfigSyntaxError(`RTP port range ${start}-${end} is invalid: expected integers with 1024 <= start < end <= 65535.`);
  }
  return renderConfigFile({
    origin: origin(model, "rtp"),
    description: "RTP media: port range and checks.",
    blocks: [
      section("general", [
        setting("rtpstart", start),
        setting("rtpend", end),
        setting("strictrtp", "yes"),
        setting("icesupport", "no"),
      ]),
    ],
  });
}
