// indications.conf: the call progress tones Asterisk plays (dial, ringback, busy, ...).

import type { SiteModel } from "../model/types";
import { origin } from "./names";
import { renderConfigFile, section, setting, type ConfigSection } from "./writer";

/** Tone plan of one country: each tone is an Asterisk tone list (`freq[+freq]/ms,...`). */
interface TonePlan {
  readonly code: string;
  readonly description: string;
  /** Ring cadence in ms, on and off. */
  readonly ringCadence: readonly number[];
  readonly tones: Readonly<Record<string, string>>;
}

/** Information tone (special information tone, ITU-T Q.35): 950, 1400 and 1800 Hz, 330 ms each. */
const SPECIAL_INFORMATION_TONE = "950/330,0/30,1400/330,0/30,1800/330,0/1000";

/** Tone plans: Mexico uses 425 Hz tones; the United States the North American precise tone plan. */
export const TONE_PLANS: readonly TonePlan[] = [
  {
    code: "mx",
    description: "Mexico",
    ringCadence: [2000, 4000],
    tones: {
      dial: "425",
      ring: "425/1000,0/4000",
      busy: "425/250,0/250",
      congestion: "425/250,0/250",
      callwaiting: "425/200,0/600,425/200,0/10000",
      record: "1400/500,0/15000",
      info: SPECIAL_INFORMATION_TONE,
    },
  },
  {
    code: "us",
    description: "United States",
    ringCadence: [2000, 4000],
    tones: {
      dial: "350+440",
      ring: "440+480/2000,0/4000",
      busy: "480+620/500,0/500",
      congestion: "480+620/250,0/250",
      callwaiting: "440/300,0/10000",
      record: "1400/500,0/15000",
      info: SPECIAL_INFORMATION_TONE,
    },
  },
];

/** IANA zones of Mexico; every other zone gets the United States tones. */
const MEXICAN_ZONES = new Set([
  "America/Bahia_Banderas",
  "America/Cancun",
  "America/Chihuahua",
  "America/Ciudad_Juarez",
  "America/Hermosillo",
  "America/Matamoros",
  "America/Mazatlan",
  "America/Merida",
  "America/Mexico_City",
  "America/Monterrey",
  "America/Ojinaga",
  "America/Tijuana",
]);

/**
 * Returns the tone plan country of the site, chosen from its time zone.
 * NOTE: the site model has no country; zones outside Mexico get the United States plan.
 */
export function toneCountry(timezone: string): string {
  return MEXICAN_ZONES.has(timezone) ? "mx" : "us";
}

/** Renders indications.conf with the site's country as default and both tone plans. */
export function renderIndicationsConf(model: SiteModel): string {
  return renderConfigFile({
    origin: origin(model, "indications"),
    description: "Call progress tones.",
    blocks: [section("general", [setting("country", toneCountry(model.site.timezone))]), ...TONE_PLANS.map(planSection)],
  });
}

function planSection(plan: TonePlan): ConfigSection {
  return section(plan.code, [
    setting("description", plan.description),
    setting("ringcadence", plan.ringCadence.join(",")),
    ...Object.entries(plan.tones).map(([name, tone]) => setting(name, tone)),
  ]);
}
