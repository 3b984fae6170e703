// Real calls through the lab PBX (test/fixtures/pbx-lab/) with baresip SIP
// phones, Asterisk-based IAX2 phones and sipp, with audio checked by tone.
// Needs Docker with the inova/asterisk:dev image, baresip, sipp and sox.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { describeAudio, toneSeconds, writeToneWav } from "../../support/audio";
import { IaxPhone } from "../../support/phones/iax-phone";
import { RegistrationError, SipPhone } from "../../support/phones/sip-phone";
import { sippCallWithDtmf, sippRegister } from "../../support/phones/sipp";
import { sleep } from "../../support/phones/wait";
import { LAB, PbxLab } from "./pbx-lab";

const CALL_TEST_TIMEOUT_MS = 30_000;
/** How long each call carries audio before it is hung up. */
const TALK_MS = 2_000;
/** Minimum seconds of the expected tone in a recording of a TALK_MS call. */
const MIN_TONE_SECONDS = 1;

const CALLER_HZ = 700;
const CALLEE_HZ = 1300;

let lab: PbxLab;
let directory: string;
let callerAudio: string;
let calleeAudio: string;

interface Stoppable {
  stop(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}
const started: Stoppable[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "phones-test-"));
  // Longer than any call: baresip hangs up when its audio file ends.
  callerAudio = await writeToneWav(join(directory, "caller.wav"), CALLER_HZ, 60);
  calleeAudio = await writeToneWav(join(directory, "callee.wav"), CALLEE_HZ, 60);
  lab = await PbxLab.start();
}, 60_000);

afterEach(async (context) => {
  const failed = context.task.result?.state === "fail";
  if (failed) {
    for (const phone of started) {
      console.log(await phone.logTail(40).catch((error: Error) => error.message));
    }
    console.log(await lab.container.logTail(40).catch((error: Error) => error.message));
  }
  const phones = started.splice(0);
  await Promise.allSettled(phones.map((phone) => phone.stop()));
});

afterAll(async () => {
  await lab?.stop();
  await rm(directory, { recursive: true, force: true });
});

async function startSipPhone(user: "2001" | "2002", localAddress: string, audioFile: string, password: string = LAB.sipPhones[user]): Promise<SipPhone> {
  const phone = await SipPhone.start({ user, password, server: lab.sipServer, localAddress, audioFile });
  started.push(phone);
  return phone;
}

async function startIaxPhone(localAddress: string, audioFile: string, secret: string = LAB.iaxPhones["3001"]): Promise<IaxPhone> {
  const phone = await IaxPhone.start({ extension: "3001", secret, pbxAddress: lab.address, pbxPort: lab.iaxPort, localAddress, audioFile });
  started.push(phone);
  return phone;
}

async function expectTone(wavPath: string, hz: number, minSeconds = MIN_TONE_SECONDS): Promise<void> {
  const seconds = await toneSeconds(wavPath, hz);
  expect(seconds, `${hz} Hz in ${await describeAudio(wavPath)}`).toBeGreaterThanOrEqual(minSeconds);
}

async function expectNoTone(wavPath: string, hz: number): Promise<void> {
  const seconds = await toneSeconds(wavPath, hz);
  expect(seconds, `${hz} Hz in ${await describeAudio(wavPath)}`).toBeLessThan(0.2);
}

/** Methods that SipPhone and IaxPhone share and these tests call. */
interface CallingPhone {
  dial(number: string): Promise<void>;
  waitForState(state: "ESTABLISHED" | "CLOSED"): Promise<void>;
  sendDtmf(digits: string): Promise<void>;
  hangup(): Promise<void>;
  /** Returns the path of the far-end recording of the last call. IaxPhone copies the file into `directory`. */
  recording(directory: string): Promise<string>;
}

/** Dials `number`, talks for TALK_MS, hangs up and returns the path of what the phone heard. */
async function callAndHangUp(phone: CallingPhone, number: string): Promise<string> {
  await phone.dial(number);
  await phone.waitForState("ESTABLISHED");
  await sleep(TALK_MS);
  await phone.hangup();
  await phone.waitForState("CLOSED");
  return phone.recording(directory);
}

/**
 * Calls the lab's DTMF menu and presses each digit, waiting LAB.digitSeconds after each while
 * the menu plays that digit's tone. Then hangs up and returns the path of what the phone heard.
 */
async function pressMenuDigits(phone: CallingPhone, digits: readonly string[]): Promise<string> {
  await phone.dial(LAB.dtmfMenuNumber);
  await phone.waitForState("ESTABLISHED");
  await sleep(500);
  for (const digit of digits) {
    await phone.sendDtmf(digit);
    await sleep(LAB.digitSeconds * 1000);
  }
  await phone.hangup();
  await phone.waitForState("CLOSED");
  return phone.recording(directory);
}

/**
 * Keeps an established call up for TALK_MS and hangs it up at the caller. Then expects each
 * phone to have heard the other's tone and not its own.
 */
async function expectTwoWayAudio(caller: CallingPhone, callee: CallingPhone): Promise<void> {
  await sleep(TALK_MS);
  await caller.hangup();
  await caller.waitForState("CLOSED");
  await callee.waitForState("CLOSED");

  const callerHeard = await caller.recording(directory);
  const calleeHeard = await callee.recording(directory);
  await expectTone(callerHeard, CALLEE_HZ);
  await expectNoTone(callerHeard, CALLER_HZ);
  await expectTone(calleeHeard, CALLER_HZ);
  await expectNoTone(calleeHeard, CALLEE_HZ);
}

