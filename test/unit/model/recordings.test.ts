import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { check, makeProjectDir, validRaw } from "./fixtures";

/** Writes `bytes` to `name` in a new project directory and returns the directory. */
function projectWith(name: string, bytes: Buffer): string {
  const dir = makeProjectDir();
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), bytes);
  return dir;
}

function header(text: string, padding = 64): Buffer {
  return Buffer.concat([Buffer.from(text, "latin1"), Buffer.alloc(padding)]);
}

function checkFile(name: string, bytes: Buffer) {
  const raw = validRaw();
  raw.recordings = { "ivr-dia": { file: name } };
  return check(raw, { projectDir: projectWith(name, bytes) });
}

const FILE_PATH = "inova-pbx:recordings.ivr-dia.file";
const UNSUPPORTED = "is not audio in a supported format; its content matches none of WAV, MP3, Ogg, FLAC, AIFF or AU, so convert it to one of them";

describe("recording files", () => {
  it.each([
    ["WAV", header("RIFF\x24\x08\x00\x00WAVEfmt ")],
    ["RF64 WAV", header("RF64\xff\xff\xff\xffWAVEds64")],
    ["MP3 with ID3 tag", header("ID3\x04\x00\x00")],
    ["MP3 frame", Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(64)])],
    ["Ogg", header("OggS\x00\x02")],
    ["FLAC", header("fLaC\x00\x00\x00\x22")],
    ["AIFF", header("FORM\x00\x00\x10\x00AIFFCOMM")],
    ["AIFF-C", header("FORM\x00\x00\x10\x00AIFCFVER")],
    ["AU", header(".snd\x00\x00\x00\x18")],
  ])("accepts %s content", (_format, bytes) => {
    expect(checkFile("assets/recordings/dia.wav", bytes)).toEqual([]);
  });

  it("probes the content, not the file name", () => {
    expect(checkFile("dia.mp3", header("RIFF\x24\x08\x00\x00WAVEfmt "))).toEqual([]);
    expect(checkFile("dia.wav", Buffer.from("not audio at all\n"))).toEqual([
      { path: FILE_PATH, code: "E_RECORDING_NOT_AUDIO", message: `file "dia.wav" ${UNSUPPORTED}.` },
    ]);
  });

  it("rejects a RIFF file that is not WAVE", () => {
    expect(checkFile("dia.wav", header("RIFF\x24\x08\x00\x00AVI LIST"))).toEqual([
      { path: FILE_PATH, code: "E_RECORDING_NOT_AUDIO", message: `file "dia.wav" ${UNSUPPORTED}.` },
    ]);
  });

  it("rejects ADTS AAC, which has no MPEG layer", () => {
    expect(checkFile("dia.mp3", Buffer.concat([Buffer.from([0xff, 0xf9, 0x90, 0x64]), Buffer.alloc(64)]))).toEqual([
      { path: FILE_PATH, code: "E_RECORDING_NOT_AUDIO", message: `file "dia.mp3" ${UNSUPPORTED}.` },
    ]);
  });

  it("rejects raw GSM", () => {
    const frame = Buffer.concat([Buffer.from([0xd8]), Buffer.alloc(32, 0x21)]);
    const gsm = Buffer.concat(Array.from({ length: 20 }, () => frame));
    expect(checkFile("dia.gsm", gsm)).toEqual([
      {
        path: FILE_PATH,
        code: "E_RECORDING_NOT_AUDIO",
        message: 'file "dia.gsm" is raw GSM, which has no header and is not accepted; convert it to WAV, MP3, Ogg, FLAC, AIFF or AU.',
      },
    ]);
  });

  it("rejects an empty file", () => {
    expect(checkFile("dia.wav", Buffer.alloc(0))).toEqual([
      { path: FILE_PATH, code: "E_RECORDING_NOT_AUDIO", message: 'file "dia.wav" is empty.' },
    ]);
  });

  it("rejects a Git LFS pointer", () => {
    const pointer = Buffer.from("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n");
    expect(checkFile("dia.wav", pointer)).toEqual([
      {
        path: FILE_PATH,
        code: "E_RECORDING_NOT_AUDIO",
        message: 'file "dia.wav" is a Git LFS pointer, not the audio itself; run git lfs pull.',
      },
    ]);
  });

  it("rejects a missing file", () => {
    const raw = validRaw();
    raw.recordings = { "ivr-dia": { file: "assets/recordings/dia.wav" } };
    expect(check(raw, { projectDir: makeProjectDir() })).toEqual([
      {
        path: FILE_PATH,
        code: "E_RECORDING_NOT_FOUND",
        message: 'file "assets/recordings/dia.wav" does not exist in the project directory; add the file or correct the path.',
      },
    ]);
  });

  it("rejects a directory", () => {
    const dir = makeProjectDir();
    fs.mkdirSync(path.join(dir, "assets"));
    const raw = validRaw();
    raw.recordings = { "ivr-dia": { file: "assets" } };
    expect(check(raw, { projectDir: dir })).toEqual([
      {
        path: FILE_PATH,
        code: "E_RECORDING_NOT_FOUND",
        message: 'file "assets" is not a regular file in the project directory; add the file or correct the path.',
      },
    ]);
  });

  it("rejects a file outside the project", () => {
    const dir = makeProjectDir();
    const raw = validRaw();
    raw.recordings = { "ivr-dia": { file: "../dia.wav" } };
    expect(check(raw, { projectDir: dir })).toEqual([
      {
        path: FILE_PATH,
        code: "E_RECORDING_OUTSIDE_PROJECT",
        message:
          'file "../dia.wav" is outside the project directory, so other checkouts would not find it; copy it into ' +
          "the repository, e.g. to assets/recordings/, and give that path.",
      },
    ]);
  });
});

describe("recording text and use", () => {
  it("rejects empty text and an unknown voice", () => {
    const raw = validRaw();
    raw.recordings = { agotado: { text: "  " }, error: { text: "Error.", voice: "Spanish" } };
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:recordings.agotado.text",
        code: "E_EMPTY_TEXT",
        message: "text is empty; write what the prompt says, or remove the recording to use the generated one.",
      },
      {
        path: "inova-pbx:recordings.error.voice",
        code: "E_VOICE",
        message: 'voice "Spanish" is not an espeak-ng voice name; use e.g. es-419 (Latin American Spanish).',
      },
    ]);
  });

  it("accepts espeak-ng voices with variants", () => {
    const raw = validRaw();
    raw.recordings = { agotado: { text: "Tiempo agotado.", voice: "es-419+f3" }, error: { text: "Error.", voice: "es" } };
    expect(check(raw)).toEqual([]);
  });

  it("rejects a recording no IVR plays", () => {
    const raw = validRaw();
    raw.recordings = { "ivr-dai": { text: "Buenos días." }, bienvenida: { text: "Hola." } };
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:recordings.bienvenida",
        code: "E_RECORDING_UNUSED",
        message: 'recording "bienvenida" is not played by any IVR; remove it.',
      },
      {
        path: "inova-pbx:recordings.ivr-dai",
        code: "E_RECORDING_UNUSED",
        message: 'recording "ivr-dai" is not played by any IVR. Did you mean "ivr-dia"? Otherwise remove it.',
      },
    ]);
  });
});
