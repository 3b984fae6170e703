// voicemail.conf and voicemail_boxes.conf: one voicemail box per extension.

import type { Extension, SiteModel, SiteSecrets } from "../model/types";
import { deviceName } from "./devices";
import { origin, sortByNumber, voicemailContext } from "./names";
import { ConfigSyntaxError, include, objectSetting, renderConfigFile, section, setting } from "./writer";

/** The site's boxes with their PINs. */
export const VOICEMAIL_BOXES_FILE = "voicemail_boxes.conf";

/**
 * Renders voicemail.conf: general settings and the site's time zone for message envelopes.
 * The boxes are in voicemail_boxes.conf, because each box line carries its PIN.
 * Messages are kept as WAV49 (GSM in WAV, small) and WAV (8 kHz PCM).
 */
export function renderVoicemailConf(model: SiteModel): string {
  const zone = voicemailContext(model.site);
  return renderConfigFile({
    origin: origin(model, "voicemail"),
    description: "Voicemail: general settings; the boxes are in voicemail_boxes.conf.",
    blocks: [
      section("general", [
        setting("format", "wav49|wav"),
        // No mail server runs: boxes are reached with the voicemail feature codes only.
        setting("attach", "no"),
        setting("maxmsg", 100),
        setting("maxsecs", 180),
        setting("minsecs", 2),
        setting("maxgreet", 60),
        setting("maxlogins", 3),
        setting("skipms", 3000),
        setting("review", "no"),
        setting("operator", "no"),
        setting("saycid", "no"),
        setting("envelope", "yes"),
        setting("sendvoicemail", "no"),
        setting("nextaftercmd", "yes"),
        setting("tz", zone),
      ]),
      section("zonemessages", [
        // Message envelopes give the time in the site's zone, because the container runs in UTC.
        setting(zone, `${model.site.timezone}|'vm-received' Q 'digits/at' IMp`),
      ]),
      include(VOICEMAIL_BOXES_FILE, ["The site's boxes with their PINs, kept out of this file."]),
    ],
  });
}

/** Renders voicemail_boxes.conf: the site's voicemail context with `box => PIN,name` per extension. */
export function renderVoicemailBoxesConf(model: SiteModel, secrets: SiteSecrets): string {
  const boxes = sortByNumber(model.extensions.filter((extension) => extension.voicemail)).map((extension) =>
    objectSetting(deviceName(extension), `${voicemailPin(model, secrets, extension)},${boxName(extension)}`),
  );
  return renderConfigFile({
    origin: origin(model, "voicemail"),
    description: "Voicemail boxes of the site. Contains PINs: handle as a secret.",
    blocks: [section(voicemailContext(model.site), boxes)],
  });
}

function voicemailPin(model: SiteModel, secrets: SiteSecrets, extension: Extension): string {
  const pin = secrets.voicemailPins[extension.number];
  if (pin === undefined || pin === "") {
    throw new ConfigSyntaxError(
      `Site ${model.site.code} has no voicemail PIN for extension ${extension.number}; set voicemailPins.${extension.number} or let it be generated.`,
    );
  }
  if (!/^[0-9]+$/.test(pin)) {
    throw new ConfigSyntaxError(
      `The voicemail PIN of extension ${extension.number} on site ${model.site.code} is invalid: a PIN is typed on a keypad, so use digits only.`,
    );
  }
  return pin;
}

/** Returns the name for a box line, which separates fields with `,` and options with `|`, so the name may contain neither. */
function boxName(extension: Extension): string {
  const match = /[,|]/.exec(extension.name);
  if (match !== null) {
    throw new ConfigSyntaxError(
      `extension ${extension.number} name "${extension.name}" contains '${match[0]}', which separates fields of a voicemail box line; remove it.`,
    );
  }
  return extension.name;
}
