// Small files that core parts of Asterisk read at start. Each sets little, but without it
// Asterisk logs an error or warning about the missing file on every start.

import type { SiteModel } from "../model/types";
import { origin } from "./names";
import { renderConfigFile, section, setting } from "./writer";

/** Renders cel.conf: channel event logging off; call detail records (cdr.conf) are what is kept. */
export function renderCelConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "core-files"),
    description: "Channel event logging: off.",
    blocks: [section("general", [setting("enable", "no")])],
  });
}

/** Renders ccss.conf: call completion (callback when busy) with its default limit. */
export function renderCcssConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "core-files"),
    description: "Call completion supplementary services: defaults.",
    blocks: [section("general", [setting("cc_max_requests", 20)])],
  });
}

/**
 * Renders udptl.conf with the defaults. UDPTL carries T.38 fax, and no fax module is loaded,
 * so no UDPTL port is ever opened.
 */
export function renderUdptlConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "core-files"),
    description: "UDPTL (T.38 fax transport): unused, no fax module is loaded.",
    blocks: [section("general", [setting("use_even_ports", "no")])],
  });
}

/** Renders pjproject.conf: PJSIP's own library logs at its default level. Read only at start. */
export function renderPjprojectConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "core-files"),
    description: "PJPROJECT library settings, read when Asterisk starts.",
    blocks: [section("startup", [setting("type", "startup"), setting("log_level", "default")])],
  });
}
