// Loads each site's rendered configuration into a real Asterisk 22 (image inova/asterisk:dev)
// and checks that Asterisk reads it without errors and lists every endpoint, peer, box and menu.
// Containers use the host network on test-only addresses 127.0.90.1-3 with RTP ports from
// 20000, so they do not collide with deployed sites, and are removed afterwards.

import * as net from "node:net";
import { PassThrough } from "node:stream";
import Docker from "dockerode";
import * as tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { APPLY_MODES, renderSiteConfig } from "../../components/asterisk";
import { loadedModules } from "../../components/asterisk/modules";
import type { SiteModel } from "../../components/model/types";
import { MODELS, SITE_CODES, peersOf, secretsOf, type SiteCode } from "../unit/asterisk/fixtures";

/** Image under test; ASTERISK_TEST_IMAGE selects another build of assets/asterisk/Dockerfile. */
const IMAGE = process.env.ASTERISK_TEST_IMAGE ?? "inova/asterisk:dev";
const IMAGE_WAIT_MS = 20 * 60_000;
const BOOT_WAIT_MS = 60_000;
const docker = new Docker();

interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The fixture site moved to a test-only address and RTP range. */
function testModel(code: SiteCode): SiteModel {
  const index = SITE_CODES.indexOf(code);
  const model = MODELS[code];
  return {
    ...model,
    site: {
      ...model.site,
      address: `127.0.90.${index + 1}`,
      ports: { ...model.site.ports, rtp: { start: 20000 + index * 100, end: 20099 + index * 100 } },
    },
  };
}

async function waitForImage(): Promise<void> {
  const deadline = Date.now() + IMAGE_WAIT_MS;
  for (;;) {
    try {
      await docker.getImage(IMAGE).inspect();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`Image ${IMAGE} did not appear within ${IMAGE_WAIT_MS / 60_000} minutes; build assets/asterisk/Dockerfile first.`, {
          cause: error,
        });
      }
      await sleep(10_000);
    }
  }
}

