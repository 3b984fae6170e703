import { describe, expect, it } from "vitest";

import type { RawCarrier } from "../../../components/model/raw";
import { loadProjectSites } from "../../../components/model/load";
import { check, load, peerSites, readStackConfig, REPO_DIR, validRaw } from "./fixtures";

const PASSWORD = "Carrier-Issued-7731";

function withCarrier(changes: Partial<RawCarrier> = {}) {
  const raw = validRaw();
  raw.carrier = { address: "127.0.103.2", username: "inova-alpha", numbering: "mexico", ...changes };
  return raw;
}

/** Validates the site with a carrier; `password` null leaves the carrier password unset. */
function checkCarrier(changes: Partial<RawCarrier> = {}, password: string | null = PASSWORD) {
  return check(withCarrier(changes), { secrets: password === null ? {} : { carrierPassword: password } });
}

describe("carrier model", () => {
  it("applies the port and prefix defaults", () => {
    expect(load(withCarrier()).carrier).toEqual({
      address: "127.0.103.2",
      port: 5060,
      username: "inova-alpha",
      numbering: "mexico",
      outboundPrefix: "0",
    });
  });

  it("keeps the emergency notification extension", () => {
    expect(load(withCarrier({ emergencyNotify: "102" })).carrier?.emergencyNotify).toBe("102");
  });

  it("is absent without the setting", () => {
    expect(load(validRaw()).carrier).toBeUndefined();
  });
});

