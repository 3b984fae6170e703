// The carrier trunk against a second Asterisk that plays the carrier: calls to the public
// number reach the IVR, national numbers and 911 leave with the site's caller ID, the notified
// extension hears about a 911 call, a site without a carrier tells the caller so, and a caller
// posing as the carrier from another address is rejected. Every party plays its own tone, so
// the recordings show who heard whom.
//
// Addresses: mochis 127.0.103.1, the carrier 127.0.103.2, silicon 127.0.103.3, tabasco
// 127.0.103.4, phones from 127.0.103.11, the impostor 127.0.103.9. RTP: 33000-33999.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { RawCarrier } from "../../../components/model/raw";
import { toneSeconds, writeToneWav } from "../../support/audio";
import { IaxPhone } from "../../support/phones/iax-phone";
import { SipPhone } from "../../support/phones/sip-phone";
import { TestCarrier } from "../../support/phones/test-carrier";
import { SitePbx, TEST_CARRIER_PASSWORD } from "../../support/site-pbx";
import { phoneTone, PROMPT_TONES, writePromptTones } from "./ivr-support";
import { expectTone, waitForHeardTone } from "./site-lab";

const CARRIER_ADDRESS = "127.0.103.2";
const IMPOSTOR_ADDRESS = "127.0.103.9";
const FIRST_PHONE_HOST = 11;
const FIRST_PHONE_RTP_PORT = 33800;
const PHONE_RTP_PORTS = 20;

/** Tones of the carrier and of the replaced emergency prompts, clear of the phones' 1400-2500 Hz and the IVR prompts' 540-1200 Hz. */
const CARRIER_TONE_HZ = 3100;
const NOTICE_TONE_HZ = 2700;
const NO_LINE_TONE_HZ = 2850;

const CALL_TIMEOUT_MS = 90_000;

interface TestSite {
  readonly code: "mochis" | "silicon" | "tabasco";
  readonly address: string;
  readonly rtpStart: number;
  readonly publicNumber: string;
  /** Carrier setting added to the stack; none for a site without a carrier. */
  readonly carrier?: RawCarrier;
}

const MOCHIS: TestSite = {
  code: "mochis",
  address: "127.0.103.1",
  rtpStart: 33000,
  publicNumber: "6688197328",
  carrier: { address: CARRIER_ADDRESS, username: "inova-mochis", numbering: "mexico" },
};
const SILICON: TestSite = {
  code: "silicon",
  address: "127.0.103.3",
  rtpStart: 33200,
  publicNumber: "2135553890",
  carrier: { address: CARRIER_ADDRESS, username: "inova-silicon", numbering: "nanp", emergencyNotify: "2000" },
};
const TABASCO: TestSite = { code: "tabasco", address: "127.0.103.4", rtpStart: 33400, publicNumber: "9132445252" };

let directory: string;
let carrier: TestCarrier;
const pbxs = new Map<string, SitePbx>();
let phones: (SipPhone | IaxPhone)[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "carrier-test-"));
  const promptTones = await writePromptTones(directory);
  const noticeTone = await writeToneWav(join(directory, "notice.wav"), NOTICE_TONE_HZ, 1);
  const noLineTone = await writeToneWav(join(directory, "no-line.wav"), NO_LINE_TONE_HZ, 2);

  carrier = await TestCarrier.start({
    name: `phone-test-carrier-${process.pid}`,
    address: CARRIER_ADDRESS,
    rtpPorts: [33600, 33799],
    toneHz: CARRIER_TONE_HZ,
    customers: [MOCHIS, SILICON].map((site) => ({
      code: site.code,
      address: site.address,
      sipPort: 5060,
      username: site.carrier!.username,
      password: TEST_CARRIER_PASSWORD,
    })),
  });

  const recordings: Record<string, Record<string, string>> = {
    mochis: promptTones,
    silicon: { "aviso-emergencia": noticeTone },
    tabasco: { "emergencia-sin-linea": noLineTone },
  };
  for (const site of [MOCHIS, SILICON, TABASCO]) {
    const pbx = await SitePbx.start({
      code: site.code,
      address: site.address,
      rtpStart: site.rtpStart,
      containerName: `phone-test-carrier-site-${site.code}-${process.pid}`,
      recordings: recordings[site.code],
      editConfig: (raw) => {
        if (site.carrier !== undefined) {
          raw.carrier = { ...site.carrier };
        }
      },
    });
    pbxs.set(site.code, pbx);
  }
}, 300_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    for (const phone of phones) {
      console.log(await phone.logTail(30).catch((error: Error) => error.message));
    }
    console.log(await carrier.logTail(40).catch((error: Error) => error.message));
  }
  const stopping = phones;
  phones = [];
  await Promise.allSettled(stopping.map((phone) => phone.stop()));
});

