// Trunks to the other sites of the project: one PJSIP trunk and one IAX2 trunk per peer site,
// both limited to the peer's address and authenticated with passwords that both sites derive
// from the company secret. The dialplan tries PJSIP first and IAX2 when PJSIP is down.

import type { Site, SiteModel, SiteSecrets, TrunkPasswords } from "../model/types";
import { CODECS, origin, SIP_TRANSPORT } from "./names";
import { comparePeers, type PeerSite, type PeerTrunk, type RenderOptions } from "./options";
import { ConfigSyntaxError, include, renderConfigFile, section, setting, type ConfigSection } from "./writer";

/** PJSIP endpoint, AOR and identify section of each trunk, included by pjsip.conf. */
export const PJSIP_TRUNKS_FILE = "pjsip_trunks.conf";

/** Digest auth sections of the PJSIP trunks, with their passwords. */
export const PJSIP_TRUNK_AUTH_FILE = "pjsip_auth_trunks.conf";

/** IAX2 peer section of each trunk, included by iax.conf. */
export const IAX_TRUNKS_FILE = "iax_trunks.conf";

/** Secrets of the IAX2 trunks, appended to their sections. */
export const IAX_TRUNK_SECRETS_FILE = "iax_secrets_trunks.conf";

/** TLS transport of the trunks; PJSIP binds it only at start. */
export const PJSIP_TRUNK_TLS_TRANSPORT_FILE = "pjsip_transport_tls.conf";

/** PEM files of trunk TLS, in /etc/asterisk: the CA certificate, and the site's certificate and key (secret). */
export const TRUNK_TLS_CA_FILE = "trunk_tls_ca.pem";
export const TRUNK_TLS_CERTIFICATE_FILE = "trunk_tls_cert.pem";
export const TRUNK_TLS_KEY_FILE = "trunk_tls_key.pem";

/** PJSIP transport section of trunk TLS. */
export const TLS_TRANSPORT = "transport-tls";

const CONFIG_DIRECTORY = "/etc/asterisk";

/**
 * Seconds between OPTIONS requests to a peer site, and seconds without a reply after which
 * its PJSIP trunk counts as down. A dead peer is known within about 7 s, and from then on
 * Dial fails at once (CHANUNAVAIL), so calls move to IAX2 without waiting for SIP timers.
 */
export const TRUNK_QUALIFY_SECONDS = 5;
export const TRUNK_QUALIFY_TIMEOUT_SECONDS = 2;

/**
 * IAX2 qualify settings of a trunk, in milliseconds. A peer that takes longer than
 * IAX_TRUNK_MAX_MS to reply to a poke is unreachable, and chan_iax2 then fails calls to it at once.
 * Pokes go every IAX_TRUNK_POKE_OK_MS while the peer replies, every IAX_TRUNK_POKE_DOWN_MS while it does not.
 */
export const IAX_TRUNK_MAX_MS = 2000;
export const IAX_TRUNK_POKE_OK_MS = 5000;
export const IAX_TRUNK_POKE_DOWN_MS = 2000;

/** Seconds a trunk call may ring before it is given up; the peer's own timers end it sooner. */
export const TRUNK_RING_SECONDS = 120;

/** Channel variable set on calls that arrive over a trunk: the code of the site they come from. */
export const TRUNK_ORIGIN_VARIABLE = "TRUNK_ORIGIN";

/** Name of the trunk to a peer site, in pjsip_trunks.conf and iax_trunks.conf, e.g. `trunk-tabasco`. */
export function trunkName(peerCode: string): string {
  if (!/^[a-z0-9-]+$/.test(peerCode)) {
    throw new ConfigSyntaxError(`site code "${peerCode}" cannot name a trunk: expected lower-case letters, digits and "-".`);
  }
  return `trunk-${peerCode}`;
}

/** PJSIP auth section of the trunk to a peer site. */
export function trunkAuthSection(peerCode: string): string {
  return `${trunkName(peerCode)}-auth`;
}

/**
 * User name that both sites of a pair present, with the two codes in alphabetical order, e.g.
 * `trunk-mochis-tabasco`: the SIP digest user name of the pair's trunk.
 */
export function trunkPairName(siteCode: string, peerCode: string): string {
  const [first, second] = [siteCode, peerCode].sort();
  return `trunk-${first}-${second}`;
}

/** Context where calls from a peer site's trunks start, e.g. `from-trunk-tabasco-mochis` at tabasco. */
export function trunkInboundContext(site: Site, peerCode: string): string {
  return `from-trunk-${site.code}-${peerCode}`;
}

/** A peer site with the data its trunks need. */
export interface TrunkPeer extends PeerSite {
  readonly trunk: PeerTrunk;
}

