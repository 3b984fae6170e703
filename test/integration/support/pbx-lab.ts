// A small Asterisk PBX for the phone helper tests, configured from
// test/fixtures/pbx-lab/ and run in a `phone-test-pbx-<pid>` container on the
// host network.

import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { writeToneWav } from "../../support/audio";
import { AsteriskContainer, type ContainerFiles } from "../../support/phones/asterisk-container";
import { assertPortsFree } from "../../support/phones/ports";

const FIXTURE_DIRECTORY = join(__dirname, "..", "..", "fixtures", "pbx-lab");
const SOUND_DIRECTORY = "/usr/share/asterisk/sounds/lab";

/** Numbers, credentials and tones of the lab dialplan in test/fixtures/pbx-lab/. */
export const LAB = {
  sipPhones: {
    "2001": "lab-2001-secret",
    "2002": "lab-2002-secret",
  },
  iaxPhones: {
    "3001": "lab-3001-secret",
  },
  /** Answers and returns the caller's audio. */
  echoNumber: "600",
  /** Answers with Milliwatt(m), a 1004 Hz tone. */
  milliwattNumber: "601",
  milliwattHz: 1004,
  /** Answers, plays the prompt tone and answers each digit 0-9 with that digit's tone. */
  dtmfMenuNumber: "700",
  promptHz: 400,
  promptSeconds: 2,
  digitSeconds: 1.5,
  digitHz: {
    "1": 500,
    "2": 650,
    "3": 800,
    "4": 950,
    "5": 1100,
    "6": 1250,
    "7": 1400,
    "8": 1550,
    "9": 1700,
    "0": 1850,
  } as Readonly<Record<string, number>>,
} as const;

export interface PbxLabOptions {
  /** Loopback address that SIP, IAX2 and RTP bind. @default "127.0.95.1" */
  readonly address?: string;
  /** @default 5060 */
  readonly sipPort?: number;
  /** @default 4569 */
  readonly iaxPort?: number;
  /** @default [30000, 30199] */
  readonly rtpPorts?: readonly [number, number];
}

export class PbxLab {
  private constructor(
    readonly container: AsteriskContainer,
    readonly address: string,
    readonly sipPort: number,
    readonly iaxPort: number,
  ) {}

  /** Starts the lab PBX and waits until Asterisk has fully booted. */
  static async start(options: PbxLabOptions = {}): Promise<PbxLab> {
    const address = options.address ?? "127.0.95.1";
    const sipPort = options.sipPort ?? 5060;
    const iaxPort = options.iaxPort ?? 4569;
    const [rtpStart, rtpEnd] = options.rtpPorts ?? [30000, 30199];
    const placeholders: Record<string, string> = {
      ADDRESS: address,
      SIP_PORT: String(sipPort),
      IAX_PORT: String(iaxPort),
      RTP_START: String(rtpStart),
      RTP_END: String(rtpEnd),
    };

    await assertPortsFree(address, { udp: [sipPort, iaxPort] }, "the lab PBX");
    const files: Record<string, string | Buffer> = {
      ...(await configurationFiles(placeholders)),
      ...(await soundFiles()),
    };
    const container = await AsteriskContainer.start({ name: `phone-test-pbx-${process.pid}`, files });
    return new PbxLab(container, address, sipPort, iaxPort);
  }

  /** Address and port of the SIP registrar, e.g. `127.0.95.1:5060`. */
  get sipServer(): string {
    return `${this.address}:${this.sipPort}`;
  }

  /** Removes the container. */
  async stop(): Promise<void> {
    await this.container.remove();
  }
}

async function configurationFiles(placeholders: Record<string, string>): Promise<ContainerFiles> {
  const files: Record<string, string> = {};
  for (const name of await readdir(FIXTURE_DIRECTORY)) {
    if (!name.endsWith(".conf")) {
      continue;
    }
    const template = await readFile(join(FIXTURE_DIRECTORY, name), "utf8");
    files[`/etc/asterisk/${name}`] = template.replace(/@([A-Z_]+)@/g, (match, key: string) => {
      const value = placeholders[key];
      if (value === undefined) {
        throw new Error(`${name}: unknown placeholder ${match}`);
      }
      return value;
    });
  }
  return files;
}

async function soundFiles(): Promise<ContainerFiles> {
  const directory = await mkdtemp(join(tmpdir(), "pbx-lab-sounds-"));
  try {
    const files: Record<string, Buffer> = {};
    const prompt = await writeToneWav(join(directory, "prompt.wav"), LAB.promptHz, LAB.promptSeconds);
    files[`${SOUND_DIRECTORY}/prompt.wav`] = await readFile(prompt);
    for (const [digit, hz] of Object.entries(LAB.digitHz)) {
      const tone = await writeToneWav(join(directory, `digit-${digit}.wav`), hz, LAB.digitSeconds);
      files[`${SOUND_DIRECTORY}/digit-${digit}.wav`] = await readFile(tone);
    }
    return files;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