async function tarOf(files: Readonly<Record<string, string | Buffer>>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, text] of Object.entries(files)) {
    pack.entry({ name, mode: 0o644 }, text);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function exec(container: Docker.Container, command: string[]): Promise<ExecResult> {
  const execution = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await execution.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const output = { stdout: "", stderr: "" };
  stdout.on("data", (chunk: Buffer) => (output.stdout += chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString("utf8")));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  const { ExitCode } = await execution.inspect();
  return { exitCode: ExitCode ?? -1, ...output };
}

async function cli(container: Docker.Container, command: string): Promise<string> {
  const result = await exec(container, ["asterisk", "-rx", command]);
  if (result.exitCode !== 0) {
    throw new Error(`asterisk -rx '${command}' exited with ${result.exitCode}: ${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

async function waitFullyBooted(container: Docker.Container): Promise<void> {
  const deadline = Date.now() + BOOT_WAIT_MS;
  let last: ExecResult | undefined;
  while (Date.now() < deadline) {
    last = await exec(container, ["asterisk", "-rx", "core waitfullybooted"]);
    if (last.exitCode === 0 && last.stdout.includes("fully booted")) {
      return;
    }
    await sleep(500);
  }
  const logs = (await container.logs({ stdout: true, stderr: true, tail: 50 })).toString("utf8");
  throw new Error(`Asterisk did not boot within ${BOOT_WAIT_MS} ms: ${last?.stdout}${last?.stderr}\n${logs}`);
}

async function removeIfPresent(name: string): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true });
  } catch {
    // Not present: nothing to remove.
  }
}

/** Sends one AMI action after logging in and returns the raw responses, split per message. */
async function managerSession(address: string, port: number, secret: string, actions: string[]): Promise<string[]> {
  const socket = net.connect({ host: address, port });
  let buffer = "";
  socket.on("data", (chunk: Buffer) => (buffer += chunk.toString("utf8")));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });

  const send = async (action: string, index: number): Promise<void> => {
    socket.write(`${action}\r\nActionID: ${index}\r\n\r\n`);
    const deadline = Date.now() + 5000;
    while (!new RegExp(`ActionID: ${index}\\r\\n`).test(buffer) || !buffer.endsWith("\r\n\r\n")) {
      if (Date.now() > deadline) {
        throw new Error(`No AMI response to "${action}" within 5 s: ${buffer}`);
      }
      await sleep(50);
    }
  };

  try {
    await send(`Action: Login\r\nUsername: inova-provisioner\r\nSecret: ${secret}`, 0);
    for (const [index, action] of actions.entries()) {
      await send(action, index + 1);
    }
  } finally {
    socket.end();
  }
  return buffer.split("\r\n\r\n").filter((message) => message.includes("ActionID:"));
}

/** Returns a silent 8 kHz 16-bit mono WAV file lasting `seconds`. */
function silentWav(seconds: number): Buffer {
  const samples = Math.round(8000 * seconds);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2)]);
}

/**
 * Starts a Local channel at `exten@context` and records every distinct application its
 * dialplan side runs, as `App(data)` (Asterisk's spelling `BackGround` becomes `Background`),
 * until the call hangs up or `until` accepts the trace, which then hangs the call up.
 */
async function traceCall(
  container: Docker.Container,
  exten: string,
  context: string,
  maxMs: number,
  until?: (trace: readonly string[]) => boolean,
): Promise<string[]> {
  await cli(container, `channel originate Local/${exten}@${context} application Wait ${Math.ceil(maxMs / 1000) + 5}`);
  const trace: string[] = [];
  const deadline = Date.now() + maxMs;
  let seen = false;
  while (Date.now() < deadline) {
    const channels = (await cli(container, "core show channels concise"))
      .split("\n")
      .filter((line) => line.startsWith(`Local/${exten}@${context}-`) && line.split("!")[0].endsWith(";2"));
    if (channels.length === 0 && seen) {
      return trace;
    }
    for (const line of channels) {
      seen = true;
      const fields = line.split("!");
      const step = `${fields[5].replace(/^BackGround$/, "Background")}(${fields[6]})`;
      if (trace[trace.length - 1] !== step) {
        trace.push(step);
      }
      if (until?.(trace) === true) {
        await cli(container, `channel request hangup ${fields[0]}`);
        return trace;
      }
    }
    await sleep(100);
  }
  throw new Error(`The call to ${exten}@${context} was still up after ${maxMs} ms: ${trace.join(" -> ")}`);
}

/** Returns the recording of the greeting band that covers the current time in `timezone`. */
function currentGreeting(timezone: string): string {
  const hour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", hourCycle: "h23" }).format(new Date()));
  if (hour >= 6 && hour < 12) {
    return "ivr-dia";
  }
  return hour >= 12 && hour < 19 ? "ivr-tarde" : "ivr-noche";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Hex form of an IPv4 address and port as /proc/net/udp and /proc/net/tcp list them. */
function procNetAddress(address: string, port: number): string {
  const octets = address.split(".").map((octet) => Number(octet).toString(16).padStart(2, "0").toUpperCase());
  return `${octets.reverse().join("")}:${port.toString(16).padStart(4, "0").toUpperCase()}`;
}

beforeAll(waitForImage, IMAGE_WAIT_MS + 60_000);

describe.each(SITE_CODES)("Asterisk with the configuration of %s", (code) => {
  const model = testModel(code);
  const secrets = secretsOf(model);
  const rendered = renderSiteConfig(model, secrets, { peers: peersOf(code) });
  const name = `render-test-${code}-${process.pid}`;
  let container: Docker.Container;

  beforeAll(async () => {
    await removeIfPresent(name);
    container = await docker.createContainer({
      name,
      Image: IMAGE,
      HostConfig: { NetworkMode: "host" },
      Labels: { "inova.test": "render" },
    });
    await container.putArchive(await tarOf({ ...rendered.files, ...rendered.secretFiles }), { path: "/etc/asterisk" });
    // Silent stand-ins for the prompts, so the IVR runs through its steps: greetings last
    // 2 s, the other prompts 0.5 s.
    const prompts = Object.fromEntries(
      model.recordings.map((recording) => [`${recording.name}.wav`, silentWav(recording.name.startsWith("ivr-") ? 2 : 0.5)]),
    );
    await container.putArchive(await tarOf(prompts), { path: "/usr/share/asterisk/sounds/inova" });
    // The entrypoint starts Asterisk once this marker exists (inova-apply-config creates it).
    await container.putArchive(await tarOf({ "config-ready": "" }), { path: "/var/lib/inova" });
    await container.start();
    await waitFullyBooted(container);
  }, BOOT_WAIT_MS + 30_000);

  afterAll(async () => {
    await removeIfPresent(name);
  }, 30_000);

  const messagesLog = async (): Promise<string> => (await exec(container, ["cat", "/var/log/asterisk/messages.log"])).stdout;

  it("logs no error while loading", async () => {
    const log = await messagesLog();
    expect(log).toContain("Asterisk");
    expect(log.split("\n").filter((line) => /\bERROR\[/.test(line))).toEqual([]);
    expect(log.split("\n").filter((line) => /\bWARNING\[/.test(line) && /conf|config/i.test(line))).toEqual([]);
  });

  it("runs every module of modules.conf", async () => {
    const modules = await cli(container, "module show");
    for (const module of loadedModules()) {
      expect(modules, module).toMatch(new RegExp(`^${module.replace(/\./g, "\\.")}\\s.*\\sRunning\\s`, "m"));
    }
    expect(modules).not.toMatch(/^app_voicemail_odbc/m);
    expect(await cli(container, "module show like cdr")).toMatch(/^cdr\s+CDR Engine\s.*Running/m);
  });

  it("binds SIP, IAX2 and the manager to the site address only", async () => {
    const udp = (await exec(container, ["cat", "/proc/net/udp"])).stdout;
    const tcp = (await exec(container, ["cat", "/proc/net/tcp"])).stdout;
    expect(udp).toContain(procNetAddress(model.site.address, model.site.ports.sip));
    expect(udp).toContain(procNetAddress(model.site.address, model.site.ports.iax));
    expect(tcp).toContain(procNetAddress(model.site.address, model.site.ports.ami));
    expect(await cli(container, "pjsip show transports")).toContain(`${model.site.address}:${model.site.ports.sip}`);
  });

  it("lists every PJSIP endpoint with its context and ACL", async () => {
    const endpoints = await cli(container, "pjsip show endpoints");
    for (const extension of model.extensions.filter((candidate) => candidate.protocol === "pjsip")) {
      expect(endpoints).toMatch(new RegExp(`Endpoint:\\s+${extension.number}/${extension.number}\\s`));
      const detail = await cli(container, `pjsip show endpoint ${extension.number}`);
      expect(detail).toMatch(new RegExp(`\\bcontext\\s+:\\s+from-internal-${code}\\b`));
      expect(detail).toMatch(/\bcontact_acl\s+:\s+inova-local\b/);
      expect(detail).toMatch(new RegExp(`\\bmailboxes\\s+:\\s+${extension.number}@${code}\\b`));
    }
  }, 30_000);

  it("lists every IAX2 peer", async () => {
    const peers = await cli(container, "iax2 show peers");
    for (const extension of model.extensions.filter((candidate) => candidate.protocol === "iax2")) {
      expect(peers).toMatch(new RegExp(`^${extension.number}\\s`, "m"));
      const detail = await cli(container, `iax2 show peer ${extension.number}`);
      expect(detail).toMatch(new RegExp(`Context\\s+:\\s+from-internal-${code}`));
      expect(detail).toMatch(/Secret\s+:\s+<Set>/);
    }
  }, 30_000);

  it("lists every voicemail box", async () => {
    const users = await cli(container, `voicemail show users for ${code}`);
    for (const extension of model.extensions) {
      expect(users).toMatch(new RegExp(`^${code}\\s+${extension.number}\\s`, "m"));
    }
  });

  it("shows each IVR with its menu, i and t", async () => {
    for (const ivr of model.ivrs) {
      const context = `ivr-${code}-${ivr.number}`;
      expect(await cli(container, `dialplan show ${ivr.number}@local-${code}`)).toContain(`Goto(${context},s,1)`);
      const menu = await cli(container, `dialplan show s@${context}`);
      expect(menu).toContain(`GotoIfTime(06:00-11:59,*,*,*,${model.site.timezone}?greeting-1)`);
      expect(menu).toMatch(/\[wait\]\s+\d+\. WaitExten\(5\)/);
      for (const extension of ["i", "t", ...ivr.options.map((option) => option.digit)]) {
        expect(await cli(container, `dialplan show ${extension}@${context}`)).toContain(`'${extension}' =>`);
      }
    }
  });

  it("repeats the menu after each timeout, then lets the caller go", async () => {
    const ivr = model.ivrs[0];
    const context = `ivr-${code}-${ivr.number}`;
    const prompt = (name: string): string => `/usr/share/asterisk/sounds/inova/${name}`;
    const greeting = `Background(${prompt(currentGreeting(model.site.timezone))})`;
    const trace = (await traceCall(container, "s", context, 45_000)).filter((step) => /^(Background|WaitExten|Playback|Dial|VoiceMail)\(/.test(step));

    const round = [greeting, `WaitExten(${ivr.timeoutSeconds})`, `Playback(${prompt(ivr.timeoutRecording)})`];
    const rounds = Array.from({ length: ivr.maxAttempts }, () => round).flat();
    expect(trace.slice(0, rounds.length)).toEqual(rounds);
    if (ivr.operator === undefined) {
      expect(trace.slice(rounds.length)).toEqual([`Playback(${prompt(ivr.goodbyeRecording)})`]);
    } else {
      // The operator's phone is not registered, so the call goes to the operator's voicemail undialed.
      expect(trace.slice(rounds.length)).toEqual([`VoiceMail(${ivr.operator}@${code},u)`]);
    }
  }, 60_000);

  const remoteOptions = model.ivrs.flatMap((ivr) =>
    ivr.options.filter((option) => option.target.kind === "remoteIvr").map((option) => [ivr.number, option.digit] as const),
  );
  // Only sites whose IVR offers another site have this path.
  if (remoteOptions.length > 0) it("returns to the menu when another site is unreachable", async () => {
    const [ivrNumber, digit] = remoteOptions[0];
    const ivr = model.ivrs.find((candidate) => candidate.number === ivrNumber);
    const context = `ivr-${code}-${ivrNumber}`;
    const unavailablePrompt = `Playback(/usr/share/asterisk/sounds/inova/${ivr?.unavailableRecording})`;
    const greeting = `Background(/usr/share/asterisk/sounds/inova/${currentGreeting(model.site.timezone)})`;
    const trace = await traceCall(container, digit, context, 45_000, (steps) => steps.includes(greeting));
    const unavailable = trace.indexOf(unavailablePrompt);
    expect(unavailable).toBeGreaterThan(-1);
    expect(trace.slice(unavailable + 1)).toContain(greeting);
  }, 60_000);

  it("limits the manager account to counting calls and reloading", async () => {
    const responses = await managerSession(model.site.address, model.site.ports.ami, secrets.amiPassword, [
      "Action: CoreShowChannels",
      "Action: Command\r\nCommand: core show version",
      "Action: Originate\r\nChannel: Local/100@local-x\r\nApplication: Wait",
    ]);
    const byId = (id: number): string => responses.find((response) => response.includes(`ActionID: ${id}\r\n`)) ?? "";
    expect(byId(0)).toContain("Response: Success");
    expect(byId(1)).toContain("Response: Success");
    expect(byId(2)).toContain("Response: Error");
    expect(byId(2)).toMatch(/Permission denied/i);
    expect(byId(3)).toMatch(/Permission denied/i);
  });

  it("applies every reload command without errors", async () => {
    const commands = [...new Set(Object.values(APPLY_MODES).flatMap((mode) => (mode.kind === "reload" ? [mode.command] : [])))];
    for (const command of commands) {
      const output = await cli(container, command);
      expect(output, command).not.toMatch(/No such module|does not support reload|not found|Unable to/i);
    }
    await sleep(500);
    const log = await messagesLog();
    expect(log.split("\n").filter((line) => /\bERROR\[/.test(line))).toEqual([]);
  }, 60_000);
});
