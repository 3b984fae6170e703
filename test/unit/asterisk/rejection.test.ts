// Model data that the configuration cannot carry is rejected with a message naming it.

import { describe, expect, it } from "vitest";

import { peerSitesFromProject, renderSiteConfig } from "../../../components/asterisk";
import { renderIndicationsConf, toneCountry } from "../../../components/asterisk/indications";
import { renderModulesConf } from "../../../components/asterisk/modules";
import type { SiteModel, SiteSecrets } from "../../../components/model/types";
import { parseConf, values } from "../../support/asterisk-conf-parser";
import { MODELS, peersOf, secretsOf } from "./fixtures";

const base = MODELS.tabasco;
const options = { peers: peersOf("tabasco") };

function renameFirstExtension(name: string): SiteModel {
  return { ...base, extensions: base.extensions.map((extension, index) => (index === 0 ? { ...extension, name } : extension)) };
}

function render(model: SiteModel, secrets: SiteSecrets = secretsOf(base)) {
  return renderSiteConfig(model, secrets, options);
}

describe("rejected model data", () => {
  it.each([
    ['"', /contains '"'/],
    ["<", /caller ID/],
    [",", /contains ','/],
    ["|", /contains '\|'/],
    ["Sop\nporte", /line break/],
  ])("extension name with %j", (character, message) => {
    expect(() => render(renameFirstExtension(`Sop${character}orte`))).toThrow(message);
  });

  it("extension name with ';' is escaped in pjsip.conf but rejected by the dialplan", () => {
    expect(() => render(renameFirstExtension("Soporte; Ventas"))).toThrow(/name of extension 300 "Extension 300 Soporte; Ventas" contains ';'/);
  });

  it("ring group name with a comma", () => {
    const model = { ...base, ringGroups: base.ringGroups.map((group) => ({ ...group, name: "Soporte, Ventas" })) };
    expect(() => render(model)).toThrow(/name of ring group 601 .* contains ','/);
  });

  it("missing password", () => {
    const secrets = secretsOf(base);
    const { ["300"]: _removed, ...others } = secrets.extensionPasswords;
    expect(() => render(base, { ...secrets, extensionPasswords: others })).toThrow(
      /Site tabasco has no password for extension 300; set extensionPasswords\.300/,
    );
  });

  it("voicemail PIN with letters", () => {
    const secrets = secretsOf(base);
    expect(() => render(base, { ...secrets, voicemailPins: { ...secrets.voicemailPins, "301": "12ab" } })).toThrow(
      /voicemail PIN of extension 301 on site tabasco is invalid/,
    );
  });

  it("password with a line break", () => {
    const secrets = secretsOf(base);
    expect(() => render(base, { ...secrets, extensionPasswords: { ...secrets.extensionPasswords, "300": "a\nb" } })).toThrow(
      /\[300-auth\] password: the value contains a line break/,
    );
  });

  it("password with ';' is escaped", () => {
    const secrets = secretsOf(base);
    const rendered = render(base, { ...secrets, extensionPasswords: { ...secrets.extensionPasswords, "303": "a;b" } });
    expect(rendered.secretFiles["iax_secrets.conf"]).toContain("secret = a\\;b");
  });

  it("remote IVR option without its peer", () => {
    expect(() => renderSiteConfig(MODELS.mochis, secretsOf(MODELS.mochis))).toThrow(
      /IVR 199 option 5 targets site "tabasco", which is not in the peer list; pass it in RenderOptions.peers/,
    );
  });

  it("ring group member that is not an extension", () => {
    const model = { ...base, ringGroups: [{ ...base.ringGroups[0], members: ["399"] }] };
    expect(() => render(model)).toThrow(/ring group 601 lists member 399, which is not an extension of site tabasco/);
  });

  it("IVR prompt that the site does not deploy", () => {
    const model = { ...base, recordings: base.recordings.filter((recording) => recording.name !== "agotado") };
    expect(() => render(model)).toThrow(/IVR 399 plays recording "agotado", which site tabasco does not deploy/);
  });

  it("greeting band with an invalid time", () => {
    const model = {
      ...base,
      ivrs: base.ivrs.map((ivr) => ({ ...ivr, greetings: [{ from: "6:00", to: "23:59", recording: "ivr-dia" }] })),
    };
    expect(() => render(model)).toThrow(/from time "6:00" is invalid/);
  });

  it("invalid allowed network", () => {
    expect(() => renderSiteConfig(base, secretsOf(base), { ...options, allowedNetworks: ["10.0.0.0/33"] })).toThrow(
      /allowed network "10.0.0.0\/33" is invalid/,
    );
  });

  it("invalid RTP range", () => {
    const model = { ...base, site: { ...base.site, ports: { ...base.site.ports, rtp: { start: 11000, end: 10000 } } } };
    expect(() => render(model)).toThrow(/RTP port range 11000-10000 is invalid/);
  });
});

describe("render options", () => {
  it("allowed networks reach acl.conf and IAX2 peers", () => {
    const rendered = renderSiteConfig(base, secretsOf(base), { ...options, allowedNetworks: ["127.0.0.0/8", "10.1.0.0/16"] });
    expect(values(parseConf(rendered.files["acl.conf"]).sections[0], "permit")).toEqual(["127.0.0.0/8", "10.1.0.0/16"]);
    expect(rendered.files["iax.conf"]).toContain("permit = 10.1.0.0/16");
  });

  it("callRecords loads the record modules", () => {
    const loaded = values(parseConf(renderModulesConf(base, { callRecords: true })).sections[0], "load");
    expect(loaded).toEqual(expect.arrayContaining(["res_odbc.so", "cdr_adaptive_odbc.so", "res_cdrel_custom.so", "cdr_custom.so"]));
    expect(loaded.indexOf("res_cdrel_custom.so")).toBeLessThan(loaded.indexOf("cdr_custom.so"));
  });

  it("peerSitesFromProject skips the site itself and incomplete stacks", () => {
    const peers = peerSitesFromProject(
      [
        { code: "tabasco", stackFile: "Pulumi.tabasco.yaml", name: "Villahermosa", accessCode: "82", ports: {}, ivrNumbers: ["399"] },
        { code: "mochis", stackFile: "Pulumi.mochis.yaml", name: "Los Mochis", accessCode: "81", ports: {}, ivrNumbers: ["199", "198"] },
        { code: "broken", stackFile: "Pulumi.broken.yaml", ports: {}, ivrNumbers: [] },
        { code: "noivr", stackFile: "Pulumi.noivr.yaml", accessCode: "84", ports: {}, ivrNumbers: [] },
      ],
      "tabasco",
    );
    expect(peers).toEqual([
      { code: "mochis", name: "Los Mochis", accessCode: "81", ivrNumber: "199" },
      { code: "noivr", name: "noivr", accessCode: "84" },
    ]);
  });
});

describe("indications", () => {
  it.each([
    ["America/Mazatlan", "mx"],
    ["America/Mexico_City", "mx"],
    ["America/Los_Angeles", "us"],
    ["Europe/Madrid", "us"],
  ])("%s uses the %s tones", (zone, country) => {
    expect(toneCountry(zone)).toBe(country);
  });

  it("defines the default country", () => {
    const sections = parseConf(renderIndicationsConf(base)).sections;
    const country = values(sections[0], "country")[0];
    expect(sections.map((section) => section.name)).toContain(country);
  });
});
