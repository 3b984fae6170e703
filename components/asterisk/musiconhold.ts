// musiconhold.conf: the music a held caller hears.

import type { SiteModel } from "../model/types";
import { origin } from "./names";
import { renderConfigFile, section, setting } from "./writer";

/** Directory of the hold music that Debian's asterisk-moh-opsound packages install. */
export const MUSIC_ON_HOLD_DIRECTORY = "/usr/share/asterisk/moh";

/**
 * Renders musiconhold.conf with one `default` class playing every file of the directory.
 * No `format` is set, so Asterisk picks the best format available for each file.
 */
export function renderMusicOnHoldConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "musiconhold"),
    description: "Music on hold.",
    blocks: [
      section("default", [
        setting("mode", "files"),
        setting("directory", MUSIC_ON_HOLD_DIRECTORY),
        setting("sort", "random"),
      ]),
    ],
  });
}
