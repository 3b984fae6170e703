// Trunks between the three sites. Three real PBXs are rendered from their stack files, each with
// PJSIP and IAX2 trunks pointed at the others' test addresses. Real phones play a tone of their
// own, so each recording shows who talked to whom and which prompt played.
//
// Addresses: mochis 127.0.100.1, tabasco 127.0.101.1, silicon 127.0.102.1, phones on .10 and up
// of each site's /24; RTP 30000-30599 for the PBXs, 30600-32999 for the SIP phones.
//
// mochis and tabasco enable trunk TLS with certificates from a CA that the test makes with
// openssl, so their PJSIP trunk uses TLS and SRTP. silicon does not, so its trunks stay on UDP.

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { deriveTrunkPasswords } from "../../../components/trunk-passwords";
import { describeAudio, toneSeconds, writeToneWav } from "../../support/audio";
import { IaxPhone } from "../../support/phones/iax-phone";
import { waitForReachableContact } from "../../support/phones/reachable";
import { SipPhone } from "../../support/phones/sip-phone";
import { waitFor } from "../../support/phones/wait";
import { SitePbx, TEST_COMPANY_SECRET } from "../../support/site-pbx";
import {
  describeHeard,
  describeSteps,
  DialplanTrace,
  heardTones,
  knownTones,
  phoneTone,
  PROMPT_TONES,
  shortMenuTimeout,
  waitForHeardTone,
  writePromptTones,
  type DialplanStep,
} from "./ivr-support";

type Code = "mochis" | "tabasco" | "silicon";

interface TestSite {
  readonly code: Code;
  readonly address: string;
  readonly rtpStart: number;
  /** Third octet of the site's addresses, 100 to 102. */
  readonly network: number;
}

const SITES: Readonly<Record<Code, TestSite>> = {
  mochis: { code: "mochis", address: "127.0.100.1", rtpStart: 30000, network: 100 },
  tabasco: { code: "tabasco", address: "127.0.101.1", rtpStart: 30200, network: 101 },
  silicon: { code: "silicon", address: "127.0.102.1", rtpStart: 30400, network: 102 },
};

/** Address of a UA that poses as a trunk of tabasco, but from mochis's network. */
const FOREIGN_ADDRESS = "127.0.100.50";

const FIRST_PHONE_HOST = 10;
const FIRST_PHONE_RTP_PORT = 30600;
const LAST_PHONE_RTP_PORT = 32999;
const RTP_PORTS_PER_PHONE = 20;

/** Seconds of the far end's tone that each side of a call must hear. */
const MIN_TALK_SECONDS = 1;
const CALL_TIMEOUT_MS = 90_000;

/** Sites with trunk TLS, and the TLS port on their addresses. */
const TLS_SITES: readonly Code[] = ["mochis", "tabasco"];
const TLS_PORT = 5061;

/** Time allowed for a trunk's qualify to notice a change: a few qualify rounds. */
const QUALIFY_WAIT_MS = 30_000;

let directory: string;
const pbxs = {} as Record<Code, SitePbx>;
let phones: PhoneRack;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "trunks-"));
  const recordings = await writePromptTones(directory);
  const tls = await makeCertificates(directory, TLS_SITES);
  const codes = Object.keys(SITES) as Code[];
  for (const code of codes) {
    const peers = codes.filter((other) => other !== code);
    const peerAddresses = Object.fromEntries(peers.map((other) => [other, SITES[other].address]));
    const withTls = TLS_SITES.includes(code);
    const peerTlsPorts = withTls ? Object.fromEntries(peers.filter((other) => TLS_SITES.includes(other)).map((other) => [other, TLS_PORT])) : {};
    pbxs[code] = await SitePbx.start({
      ...(withTls ? { trunkTls: { port: TLS_PORT, ...tls[code] } } : {}),
      peerTlsPorts,
      code,
      address: SITES[code].address,
      rtpStart: SITES[code].rtpStart,
      recordings,
      editConfig: shortMenuTimeout,
      peerAddresses,
      containerName: `phone-test-trunks-${code}-${process.pid}`,
    });
  }
  phones = new PhoneRack(directory);
  for (const code of codes) {
    for (const peer of codes.filter((other) => other !== code)) {
      await waitForTrunk(pbxs[code], peer, "up");
    }
  }
}, 300_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    console.log(await phones.logs());
    for (const pbx of Object.values(pbxs)) {
      console.log(`--- ${pbx.model.site.code}\n${await pbx.asterisk.logTail(40).catch((error: Error) => error.message)}`);
    }
  }
  await phones.stopAll();
});

