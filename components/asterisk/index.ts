// Asterisk configuration of one site, rendered from its model. Pure functions: no I/O.

import type { SiteModel, SiteSecrets } from "../model/types";
import { renderAclConf } from "./acl";
import { renderAsteriskConf } from "./asterisk-conf";
import { renderCdrConf } from "./cdr";
import { renderCcssConf, renderCelConf, renderPjprojectConf, renderUdptlConf } from "./core-files";
import { renderExtensionsConf } from "./extensions";
import { renderFeaturesConf } from "./features";
import { IAX_BIND_FILE, IAX_SECRETS_FILE, renderIaxBindConf, renderIaxConf, renderIaxSecretsConf } from "./iax";
import { renderIndicationsConf } from "./indications";
import { renderLoggerConf } from "./logger";
import { MANAGER_SECRETS_FILE, renderManagerConf, renderManagerSecrets } from "./manager";
import { renderModulesConf } from "./modules";
import { renderMusicOnHoldConf } from "./musiconhold";
import type { RenderOptions } from "./options";
import { PJSIP_CARRIER_AUTH_FILE, PJSIP_CARRIER_FILE, renderPjsipCarrierAuthConf, renderPjsipCarrierConf } from "./carrier";
import { PJSIP_AUTH_FILE, PJSIP_TRANSPORT_FILE, renderPjsipAuthConf, renderPjsipConf, renderPjsipTransportConf } from "./pjsip";
import { renderRtpConf } from "./rtp";
import {
  IAX_TRUNK_SECRETS_FILE,
  IAX_TRUNKS_FILE,
  PJSIP_TRUNK_AUTH_FILE,
  PJSIP_TRUNK_TLS_TRANSPORT_FILE,
  PJSIP_TRUNKS_FILE,
  renderPjsipTrunkTransportConf,
  renderTrunkTlsCa,
  renderTrunkTlsCredential,
  TRUNK_TLS_CA_FILE,
  TRUNK_TLS_CERTIFICATE_FILE,
  TRUNK_TLS_KEY_FILE,
  renderIaxTrunkSecretsConf,
  renderIaxTrunksConf,
  renderPjsipTrunkAuthConf,
  renderPjsipTrunksConf,
} from "./trunks";
import { renderVoicemailBoxesConf, renderVoicemailConf, VOICEMAIL_BOXES_FILE } from "./voicemail";

export { buildDialplan } from "./extensions";
export { peerSitesFromProject, type PeerSite, type PeerTrunk, type RenderOptions } from "./options";
export { PROMPT_DIRECTORY } from "./names";
export { ConfigSyntaxError } from "./writer";
export { DialplanSyntaxError, DialplanValidationError } from "./dialplan";
export * from "./call-records";

/** The files of /etc/asterisk, keyed by file name. */
export interface RenderedSiteConfig {
  /** Files without secrets: safe to show in previews and diffs. */
  readonly files: Record<string, string>;
  /** Files with passwords or PINs: store and transfer them as secrets. */
  readonly secretFiles: Record<string, string>;
}

/** Action that applies a changed file to a running Asterisk. */
export type ApplyMode =
  | { readonly kind: "restart"; readonly reason: string }
  /** `command` is an Asterisk CLI command, run with `asterisk -rx`. */
  | { readonly kind: "reload"; readonly command: string };

interface FileSpec {
  readonly secret: boolean;
  readonly apply: ApplyMode;
  readonly render: (model: SiteModel, secrets: SiteSecrets, options: RenderOptions | undefined) => string;
}

const reload = (command: string): ApplyMode => ({ kind: "reload", command });

