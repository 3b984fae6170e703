// Operator recordings in common formats become what Asterisk plays, and the
// spoken placeholders are real speech.

import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { isSilent, toneSeconds, writeToneWav } from "../../support/audio";
import { SipPhone } from "../../support/phones/sip-phone";
import { SitePbx } from "../../support/site-pbx";

const GREETING_HZ = 440;
let directory: string;
let pbx: SitePbx;
const phones: SipPhone[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "recordings-test-"));
  // An MP3 at 44.1 kHz stereo and a WAV at 48 kHz, neither of which Asterisk plays as is.
  const mp3 = join(directory, "greeting.mp3");
  execFileSync("sox", ["-n", "-r", "44100", "-c", "2", mp3, "synth", "4", "sine", String(GREETING_HZ)]);
  const wav48k = join(directory, "timeout.wav");
  execFileSync("sox", ["-n", "-r", "48000", "-c", "1", "-b", "24", wav48k, "synth", "1", "sine", "880"]);

  pbx = await SitePbx.start({
    code: "mochis",
    address: "127.0.94.1",
    rtpStart: 24000,
    recordings: { "ivr-dia": mp3, "ivr-tarde": mp3, "ivr-noche": mp3, agotado: wav48k },
  });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(phones.map((phone) => phone.stop()));
  await pbx?.stop();
  await rm(directory, { recursive: true, force: true });
});

async function promptFormat(name: string): Promise<string> {
  const result = await pbx.asterisk.exec(["soxi", `/usr/share/asterisk/sounds/inova/${name}.wav`]);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

describe("prompt conversion", () => {
  it("converts an MP3 to 8 kHz mono 16-bit", async () => {
    const info = await promptFormat("ivr-dia");
    expect(info).toMatch(/Channels\s*:\s*1\b/);
    expect(info).toMatch(/Sample Rate\s*:\s*8000\b/);
    expect(info).toMatch(/Precision\s*:\s*16-bit/);
  });

  it("converts a 48 kHz 24-bit WAV", async () => {
    const info = await promptFormat("agotado");
    expect(info).toMatch(/Sample Rate\s*:\s*8000\b/);
    expect(info).toMatch(/Precision\s*:\s*16-bit/);
  });

  it("keeps a 16 kHz copy for wideband codecs", async () => {
    const result = await pbx.asterisk.exec(["stat", "-c", "%s", "/usr/share/asterisk/sounds/inova/ivr-dia.sln16"]);
    expect(result.exitCode).toBe(0);
    // 4 s at 16 kHz, 2 bytes a sample.
    expect(Number(result.stdout.trim())).toBeGreaterThan(4 * 16000 * 2 * 0.9);
  });

  it("speaks the placeholders it generates", async () => {
    const speech = await pbx.asterisk.readFile("/usr/share/asterisk/sounds/inova/despedida.wav");
    const file = join(directory, "despedida.wav");
    await writeFile(file, speech);
    expect(await isSilent(file)).toBe(false);
  });

  it("plays the converted greeting to a caller", async () => {
    const phone = await SipPhone.start({
      user: "100",
      password: pbx.password("100"),
      server: `${pbx.address}:5060`,
      localAddress: "127.0.94.11",
      audioFile: await writeToneWav(join(directory, "caller.wav"), 1300, 60),
    });
    phones.push(phone);
    await phone.register();
    await phone.dial("199");
    await phone.waitForState("ESTABLISHED");
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await phone.hangup();
    await phone.waitForState("CLOSED");
    expect(await toneSeconds(await phone.recording(), GREETING_HZ)).toBeGreaterThan(1.5);
  });
});