/** Returns the peers that have trunk data, sorted by site code, so reordered stack files change nothing. */
export function trunkPeers(options: RenderOptions | undefined): TrunkPeer[] {
  return [...(options?.peers ?? [])].filter((peer): peer is TrunkPeer => peer.trunk !== undefined).sort(comparePeers);
}

/**
 * Renders pjsip_trunks.conf with three sections per peer site. The endpoint accepts calls only
 * from the peer's address and only with the pair's digest password. The AOR has the peer's
 * fixed contact, qualified every few seconds. The identify section maps the peer's address to the endpoint.
 */
export function renderPjsipTrunksConf(model: SiteModel, options?: RenderOptions): string {
  const sections = trunkPeers(options).flatMap((peer) => pjsipTrunkSections(model, peer, options));
  return renderConfigFile({
    origin: origin(model, "trunks"),
    description: "PJSIP trunks to the other sites of the project.",
    blocks: [include(PJSIP_TRUNK_TLS_TRANSPORT_FILE, ["TLS transport of the trunks, when enabled; changing it needs a restart."]), ...sections],
  });
}

/** True when the trunk to `peer` uses TLS and SRTP: both sites enable trunk TLS. */
export function usesTls(peer: TrunkPeer, options: RenderOptions | undefined): boolean {
  return options?.trunkTls !== undefined && peer.trunk.tlsPort !== undefined;
}

/**
 * Renders pjsip_transport_tls.conf: with trunk TLS on, a TLS transport on the site's address
 * that presents the site's certificate and accepts only peers whose certificate the CA signed.
 * Without it, the file has no section.
 */
export function renderPjsipTrunkTransportConf(model: SiteModel, options?: RenderOptions): string {
  const tls = options?.trunkTls;
  const blocks =
    tls === undefined
      ? []
      : [
          section(TLS_TRANSPORT, [
            setting("type", "transport"),
            setting("protocol", "tls"),
            setting("bind", `${model.site.address}:${tls.port}`),
            setting("ca_list_file", `${CONFIG_DIRECTORY}/${TRUNK_TLS_CA_FILE}`),
            setting("cert_file", `${CONFIG_DIRECTORY}/${TRUNK_TLS_CERTIFICATE_FILE}`),
            setting("priv_key_file", `${CONFIG_DIRECTORY}/${TRUNK_TLS_KEY_FILE}`),
            setting("method", "tlsv1_2"),
            // Both ends present a certificate, and each checks the other's against the CA.
            setting("verify_server", "yes"),
            setting("verify_client", "yes"),
            setting("require_client_cert", "yes"),
          ]),
        ];
  return renderConfigFile({
    origin: origin(model, "trunks"),
    description: "TLS transport of the trunks to other sites, bound when Asterisk starts.",
    blocks,
  });
}

/** Returns the CA certificate of trunk TLS, or an empty file when trunk TLS is off. */
export function renderTrunkTlsCa(options?: RenderOptions): string {
  return options?.trunkTls?.ca ?? "";
}

/** Returns the site's trunk TLS certificate or key, or an empty file when trunk TLS is off. */
export function renderTrunkTlsCredential(model: SiteModel, secrets: SiteSecrets, options: RenderOptions | undefined, part: "certificate" | "key"): string {
  if (options?.trunkTls === undefined) {
    return "";
  }
  const credentials = secrets.trunkTlsCredentials;
  if (credentials === undefined || credentials[part] === "") {
    throw new ConfigSyntaxError(`Site ${model.site.code} enables trunk TLS but has no ${part}; set keyFile and certificateFile in inova-pbx:trunkTls.`);
  }
  return credentials[part];
}

function pjsipTrunkSections(model: SiteModel, peer: TrunkPeer, options: RenderOptions | undefined): ConfigSection[] {
  const name = trunkName(peer.code);
  const { address, sipPort, tlsPort } = checkedTrunk(peer);
  const tls = usesTls(peer, options);
  const media = tls ? [setting("media_encryption", "sdes"), setting("media_encryption_optimistic", "no")] : [];
  const contact = tls ? `sip:${address}:${tlsPort};transport=tls` : `sip:${address}:${sipPort}`;
  return [
    section(
      name,
      [
        setting("type", "endpoint"),
        setting("transport", tls ? TLS_TRANSPORT : SIP_TRANSPORT),
        setting("context", trunkInboundContext(model.site, peer.code)),
        setting("disallow", "all"),
        ...CODECS.map((codec) => setting("allow", codec)),
        setting("aors", name),
        // The peer must authenticate every request, and this site uses the same credentials when the peer challenges it.
        setting("auth", trunkAuthSection(peer.code)),
        setting("outbound_auth", trunkAuthSection(peer.code)),
        setting("language", model.site.language),
        setting("direct_media", "no"),
        setting("dtmf_mode", "rfc4733"),
        ...media,
        setting("deny", "0.0.0.0/0.0.0.0"),
        setting("permit", `${address}/255.255.255.255`),
      ],
      { comments: [`Trunk to site ${peer.code} (${peer.name}), access code ${peer.accessCode}.`] },
    ),
    section(name, [
      setting("type", "aor"),
      setting("contact", contact),
      setting("qualify_frequency", TRUNK_QUALIFY_SECONDS),
      setting("qualify_timeout", TRUNK_QUALIFY_TIMEOUT_SECONDS),
    ]),
    section(name, [setting("type", "identify"), setting("endpoint", name), setting("match", address)]),
  ];
}

