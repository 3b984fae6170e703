// Trunks between sites: the rendered PJSIP and IAX2 trunks and the inter-site dialplan, read
// back from the files, checked against golden files, and checked for agreement between the two
// ends of each pair of sites.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { peerSitesFromProject, renderSiteConfig, restartRequiredFiles, secretFileNames, type PeerSite, type RenderedSiteConfig } from "../../../components/asterisk";
import { parseTrunkTls } from "../../../components/model/trunk-tls";
import { loadProjectSites } from "../../../components/model/load";
import type { SiteSecrets } from "../../../components/model/types";
import { deriveAllTrunkPasswords, deriveTrunkPasswords } from "../../../components/trunk-passwords";
import { parseConf, parseDialplan, sectionsNamed, value, values, type ParsedSection } from "../../support/asterisk-conf-parser";
import { MODELS, peersOf, secretsOf, SITE_CODES, type SiteCode } from "./fixtures";

const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");
const GOLDEN_DIR = path.join(__dirname, "golden-trunks");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const COMPANY_SECRET = "unit-test-company-secret-0123456789abcdef";

const ADDRESSES: Readonly<Record<SiteCode, string>> = { mochis: "127.0.81.1", tabasco: "127.0.82.1", silicon: "127.0.83.1" };
const TRUNK_FILES = ["pjsip_trunks.conf", "iax_trunks.conf"];
const TRUNK_SECRET_FILES = ["pjsip_auth_trunks.conf", "iax_secrets_trunks.conf"];

/** Returns the fixture's peers of `code`, with trunks at the reference addresses and default ports. */
function trunkPeersOf(code: SiteCode): PeerSite[] {
  return peersOf(code).map((peer) => ({ ...peer, trunk: { address: ADDRESSES[peer.code as SiteCode], sipPort: 5060, iaxPort: 4569 } }));
}

function trunkSecretsOf(code: SiteCode): SiteSecrets {
  const peers = trunkPeersOf(code).map((peer) => peer.code);
  return { ...secretsOf(MODELS[code]), trunkPasswords: deriveAllTrunkPasswords(COMPANY_SECRET, code, peers) };
}

function render(code: SiteCode, peers: readonly PeerSite[] = trunkPeersOf(code)): RenderedSiteConfig {
  return renderSiteConfig(MODELS[code], trunkSecretsOf(code), { peers });
}

function sections(rendered: RenderedSiteConfig, file: string): ParsedSection[] {
  return parseConf(rendered.files[file] ?? rendered.secretFiles[file]).sections;
}

function only(found: readonly ParsedSection[], what: string): ParsedSection {
  expect(found, what).toHaveLength(1);
  return found[0];
}

