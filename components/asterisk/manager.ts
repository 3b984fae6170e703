// manager.conf: the Asterisk Manager Interface (AMI), for the provisioner only.

import type { SiteModel, SiteSecrets } from "../model/types";
import { LOCAL_ACL, MANAGER_USER, origin } from "./names";
import { ConfigSyntaxError, include, renderConfigFile, section, setting } from "./writer";

/** File with the manager user's secret, included at the end of manager.conf. */
export const MANAGER_SECRETS_FILE = "manager_secrets.conf";

/**
 * Permission classes of the provisioner's account. `system` covers the CoreShowChannels,
 * CoreStatus and Reload actions; `reporting` also covers CoreShowChannels. The account
 * gets neither `command` (arbitrary CLI) nor `originate` or `config`.
 */
export const MANAGER_PERMISSIONS = "system,reporting";

/**
 * Renders manager.conf: AMI bound to the site's address and port, one account limited by
 * the named ACL. Its secret lives in manager_secrets.conf, added to the account with `(+)`.
 */
export function renderManagerConf(model: SiteModel): string {
  const { site } = model;
  return renderConfigFile({
    origin: origin(model, "manager"),
    description: "Asterisk Manager Interface: listener and the provisioner's account.",
    blocks: [
      section("general", [
        setting("enabled", "yes"),
        setting("webenabled", "no"),
        setting("port", site.ports.ami),
        setting("bindaddr", site.address),
        setting("displayconnects", "no"),
        setting("authtimeout", 10),
        setting("authlimit", 20),
      ]),
      section(
        MANAGER_USER,
        [
          setting("acl", LOCAL_ACL),
          setting("read", MANAGER_PERMISSIONS),
          setting("write", MANAGER_PERMISSIONS),
          setting("writetimeout", 5000),
        ],
        { comments: ["Counts active calls before a restart and reloads modules."] },
      ),
      include(MANAGER_SECRETS_FILE, ["The account's secret, kept out of this file."]),
    ],
  });
}

/** Renders manager_secrets.conf: the provisioner account's secret. */
export function renderManagerSecrets(model: SiteModel, secrets: SiteSecrets): string {
  if (secrets.amiPassword === "") {
    throw new ConfigSyntaxError(`The manager password of site ${model.site.code} is empty; set or generate amiPassword.`);
  }
  return renderConfigFile({
    origin: origin(model, "manager"),
    description: "Secret of the manager account. Contains a password: handle as a secret.",
    blocks: [section(MANAGER_USER, [setting("secret", secrets.amiPassword)], { appends: true })],
  });
}
