import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadOperatorSecrets, loadProjectSites } from "../../../components/model/load";
import type { Recording } from "../../../components/model/types";
import { load, makeProjectDir, readStackConfig, REPO_DIR, validRaw } from "./fixtures";

function recordingNamed(recordings: readonly Recording[], name: string): Recording {
  const recording = recordings.find((candidate) => candidate.name === name);
  if (recording === undefined) {
    throw new Error(`no recording ${name}`);
  }
  return recording;
}

function speechText(recordings: readonly Recording[], name: string): string {
  const { source } = recordingNamed(recordings, name);
  if (source.kind !== "speech") {
    throw new Error(`recording ${name} is a file`);
  }
  return source.text;
}

describe("loadSite defaults", () => {
  const model = load(validRaw());

  it("applies port and language defaults", () => {
    expect(model.site.ports).toEqual({ sip: 5060, iax: 4569, ami: 5038, rtp: { start: 20000, end: 20199 } });
    expect(model.site.language).toBe("es");
  });

  it("applies extension defaults", () => {
    expect(model.extensions[0]).toEqual({ number: "100", name: "Soporte", protocol: "pjsip", voicemail: true, maxCalls: 2 });
  });

  it("applies ring-group defaults", () => {
    expect(model.ringGroups[0].ringSeconds).toBe(15);
  });

  it("applies IVR defaults", () => {
    const ivr = model.ivrs[0];
    expect(ivr.timeoutSeconds).toBe(5);
    expect(ivr.maxAttempts).toBe(3);
    expect(ivr.timeoutRecording).toBe("agotado");
    expect(ivr.invalidRecording).toBe("error");
    expect(ivr.unavailableRecording).toBe("no-disponible");
    expect(ivr.goodbyeRecording).toBe("despedida");
    expect(ivr.operator).toBeUndefined();
  });

  it("keeps explicit values", () => {
    const raw = validRaw();
    raw.site!.ports = { sip: 5070, iax: 4570, ami: 5039 };
    raw.site!.language = "en";
    raw.extensions![0] = { ...raw.extensions![0], voicemail: false, maxCalls: 4 };
    raw.ringGroups![0].ringSeconds = 25;
    raw.ivrs![0] = { ...raw.ivrs![0], timeoutSeconds: 8, maxAttempts: 2, goodbyeRecording: "adios", operator: "100" };
    const custom = load(raw);
    expect(custom.site.ports.sip).toBe(5070);
    expect(custom.site.ports.iax).toBe(4570);
    expect(custom.site.ports.ami).toBe(5039);
    expect(custom.site.language).toBe("en");
    expect(custom.extensions[0].voicemail).toBe(false);
    expect(custom.extensions[0].maxCalls).toBe(4);
    expect(custom.ringGroups[0].ringSeconds).toBe(25);
    expect(custom.ivrs[0].timeoutSeconds).toBe(8);
    expect(custom.ivrs[0].maxAttempts).toBe(2);
    expect(custom.ivrs[0].goodbyeRecording).toBe("adios");
    expect(custom.ivrs[0].operator).toBe("100");
  });

  it("maps each option key to its target", () => {
    const raw = validRaw();
    raw.ivrs![0].options = [
      { digit: "1", label: "A", extension: "100" },
      { digit: "2", label: "B", ringGroup: "601" },
      { digit: "3", label: "C", ivr: "199" },
      { digit: "4", label: "D", site: "beta" },
    ];
    expect(load(raw).ivrs[0].options.map((option) => option.target)).toEqual([
      { kind: "extension", number: "100" },
      { kind: "ringGroup", number: "601" },
      { kind: "ivr", number: "199" },
      { kind: "remoteIvr", site: "beta" },
    ]);
  });
});