describe("carrier validation", () => {
  it("accepts a complete carrier", () => {
    expect(checkCarrier({ emergencyNotify: "100" })).toEqual([]);
  });

  it("accepts prefix 9 beside the emergency number", () => {
    expect(checkCarrier({ outboundPrefix: "9" })).toEqual([]);
  });

  it("rejects a missing password", () => {
    expect(checkCarrier({}, null)).toEqual([
      {
        path: "inova-pbx:carrierPassword",
        code: "E_CARRIER_PASSWORD",
        message:
          "missing carrier password; set the password that the carrier issued with " +
          "`pulumi config set --secret carrierPassword` (it is never written in plain text).",
      },
    ]);
  });

  it("rejects a password that pjsip.conf cannot hold", () => {
    const problems = checkCarrier({}, "pass;word with space");
    expect(problems.map((problem) => problem.code)).toEqual(["E_CARRIER_PASSWORD"]);
    expect(problems[0].message).not.toContain("pass;word");
  });

  it("rejects a password without a carrier", () => {
    expect(check(validRaw(), { secrets: { carrierPassword: PASSWORD } })).toEqual([
      {
        path: "inova-pbx:carrierPassword",
        code: "E_CARRIER_PASSWORD",
        message: "a carrier password is set but inova-pbx:carrier is not; add the carrier setting or remove the password.",
      },
    ]);
  });

  it("rejects an address that is not IPv4", () => {
    expect(checkCarrier({ address: "sip.carrier.example" })).toEqual([
      {
        path: "inova-pbx:carrier.address",
        code: "E_CARRIER_ADDRESS",
        message: 'carrier address "sip.carrier.example" is not an IPv4 address; write the IPv4 address of the carrier\'s SIP server, e.g. 203.0.113.10.',
      },
    ]);
  });

  it.each(["0.0.0.0", "224.0.0.1", "255.255.255.255"])("rejects non-unicast address %s", (address) => {
    const problems = checkCarrier({ address });
    expect(problems.map((problem) => problem.code)).toEqual(["E_CARRIER_ADDRESS"]);
    expect(problems[0].message).toContain("is not a unicast host address");
  });

  it("rejects the site's own address", () => {
    expect(checkCarrier({ address: "127.0.84.1" })).toEqual([
      {
        path: "inova-pbx:carrier.address",
        code: "E_CARRIER_ADDRESS",
        message: 'carrier address "127.0.84.1" is this site\'s own address; write the address of the carrier\'s SIP server.',
      },
    ]);
  });

  it("rejects another site's address", () => {
    expect(checkCarrier({ address: "127.0.85.1" })).toEqual([
      {
        path: "inova-pbx:carrier.address",
        code: "E_CARRIER_ADDRESS",
        message: 'carrier address "127.0.85.1" is the address of site beta (Pulumi.beta.yaml); write the address of the carrier\'s SIP server.',
      },
    ]);
  });

  it("rejects port 0", () => {
    expect(checkCarrier({ port: 0 })).toEqual([
      { path: "inova-pbx:carrier.port", code: "E_CARRIER_PORT", message: "carrier port 0 is out of range; use 1 to 65535, usually 5060." },
    ]);
  });

  it("rejects a user name with a space", () => {
    expect(checkCarrier({ username: "inova alpha" })).toEqual([
      {
        path: "inova-pbx:carrier.username",
        code: "E_CARRIER_USERNAME",
        message: 'carrier user name "inova alpha" is invalid; use 1 to 64 letters, digits, ".", "_", "+" or "-", as the carrier issued it.',
      },
    ]);
  });

  it("rejects a public number outside the numbering plan", () => {
    // 668 000 0001 has exchange 000, which NANP does not assign.
    expect(checkCarrier({ numbering: "nanp" })).toEqual([
      {
        path: "inova-pbx:carrier.numbering",
        code: "E_CARRIER_NUMBERING",
        message:
          'public number "6680000001" of this site is not a national number of the nanp plan (10 digits, as _[2-9]XX[2-9]XXXXXX), ' +
          "so the carrier would reject it as caller ID; correct site.publicNumber or set numbering to the plan of the " +
          "carrier's country (mexico or nanp).",
      },
    ]);
  });

  it("rejects an unknown numbering plan", () => {
    const raw = withCarrier();
    (raw.carrier as unknown as Record<string, unknown>).numbering = "us";
    expect(() => load(raw)).toThrow('inova-pbx:carrier.numbering: "us" is not allowed. Use one of: mexico, nanp. [E_INVALID_VALUE]');
  });

  it("rejects no prefix beside other sites' access codes", () => {
    expect(checkCarrier({ outboundPrefix: "" })).toEqual(
      ["85", "86"].map((code, index) => ({
        path: "inova-pbx:carrier.outboundPrefix",
        code: "E_CARRIER_PREFIX",
        message:
          `national numbers dialed as _[2-9]XXXXXXXXX can start with ${code}, the access code of site ${["beta", "gamma"][index]} ` +
          `(Pulumi.${["beta", "gamma"][index]}.yaml), so the dialplan could not tell them from calls to that site; ` +
          'dial national numbers with a prefix, e.g. outboundPrefix: "0".',
      })),
    );
  });

  it("accepts no prefix in a project of one site", () => {
    expect(check(withCarrier({ outboundPrefix: "" }), { sites: [], secrets: { carrierPassword: PASSWORD } })).toEqual([]);
  });

  it("rejects a prefix that starts an access code", () => {
    const problems = checkCarrier({ outboundPrefix: "8" });
    expect(problems.map((problem) => problem.code)).toEqual(["E_CARRIER_PREFIX", "E_CARRIER_PREFIX"]);
    expect(problems[0].message).toContain("national numbers dialed as _8[2-9]XXXXXXXXX can start with 85, the access code of site beta");
    expect(problems[1].message).toContain("national numbers dialed as _8[2-9]XXXXXXXXX can start with 86, the access code of site gamma");
    expect(problems[0].message).toContain('choose another prefix, e.g. "0".');
  });

  it("rejects a prefix that local numbers start with", () => {
    const problems = checkCarrier({ outboundPrefix: "1" });
    expect(problems.map((problem) => problem.message)).toEqual(
      [
        ["100", 'extension "Soporte"', "inova-pbx:extensions[0].number"],
        ["101", 'extension "Quejas"', "inova-pbx:extensions[1].number"],
        ["102", 'extension "Facturación"', "inova-pbx:extensions[2].number"],
        ["199", 'IVR "IVR"', "inova-pbx:ivrs[0].number"],
      ].map(
        ([number, owner, path]) =>
          `outbound prefix "1" collides with number ${number} of ${owner} at ${path}, because one starts with the other; ` +
          'choose a prefix that no local number starts with, e.g. "0".',
      ),
    );
  });

  it("rejects a ring group number as prefix", () => {
    const problems = checkCarrier({ outboundPrefix: "601" });
    expect(problems.map((problem) => problem.code)).toEqual(["E_CARRIER_PREFIX"]);
    expect(problems[0].message).toContain('collides with number 601 of ring group "Soporte"');
  });

  it("rejects the emergency number as prefix", () => {
    expect(checkCarrier({ outboundPrefix: "911" })).toEqual([
      {
        path: "inova-pbx:carrier.outboundPrefix",
        code: "E_CARRIER_PREFIX",
        message: 'outbound prefix "911" starts with the emergency number 911; choose another prefix, e.g. "0".',
      },
    ]);
  });

  it.each(["00000", "0a", "+"])("rejects malformed prefix %s", (outboundPrefix) => {
    expect(checkCarrier({ outboundPrefix })).toEqual([
      {
        path: "inova-pbx:carrier.outboundPrefix",
        code: "E_CARRIER_PREFIX",
        message: `outbound prefix "${outboundPrefix}" is invalid; use up to 3 digits, e.g. "0", or "" to dial national numbers without a prefix.`,
      },
    ]);
  });

  it("rejects a notified extension that does not exist", () => {
    expect(checkCarrier({ emergencyNotify: "2000" })).toEqual([
      {
        path: "inova-pbx:carrier.emergencyNotify",
        code: "E_EMERGENCY_NOTIFY",
        message: 'emergencyNotify "2000" is not an extension of this site; name the extension of the front desk, e.g. "100".',
      },
    ]);
  });

  it("rejects a ring group as notified extension", () => {
    expect(checkCarrier({ emergencyNotify: "601" }).map((problem) => problem.code)).toEqual(["E_EMERGENCY_NOTIFY"]);
  });

  it("rejects a carrier at a site without IVR", () => {
    const raw = withCarrier();
    raw.ivrs = [];
    expect(check(raw, { secrets: { carrierPassword: PASSWORD } })).toEqual([
      {
        path: "inova-pbx:carrier",
        code: "E_CARRIER_NO_IVR",
        message: "calls to the public number 6680000001 go to the site's first IVR, but the site has none; add an IVR to inova-pbx:ivrs.",
      },
    ]);
  });

  it("reports a secret of the wrong type without its value", () => {
    const raw = { ...withCarrier(), carrierPassword: 12345678 } as unknown as Parameters<typeof load>[0];
    expect(() => load(raw)).toThrow("inova-pbx:carrierPassword: is a number but must be a string");
    expect(() => load(raw)).not.toThrow(/12345678/);
  });

  it("lists carrier problems after the other settings", () => {
    const raw = withCarrier({ port: 0 });
    raw.site = { ...raw.site!, publicNumber: "12" };
    const problems = check(raw, { sites: peerSites(), secrets: { carrierPassword: PASSWORD } });
    expect(problems.map((problem) => problem.path)).toEqual([
      "inova-pbx:site.publicNumber",
      "inova-pbx:carrier.port",
      "inova-pbx:carrier.numbering",
    ]);
  });
});