/** Contexts of extensions.conf that carry calls between sites, rendered as text. */
function interSiteDialplan(rendered: RenderedSiteConfig, code: SiteCode): string {
  const text = rendered.files["extensions.conf"];
  // Comments above a section header end the previous block, so each block loses its trailing comment lines.
  const blocks = text.split(/\n(?=\[)/).map((block) => block.replace(/(\n;[^\n]*)+\n*$/, "\n"));
  return blocks.filter((block) => /^\[(outbound|from-trunk)-/.test(block)).join("\n");
}

describe.each(SITE_CODES)("trunk golden files of %s", (code) => {
  const rendered = render(code);
  const files: Record<string, string> = {};
  for (const name of [...TRUNK_FILES, ...TRUNK_SECRET_FILES]) {
    files[name] = rendered.files[name] ?? rendered.secretFiles[name];
  }
  files["inter-site-dialplan.conf"] = interSiteDialplan(rendered, code);
  const directory = path.join(GOLDEN_DIR, code);

  if (UPDATE) {
    fs.mkdirSync(directory, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      fs.writeFileSync(path.join(directory, name), text);
    }
  }

  it.each(Object.keys(files).sort())("%s matches its golden file", (name) => {
    expect(files[name]).toBe(fs.readFileSync(path.join(directory, name), "utf8"));
  });
});

describe("PJSIP trunk", () => {
  const rendered = render("mochis");
  const parsed = sections(rendered, "pjsip_trunks.conf");

  it("endpoint accepts only the peer", () => {
    const endpoint = only(sectionsNamed(parsed, "trunk-tabasco", "endpoint"), "endpoint trunk-tabasco");
    expect(value(endpoint, "context")).toBe("from-trunk-mochis-tabasco");
    expect(values(endpoint, "deny")).toEqual(["0.0.0.0/0.0.0.0"]);
    expect(values(endpoint, "permit")).toEqual(["127.0.82.1/255.255.255.255"]);
    expect(value(endpoint, "auth")).toBe("trunk-tabasco-auth");
    expect(value(endpoint, "outbound_auth")).toBe("trunk-tabasco-auth");
    expect(value(endpoint, "dtmf_mode")).toBe("rfc4733");
    expect(values(endpoint, "allow")).toEqual(["ulaw", "alaw", "gsm"]);
  });

  it("AOR contacts the peer and qualifies it", () => {
    const aor = only(sectionsNamed(parsed, "trunk-tabasco", "aor"), "aor trunk-tabasco");
    expect(value(aor, "contact")).toBe("sip:127.0.82.1:5060");
    expect(Number(value(aor, "qualify_frequency"))).toBeGreaterThan(0);
    expect(Number(value(aor, "qualify_frequency"))).toBeLessThanOrEqual(10);
  });

  it("identify maps the peer address", () => {
    const identify = only(sectionsNamed(parsed, "trunk-tabasco", "identify"), "identify trunk-tabasco");
    expect(value(identify, "endpoint")).toBe("trunk-tabasco");
    expect(value(identify, "match")).toBe("127.0.82.1");
  });

  it("pjsip.conf includes trunk files", () => {
    const includes = parseConf(rendered.files["pjsip.conf"]).includes;
    expect(includes).toContain("pjsip_trunks.conf");
    expect(includes).toContain("pjsip_auth_trunks.conf");
  });
});

describe("trunk pair", () => {
  for (const [left, right] of [
    ["mochis", "tabasco"],
    ["mochis", "silicon"],
    ["silicon", "tabasco"],
  ] as const) {
    it(`${left} and ${right} share SIP credentials`, () => {
      const leftAuth = only(sectionsNamed(sections(render(left), "pjsip_auth_trunks.conf"), `trunk-${right}-auth`), "left auth");
      const rightAuth = only(sectionsNamed(sections(render(right), "pjsip_auth_trunks.conf"), `trunk-${left}-auth`), "right auth");
      expect(value(leftAuth, "username")).toBe(value(rightAuth, "username"));
      expect(value(leftAuth, "password")).toBe(value(rightAuth, "password"));
      expect(value(leftAuth, "password")).toMatch(/^[0-9a-f]{48}$/);
    });

    it(`${left} and ${right} name each other in IAX2`, () => {
      const leftPeer = only(sectionsNamed(sections(render(left), "iax_trunks.conf"), `trunk-${right}`), "left peer");
      const rightPeer = only(sectionsNamed(sections(render(right), "iax_trunks.conf"), `trunk-${left}`), "right peer");
      // Each side calls out under the section name that the other side gives it.
      expect(value(leftPeer, "username")).toBe(`trunk-${left}`);
      expect(value(rightPeer, "username")).toBe(`trunk-${right}`);
      expect(value(leftPeer, "host")).toBe(ADDRESSES[right]);
      expect(values(leftPeer, "permit")).toEqual([`${ADDRESSES[right]}/255.255.255.255`]);
      expect(value(leftPeer, "auth")).toBe("md5");
      const leftSecret = only(sectionsNamed(sections(render(left), "iax_secrets_trunks.conf"), `trunk-${right}`), "left secret");
      const rightSecret = only(sectionsNamed(sections(render(right), "iax_secrets_trunks.conf"), `trunk-${left}`), "right secret");
      expect(leftSecret.flags).toEqual(["+"]);
      expect(value(leftSecret, "secret")).toBe(value(rightSecret, "secret"));
    });
  }
});

describe("trunk dialplan", () => {
  const dialplan = parseDialplan(render("mochis").files["extensions.conf"]);

  it("dials PJSIP first, then IAX2", () => {
    const route = dialplan.get("outbound-mochis")?.extensions.get("_82X.");
    expect(route, "route _82X. of outbound-mochis").toBeDefined();
    const dials = route!.priorities.filter((priority) => priority.application.name === "Dial").map((priority) => priority.application.args[0]);
    expect(dials).toEqual(["PJSIP/${EXTEN:2}@trunk-tabasco", "IAX2/trunk-tabasco/${EXTEN:2}"]);
  });

  it("inbound context shows callback number", () => {
    const context = dialplan.get("from-trunk-mochis-tabasco");
    expect(context, "context from-trunk-mochis-tabasco").toBeDefined();
    const applications = context!.extensions.get("_[0-9*#+].")!.priorities.map((priority) => `${priority.application.name}(${priority.application.args.join(",")})`);
    expect(applications).toEqual(["Set(CALLERID(num)=82${CALLERID(num)})", "Set(TRUNK_ORIGIN=tabasco)", "Goto(from-trunk-mochis,${EXTEN},1)"]);
  });

  it("shared trunk context reaches local numbers only", () => {
    expect(dialplan.get("from-trunk-mochis")?.includes).toEqual(["local-mochis", "reject-unknown-mochis"]);
  });

  it("peer without address has no trunk", () => {
    const peers = trunkPeersOf("mochis").map((peer) => (peer.code === "silicon" ? { ...peer, trunk: undefined } : peer));
    const rendered = render("mochis", peers);
    const route = parseDialplan(rendered.files["extensions.conf"]).get("outbound-mochis")?.extensions.get("_83X.");
    expect(route!.priorities.some((priority) => priority.application.name === "Dial")).toBe(false);
    expect(sectionsNamed(sections(rendered, "pjsip_trunks.conf"), "trunk-silicon")).toEqual([]);
  });
});

describe("trunk rendering", () => {
  it("ignores the order of peers", () => {
    const peers = trunkPeersOf("silicon");
    expect(render("silicon", [...peers].reverse())).toEqual(render("silicon", peers));
  });

  it("keeps trunk passwords in secret files", () => {
    const rendered = render("tabasco");
    const passwords = Object.values(trunkSecretsOf("tabasco").trunkPasswords ?? {}).flatMap((pair) => [pair.sip, pair.iax]);
    expect(passwords).toHaveLength(4);
    for (const [name, text] of Object.entries(rendered.files)) {
      for (const password of passwords) {
        expect(text.includes(password), `${name} contains a trunk password`).toBe(false);
      }
    }
    for (const password of passwords) {
      expect(TRUNK_SECRET_FILES.some((name) => rendered.secretFiles[name].includes(password)), "a trunk password in the secret files").toBe(true);
    }
  });

  it("rejects missing trunk passwords", () => {
    const secrets = secretsOf(MODELS.mochis);
    expect(() => renderSiteConfig(MODELS.mochis, secrets, { peers: trunkPeersOf("mochis") })).toThrow(
      "Site mochis has no trunk passwords for site silicon; derive them from the company secret with deriveTrunkPasswords().",
    );
  });

  it("rejects an invalid peer address", () => {
    const peers = trunkPeersOf("mochis").map((peer) => ({ ...peer, trunk: { ...peer.trunk!, address: "127.0.300.1" } }));
    expect(() => render("mochis", peers)).toThrow('address "127.0.300.1" of site silicon is invalid: expected an IPv4 address such as 127.0.82.1.');
  });
});

describe("trunk passwords", () => {
  it("are the same from both ends", () => {
    expect(deriveTrunkPasswords(COMPANY_SECRET, "mochis", "tabasco")).toEqual(deriveTrunkPasswords(COMPANY_SECRET, "tabasco", "mochis"));
  });

  it("differ per pair and purpose", () => {
    const first = deriveTrunkPasswords(COMPANY_SECRET, "mochis", "tabasco");
    const second = deriveTrunkPasswords(COMPANY_SECRET, "mochis", "silicon");
    expect(new Set([first.sip, first.iax, second.sip, second.iax]).size).toBe(4);
  });

  it("reject a trunk to the site itself", () => {
    expect(() => deriveTrunkPasswords(COMPANY_SECRET, "mochis", "mochis")).toThrow("site mochis cannot have a trunk to itself");
  });
});

describe("peers from stack files", () => {
  it("carry trunk addresses and ports", () => {
    const peers = peerSitesFromProject(loadProjectSites(PROJECT_DIR), "mochis");
    expect(peers.map((peer) => [peer.code, peer.trunk])).toEqual([
      ["silicon", { address: "127.0.83.1", sipPort: 5060, iaxPort: 4569 }],
      ["tabasco", { address: "127.0.82.1", sipPort: 5060, iaxPort: 4569 }],
    ]);
  });
});

const CA_PEM = "-----BEGIN CERTIFICATE-----\nQ0EgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
const SITE_PEM = "-----BEGIN CERTIFICATE-----\nU2l0ZSBjZXJ0aWZpY2F0ZQ==\n-----END CERTIFICATE-----\n";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nU0VDUkVULWtleQ==\n-----END PRIVATE KEY-----\n";

/** Renders `code` with trunk TLS on, and with TLS ports for the peers in `tlsPeers`. */
function renderWithTls(code: SiteCode, tlsPeers: readonly string[]): RenderedSiteConfig {
  const peers = trunkPeersOf(code).map((peer) => (tlsPeers.includes(peer.code) ? { ...peer, trunk: { ...peer.trunk!, tlsPort: 5061 } } : peer));
  const secrets = { ...trunkSecretsOf(code), trunkTlsCredentials: { certificate: SITE_PEM, key: KEY_PEM } };
  return renderSiteConfig(MODELS[code], secrets, { peers, trunkTls: { port: 5061, ca: CA_PEM } });
}

describe("trunk TLS", () => {
  const rendered = renderWithTls("mochis", ["tabasco"]);
  const parsed = sections(rendered, "pjsip_trunks.conf");

  it("binds a TLS transport", () => {
    const transport = only(sectionsNamed(sections(rendered, "pjsip_transport_tls.conf"), "transport-tls", "transport"), "transport-tls");
    expect(value(transport, "protocol")).toBe("tls");
    expect(value(transport, "bind")).toBe("127.0.81.1:5061");
    expect(value(transport, "ca_list_file")).toBe("/etc/asterisk/trunk_tls_ca.pem");
    expect(value(transport, "verify_client")).toBe("yes");
    expect(value(transport, "require_client_cert")).toBe("yes");
    expect(parseConf(rendered.files["pjsip_trunks.conf"]).includes).toEqual(["pjsip_transport_tls.conf"]);
  });

  it("uses TLS and SRTP when both sites enable it", () => {
    const endpoint = only(sectionsNamed(parsed, "trunk-tabasco", "endpoint"), "endpoint trunk-tabasco");
    expect(value(endpoint, "transport")).toBe("transport-tls");
    expect(value(endpoint, "media_encryption")).toBe("sdes");
    expect(value(only(sectionsNamed(parsed, "trunk-tabasco", "aor"), "aor trunk-tabasco"), "contact")).toBe("sip:127.0.82.1:5061;transport=tls");
  });

  it("stays on UDP when the peer does not", () => {
    const endpoint = only(sectionsNamed(parsed, "trunk-silicon", "endpoint"), "endpoint trunk-silicon");
    expect(value(endpoint, "transport")).toBe("transport-udp");
    expect(values(endpoint, "media_encryption")).toEqual([]);
    expect(value(only(sectionsNamed(parsed, "trunk-silicon", "aor"), "aor trunk-silicon"), "contact")).toBe("sip:127.0.83.1:5060");
  });

  it("stays on UDP when this site does not", () => {
    const peers = trunkPeersOf("mochis").map((peer) => ({ ...peer, trunk: { ...peer.trunk!, tlsPort: 5061 } }));
    const plain = sections(render("mochis", peers), "pjsip_trunks.conf");
    expect(value(only(sectionsNamed(plain, "trunk-tabasco", "endpoint"), "endpoint trunk-tabasco"), "transport")).toBe("transport-udp");
    expect(sections(render("mochis", peers), "pjsip_transport_tls.conf")).toEqual([]);
  });

  it("delivers key and certificate as secrets", () => {
    expect(rendered.secretFiles["trunk_tls_key.pem"]).toBe(KEY_PEM);
    expect(rendered.secretFiles["trunk_tls_cert.pem"]).toBe(SITE_PEM);
    expect(rendered.files["trunk_tls_ca.pem"]).toBe(CA_PEM);
    expect(secretFileNames).toEqual(expect.arrayContaining(["trunk_tls_cert.pem", "trunk_tls_key.pem"]));
    for (const [name, text] of Object.entries(rendered.files)) {
      expect(text.includes("U0VDUkVULWtleQ"), `${name} contains the private key`).toBe(false);
    }
  });

  it("loads SRTP", () => {
    expect(rendered.files["modules.conf"]).toMatch(/^load = res_srtp\.so$/m);
    expect(render("mochis").files["modules.conf"]).not.toMatch(/res_srtp/);
  });

  it("needs a restart to change", () => {
    expect(restartRequiredFiles).toEqual(expect.arrayContaining(["pjsip_transport_tls.conf", "trunk_tls_ca.pem", "trunk_tls_cert.pem", "trunk_tls_key.pem"]));
  });

  it("rejects a missing key", () => {
    const peers = trunkPeersOf("mochis");
    expect(() => renderSiteConfig(MODELS.mochis, trunkSecretsOf("mochis"), { peers, trunkTls: { port: 5061, ca: CA_PEM } })).toThrow(
      "Site mochis enables trunk TLS but has no certificate; set keyFile and certificateFile in inova-pbx:trunkTls.",
    );
  });
});

describe("trunkTls setting", () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "trunk-tls-"));
  fs.writeFileSync(path.join(directory, "ca.pem"), CA_PEM);
  fs.writeFileSync(path.join(directory, "site.crt"), SITE_PEM);
  fs.writeFileSync(path.join(directory, "site.key"), KEY_PEM);
  fs.writeFileSync(path.join(directory, "notes.txt"), "not a certificate\n");
  const ports = MODELS.mochis.site.ports;
  const valid = { caFile: "ca.pem", certificateFile: "site.crt", keyFile: "site.key" };

  it("reads the files", () => {
    const parsed = parseTrunkTls(valid, directory, ports);
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings).toEqual({ port: 5061, ...valid });
    expect(parsed.files).toEqual({ ca: CA_PEM, certificate: SITE_PEM, key: KEY_PEM });
  });

  it("is off when absent", () => {
    expect(parseTrunkTls(undefined, directory, ports)).toEqual({ problems: [] });
  });

  it("reports a missing file", () => {
    const parsed = parseTrunkTls({ ...valid, caFile: "tls/ca.pem" }, directory, ports);
    expect(parsed.settings).toBeUndefined();
    expect(parsed.problems).toEqual([
      {
        path: "inova-pbx:trunkTls.caFile",
        code: "E_INVALID_VALUE",
        message: `file tls/ca.pem is not found; create it or fix the path (resolved to ${path.join(directory, "tls/ca.pem")}).`,
      },
    ]);
  });

  it("reports a file that is not PEM", () => {
    const parsed = parseTrunkTls({ ...valid, keyFile: "notes.txt" }, directory, ports);
    expect(parsed.problems.map((problem) => problem.message)).toEqual([
      "file notes.txt does not contain an unencrypted private key (-----BEGIN PRIVATE KEY-----) in PEM format; export it as PEM.",
    ]);
  });

  it("reports a certificate where a key belongs", () => {
    const parsed = parseTrunkTls({ ...valid, keyFile: "site.crt" }, directory, ports);
    expect(parsed.problems.map((problem) => problem.path)).toEqual(["inova-pbx:trunkTls.keyFile"]);
  });

  it("reports a port conflict", () => {
    const parsed = parseTrunkTls({ ...valid, port: 5060 }, directory, ports);
    expect(parsed.problems).toEqual([
      { path: "inova-pbx:trunkTls.port", code: "E_PORT_CONFLICT", message: "port 5060 is already the site's sip port; choose another, e.g. 5061." },
    ]);
  });

  it("reports unknown keys and missing paths", () => {
    const parsed = parseTrunkTls({ caFile: "ca.pem", certFile: "site.crt" }, directory, ports);
    expect(parsed.problems.map((problem) => `${problem.path} ${problem.code}`)).toEqual([
      "inova-pbx:trunkTls.certFile E_UNKNOWN_KEY",
      "inova-pbx:trunkTls.certificateFile E_REQUIRED",
      "inova-pbx:trunkTls.keyFile E_REQUIRED",
    ]);
  });
});