describe("loadSite recordings", () => {
  const mochis = load(readStackConfig("mochis"));

  it("generates every recording an IVR or 911 plays", () => {
    expect(mochis.recordings.map((recording) => recording.name)).toEqual([
      "agotado",
      "aviso-emergencia",
      "despedida",
      "emergencia-sin-linea",
      "error",
      "ivr-dia",
      "ivr-noche",
      "ivr-tarde",
      "no-disponible",
    ]);
    expect(mochis.recordings.every((recording) => recording.generated === true)).toBe(true);
  });

  it("speaks the generated prompts in Latin American Spanish", () => {
    for (const recording of mochis.recordings) {
      expect(recording.source).toMatchObject({ kind: "speech", voice: "es-419" });
    }
  });

  it("greets by time of day and reads the menu", () => {
    const menu =
      "Bienvenido a Inova. Para Soporte, marque 1. Para Quejas, marque 2. Para Facturación, marque 3. " +
      "Para Inventario, marque 4. Para Villahermosa, marque 5. Para Silicon Valley, marque 6.";
    expect(speechText(mochis.recordings, "ivr-dia")).toBe(`Buenos días. ${menu}`);
    expect(speechText(mochis.recordings, "ivr-tarde")).toBe(`Buenas tardes. ${menu}`);
    expect(speechText(mochis.recordings, "ivr-noche")).toBe(`Buenas noches. ${menu}`);
  });

  it("words the timeout, error, unavailable and goodbye prompts", () => {
    expect(speechText(mochis.recordings, "agotado")).toBe("No recibimos ninguna opción. Escuche de nuevo el menú.");
    expect(speechText(mochis.recordings, "error")).toBe("La opción que marcó no es válida. Escuche de nuevo el menú.");
    expect(speechText(mochis.recordings, "no-disponible")).toBe(
      "Lo sentimos, esa sede no está disponible en este momento. Regresamos al menú principal.",
    );
    expect(speechText(mochis.recordings, "despedida")).toBe("Gracias por llamar a Inova. Hasta luego.");
  });

  it("keeps operator recordings instead of generating them", () => {
    const raw = validRaw();
    raw.recordings = {
      "ivr-dia": { file: "./assets/recordings/../recordings/dia.wav" },
      agotado: { text: "Tiempo agotado." },
      error: { text: "Error.", voice: "es" },
    };
    const { recordings } = load(raw);
    expect(recordingNamed(recordings, "ivr-dia")).toEqual({
      name: "ivr-dia",
      source: { kind: "file", path: "assets/recordings/dia.wav" },
    });
    expect(recordingNamed(recordings, "agotado")).toEqual({
      name: "agotado",
      source: { kind: "speech", text: "Tiempo agotado.", voice: "es-419" },
    });
    expect(recordingNamed(recordings, "error").source).toEqual({ kind: "speech", text: "Error.", voice: "es" });
    expect(recordingNamed(recordings, "ivr-tarde").generated).toBe(true);
  });

  it("makes absolute paths inside the project relative", () => {
    const raw = validRaw();
    raw.recordings = { "ivr-dia": { file: path.join(REPO_DIR, "assets", "dia.wav") } };
    expect(recordingNamed(load(raw).recordings, "ivr-dia").source).toEqual({ kind: "file", path: "assets/dia.wav" });
  });

  it("names the greetings of a second IVR after its number", () => {
    const raw = validRaw();
    raw.ivrs!.push({ number: "198", name: "Ventas", options: [{ digit: "1", label: "Soporte", extension: "100" }] });
    const model = load(raw);
    expect(model.ivrs[1].greetings.map((band) => band.recording)).toEqual(["ivr-198-dia", "ivr-198-tarde", "ivr-198-noche"]);
    expect(speechText(model.recordings, "ivr-198-tarde")).toBe("Buenas tardes. Bienvenido a Inova. Para Soporte, marque 1.");
    expect(model.ivrs[1].timeoutRecording).toBe("agotado");
  });

  it("words operator-defined bands by their start time", () => {
    const raw = validRaw();
    raw.ivrs![0].greetings = [
      { from: "00:00", to: "09:59", recording: "manana" },
      { from: "10:00", to: "20:59", recording: "resto" },
      { from: "21:00", to: "23:59", recording: "tarde-noche" },
    ];
    const model = load(raw);
    expect(speechText(model.recordings, "manana")).toMatch(/^Buenas noches\. /);
    expect(speechText(model.recordings, "resto")).toMatch(/^Buenos días\. /);
    expect(speechText(model.recordings, "tarde-noche")).toMatch(/^Buenas noches\. /);
  });
});