afterAll(async () => {
  await phones?.stopAll();
  await Promise.allSettled(Object.values(pbxs).map((pbx) => pbx.stop()));
  await rm(directory, { recursive: true, force: true });
});

describe("trunks between sites", () => {
  it("TLS and SRTP carry mochis to tabasco", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await phones.sip("mochis", "100");
    const callee = await phones.sip("tabasco", "301");
    // DialplanTrace adds a verbose log file, which receives the SIP messages that the PJSIP logger prints.
    await DialplanTrace.start(pbxs.tabasco);
    await pbxs.tabasco.cli("pjsip set logger on");

    await caller.dial("82301");
    const from = await callee.waitForIncoming(15_000);
    await callee.answer();
    await caller.waitForState("ESTABLISHED");

    expect(from, "caller as the callee sees it").toContain("sip:81100@");
    await expectTalking(caller, "100", callee, "301");
    expect(await pbxs.mochis.cli("core show channels concise"), "channels at mochis").toContain("PJSIP/trunk-tabasco-");
    await hangUp(caller, callee);
    await pbxs.tabasco.cli("pjsip set logger off");

    const log = (await pbxs.tabasco.asterisk.exec(["cat", "/var/log/asterisk/ivr-test-trace"])).stdout;
    const invite = log.split("<--- Received SIP request").find((message) => /INVITE sip:301@/.test(message));
    expect(invite, "INVITE of the call in tabasco's SIP log").toBeDefined();
    expect(invite, "transport of the INVITE").toMatch(/^ \(\d+ bytes\) from TLS:127\.0\.100\.1:/);
    expect(invite, "media profile of the offer").toMatch(/m=audio \d+ RTP\/SAVP /);
    expect(invite, "SDES key of the offer").toMatch(/a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:/);
  });

  it("PJSIP carries tabasco to mochis", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await phones.sip("tabasco", "302");
    const callee = await phones.sip("mochis", "102");

    await caller.dial("81102");
    const from = await callee.waitForIncoming(15_000);
    await callee.answer();
    await caller.waitForState("ESTABLISHED");

    expect(from, "caller as the callee sees it").toContain("sip:82302@");
    await expectTalking(caller, "302", callee, "102");
    expect(await pbxs.tabasco.cli("core show channels concise"), "channels at tabasco").toContain("PJSIP/trunk-mochis-");
    await hangUp(caller, callee);
  });

  it("IAX2 extension calls across", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await phones.iax("silicon", "1001");
    const callee = await phones.sip("mochis", "105");

    await caller.dial("81105");
    const from = await callee.waitForIncoming(15_000);
    await callee.answer();
    await caller.answer(15_000);

    expect(from, "caller as the callee sees it").toContain("sip:831001@");
    expect(await pbxs.silicon.cli("pjsip show aor trunk-mochis"), "trunk of silicon, which has no TLS").toContain("sip:127.0.100.1:5060 ");
    await waitForHeardTone(callee, phoneTone("1001"), MIN_TALK_SECONDS, 15_000);
    expect(await pbxs.silicon.cli("core show channels concise"), "channels at silicon").toContain("PJSIP/trunk-mochis-");
    await callee.hangup();
    await callee.waitForState("CLOSED");
    await caller.waitForState("CLOSED", 15_000);
    const heard = await caller.recording(directory);
    expect(await toneSeconds(heard, phoneTone("105")), await describeAudio(heard)).toBeGreaterThanOrEqual(MIN_TALK_SECONDS);
  });

  for (const option of [
    { digit: "5", site: "tabasco" as const, ivr: "399", remoteDigit: "3", callee: "302" },
    { digit: "6", site: "silicon" as const, ivr: "400", remoteDigit: "3", callee: "1000" },
  ]) {
    it(`HQ IVR option ${option.digit} reaches ${option.site}'s IVR`, { timeout: CALL_TIMEOUT_MS }, async () => {
      const remote = pbxs[option.site];
      const callee = await phones.sip(option.site, option.callee);
      const caller = await phones.sip("mochis", "108");
      const localTrace = await DialplanTrace.start(pbxs.mochis);
      const remoteTrace = await DialplanTrace.start(remote);

      await caller.dial("199");
      await caller.waitForState("ESTABLISHED");
      await localTrace.waitForMenu("PJSIP/108-", 1);
      await caller.sendDtmf(option.digit);
      await remoteTrace.waitForMenu("PJSIP/trunk-mochis-", 1);
      // The digit crosses the trunk as an RFC 4733 event and chooses an option of the remote menu.
      await caller.sendDtmf(option.remoteDigit);
      const from = await callee.waitForIncoming(15_000);
      await callee.answer();
      await callee.waitForState("ESTABLISHED");

      expect(from, "caller as the remote callee sees it").toContain("sip:81108@");
      await expectTalking(caller, "108", callee, option.callee);
      const remoteSteps = await remoteTrace.steps("PJSIP/trunk-mochis-");
      expectStep(remoteSteps, { context: `ivr-${option.site}-${option.ivr}`, extension: option.remoteDigit });
      await hangUp(caller, callee);
    });
  }

  it("unknown number over the trunk is rejected", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await phones.sip("mochis", "100");
    const localTrace = await DialplanTrace.start(pbxs.mochis);
    const remoteTrace = await DialplanTrace.start(pbxs.tabasco);

    await caller.dial("82999");
    await expect(caller.waitForState("ESTABLISHED", 15_000)).rejects.toThrow(/closed before ESTABLISHED/);

    const localSteps = await localTrace.steps("PJSIP/100-");
    const dials = localSteps.filter((step) => step.application === "Dial");
    expect(dials.map((step) => step.data.split(",")[0]), describeSteps(localSteps)).toEqual(["PJSIP/999@trunk-tabasco"]);
    // Asterisk logs the steps of an included context under the context that includes it.
    expectStep(localSteps, { context: "internal-routes-mochis", application: "Hangup", data: "1" });
    const remoteSteps = await remoteTrace.steps("PJSIP/trunk-mochis-");
    expectStep(remoteSteps, { context: "from-trunk-tabasco", application: "Hangup", data: "1" });
    expect(remoteSteps.filter((step) => step.application === "Dial"), describeSteps(remoteSteps)).toEqual([]);
  });

  it("trunk caller reaches no other site", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await phones.sip("mochis", "100");
    const remoteTrace = await DialplanTrace.start(pbxs.tabasco);

    // 82 reaches tabasco, where 83400 would be silicon's IVR: tabasco must not pass the call on.
    await caller.dial("8283400");
    await expect(caller.waitForState("ESTABLISHED", 15_000)).rejects.toThrow(/closed before ESTABLISHED/);

    const remoteSteps = await remoteTrace.steps("PJSIP/trunk-mochis-");
    expectStep(remoteSteps, { context: "from-trunk-tabasco", application: "Hangup", data: "1" });
    expect(remoteSteps.filter((step) => step.application === "Dial"), describeSteps(remoteSteps)).toEqual([]);
  });

  it("foreign address posing as trunk is rejected", { timeout: CALL_TIMEOUT_MS }, async () => {
    const target = await phones.sip("mochis", "100");
    const trace = await DialplanTrace.start(pbxs.mochis);
    // Even with the real trunk password, a request from outside tabasco's address must fail.
    const impostor = await phones.sip("mochis", "trunk-tabasco", {
      address: FOREIGN_ADDRESS,
      password: deriveTrunkPasswords(TEST_COMPANY_SECRET, "mochis", "tabasco").sip,
      register: false,
      tone: 2700,
    });

    // A failed REGISTER still creates baresip's account, which the call needs.
    await expect(impostor.register(), "registration from the foreign address").rejects.toThrow(/failed/);
    await impostor.dial("100");
    await expect(impostor.waitForState("ESTABLISHED", 15_000)).rejects.toThrow(/closed before ESTABLISHED/);

    expect(await trace.steps(""), "dialplan steps of any channel at mochis").toEqual([]);
    expect(target.state, "state of extension 100").toBe("IDLE");
  });

  it("IAX2 carries calls while PJSIP trunk is down", { timeout: CALL_TIMEOUT_MS }, async () => {
    const original = (await pbxs.mochis.asterisk.readFile("/etc/asterisk/pjsip_trunks.conf")).toString("utf8");
    await pbxs.mochis.asterisk.putFiles({ "/etc/asterisk/pjsip_trunks.conf": withoutSections(original, "trunk-tabasco") });
    await pbxs.mochis.cli("module reload res_pjsip.so");
    try {
      await waitFor(async () => !(await pbxs.mochis.cli("pjsip show endpoints")).includes("trunk-tabasco"), {
        timeoutMs: 10_000,
        intervalMs: 200,
        description: "endpoint trunk-tabasco to be removed at mochis",
      });
      const caller = await phones.sip("mochis", "106");
      const callee = await phones.sip("tabasco", "305");

      await caller.dial("82305");
      const from = await callee.waitForIncoming(15_000);
      await callee.answer();
      await caller.waitForState("ESTABLISHED");

      expect(from, "caller as the callee sees it").toContain("sip:81106@");
      await expectTalking(caller, "106", callee, "305");
      expect(await pbxs.mochis.cli("core show channels concise"), "channels at mochis").toContain("IAX2/trunk-tabasco-");
      await hangUp(caller, callee);
    } finally {
      await pbxs.mochis.asterisk.putFiles({ "/etc/asterisk/pjsip_trunks.conf": original });
      await pbxs.mochis.cli("module reload res_pjsip.so");
    }
  });

  describe("with silicon stopped", () => {
    beforeAll(async () => {
      await new Docker().getContainer(pbxs.silicon.asterisk.name).stop({ t: 1 });
      await waitForTrunk(pbxs.mochis, "silicon", "down");
    }, 60_000);

    it("caller hears no-disponible", { timeout: CALL_TIMEOUT_MS }, async () => {
      const caller = await phones.sip("mochis", "100");
      const trace = await DialplanTrace.start(pbxs.mochis);

      await caller.dial("83401");
      await trace.waitForSteps("PJSIP/100-", (steps) => steps.some((step) => step.application === "Hangup"), "the call to end", 15_000);
      await caller.waitForState("CLOSED", 15_000);

      const steps = await trace.steps("PJSIP/100-");
      expectStep(steps, { context: "internal-routes-mochis", application: "Playback", data: expect.stringContaining("no-disponible") });
      expectStep(steps, { context: "internal-routes-mochis", application: "Hangup", data: "34" });
      const recording = await caller.recording();
      expect(await toneSeconds(recording, PROMPT_TONES["no-disponible"]), await describeAudio(recording)).toBeGreaterThanOrEqual(0.4);
    });

    it("IVR caller is back at the menu", { timeout: CALL_TIMEOUT_MS }, async () => {
      const caller = await phones.sip("mochis", "108");
      const trace = await DialplanTrace.start(pbxs.mochis);

      await caller.dial("199");
      await caller.waitForState("ESTABLISHED");
      await trace.waitForMenu("PJSIP/108-", 1);
      await caller.sendDtmf("6");
      const steps = await trace.waitForMenu("PJSIP/108-", 2, 15_000);
      await caller.hangup();
      await caller.waitForState("CLOSED");

      expectStep(steps, { context: "outbound-mochis", extension: "83400" });
      expectStep(steps, { context: "ivr-mochis-199", extension: "unavailable", application: "Playback" });
      const recording = await caller.recording();
      const heard = await heardTones(recording, knownTones([]));
      expect(heard.map((tone) => tone.name), `${describeHeard(heard)}; ${await describeAudio(recording)}`).toContain("no-disponible");
    });

    it("local call at HQ still works", { timeout: CALL_TIMEOUT_MS }, async () => {
      const caller = await phones.sip("mochis", "100");
      const callee = await phones.sip("mochis", "102");

      await caller.dial("102");
      await callee.waitForIncoming(15_000);
      await callee.answer();
      await caller.waitForState("ESTABLISHED");

      await expectTalking(caller, "100", callee, "102");
      await hangUp(caller, callee);
    });
  });
});

