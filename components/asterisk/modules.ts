// modules.conf: which modules Asterisk loads. Read only when Asterisk starts.

import type { SiteModel } from "../model/types";
import { origin } from "./names";
import type { RenderOptions } from "./options";
import { comment, renderConfigFile, section, setting, type ConfigLine } from "./writer";

/**
 * Modules loaded, grouped by purpose. `autoload = no`, so nothing else loads: no chan_sip
 * leftovers, no app_voicemail_odbc (it conflicts with app_voicemail), no unused listeners.
 * Features (transfers, pickup), Local channels, CDR and the manager are part of the core in
 * Asterisk 22 and need no module.
 */
export const MODULE_GROUPS: readonly { readonly purpose: string; readonly modules: readonly string[] }[] = [
  {
    purpose: "Configuration storage and timing",
    modules: ["res_sorcery_config.so", "res_sorcery_memory.so", "res_sorcery_astdb.so", "res_timing_timerfd.so"],
  },
  {
    purpose: "PJSIP: phones register and call over SIP",
    modules: [
      "res_pjproject.so",
      "res_pjsip.so",
      "res_pjsip_session.so",
      "res_pjsip_authenticator_digest.so",
      "res_pjsip_outbound_authenticator_digest.so",
      "res_pjsip_endpoint_identifier_user.so",
      "res_pjsip_endpoint_identifier_ip.so",
      "res_pjsip_registrar.so",
      "res_pjsip_acl.so",
      "res_pjsip_sdp_rtp.so",
      "res_pjsip_caller_id.so",
      "res_pjsip_diversion.so",
      "res_pjsip_dtmf_info.so",
      "res_pjsip_refer.so",
      "res_pjsip_rfc3326.so",
      "res_pjsip_nat.so",
      "res_pjsip_logger.so",
      "res_pjsip_header_funcs.so",
      "res_pjsip_pubsub.so",
      // res_pjsip_exten_state links against a symbol of res_pjsip_outbound_publish.
      "res_pjsip_outbound_publish.so",
      "res_pjsip_exten_state.so",
      "res_pjsip_pidf_body_generator.so",
      "res_pjsip_xpidf_body_generator.so",
      "res_pjsip_dialog_info_body_generator.so",
      "res_pjsip_mwi.so",
      "res_pjsip_mwi_body_generator.so",
      "chan_pjsip.so",
    ],
  },
  { purpose: "IAX2 phones", modules: ["chan_iax2.so"] },
  { purpose: "Media", modules: ["res_rtp_asterisk.so", "res_musiconhold.so"] },
  {
    purpose: "Bridging and in-call features (transfers)",
    modules: [
      "bridge_simple.so",
      "bridge_native_rtp.so",
      "bridge_holding.so",
      "bridge_builtin_features.so",
      "bridge_builtin_interval_features.so",
    ],
  },
  {
    purpose: "Dialplan and applications",
    // app_stack runs Dial's pre-dial handlers (Gosub and Return).
    modules: ["pbx_config.so", "app_dial.so", "app_playback.so", "app_voicemail.so", "app_directed_pickup.so", "app_stack.so", "app_originate.so"],
  },
  {
    purpose: "Dialplan functions",
    modules: [
      "func_callerid.so",
      "func_cdr.so",
      "func_channel.so",
      "func_cut.so",
      "func_devstate.so",
      "func_dialplan.so",
      "func_groupcount.so",
      "func_hangupcause.so",
      "func_logic.so",
      "func_math.so",
      "func_pjsip_endpoint.so",
      "func_strings.so",
      "func_timeout.so",
    ],
  },
  {
    purpose: "Codecs and file formats (prompts are WAV and SLN16, voicemail WAV49 and WAV)",
    modules: [
      "codec_ulaw.so",
      "codec_alaw.so",
      "codec_gsm.so",
      "codec_a_mu.so",
      "codec_resample.so",
      "format_wav.so",
      "format_wav_gsm.so",
      "format_gsm.so",
      "format_pcm.so",
      "format_sln.so",
    ],
  },
  {
    purpose: "Operations: security events to the log, `channel originate` for tests",
    modules: ["res_security_log.so", "res_clioriginate.so"],
  },
];

/**
 * Modules that write call records to MariaDB (through ODBC) and to a local file. Each declines
 * to load, with an error in the log, unless its configuration file exists (res_odbc.conf,
 * cdr_adaptive_odbc.conf, cdr_custom.conf), so they are loaded only with `callRecords`.
 * cdr_custom needs res_cdrel_custom in Asterisk 22, and res_odbc needs res_odbc_transaction
 * in the list when `autoload = no`.
 */
export const CALL_RECORD_MODULES = {
  purpose: "Call records: the engine is core; these write them to MariaDB and to a local file",
  modules: ["res_odbc_transaction.so", "res_odbc.so", "cdr_adaptive_odbc.so", "res_cdrel_custom.so", "cdr_custom.so"],
} as const;

/** Returns every module that modules.conf loads, in load-list order. */
export function loadedModules(options?: RenderOptions): string[] {
  return moduleGroups(options).flatMap((group) => group.modules);
}

/** Renders modules.conf: `autoload = no` and an explicit load list. */
export function renderModulesConf(model: SiteModel, options?: RenderOptions): string {
  const lines: ConfigLine[] = [setting("autoload", "no")];
  for (const group of moduleGroups(options)) {
    lines.push(comment(group.purpose));
    lines.push(...group.modules.map((module) => setting("load", module)));
  }

  return renderConfigFile({
    origin: origin(model, "modules"),
    description: "Modules to load, read only when Asterisk starts.",
    blocks: [section("modules", lines)],
  });
}

/** SDES-SRTP for the trunks that use TLS, loaded only with `trunkTls`. */
export const TRUNK_TLS_MODULES = {
  purpose: "SRTP media on the trunks that use TLS",
  modules: ["res_srtp.so"],
} as const;

function moduleGroups(options: RenderOptions | undefined): { readonly purpose: string; readonly modules: readonly string[] }[] {
  const groups: { readonly purpose: string; readonly modules: readonly string[] }[] =
    options?.callRecords === true ? [...MODULE_GROUPS, CALL_RECORD_MODULES] : [...MODULE_GROUPS];
  if (options?.trunkTls !== undefined) {
    groups.push(TRUNK_TLS_MODULES);
  }
  return groups;
}
