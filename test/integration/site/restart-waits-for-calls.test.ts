// A configuration change that needs an Asterisk restart waits until the site has no active
// call: the ContainerFiles provider, set up as components/pbx.ts sets it up (the image's
// inova-active-calls as the idle check), updates a rendered site PBX while three real SIP
// calls end one by one. Also the bounded wait and the forceRestart override.
// Needs Docker with the inova/asterisk images, baresip and sox.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { restartRequiredFiles } from "../../../components/asterisk";
import {
  containerFilesProvider,
  type ContainerFilesProviderInputs,
  type ContainerFilesProviderOutputs,
} from "../../../components/providers/docker/container-files-provider";
import { toneSeconds, writeToneWav } from "../../support/audio";
import { SipPhone } from "../../support/phones/sip-phone";
import { sleep } from "../../support/phones/wait";
import { SitePbx } from "../../support/site-pbx";

const PBX_ADDRESS = "127.0.108.1";
const RTP_START = 37000;
/** A file that Asterisk reads only at start, so changing it needs a restart. */
const RESTART_FILE = "pjproject.conf";
const POLL_SECONDS = 0.5;

/** Caller, callee and the caller's tone of each call. */
const CALLS = [
  { caller: "100", callee: "105", hz: 550 },
  { caller: "101", callee: "106", hz: 1150 },
  { caller: "102", callee: "108", hz: 1550 },
] as const;

interface ActiveCall {
  readonly caller: SipPhone;
  readonly callee: SipPhone;
  readonly hz: number;
  readonly establishedAt: number;
}

let pbx: SitePbx;
let containerId: string;
let directory: string;
let originalText: string;
let state: ContainerFilesProviderOutputs;
let nextHost = 11;
const phones: SipPhone[] = [];

async function startPhone(user: string, hz: number): Promise<SipPhone> {
  const phone = await SipPhone.start({
    user,
    password: pbx.password(user),
    server: `${PBX_ADDRESS}:5060`,
    localAddress: `127.0.108.${nextHost++}`,
    audioFile: await writeToneWav(join(directory, `tone-${hz}.wav`), hz, 180),
  });
  phones.push(phone);
  await phone.register();
  return phone;
}

async function connect(call: (typeof CALLS)[number]): Promise<ActiveCall> {
  const caller = await startPhone(call.caller, call.hz);
  const callee = await startPhone(call.callee, call.hz + 1000);
  await caller.dial(call.callee);
  await callee.waitForIncoming();
  await callee.answer();
  await caller.waitForState("ESTABLISHED");
  await callee.waitForState("ESTABLISHED");
  return { caller, callee, hz: call.hz, establishedAt: Date.now() };
}

/** Hangs up from the caller's side; returns the call's length in seconds. */
async function hangUp(call: ActiveCall): Promise<number> {
  await call.caller.hangup();
  const seconds = (Date.now() - call.establishedAt) / 1000;
  await call.callee.waitForState("CLOSED");
  return seconds;
}

/** Checks that the callee heard the caller's tone for the whole call, so the call was not cut short. */
async function expectWholeCallHeard(call: ActiveCall, seconds: number): Promise<void> {
  expect(await toneSeconds(await call.callee.recording(), call.hz)).toBeGreaterThan(seconds - 1.5);
}

async function startedAt(): Promise<string> {
  return (await new Docker().getContainer(containerId).inspect()).State.StartedAt;
}

async function restartFileText(): Promise<string> {
  return (await pbx.asterisk.readFile(`/etc/asterisk/${RESTART_FILE}`)).toString("utf8");
}

async function inputsFor(text: string, restart: { maxWaitSeconds?: number; forceRestart?: boolean } = {}): Promise<ContainerFilesProviderInputs> {
  const news = {
    containerId,
    directory: "/etc/asterisk",
    files: { [RESTART_FILE]: text },
    secretFiles: {},
    owner: "asterisk",
    afterChange: ["inova-apply-config"],
    restartWhen: {
      paths: [...restartRequiredFiles],
      waitIdleCommand: ["inova-active-calls"],
      maxWaitSeconds: restart.maxWaitSeconds ?? 120,
      pollIntervalSeconds: POLL_SECONDS,
    },
    forceRestart: restart.forceRestart ?? false,
  };
  const checked = await containerFilesProvider.check!({} as ContainerFilesProviderInputs, news as unknown as ContainerFilesProviderInputs);
  expect(checked.failures).toEqual([]);
  return checked.inputs as ContainerFilesProviderInputs;
}

