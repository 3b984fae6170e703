// Time zone of a site: a canonical IANA name, spelled as the time zone database spells it.

import { didYouMean } from "../suggest";

/** Areas of the tz database's `backward` file, whose names only alias canonical zones. */
const ALIAS_AREAS = ["US", "Mexico", "Canada", "Brazil", "Chile"];

/**
 * Returns why `zone` cannot serve as the site's time zone, or undefined when it can.
 *
 * The name must be one that `Intl` accepts, spelled with the database's capitals, because
 * Asterisk reads zone files by name and file names on Linux are case-sensitive. It must not
 * be a backward-compatibility alias such as `US/Pacific`, because Debian 13 moved those to
 * the separate tzdata-legacy package. `UTC` is accepted.
 */
export function findTimezoneProblem(zone: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    const known = Intl.supportedValuesOf("timeZone");
    return `time zone "${zone}" is not a valid IANA time zone.${didYouMean(zone, known)} Use a name such as America/Mazatlan.`;
  }

  if (zone === "UTC") {
    return undefined;
  }
  const segments = zone.split("/");
  const wrongCase = zone !== resolved && zone.toLowerCase() === resolved.toLowerCase();
  if (wrongCase || segments.some((segment) => !/^[A-Z]/.test(segment))) {
    const spelling = wrongCase
      ? resolved
      : Intl.supportedValuesOf("timeZone").find((name) => name.toLowerCase() === zone.toLowerCase());
    const fix = spelling === undefined ? "capitalize it as the tz database does, e.g. America/Mazatlan" : `write ${spelling}`;
    return `time zone "${zone}" has the wrong capitals; zone names are case-sensitive, so ${fix}.`;
  }

  // A name without an area, such as EST or Japan, is an alias too.
  if (segments.length === 1 || ALIAS_AREAS.includes(segments[0])) {
    return `time zone "${zone}" is a backward-compatibility alias, not a canonical zone name; use ${resolved}.`;
  }
  return undefined;
}