/** Every rendered file, how it is rendered and how a change to it takes effect. */
const FILES: Readonly<Record<string, FileSpec>> = {
  "asterisk.conf": {
    secret: false,
    apply: { kind: "restart", reason: "directories and systemname are read only at start" },
    render: (model) => renderAsteriskConf(model),
  },
  "modules.conf": {
    secret: false,
    apply: { kind: "restart", reason: "the module list is read only at start" },
    render: (model, _secrets, options) => renderModulesConf(model, options),
  },
  "pjproject.conf": {
    secret: false,
    apply: { kind: "restart", reason: "PJPROJECT reads its startup settings only at start" },
    render: (model) => renderPjprojectConf(model),
  },
  [PJSIP_TRANSPORT_FILE]: {
    secret: false,
    apply: { kind: "restart", reason: "PJSIP binds its transport only at start" },
    render: (model) => renderPjsipTransportConf(model),
  },
  [IAX_BIND_FILE]: {
    secret: false,
    apply: { kind: "restart", reason: "chan_iax2 binds its listener only at start" },
    render: (model) => renderIaxBindConf(model),
  },
  "acl.conf": { secret: false, apply: reload("module reload acl"), render: (model, _secrets, options) => renderAclConf(model, options) },
  "ccss.conf": {
    secret: false,
    apply: { kind: "restart", reason: "call completion settings have no reload" },
    render: (model) => renderCcssConf(model),
  },
  "cdr.conf": { secret: false, apply: reload("module reload cdr"), render: (model) => renderCdrConf(model) },
  "cel.conf": { secret: false, apply: reload("module reload cel"), render: (model) => renderCelConf(model) },
  "extensions.conf": {
    secret: false,
    apply: reload("dialplan reload"),
    render: (model, _secrets, options) => renderExtensionsConf(model, options),
  },
  "features.conf": { secret: false, apply: reload("module reload features"), render: (model) => renderFeaturesConf(model) },
  "iax.conf": { secret: false, apply: reload("iax2 reload"), render: (model, _secrets, options) => renderIaxConf(model, options) },
  "indications.conf": {
    secret: false,
    apply: reload("module reload indications"),
    render: (model) => renderIndicationsConf(model),
  },
  "logger.conf": { secret: false, apply: reload("logger reload"), render: (model) => renderLoggerConf(model) },
  "manager.conf": { secret: false, apply: reload("manager reload"), render: (model) => renderManagerConf(model) },
  "musiconhold.conf": { secret: false, apply: reload("moh reload"), render: (model) => renderMusicOnHoldConf(model) },
  "pjsip.conf": { secret: false, apply: reload("module reload res_pjsip.so"), render: (model) => renderPjsipConf(model) },
  "rtp.conf": { secret: false, apply: reload("module reload res_rtp_asterisk.so"), render: (model) => renderRtpConf(model) },
  "udptl.conf": { secret: false, apply: reload("module reload udptl"), render: (model) => renderUdptlConf(model) },
  "voicemail.conf": { secret: false, apply: reload("voicemail reload"), render: (model) => renderVoicemailConf(model) },
  [IAX_SECRETS_FILE]: {
    secret: true,
    apply: reload("iax2 reload"),
    render: (model, secrets) => renderIaxSecretsConf(model, secrets),
  },
  [MANAGER_SECRETS_FILE]: {
    secret: true,
    apply: reload("manager reload"),
    render: (model, secrets) => renderManagerSecrets(model, secrets),
  },
  [PJSIP_CARRIER_FILE]: { secret: false, apply: reload("module reload res_pjsip.so"), render: (model) => renderPjsipCarrierConf(model) },
  [PJSIP_CARRIER_AUTH_FILE]: {
    secret: true,
    apply: reload("module reload res_pjsip.so"),
    render: (model, secrets) => renderPjsipCarrierAuthConf(model, secrets),
  },
  [PJSIP_AUTH_FILE]: {
    secret: true,
    apply: reload("module reload res_pjsip.so"),
    render: (model, secrets) => renderPjsipAuthConf(model, secrets),
  },
  [PJSIP_TRUNKS_FILE]: {
    secret: false,
    apply: reload("module reload res_pjsip.so"),
    render: (model, _secrets, options) => renderPjsipTrunksConf(model, options),
  },
  [PJSIP_TRUNK_AUTH_FILE]: {
    secret: true,
    apply: reload("module reload res_pjsip.so"),
    render: (model, secrets, options) => renderPjsipTrunkAuthConf(model, secrets, options),
  },
  [PJSIP_TRUNK_TLS_TRANSPORT_FILE]: {
    secret: false,
    apply: { kind: "restart", reason: "PJSIP binds its transport only at start" },
    render: (model, _secrets, options) => renderPjsipTrunkTransportConf(model, options),
  },
  [TRUNK_TLS_CA_FILE]: {
    secret: false,
    apply: { kind: "restart", reason: "PJSIP reads TLS certificates when it creates the transport, at start" },
    render: (_model, _secrets, options) => renderTrunkTlsCa(options),
  },
  [TRUNK_TLS_CERTIFICATE_FILE]: {
    secret: true,
    apply: { kind: "restart", reason: "PJSIP reads TLS certificates when it creates the transport, at start" },
    render: (model, secrets, options) => renderTrunkTlsCredential(model, secrets, options, "certificate"),
  },
  [TRUNK_TLS_KEY_FILE]: {
    secret: true,
    apply: { kind: "restart", reason: "PJSIP reads TLS certificates when it creates the transport, at start" },
    render: (model, secrets, options) => renderTrunkTlsCredential(model, secrets, options, "key"),
  },
  [IAX_TRUNKS_FILE]: { secret: false, apply: reload("iax2 reload"), render: (model, _secrets, options) => renderIaxTrunksConf(model, options) },
  [IAX_TRUNK_SECRETS_FILE]: {
    secret: true,
    apply: reload("iax2 reload"),
    render: (model, secrets, options) => renderIaxTrunkSecretsConf(model, secrets, options),
  },
  [VOICEMAIL_BOXES_FILE]: {
    secret: true,
    apply: reload("voicemail reload"),
    render: (model, secrets) => renderVoicemailBoxesConf(model, secrets),
  },
};