interface SipOptions {
  readonly address?: string;
  readonly password?: string;
  readonly register?: boolean;
  /** Tone the phone plays, in Hz. @default phoneTone(user) */
  readonly tone?: number;
}

/** Phones of the test on their sites' networks, each SIP phone with RTP ports of its own. */
class PhoneRack {
  private readonly phones: (SipPhone | IaxPhone)[] = [];
  private readonly nextHost: Record<Code, number> = { mochis: FIRST_PHONE_HOST, tabasco: FIRST_PHONE_HOST, silicon: FIRST_PHONE_HOST };
  private nextRtpPort = FIRST_PHONE_RTP_PORT;

  constructor(private readonly directory: string) {}

  /** Starts a SIP phone of `user` at the site's PBX, registered unless `register` is false. */
  async sip(code: Code, user: string, options: SipOptions = {}): Promise<SipPhone> {
    const pbx = pbxs[code];
    const hz = options.tone ?? phoneTone(user);
    const audioFile = await writeToneWav(join(this.directory, `phone-${hz}.wav`), hz, 60);
    const phone = await SipPhone.start({
      user,
      password: options.password ?? pbx.password(user),
      server: `${pbx.address}:5060`,
      localAddress: options.address ?? this.nextAddress(code),
      audioFile,
      rtpPorts: this.nextRtpPorts(),
    });
    this.phones.push(phone);
    if (options.register !== false) {
      await phone.register();
      await waitForReachableContact((command) => pbx.cli(command), user);
    }
    return phone;
  }