describe("carrier on the project's stacks", () => {
  const sites = loadProjectSites(REPO_DIR).filter((site) => ["mochis", "tabasco", "silicon"].includes(site.code));
  const plans: Record<string, RawCarrier["numbering"]> = { mochis: "mexico", tabasco: "mexico", silicon: "nanp" };

  function stackWithCarrier(code: string, changes: Partial<RawCarrier> = {}) {
    const raw = readStackConfig(code);
    raw.carrier = { address: "127.0.103.2", username: `inova-${code}`, numbering: plans[code], ...changes };
    return raw;
  }

  it.each(["mochis", "tabasco", "silicon"])("%s accepts a carrier with the default prefix", (code) => {
    expect(check(stackWithCarrier(code), { code, sites, secrets: { carrierPassword: PASSWORD } })).toEqual([]);
  });

  it("silicon accepts front desk 2000 for 911", () => {
    const raw = stackWithCarrier("silicon", { emergencyNotify: "2000" });
    expect(check(raw, { code: "silicon", sites, secrets: { carrierPassword: PASSWORD } })).toEqual([]);
  });

  it("mochis rejects no prefix because of 82 and 83", () => {
    const problems = check(stackWithCarrier("mochis", { outboundPrefix: "" }), { code: "mochis", sites, secrets: { carrierPassword: PASSWORD } });
    expect(problems.map((problem) => problem.message.match(/can start with (\d+)/)?.[1]).sort()).toEqual(["82", "83"]);
  });
});
