import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";

import { toneSeconds, writeToneWav } from "../../support/audio";
import { SipPhone } from "../../support/phones/sip-phone";
import { sleep } from "../../support/phones/wait";
import { SitePbx } from "../../support/site-pbx";

let pbx: SitePbx;
let dir: string;
const phones: SipPhone[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smoke-"));
  pbx = await SitePbx.start({ code: "mochis", address: "127.0.91.1", rtpStart: 21000 });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(phones.map((p) => p.stop()));
  await pbx?.stop();
  await rm(dir, { recursive: true, force: true });
});

it("connects 100 to 101 with audio both ways", async () => {
  const a = await SipPhone.start({ user: "100", password: pbx.password("100"), server: `${pbx.address}:5060`, localAddress: "127.0.91.11", audioFile: await writeToneWav(join(dir, "a.wav"), 700, 60) });
  phones.push(a);
  const b = await SipPhone.start({ user: "101", password: pbx.password("101"), server: `${pbx.address}:5060`, localAddress: "127.0.91.12", audioFile: await writeToneWav(join(dir, "b.wav"), 1300, 60) });
  phones.push(b);
  await a.register();
  await b.register();
  await a.dial("101");
  await b.waitForIncoming();
  await b.answer();
  await a.waitForState("ESTABLISHED");
  await sleep(2000);
  await a.hangup();
  await b.waitForState("CLOSED");
  expect(await toneSeconds(await a.recording(), 1300)).toBeGreaterThan(1);
  expect(await toneSeconds(await b.recording(), 700)).toBeGreaterThan(1);
});