describe("loadOperatorSecrets", () => {
  it("returns empty maps when nothing is set", () => {
    expect(loadOperatorSecrets(validRaw())).toEqual({ extensionPasswords: {}, voicemailPins: {} });
  });

  it("returns the secrets that are set", () => {
    const raw = { ...validRaw(), extensionPasswords: { "100": "x" }, voicemailPins: { "101": "4826" } };
    expect(loadOperatorSecrets(raw)).toEqual({ extensionPasswords: { "100": "x" }, voicemailPins: { "101": "4826" } });
  });
});

describe("loadProjectSites", () => {
  it("reads the site data of every stack file", () => {
    const sites = loadProjectSites(REPO_DIR).filter((site) => ["mochis", "tabasco", "silicon"].includes(site.code));
    expect(sites).toEqual([
      {
        code: "mochis",
        stackFile: "Pulumi.mochis.yaml",
        name: "Los Mochis",
        timezone: "America/Mazatlan",
        role: "hq",
        address: "127.0.81.1",
        accessCode: "81",
        ports: { sip: 5060, iax: 4569, ami: 5038, rtp: { start: 10000, end: 10999 } },
        ivrNumbers: ["199"],
      },
      {
        code: "silicon",
        stackFile: "Pulumi.silicon.yaml",
        name: "Silicon Valley",
        timezone: "America/Los_Angeles",
        role: "branch",
        address: "127.0.83.1",
        accessCode: "83",
        ports: { sip: 5060, iax: 4569, ami: 5038, rtp: { start: 12000, end: 12999 } },
        ivrNumbers: ["400"],
      },
      {
        code: "tabasco",
        stackFile: "Pulumi.tabasco.yaml",
        name: "Villahermosa",
        timezone: "America/Mexico_City",
        role: "branch",
        address: "127.0.82.1",
        accessCode: "82",
        ports: { sip: 5060, iax: 4569, ami: 5038, rtp: { start: 11000, end: 11999 } },
        ivrNumbers: ["399"],
      },
    ]);
  });

  it("leaves out values of the wrong type", () => {
    const dir = makeProjectDir();
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: inova-pbx\nruntime: nodejs\n");
    fs.writeFileSync(
      path.join(dir, "Pulumi.delta.yaml"),
      "config:\n  inova-pbx:site:\n    role: boss\n    address: 127.0.87.1\n    accessCode: 87\n    ports: { sip: \"5070\" }\n" +
        "  inova-pbx:extensionPasswords:\n    secure: AAABAKx\n",
    );
    expect(loadProjectSites(dir)).toEqual([
      {
        code: "delta",
        stackFile: "Pulumi.delta.yaml",
        name: undefined,
        role: undefined,
        address: "127.0.87.1",
        accessCode: undefined,
        ports: { sip: undefined, iax: 4569, ami: 5038, rtp: undefined },
        ivrNumbers: [],
      },
    ]);
  });

  it("names a stack file that is not valid YAML", () => {
    const dir = makeProjectDir();
    fs.writeFileSync(path.join(dir, "Pulumi.broken.yaml"), "config: [unclosed\n");
    expect(() => loadProjectSites(dir)).toThrow(/^Cannot parse Pulumi\.broken\.yaml: .*Fix the YAML syntax of that stack file\.$/s);
  });
});
