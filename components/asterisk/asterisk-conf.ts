// asterisk.conf: directories and core options. Asterisk reads it only at start.

import type { SiteModel } from "../model/types";
import { origin } from "./names";
import { objectSetting, renderConfigFile, section, setting } from "./writer";

/**
 * Renders asterisk.conf. `systemname` is the site code, so Asterisk prefixes every
 * uniqueid and linkedid with it and call records from different sites never collide.
 * Verbose and debug output stay at 0: logger.conf decides what is written.
 */
export function renderAsteriskConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "asterisk-conf"),
    description: "Asterisk core: directories and options, read only when Asterisk starts.",
    blocks: [
      section(
        "directories",
        [
          // The entrypoint creates /run/asterisk; the control socket lives there.
          objectSetting("astrundir", "/run/asterisk"),
        ],
      ),
      section("options", [
        setting("systemname", model.site.code),
        setting("verbose", 0),
        setting("debug", 0),
        setting("defaultlanguage", model.site.language),
        setting("documentation_language", "en_US"),
        setting("hideconnect", "yes"),
        // Refuse dialplan functions such as SHELL when the dialplan is reached from outside.
        setting("live_dangerously", "no"),
        // `asterisk -rx '!cmd'` would otherwise run shell commands as the asterisk user.
        setting("disable_remote_console_shell", "yes"),
      ]),
    ],
  });
}