  /** Starts and registers an IAX2 phone of `extension`, which picks up incoming calls at once and plays its tone. */
  async iax(code: Code, extension: string): Promise<IaxPhone> {
    const pbx = pbxs[code];
    const audioFile = await writeToneWav(join(this.directory, `phone-${extension}.wav`), phoneTone(extension), 5);
    const phone = await IaxPhone.start({
      extension,
      secret: pbx.password(extension),
      pbxAddress: pbx.address,
      localAddress: this.nextAddress(code),
      audioFile,
    });
    this.phones.push(phone);
    await phone.register(20_000);
    return phone;
  }

  async logs(): Promise<string> {
    const parts: string[] = [];
    for (const phone of this.phones) {
      const name = phone instanceof SipPhone ? phone.options.user : phone.options.extension;
      parts.push(`--- ${name}\n${await phone.logTail(20).catch((error: Error) => error.message)}`);
    }
    return parts.join("\n");
  }

  async stopAll(): Promise<void> {
    const phones = this.phones.splice(0);
    await Promise.allSettled(phones.map((phone) => phone.stop()));
    for (const code of Object.keys(this.nextHost) as Code[]) {
      this.nextHost[code] = FIRST_PHONE_HOST;
    }
    this.nextRtpPort = FIRST_PHONE_RTP_PORT;
  }

