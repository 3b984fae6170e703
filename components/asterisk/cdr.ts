// cdr.conf: the call detail record engine. Backends (ODBC, custom) have files of their own.

import type { SiteModel } from "../model/types";
import { origin } from "./names";
import { renderConfigFile, section, setting } from "./writer";

/**
 * Renders cdr.conf: records on, also for unanswered and congested calls, and written
 * at once (no batching), so a crash loses no buffered record.
 */
export function renderCdrConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "cdr"),
    description: "Call detail records: engine settings.",
    blocks: [
      section("general", [
        setting("enable", "yes"),
        setting("unanswered", "yes"),
        setting("congestion", "yes"),
        setting("batch", "no"),
        setting("safeshutdown", "yes"),
      ]),
    ],
  });
}
