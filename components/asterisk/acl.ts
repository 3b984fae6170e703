// acl.conf: the named access control list that SIP, IAX2 and the manager use.

import type { SiteModel } from "../model/types";
import { LOCAL_ACL, origin } from "./names";
import { allowedNetworks, type RenderOptions } from "./options";
import { renderConfigFile, section, setting } from "./writer";

/** Renders acl.conf: deny everything, then permit the allowed networks (loopback by default). */
export function renderAclConf(model: SiteModel, options?: RenderOptions): string {
  return renderConfigFile({
    origin: origin(model, "acl"),
    description: "Named access control lists.",
    blocks: [
      section(
        LOCAL_ACL,
        [setting("deny", "0.0.0.0/0.0.0.0"), ...allowedNetworks(options).map((network) => setting("permit", network))],
        { comments: ["Addresses allowed to register, call and log in to the manager."] },
      ),
    ],
  });
}