  private nextAddress(code: Code): string {
    return `127.0.${SITES[code].network}.${this.nextHost[code]++}`;
  }

  private nextRtpPorts(): [number, number] {
    const start = this.nextRtpPort;
    const end = start + RTP_PORTS_PER_PHONE - 1;
    if (end > LAST_PHONE_RTP_PORT) {
      throw new Error(`no RTP ports left for another phone: the test phones may use ${FIRST_PHONE_RTP_PORT}-${LAST_PHONE_RTP_PORT}`);
    }
    this.nextRtpPort = end + 1;
    return [start, end];
  }
}

/** Waits until both phones hear each other's tone. */
async function expectTalking(caller: SipPhone, callerExtension: string, callee: SipPhone, calleeExtension: string): Promise<void> {
  await waitForHeardTone(caller, phoneTone(calleeExtension), MIN_TALK_SECONDS, 15_000);
  await waitForHeardTone(callee, phoneTone(callerExtension), MIN_TALK_SECONDS, 15_000);
}

async function hangUp(caller: SipPhone, callee: SipPhone): Promise<void> {
  await caller.hangup();
  await caller.waitForState("CLOSED");
  await callee.waitForState("CLOSED", 15_000);
}

function expectStep(steps: readonly DialplanStep[], step: Partial<Record<keyof DialplanStep, unknown>>): void {
  expect(steps, describeSteps(steps)).toContainEqual(expect.objectContaining(step));
}

