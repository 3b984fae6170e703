import { describe, expect, it } from "vitest";

import { renderSiteConfig, type RenderedSiteConfig } from "../../../components/asterisk";
import type { RawCarrier } from "../../../components/model/raw";
import { loadSite } from "../../../components/model/load";
import type { SiteModel } from "../../../components/model/types";
import * as path from "node:path";
import { parseConf, sectionsNamed, value, values } from "../../support/asterisk-conf-parser";
import { readStackConfig } from "../../support/stack-files";
import { MODELS, peersOf, secretsOf, type SiteCode } from "./fixtures";

const REPO_DIR = path.resolve(__dirname, "../../..");

const CARRIER_PASSWORD = "Carrier-Issued-7731";

function modelWithCarrier(code: SiteCode, carrier: RawCarrier): SiteModel {
  const raw = readStackConfig(REPO_DIR, code);
  raw.carrier = carrier;
  return loadSite(code, raw, { projectDir: REPO_DIR });
}

function render(model: SiteModel, code: SiteCode): RenderedSiteConfig {
  return renderSiteConfig(model, { ...secretsOf(model), carrierPassword: CARRIER_PASSWORD }, { peers: peersOf(code) });
}

/** Lines of one context of extensions.conf, without its comments. */
function contextLines(extensionsConf: string, context: string): string[] {
  const start = extensionsConf.indexOf(`[${context}]\n`);
  if (start === -1) {
    return [];
  }
  const body = extensionsConf.slice(start + context.length + 3);
  const end = body.search(/^(; .*\n)*\[/m);
  return (end === -1 ? body : body.slice(0, end)).split("\n").filter((line) => line !== "" && !line.startsWith(";"));
}

const mochis = modelWithCarrier("mochis", { address: "127.0.103.2", username: "inova-mochis", numbering: "mexico" });
const silicon = modelWithCarrier("silicon", {
  address: "127.0.103.2",
  port: 5080,
  username: "inova-silicon",
  numbering: "nanp",
  outboundPrefix: "9",
  emergencyNotify: "2000",
});

describe("pjsip_carrier.conf", () => {
  it("accepts calls only from the carrier's address", () => {
    const { sections } = parseConf(render(mochis, "mochis").files["pjsip_carrier.conf"]);
    const [endpoint] = sectionsNamed(sections, "carrier", "endpoint");
    expect(value(endpoint, "identify_by")).toBe("ip");
    expect(values(endpoint, "deny")).toEqual(["0.0.0.0/0.0.0.0"]);
    expect(values(endpoint, "permit")).toEqual(["127.0.103.2/255.255.255.255"]);
    expect(value(endpoint, "context")).toBe("from-carrier-mochis");
    expect(value(endpoint, "auth")).toBe("carrier-auth");
    expect(value(endpoint, "outbound_auth")).toBe("carrier-auth");
    const [identify] = sectionsNamed(sections, "carrier-identify", "identify");
    expect(value(identify, "match")).toBe("127.0.103.2");
  });

  it("points the AOR at the carrier's port", () => {
    const { sections } = parseConf(render(silicon, "silicon").files["pjsip_carrier.conf"]);
    const [aor] = sectionsNamed(sections, "carrier", "aor");
    expect(value(aor, "contact")).toBe("sip:127.0.103.2:5080");
  });

  it("keeps the password in the secret file", () => {
    const rendered = render(mochis, "mochis");
    expect(rendered.files["pjsip_carrier.conf"]).not.toContain(CARRIER_PASSWORD);
    expect(parseConf(rendered.files["pjsip_carrier.conf"]).includes).toEqual(["pjsip_carrier_auth.conf"]);
    const [auth] = sectionsNamed(parseConf(rendered.secretFiles["pjsip_carrier_auth.conf"]).sections, "carrier-auth", "auth");
    expect(value(auth, "username")).toBe("inova-mochis");
    expect(value(auth, "password")).toBe(CARRIER_PASSWORD);
  });

  it("has no sections without a carrier", () => {
    const rendered = render(MODELS.tabasco, "tabasco");
    expect(parseConf(rendered.files["pjsip_carrier.conf"]).sections).toEqual([]);
    expect(parseConf(rendered.secretFiles["pjsip_carrier_auth.conf"]).sections).toEqual([]);
    expect(parseConf(rendered.files["pjsip.conf"]).includes).toContain("pjsip_carrier.conf");
  });

  it("rejects a carrier without a password", () => {
    expect(() => renderSiteConfig(mochis, secretsOf(mochis), { peers: peersOf("mochis") })).toThrow(
      "Site mochis has a carrier but no carrier password; set it with `pulumi config set --secret carrierPassword`.",
    );
  });
});

describe("carrier dialplan", () => {
  it("sends the public number to the first IVR", () => {
    const lines = contextLines(render(mochis, "mochis").files["extensions.conf"], "from-carrier-mochis");
    expect(lines).toEqual([
      "include => reject-unknown-mochis",
      "exten => 6688197328,1,NoOp(Call from the carrier to the public number)",
      "same => n,Goto(ivr-mochis-199,s,1)",
    ]);
  });

  it("dials 10-digit numbers after the prefix 0 with the public caller ID", () => {
    const lines = contextLines(render(mochis, "mochis").files["extensions.conf"], "national-mochis");
    expect(lines.filter((line) => line.startsWith("exten"))).toEqual(["exten => _0[2-9]XXXXXXXXX,1,NoOp(National call through the carrier)"]);
    expect(lines).toContain("same => n,Set(CALLERID(num)=6688197328)");
    expect(lines).toContain("same => n,Dial(PJSIP/${EXTEN:1}@carrier,120)");
  });

  it("dials 10 digits and 1 + 10 digits in the NANP", () => {
    const lines = contextLines(render(silicon, "silicon").files["extensions.conf"], "national-silicon");
    expect(lines.filter((line) => line.startsWith("exten"))).toEqual([
      "exten => _9[2-9]XX[2-9]XXXXXX,1,NoOp(National call through the carrier)",
      "exten => _91[2-9]XX[2-9]XXXXXX,1,NoOp(National call through the carrier)",
    ]);
  });

  it("routes national numbers before unknown numbers", () => {
    const lines = contextLines(render(mochis, "mochis").files["extensions.conf"], "internal-routes-mochis");
    const includes = lines.filter((line) => line.startsWith("include"));
    expect(includes.indexOf("include => national-mochis")).toBeGreaterThan(-1);
    expect(includes.indexOf("include => national-mochis")).toBeLessThan(includes.indexOf("include => unknown-number-mochis"));
  });

  it("sends 911 past the call limit", () => {
    const lines = contextLines(render(mochis, "mochis").files["extensions.conf"], "from-internal-mochis");
    expect(lines[0]).toBe("exten => 911,1,Goto(emergency-mochis,911,1)");
  });

  it("dials 911 at the carrier with the public caller ID", () => {
    const lines = contextLines(render(mochis, "mochis").files["extensions.conf"], "emergency-mochis");
    expect(lines).toContain("same => n,Set(CALLERID(num)=6688197328)");
    expect(lines).toContain("same => n,Dial(PJSIP/911@carrier,120)");
    expect(lines.some((line) => line.includes("Originate"))).toBe(false);
  });

  it("notifies the front desk before dialing 911", () => {
    const lines = contextLines(render(silicon, "silicon").files["extensions.conf"], "emergency-silicon");
    const originate = lines.findIndex((line) => line.includes("Originate("));
    const dial = lines.indexOf("same => n,Dial(PJSIP/911@carrier,120)");
    expect(lines[originate]).toBe(
      "same => n,Originate(Local/${CALLERID(num)}@emergency-notify-silicon,exten,emergency-notice-silicon,${CALLERID(num)},1,60,a)",
    );
    expect(originate).toBeLessThan(dial);
    const notify = contextLines(render(silicon, "silicon").files["extensions.conf"], "emergency-notify-silicon");
    expect(notify).toContain("same => n,Dial(PJSIP/2000,60)");
    const notice = contextLines(render(silicon, "silicon").files["extensions.conf"], "emergency-notice-silicon");
    expect(notice).toContain("same => n,SayDigits(${EXTEN})");
  });

  it("tells the caller when the site has no carrier", () => {
    const rendered = render(MODELS.tabasco, "tabasco");
    const lines = contextLines(rendered.files["extensions.conf"], "emergency-tabasco");
    expect(lines).toEqual([
      "exten => 911,1,NoOp(Emergency call without a carrier)",
      "same => n,Set(CHANNEL(language)=es)",
      "same => n,Progress()",
      "same => n,Playback(/usr/share/asterisk/sounds/inova/emergencia-sin-linea&/usr/share/asterisk/sounds/inova/emergencia-sin-linea,noanswer)",
      "same => n,Hangup(34)",
    ]);
    expect(contextLines(rendered.files["extensions.conf"], "national-tabasco")).toEqual([]);
    expect(rendered.files["extensions.conf"]).not.toContain("national-tabasco");
  });
});