async function stopPhones(): Promise<void> {
  await Promise.allSettled(phones.splice(0).map((phone) => phone.stop()));
}

beforeAll(async () => {
  expect(restartRequiredFiles).toContain(RESTART_FILE);
  directory = await mkdtemp(join(tmpdir(), "restart-waits-"));
  pbx = await SitePbx.start({ code: "mochis", address: PBX_ADDRESS, rtpStart: RTP_START });
  containerId = (await new Docker().getContainer(pbx.asterisk.name).inspect()).Id;
  originalText = await restartFileText();
  // The files match what the PBX was started with, so creating the resource changes nothing.
  const created = await containerFilesProvider.create(await inputsFor(originalText));
  state = created.outs as ContainerFilesProviderOutputs;
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    for (const phone of phones) {
      console.log(await phone.logTail(30).catch((error: Error) => error.message));
    }
    console.log(await pbx?.asterisk.logTail(60).catch((error: Error) => error.message));
    console.log(await pbx?.cli("core show channels verbose").catch((error: Error) => error.message));
    console.log(await pbx?.cli("pjsip show contacts").catch((error: Error) => error.message));
  }
  await stopPhones();
});

afterAll(async () => {
  await pbx?.stop();
  await rm(directory, { recursive: true, force: true });
});

describe("restart with calls in progress", () => {
  it("waits for the last of three calls", async () => {
    const calls: ActiveCall[] = [];
    for (const call of CALLS) {
      calls.push(await connect(call));
    }
    const before = await startedAt();
    expect((await pbx.cli("core show channels count")).match(/(\d+) active calls?/)?.[1]).toBe("3");
    const changed = `${originalText}; revision 2\n`;

    let settled = false;
    const update = containerFilesProvider.update!("files", state, await inputsFor(changed)).finally(() => {
      settled = true;
    });

    // Each call ends at its own time; the update must still be waiting after each of the first two.
    for (const [index, call] of calls.slice(0, -1).entries()) {
      await sleep(3_000);
      const seconds = await hangUp(call);
      await sleep(4 * POLL_SECONDS * 1000);

      expect(settled, `update finished after call ${index + 1} of ${calls.length} ended`).toBe(false);
      expect(await startedAt()).toBe(before);
      expect(await restartFileText()).toBe(originalText);
      for (const other of calls.slice(index + 1)) {
        expect(other.caller.state).toBe("ESTABLISHED");
      }
      await expectWholeCallHeard(call, seconds);
    }

    await sleep(3_000);
    const last = calls[calls.length - 1];
    const lastHangUp = Date.now();
    const lastSeconds = await hangUp(last);
    state = (await update).outs as ContainerFilesProviderOutputs;

    const after = await startedAt();
    expect(after).not.toBe(before);
    expect(new Date(after).getTime()).toBeGreaterThanOrEqual(lastHangUp);
    expect(await restartFileText()).toBe(changed);
    await expectWholeCallHeard(last, lastSeconds);
  });

  it("fails unchanged when the wait bound passes", async () => {
    const call = await connect(CALLS[0]);
    const before = await startedAt();
    const textBefore = await restartFileText();

    await expect(
      containerFilesProvider.update!("files", state, await inputsFor(`${textBefore}; revision 3\n`, { maxWaitSeconds: 3 })),
    ).rejects.toThrow(/was not idle within 3 s: \["inova-active-calls"\] must print 0 before a restart, and it last printed "1"\. No file was changed\..*forceRestart: true/s);

    expect(await startedAt()).toBe(before);
    expect(await restartFileText()).toBe(textBefore);
    expect(call.caller.state).toBe("ESTABLISHED");
    expect(call.callee.state).toBe("ESTABLISHED");
    await hangUp(call);
  });

  it("restarts at once with forceRestart", async () => {
    const call = await connect(CALLS[1]);
    const before = await startedAt();
    const changed = `${await restartFileText()}; revision 4\n`;

    state = (await containerFilesProvider.update!("files", state, await inputsFor(changed, { forceRestart: true }))).outs as ContainerFilesProviderOutputs;

    expect(await startedAt()).not.toBe(before);
    expect(await restartFileText()).toBe(changed);
    // The override drops the active call.
    await call.caller.waitForState("CLOSED", 30_000);
  });
});
