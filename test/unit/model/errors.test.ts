import { describe, expect, it } from "vitest";
import { SiteValidationError } from "../../../components/model/errors";
import { loadProjectSites, loadSite } from "../../../components/model/load";
import { assertValidSite } from "../../../components/model/validate";
import { load, peerSites, readStackConfig, REPO_DIR, validRaw } from "./fixtures";

function caught(action: () => void): SiteValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof SiteValidationError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected a SiteValidationError");
}

describe("SiteValidationError", () => {
  it("words a single problem in the singular", () => {
    const error = new SiteValidationError("mochis", [{ path: "inova-pbx:site.address", code: "E_ADDRESS_FORMAT", message: "bad." }]);
    expect(error.message).toBe('Site "mochis" has 1 invalid setting in Pulumi.mochis.yaml:\n  - inova-pbx:site.address: bad. [E_ADDRESS_FORMAT]');
    expect(error.name).toBe("SiteValidationError");
    expect(error.site).toBe("mochis");
    expect(error.stackFile).toBe("Pulumi.mochis.yaml");
  });

  it("passes a valid site", () => {
    expect(() => assertValidSite(load(validRaw()), { projectDir: REPO_DIR, sites: peerSites() })).not.toThrow();
  });

  it("lists several problems at once in stack-file order", () => {
    const raw = validRaw();
    raw.ivrs![0].options[1].digit = "1";
    raw.ringGroups![0].members = ["100", "109"];
    raw.extensions![2].name = "Facturación; cobros";
    raw.site!.timezone = "America/Mochis";
    raw.site!.address = "127.0.85.1";
    const model = load(raw);
    const error = caught(() =>
      assertValidSite(model, {
        projectDir: REPO_DIR,
        sites: peerSites(),
        secrets: { extensionPasswords: { "101": "inova2024" }, voicemailPins: { "102": "1111" } },
      }),
    );

    expect(error.problems.map((problem) => problem.code)).toEqual([
      "E_TIMEZONE",
      "E_DUPLICATE_ADDRESS",
      "E_SYNTAX_CHARACTER",
      "E_UNKNOWN_MEMBER",
      "E_DUPLICATE_DIGIT",
      "E_WEAK_PASSWORD",
      "E_WEAK_PIN",
    ]);
    expect(error.message).toBe(
      [
        'Site "alpha" has 7 invalid settings in Pulumi.alpha.yaml:',
        '  - inova-pbx:site.timezone: time zone "America/Mochis" is not a valid IANA time zone. Use a name such as America/Mazatlan. [E_TIMEZONE]',
        '  - inova-pbx:site.address: address "127.0.85.1" is already used by site beta (Pulumi.beta.yaml); give each site its own address, e.g. 127.0.84.1. [E_DUPLICATE_ADDRESS]',
        '  - inova-pbx:extensions[2].name: name "Facturación; cobros" contains ";", which starts a comment in Asterisk configuration files; remove it or use another character such as "-". [E_SYNTAX_CHARACTER]',
        '  - inova-pbx:ringGroups[0].members[1]: member "109" is not an extension of this site; use a number from inova-pbx:extensions or add the extension. [E_UNKNOWN_MEMBER]',
        '  - inova-pbx:ivrs[0].options[1].digit: digit "1" is already used by option "Soporte" at inova-pbx:ivrs[0].options[0]; give each option its own digit. [E_DUPLICATE_DIGIT]',
        '  - inova-pbx:extensionPasswords["101"]: the password set for extension 101 is weak: it is shorter than 16 characters, it uses fewer than 3 of the 4 character classes, it contains a word of the common-password list. Set a password of at least 16 characters from at least 3 of lowercase, uppercase, digits and symbols, or remove the setting to have one generated. [E_WEAK_PASSWORD]',
        '  - inova-pbx:voicemailPins["102"]: the voicemail PIN set for extension 102 repeats a single digit. Set 4 to 10 digits that do not repeat one digit or count up or down, or remove the setting to have one generated. [E_WEAK_PIN]',
      ].join("\n"),
    );
    expect(error.message).not.toContain("inova2024");
    expect(error.message).not.toContain("1111");
  });

  it("rejects a stack file that copies another site's settings", () => {
    const raw = readStackConfig("tabasco");
    raw.site = { ...raw.site!, address: "127.0.81.1", accessCode: "81", rtpPorts: { start: 10500, end: 11499 } };
    const model = loadSite("tabasco", raw, { projectDir: REPO_DIR });
    const error = caught(() => assertValidSite(model, { projectDir: REPO_DIR, sites: loadProjectSites(REPO_DIR) }));
    expect(error.problems.map((problem) => `${problem.path} ${problem.code}`)).toEqual([
      "inova-pbx:site.address E_DUPLICATE_ADDRESS",
      "inova-pbx:site.accessCode E_DUPLICATE_ACCESS_CODE",
      "inova-pbx:site.rtpPorts E_RTP_OVERLAP",
    ]);
  });
});