/**
 * Waits until the PBX's PJSIP and IAX2 trunks to `peer` are both reachable ("up") or both
 * unreachable ("down"), as their qualify reports it.
 */
async function waitForTrunk(pbx: SitePbx, peer: string, state: "up" | "down"): Promise<void> {
  let last = "";
  await waitFor(
    async () => {
      const contacts = await pbx.cli(`pjsip show aor trunk-${peer}`);
      const iax = await pbx.cli(`iax2 show peer trunk-${peer}`);
      last = `${contacts}\n${iax}`;
      const sipUp = /Contact:\s+trunk-\S+\s+\S+\s+Avail/.test(contacts);
      const sipDown = /Contact:\s+trunk-\S+\s+\S+\s+Unavail/.test(contacts);
      const iaxUp = /Status\s+:\s+OK/.test(iax);
      const iaxDown = /Status\s+:\s+UNREACHABLE/.test(iax);
      return state === "up" ? sipUp && iaxUp : sipDown && iaxDown;
    },
    {
      timeoutMs: QUALIFY_WAIT_MS,
      intervalMs: 500,
      description: () => `trunks of ${pbx.model.site.code} to ${peer} to be ${state}; last output:\n${last}`,
    },
  );
}

/** Makes a CA and, per site, a key and a certificate for the site's address; returns them as PEM. */
async function makeCertificates(directory: string, codes: readonly Code[]): Promise<Record<string, { ca: string; certificate: string; key: string }>> {
  const run = promisify(execFile);
  const ca = { key: join(directory, "ca.key"), certificate: join(directory, "ca.pem") };
  await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca.key, "-out", ca.certificate, "-days", "2", "-subj", "/CN=Inova trunk test CA"]);
  const result: Record<string, { ca: string; certificate: string; key: string }> = {};
  for (const code of codes) {
    const address = SITES[code].address;
    const files = { key: join(directory, `${code}.key`), request: join(directory, `${code}.csr`), certificate: join(directory, `${code}.crt`), extensions: join(directory, `${code}.ext`) };
    await writeFile(files.extensions, `subjectAltName=IP:${address}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    await run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", files.key, "-out", files.request, "-subj", `/CN=${address}`]);
    await run("openssl", ["x509", "-req", "-in", files.request, "-CA", ca.certificate, "-CAkey", ca.key, "-CAcreateserial", "-out", files.certificate, "-days", "2", "-extfile", files.extensions]);
    result[code] = {
      ca: await readFile(ca.certificate, "utf8"),
      certificate: await readFile(files.certificate, "utf8"),
      key: await readFile(files.key, "utf8"),
    };
  }
  return result;
}

/** Removes every section named `name` from a rendered configuration file. */
function withoutSections(text: string, name: string): string {
  const kept: string[] = [];
  let skipping = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("[")) {
      skipping = line.startsWith(`[${name}]`);
    }
    if (!skipping) {
      kept.push(line);
    }
  }
  return kept.join("\n");
}