/** Apply mode of each rendered file, keyed by file name. */
export const APPLY_MODES: Readonly<Record<string, ApplyMode>> = Object.fromEntries(
  Object.entries(FILES).map(([file, spec]) => [file, spec.apply]),
);

/** Files that Asterisk reads only at start: a change to any of them needs a restart. */
export const restartRequiredFiles: readonly string[] = Object.keys(FILES)
  .filter((file) => FILES[file].apply.kind === "restart")
  .sort();

/** Files that contain secrets, so they belong in `secretFiles`. */
export const secretFileNames: readonly string[] = Object.keys(FILES)
  .filter((file) => FILES[file].secret)
  .sort();

/**
 * Renders every configuration file of the site. Non-secret files never read `secrets`, so
 * they are identical whatever the secrets are. The output depends only on the inputs: files
 * and sections come out in a fixed order, whatever the order of the stack file's lists.
 */
export function renderSiteConfig(model: SiteModel, secrets: SiteSecrets, options?: RenderOptions): RenderedSiteConfig {
  const files: Record<string, string> = {};
  const secretFiles: Record<string, string> = {};
  for (const name of Object.keys(FILES).sort()) {
    const spec = FILES[name];
    const text = spec.render(model, secrets, options);
    if (spec.secret) {
      secretFiles[name] = text;
    } else {
      files[name] = text;
    }
  }
  return { files, secretFiles };
}

/** True when a change to any of `changedFiles` needs Asterisk to restart rather than reload. */
export function needsRestart(changedFiles: readonly string[]): boolean {
  return changedFiles.some((file) => restartRequiredFiles.includes(file));
}

/**
 * Returns the CLI commands that apply the changed files to a running Asterisk, each once,
 * in the order of the file names. Files that need a restart contribute none.
 */
export function reloadCommands(changedFiles: readonly string[]): string[] {
  const commands: string[] = [];
  for (const file of [...changedFiles].sort()) {
    const apply = APPLY_MODES[file];
    if (apply === undefined) {
      throw new Error(`"${file}" is not a file that renderSiteConfig produces.`);
    }
    if (apply.kind === "reload" && !commands.includes(apply.command)) {
      commands.push(apply.command);
    }
  }
  return commands;
}

/** Renders only the files without secrets; they never depend on the secrets' values. */
export function renderPublicFiles(model: SiteModel, options?: RenderOptions): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of Object.keys(FILES).sort()) {
    const spec = FILES[name];
    if (!spec.secret) {
      files[name] = spec.render(model, NO_SECRETS, options);
    }
  }
  return files;
}

const NO_SECRETS: SiteSecrets = { extensionPasswords: {}, voicemailPins: {}, amiPassword: "" };