/** Renders pjsip_auth_trunks.conf: the digest credentials of each PJSIP trunk. */
export function renderPjsipTrunkAuthConf(model: SiteModel, secrets: SiteSecrets, options?: RenderOptions): string {
  const sections = trunkPeers(options).map((peer) =>
    section(trunkAuthSection(peer.code), [
      setting("type", "auth"),
      setting("auth_type", "digest"),
      setting("username", trunkPairName(model.site.code, peer.code)),
      setting("password", trunkPasswords(model, secrets, peer).sip),
    ]),
  );
  return renderConfigFile({
    origin: origin(model, "trunks"),
    description: "Authentication of the PJSIP trunks to the other sites. Contains passwords: handle as a secret.",
    blocks: sections,
  });
}

/**
 * Renders iax_trunks.conf: per peer site a `type=friend` peer at the peer's fixed address. It
 * calls out as `trunk-<this site>`, the section name the peer gives this site, and accepts calls
 * only from the peer's address with MD5 authentication.
 */
export function renderIaxTrunksConf(model: SiteModel, options?: RenderOptions): string {
  const sections = trunkPeers(options).map((peer) => {
    const { address, iaxPort } = checkedTrunk(peer);
    return section(
      trunkName(peer.code),
      [
        setting("type", "friend"),
        setting("host", address),
        setting("port", iaxPort),
        setting("username", trunkName(model.site.code)),
        setting("context", trunkInboundContext(model.site, peer.code)),
        setting("language", model.site.language),
        setting("disallow", "all"),
        ...CODECS.map((codec) => setting("allow", codec)),
        setting("auth", "md5"),
        setting("requirecalltoken", "yes"),
        setting("deny", "0.0.0.0/0.0.0.0"),
        setting("permit", `${address}/255.255.255.255`),
        setting("qualify", IAX_TRUNK_MAX_MS),
        setting("qualifyfreqok", IAX_TRUNK_POKE_OK_MS),
        setting("qualifyfreqnotok", IAX_TRUNK_POKE_DOWN_MS),
        setting("transfer", "no"),
      ],
      { comments: [`Trunk to site ${peer.code} (${peer.name}), used when its PJSIP trunk is down.`] },
    );
  });
  return renderConfigFile({
    origin: origin(model, "trunks"),
    description: "IAX2 trunks to the other sites of the project.",
    blocks: sections,
  });
}

/** Renders iax_secrets_trunks.conf: each IAX2 trunk's secret, appended to its section. */
export function renderIaxTrunkSecretsConf(model: SiteModel, secrets: SiteSecrets, options?: RenderOptions): string {
  const sections = trunkPeers(options).map((peer) =>
    section(trunkName(peer.code), [setting("secret", trunkPasswords(model, secrets, peer).iax)], { appends: true }),
  );
  return renderConfigFile({
    origin: origin(model, "trunks"),
    description: "Secrets of the IAX2 trunks to the other sites. Contains passwords: handle as a secret.",
    blocks: sections,
  });
}

function trunkPasswords(model: SiteModel, secrets: SiteSecrets, peer: PeerSite): TrunkPasswords {
  const passwords = secrets.trunkPasswords?.[peer.code];
  if (passwords === undefined || passwords.sip === "" || passwords.iax === "") {
    throw new ConfigSyntaxError(
      `Site ${model.site.code} has no trunk passwords for site ${peer.code}; derive them from the company secret with deriveTrunkPasswords().`,
    );
  }
  return passwords;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function checkedTrunk(peer: TrunkPeer): PeerTrunk {
  const { address, sipPort, iaxPort } = peer.trunk;
  const match = IPV4.exec(address);
  if (match === null || match.slice(1).some((octet) => Number(octet) > 255)) {
    throw new ConfigSyntaxError(`address "${address}" of site ${peer.code} is invalid: expected an IPv4 address such as 127.0.82.1.`);
  }
  for (const [what, port] of [
    ["SIP", sipPort],
    ["IAX2", iaxPort],
    ["TLS", peer.trunk.tlsPort ?? 1],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigSyntaxError(`${what} port ${port} of site ${peer.code} is invalid: expected 1 to 65535.`);
    }
  }
  return peer.trunk;
}