afterAll(async () => {
  await Promise.allSettled([...pbxs.values()].map((pbx) => pbx.stop()));
  await carrier?.stop();
  await rm(directory, { recursive: true, force: true });
});

function pbxOf(site: TestSite): SitePbx {
  const pbx = pbxs.get(site.code);
  if (pbx === undefined) {
    throw new Error(`the PBX of ${site.code} did not start`);
  }
  return pbx;
}

/** Starts and registers a SIP phone as `extension` of the site; it plays its own tone into calls. */
async function startPhone(site: TestSite, extension: string): Promise<SipPhone> {
  const index = phones.length;
  const rtpStart = FIRST_PHONE_RTP_PORT + PHONE_RTP_PORTS * index;
  const hz = phoneTone(extension);
  const pbx = pbxOf(site);
  const phone = await SipPhone.start({
    user: extension,
    password: pbx.password(extension),
    server: `${pbx.address}:5060`,
    localAddress: `127.0.103.${FIRST_PHONE_HOST + index}`,
    rtpPorts: [rtpStart, rtpStart + PHONE_RTP_PORTS - 1],
    audioFile: await writeToneWav(join(directory, `phone-${hz}.wav`), hz, 180),
  });
  phones.push(phone);
  await phone.register();
  return phone;
}

/** Seconds of any of the IVR's greeting tones in the recording; which one plays depends on the time of day. */
async function greetingSeconds(wavPath: string): Promise<number> {
  const greetings = [PROMPT_TONES["ivr-dia"], PROMPT_TONES["ivr-tarde"], PROMPT_TONES["ivr-noche"]];
  let total = 0;
  for (const hz of greetings) {
    total += await toneSeconds(wavPath, hz);
  }
  return total;
}

