// iax.conf, iax_bind.conf and iax_secrets.conf: the site's IAX2 phones.

import type { Extension, SiteModel, SiteSecrets } from "../model/types";
import { callerId, deviceName, extensionPassword } from "./devices";
import { CALL_LIMIT_VARIABLE, CODECS, internalContext, origin, sortByNumber, voicemailContext } from "./names";
import { allowedNetworks, type RenderOptions } from "./options";
import { IAX_TRUNK_SECRETS_FILE, IAX_TRUNKS_FILE } from "./trunks";
import { include, renderConfigFile, section, setting, type ConfigSection } from "./writer";

/** Listener address and port, added to [general]; chan_iax2 binds them only at start. */
export const IAX_BIND_FILE = "iax_bind.conf";

/** Each peer's secret, added to the peer sections. */
export const IAX_SECRETS_FILE = "iax_secrets.conf";

/**
 * Call numbers (`maxcallnumbers`) that one IAX2 phone's address may hold: a guard against
 * floods, not the call limit, which the dialplan enforces. chan_iax2 (Asterisk 22) keeps the
 * call number of each call, registration and qualify poke counted for 60 s (MIN_REUSE_TIME)
 * after it ends, so a value close to maxCalls locks a phone out after a few short calls.
 * NOTE: 32 is an estimate. It leaves room for about 30 call attempts a minute next to one
 * registration refresh and one qualify poke.
 */
export const IAX_CALL_NUMBERS_PER_PHONE = 32;

/**
 * Renders iax.conf: general settings, then one `type=friend` peer per IAX2 extension that
 * registers from anywhere the ACL allows (`host=dynamic`), authenticates with MD5 and must
 * return call tokens. The bind and secrets files are included where their `(+)` sections
 * extend sections already defined.
 */
export function renderIaxConf(model: SiteModel, options?: RenderOptions): string {
  const networks = allowedNetworks(options);
  const peers = sortByNumber(model.extensions.filter((extension) => extension.protocol === "iax2")).map((extension) =>
    peerSection(model, extension, networks),
  );

  return renderConfigFile({
    origin: origin(model, "iax"),
    description: "IAX2: general settings and the site's IAX2 phones.",
    blocks: [
      section("general", [
        setting("language", model.site.language),
        setting("disallow", "all"),
        ...CODECS.map((codec) => setting("allow", codec)),
        // Delays authentication rejections, which slows down password guessing.
        setting("delayreject", "yes"),
        // Logs each failed authentication with the peer's address; chan_iax2 raises no
        // security event of its own for a wrong secret.
        setting("authdebug", "yes"),
        setting("autokill", "yes"),
        setting("srvlookup", "no"),
        setting("jitterbuffer", "no"),
      ]),
      include(IAX_BIND_FILE, ["Listener address; changing it needs a restart."]),
      ...peers,
      include(IAX_TRUNKS_FILE, ["Trunks to the other sites."]),
      include(IAX_SECRETS_FILE, ["Secrets, kept out of this file."]),
      include(IAX_TRUNK_SECRETS_FILE, ["Trunk secrets, kept out of this file."]),
    ],
  });
}

/** Renders iax_bind.conf: the site's address and IAX2 port, appended to [general]. */
export function renderIaxBindConf(model: SiteModel): string {
  const { site } = model;
  return renderConfigFile({
    origin: origin(model, "iax"),
    description: "IAX2 listener, bound when Asterisk starts.",
    blocks: [
      // chan_iax2 requires bindport before bindaddr.
      section("general", [setting("bindport", site.ports.iax), setting("bindaddr", site.address)], { appends: true }),
    ],
  });
}

/** Renders iax_secrets.conf: each IAX2 peer's secret, appended to its section. */
export function renderIaxSecretsConf(model: SiteModel, secrets: SiteSecrets): string {
  const sections = sortByNumber(model.extensions.filter((extension) => extension.protocol === "iax2")).map((extension) =>
    section(deviceName(extension), [setting("secret", extensionPassword(model, secrets, extension))], { appends: true }),
  );
  return renderConfigFile({
    origin: origin(model, "iax"),
    description: "Secrets of the site's IAX2 phones. Contains passwords: handle as a secret.",
    blocks: sections,
  });
}

function peerSection(model: SiteModel, extension: Extension, networks: readonly string[]): ConfigSection {
  const name = deviceName(extension);
  const lines = [
    setting("type", "friend"),
    setting("host", "dynamic"),
    setting("context", internalContext(model.site)),
    // The dialplan rejects a call from this peer that would exceed its call limit.
    setting("setvar", `__${CALL_LIMIT_VARIABLE}=${extension.maxCalls}`),
    setting("callerid", callerId(extension)),
    setting("language", model.site.language),
    setting("disallow", "all"),
    ...CODECS.map((codec) => setting("allow", codec)),
    setting("auth", "md5"),
    setting("requirecalltoken", "yes"),
    setting("deny", "0.0.0.0/0.0.0.0"),
    ...networks.map((network) => setting("permit", network)),
    // chan_iax2 applies this limit to the peer's IP address once it registers.
    setting("maxcallnumbers", IAX_CALL_NUMBERS_PER_PHONE),
    setting("qualify", "yes"),
    // Media stays on this server rather than going directly between the phones.
    setting("transfer", "no"),
  ];
  if (extension.voicemail) {
    lines.push(setting("mailbox", `${name}@${voicemailContext(model.site)}`));
  }
  return section(name, lines, { comments: [`Extension ${name}: ${extension.name}`] });
}
