// logger.conf: where Asterisk writes its log messages.

import type { SiteModel } from "../model/types";
import { origin } from "./names";
import { objectSetting, renderConfigFile, section, setting } from "./writer";

/** Log file for notices, warnings and errors, in /var/log/asterisk. */
export const MESSAGES_LOG = "messages.log";

/** Log file for security events (failed authentication, ACL rejections), in /var/log/asterisk. */
export const SECURITY_LOG = "security.log";

/**
 * Renders logger.conf: the console and `messages.log` get notices, warnings and errors
 * (no verbose output), and `security.log` gets the security events that res_security_log
 * turns into log messages, such as failed registrations.
 */
export function renderLoggerConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "logger"),
    description: "Logging: console, messages.log and security.log.",
    blocks: [
      section("general", [
        setting("dateformat", "%F %T.%3q"),
        setting("use_callids", "yes"),
        setting("appendhostname", "no"),
      ]),
      section("logfiles", [
        objectSetting("console", "notice,warning,error"),
        objectSetting(MESSAGES_LOG, "notice,warning,error"),
        objectSetting(SECURITY_LOG, "security"),
      ]),
    ],
  });
}