/** Registers the IAX2 phone 3001 and the SIP phone 2001, calls 2001 from 3001 and picks up at 2001. */
async function callSipFromIax(): Promise<{ iax: IaxPhone; sip: SipPhone }> {
  const iax = await startIaxPhone("127.0.95.21", callerAudio);
  const sip = await startSipPhone("2001", "127.0.95.11", calleeAudio);
  await iax.register();
  await sip.register();

  await iax.dial("2001");
  await sip.waitForIncoming();
  await sip.answer();
  return { iax, sip };
}

describe("SIP phones", () => {
  it("exchange audio both ways", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const caller = await startSipPhone("2001", "127.0.95.11", callerAudio);
    const callee = await startSipPhone("2002", "127.0.95.12", calleeAudio);
    await caller.register();
    await callee.register();

    await caller.dial("2002");
    expect(await callee.waitForIncoming()).toContain("2001");
    await callee.answer();
    await caller.waitForState("ESTABLISHED");
    await callee.waitForState("ESTABLISHED");
    await expectTwoWayAudio(caller, callee);
  });

  it("hears the milliwatt tone", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const phone = await startSipPhone("2001", "127.0.95.11", callerAudio);
    await phone.register();

    await expectTone(await callAndHangUp(phone, LAB.milliwattNumber), LAB.milliwattHz);
  });

  it("hears its own audio from echo", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const phone = await startSipPhone("2001", "127.0.95.11", callerAudio);
    await phone.register();

    await expectTone(await callAndHangUp(phone, LAB.echoNumber), CALLER_HZ);
  });

  it("selects a menu tone by DTMF", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const phone = await startSipPhone("2001", "127.0.95.11", callerAudio);
    await phone.register();

    const recording = await pressMenuDigits(phone, ["3", "8"]);
    await expectTone(recording, LAB.promptHz, 0.3);
    await expectTone(recording, LAB.digitHz["3"]);
    await expectTone(recording, LAB.digitHz["8"]);
    await expectNoTone(recording, LAB.digitHz["5"]);
  });

  it("reports a rejected registration", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const phone = await startSipPhone("2002", "127.0.95.12", calleeAudio, "wrong-password");

    const failure = await phone.register().then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(RegistrationError);
    expect((failure as RegistrationError).reason).toMatch(/^(401|403)/);
  });

  it("rejects a call to an unregistered phone", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const phone = await startSipPhone("2001", "127.0.95.11", callerAudio);
    await phone.register();

    await phone.dial("2002");

    await expect(phone.waitForState("ESTABLISHED")).rejects.toThrow(/closed before ESTABLISHED/);
  });
});

describe("IAX2 phone", () => {
  it("calls a SIP phone with audio both ways", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const { iax, sip } = await callSipFromIax();
    await sip.waitForState("ESTABLISHED");
    await iax.waitForState("ESTABLISHED");
    await expectTwoWayAudio(iax, sip);
  });

  it("answers a SIP phone with audio both ways", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const sip = await startSipPhone("2001", "127.0.95.11", callerAudio);
    const iax = await startIaxPhone("127.0.95.21", calleeAudio);
    await sip.register();
    await iax.register();

    await sip.dial("3001");
    await iax.waitForIncoming();
    await sip.waitForState("ESTABLISHED");
    await iax.waitForState("ESTABLISHED");
    await expectTwoWayAudio(sip, iax);
  });

  it("sends DTMF that the SIP phone receives", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const { iax, sip } = await callSipFromIax();
    await iax.waitForState("ESTABLISHED");
    await iax.sendDtmf("409");
    await iax.hangup();
    await sip.waitForState("CLOSED");

    expect(sip.receivedDigits).toBe("409");
  });

  it("selects a menu tone by DTMF", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const iax = await startIaxPhone("127.0.95.21", callerAudio);
    await iax.register();

    const recording = await pressMenuDigits(iax, ["6"]);
    await expectTone(recording, LAB.promptHz, 0.3);
    await expectTone(recording, LAB.digitHz["6"]);
  });

  it("reports a call to an unknown number", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const iax = await startIaxPhone("127.0.95.21", callerAudio);
    await iax.register();

    await iax.dial("999");

    await expect(iax.waitForState("ESTABLISHED")).rejects.toThrow(/closed before it was established/);
  });

  it("reports a rejected registration", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const iax = await startIaxPhone("127.0.95.21", callerAudio, "wrong-secret");

    await expect(iax.register()).rejects.toThrow(/failed: Rejected/);
  });
});

describe("sipp", () => {
  it("registers with the right password", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const result = await sippRegister({ server: lab.sipServer, localAddress: "127.0.95.31", user: "2001", password: LAB.sipPhones["2001"] });

    expect(result.succeeded, result.errors).toBe(true);
    expect(result.responses).toEqual(["SIP/2.0 401 Unauthorized", "SIP/2.0 200 OK"]);
  });

  it("fails to register with a wrong password", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const result = await sippRegister({ server: lab.sipServer, localAddress: "127.0.95.31", user: "2001", password: "wrong-password" });

    expect(result.succeeded).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.responses).toEqual(["SIP/2.0 401 Unauthorized", "SIP/2.0 401 Unauthorized"]);
  });

  it("sends an RFC 4733 digit that the menu reads", { timeout: CALL_TEST_TIMEOUT_MS }, async () => {
    const result = await sippCallWithDtmf({
      server: lab.sipServer,
      localAddress: "127.0.95.31",
      user: "2001",
      password: LAB.sipPhones["2001"],
      number: LAB.dtmfMenuNumber,
      digit: "5",
    });

    expect(result.succeeded, result.errors).toBe(true);
    expect(await lab.container.logTail(200)).toMatch(/app_read\.c: User entered '5'/);
  });
});
