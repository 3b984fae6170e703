import { describe, expect, it } from "vitest";
import { check, peerSites, validRaw } from "./fixtures";

function withSite(changes: Record<string, unknown>) {
  const raw = validRaw();
  raw.site = { ...raw.site!, ...changes };
  return raw;
}

describe("site settings", () => {
  it.each(["Alpha", "1site", "site_a"])("rejects stack name %s", (code) => {
    expect(check(validRaw(), { code })).toEqual([
      {
        path: "stack",
        code: "E_SITE_CODE",
        message:
          `stack name "${code}" is invalid; it names Asterisk contexts, trunks and containers, so use up to 32 ` +
          'lowercase letters, digits and "-", starting with a letter, e.g. mochis.',
      },
    ]);
  });

  it.each(["668 819 7328", "+526688197328", "668-819-7328", "12345"])("rejects public number %s", (publicNumber) => {
    expect(check(withSite({ publicNumber }))).toEqual([
      {
        path: "inova-pbx:site.publicNumber",
        code: "E_PUBLIC_NUMBER",
        message: `public number "${publicNumber}" is invalid; write 7 to 15 digits only, without spaces, dashes or "+", e.g. "6688197328".`,
      },
    ]);
  });

  it("rejects an unknown language code", () => {
    expect(check(withSite({ language: "spanish" }))).toEqual([
      {
        path: "inova-pbx:site.language",
        code: "E_LANGUAGE",
        message: 'language "spanish" is invalid; use a sound language code of Asterisk such as es, en or es_MX.',
      },
    ]);
  });

  it("rejects a second HQ", () => {
    const sites = peerSites();
    sites[0] = { ...sites[0], role: "hq" };
    expect(check(validRaw(), { sites })).toEqual([
      {
        path: "inova-pbx:site.role",
        code: "E_DUPLICATE_HQ",
        message:
          'role "hq" is also set by site beta (Pulumi.beta.yaml); only one site can be HQ, because every branch ' +
          "replicates its call records there. Set role: branch on all other sites.",
      },
    ]);
  });

  it("rejects a project without HQ", () => {
    expect(check(withSite({ role: "branch" }))).toEqual([
      {
        path: "inova-pbx:site.role",
        code: "E_NO_HQ",
        message:
          'role is "branch" but no stack of the project has role "hq"; set role: hq on the head-office site, ' +
          "where every branch replicates its call records.",
      },
    ]);
  });
});

describe("site time zone", () => {
  it.each(["America/Mazatlan", "America/Mexico_City", "America/Los_Angeles", "America/Argentina/Buenos_Aires", "Etc/GMT+6", "UTC"])(
    "accepts %s",
    (timezone) => {
      expect(check(withSite({ timezone }))).toEqual([]);
    },
  );

  it("rejects an unknown zone with a suggestion", () => {
    expect(check(withSite({ timezone: "America/Mazatlán" }))).toEqual([
      {
        path: "inova-pbx:site.timezone",
        code: "E_TIMEZONE",
        message: 'time zone "America/Mazatlán" is not a valid IANA time zone. Did you mean "America/Mazatlan"? Use a name such as America/Mazatlan.',
      },
    ]);
  });

  it("rejects an offset", () => {
    expect(check(withSite({ timezone: "-07:00" }))).toEqual([
      {
        path: "inova-pbx:site.timezone",
        code: "E_TIMEZONE",
        message: 'time zone "-07:00" is not a valid IANA time zone. Use a name such as America/Mazatlan.',
      },
    ]);
  });

  it("rejects wrong capitals", () => {
    expect(check(withSite({ timezone: "america/mazatlan" }))).toEqual([
      {
        path: "inova-pbx:site.timezone",
        code: "E_TIMEZONE",
        message: 'time zone "america/mazatlan" has the wrong capitals; zone names are case-sensitive, so write America/Mazatlan.',
      },
    ]);
  });

  it.each([
    ["US/Pacific", "America/Los_Angeles"],
    ["Mexico/BajaSur", "America/Mazatlan"],
    ["Mexico/General", "America/Mexico_City"],
  ])("rejects the alias %s", (timezone, canonical) => {
    expect(check(withSite({ timezone }))).toEqual([
      {
        path: "inova-pbx:site.timezone",
        code: "E_TIMEZONE",
        message: `time zone "${timezone}" is a backward-compatibility alias, not a canonical zone name; use ${canonical}.`,
      },
    ]);
  });
});