describe("mochis carrier trunk", () => {
  it("carrier call to the public number reaches the IVR", { timeout: CALL_TIMEOUT_MS }, async () => {
    // Option 1 of the mochis IVR rings group 601; only member 100 is registered.
    const member = await startPhone(MOCHIS, "100");

    await carrier.dial("mochis", MOCHIS.publicNumber);
    await member.waitForIncoming(30_000);
    await member.answer();
    await member.waitForState("ESTABLISHED");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await member.hangup();

    const result = await carrier.waitForDialResult(MOCHIS.publicNumber);
    expect(result.status).toBe("ANSWER");
    const heard = await carrier.recording(`outbound-${MOCHIS.publicNumber}`);
    expect(await greetingSeconds(heard), "IVR greeting heard by the carrier").toBeGreaterThanOrEqual(0.4);
    await expectTone(heard, phoneTone("100"), 1);
  });

  it("carrier call to another number is rejected", { timeout: CALL_TIMEOUT_MS }, async () => {
    await carrier.dial("mochis", "6688000000");

    const result = await carrier.waitForDialResult("6688000000");
    expect(result.status).not.toBe("ANSWER");
    // The site hangs up with cause 1 (unallocated number), which reaches the carrier as SIP 404.
    expect(result.cause).toBe("1");
  });

  it("national number leaves with the public number as caller ID", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await startPhone(MOCHIS, "101");

    await caller.dial("05512345678");
    const call = await carrier.waitForCall("5512345678", MOCHIS.publicNumber);
    await caller.waitForState("ESTABLISHED");
    await waitForHeardTone(caller, CARRIER_TONE_HZ, 1);
    await caller.hangup();

    expect(call.callerId).toBe(MOCHIS.publicNumber);
    await expectTone(await carrier.recording(call.uniqueId), phoneTone("101"), 1);
  });

  it("911 reaches the carrier without a prefix", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await startPhone(MOCHIS, "102");

    await caller.dial("911");
    const call = await carrier.waitForCall("911", MOCHIS.publicNumber);
    await caller.waitForState("ESTABLISHED");
    await waitForHeardTone(caller, CARRIER_TONE_HZ, 1);
    await caller.hangup();

    expect(call.callerId).toBe(MOCHIS.publicNumber);
    await expectTone(await carrier.recording(call.uniqueId), phoneTone("102"), 1);
  });

  it("911 from an IAX2 phone reaches the carrier", { timeout: CALL_TIMEOUT_MS }, async () => {
    const pbx = pbxOf(MOCHIS);
    const caller = await IaxPhone.start({
      extension: "103",
      secret: pbx.password("103"),
      pbxAddress: pbx.address,
      localAddress: "127.0.103.30",
      audioFile: await writeToneWav(join(directory, `phone-${phoneTone("103")}.wav`), phoneTone("103"), 180),
    });
    phones.push(caller);
    await caller.register();

    await caller.dial("911");
    const call = await carrier.waitForCall("911", MOCHIS.publicNumber);
    await caller.waitForState("ESTABLISHED");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await caller.hangup();

    await expectTone(await carrier.recording(call.uniqueId), phoneTone("103"), 1);
    await expectTone(await caller.recording(directory), CARRIER_TONE_HZ, 1);
  });

  it("caller posing as the carrier is rejected", { timeout: CALL_TIMEOUT_MS }, async () => {
    const pbx = pbxOf(MOCHIS);
    const impostor = await SipPhone.start({
      user: MOCHIS.carrier!.username,
      password: TEST_CARRIER_PASSWORD,
      server: `${pbx.address}:5060`,
      localAddress: IMPOSTOR_ADDRESS,
      rtpPorts: [33980, 33999],
      audioFile: await writeToneWav(join(directory, "impostor.wav"), 1000, 60),
    });
    phones.push(impostor);
    // baresip dials only from an account; a failed REGISTER still creates it.
    await expect(impostor.register(), "registration from the foreign address").rejects.toThrow(/failed/);

    await impostor.dial(MOCHIS.publicNumber);

    await expect(impostor.waitForState("ESTABLISHED", 15_000)).rejects.toThrow(/closed before ESTABLISHED/);
    expect((await pbx.cli("core show channels concise")).trim()).toBe("");
  });
});

describe("silicon carrier trunk", () => {
  it("1 + 10-digit number leaves with the public number", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await startPhone(SILICON, "1000");

    await caller.dial("014155550123");
    const call = await carrier.waitForCall("14155550123", SILICON.publicNumber);
    await caller.waitForState("ESTABLISHED");
    await caller.hangup();

    expect(call.callerId).toBe(SILICON.publicNumber);
  });

  it("911 rings the front desk with the caller", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await startPhone(SILICON, "3000");
    const frontDesk = await startPhone(SILICON, "2000");

    await caller.dial("911");
    const notifiedBy = await frontDesk.waitForIncoming(20_000);
    await frontDesk.answer();
    await frontDesk.waitForState("ESTABLISHED");
    const call = await carrier.waitForCall("911", SILICON.publicNumber);
    await waitForHeardTone(frontDesk, NOTICE_TONE_HZ, 0.5);
    await caller.waitForState("ESTABLISHED");
    await waitForHeardTone(caller, CARRIER_TONE_HZ, 1);

    expect(notifiedBy).toContain("3000");
    expect(call.callerId).toBe(SILICON.publicNumber);
    await caller.hangup();
  });
});

describe("tabasco without a carrier", () => {
  it("911 tells the caller it cannot be reached", { timeout: CALL_TIMEOUT_MS }, async () => {
    const caller = await startPhone(TABASCO, "300");

    await caller.dial("911");
    await waitForHeardTone(caller, NO_LINE_TONE_HZ, 1);
    await caller.waitForState("CLOSED", 30_000);

    expect(caller.events.some((event) => event.type === "CALL_ESTABLISHED")).toBe(false);
    expect(caller.events.find((event) => event.type === "CALL_CLOSED")?.param).toMatch(/503/);
  });
});
