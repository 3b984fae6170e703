import { describe, expect, it } from "vitest";
import { loadProjectSites, loadSite } from "../../../components/model/load";
import type { SiteModel } from "../../../components/model/types";
import { validateSite } from "../../../components/model/validate";
import { readStackConfig, REPO_DIR } from "./fixtures";

function loadStack(code: string): SiteModel {
  return loadSite(code, readStackConfig(code), { projectDir: REPO_DIR });
}

/** Extensions as `number name protocol` lines, for compact comparison with the company's tables. */
function extensionLines(model: SiteModel): string[] {
  return model.extensions.map((extension) => `${extension.number} ${extension.name} ${extension.protocol}`);
}

function ringGroupLines(model: SiteModel): string[] {
  return model.ringGroups.map((group) => `${group.number} ${group.name} ${group.strategy} ${group.members.join(",")}`);
}

function optionLines(model: SiteModel): string[] {
  return model.ivrs[0].options.map((option) => {
    const target = option.target.kind === "remoteIvr" ? `site ${option.target.site}` : `${option.target.kind} ${option.target.number}`;
    return `${option.digit} ${option.label} -> ${target}`;
  });
}

describe("mochis stack file", () => {
  const model = loadStack("mochis");

  it("describes the Los Mochis head office", () => {
    expect(model.site.code).toBe("mochis");
    expect(model.site.name).toBe("Los Mochis");
    expect(model.site.role).toBe("hq");
    expect(model.site.timezone).toBe("America/Mazatlan");
    expect(model.site.publicNumber).toBe("6688197328");
    expect(model.site.accessCode).toBe("81");
  });

  it("has the nine HQ extensions", () => {
    expect(extensionLines(model)).toEqual([
      "100 Soporte pjsip",
      "101 Quejas pjsip",
      "102 Facturación pjsip",
      "103 Inventario iax2",
      "104 Dudas iax2",
      "105 Soporte 2 pjsip",
      "106 Soporte 3 pjsip",
      "107 Quejas 2 iax2",
      "108 Quejas 3 pjsip",
    ]);
  });

  it("has ring groups Soporte and Quejas", () => {
    expect(ringGroupLines(model)).toEqual(["601 Soporte ringall 100,105,106", "602 Quejas hunt 101,107,108"]);
  });

  it("has IVR 199 reaching both branches", () => {
    expect(model.ivrs.map((ivr) => ivr.number)).toEqual(["199"]);
    expect(optionLines(model)).toEqual([
      "1 Soporte -> ringGroup 601",
      "2 Quejas -> ringGroup 602",
      "3 Facturación -> extension 102",
      "4 Inventario -> extension 103",
      "5 Villahermosa -> site tabasco",
      "6 Silicon Valley -> site silicon",
    ]);
  });
});

describe("tabasco stack file", () => {
  const model = loadStack("tabasco");

  it("describes the Villahermosa branch", () => {
    expect(model.site.name).toBe("Villahermosa");
    expect(model.site.role).toBe("branch");
    expect(model.site.timezone).toBe("America/Mexico_City");
    expect(model.site.publicNumber).toBe("9132445252");
    expect(model.site.accessCode).toBe("82");
  });

  it("has the nine Villahermosa extensions", () => {
    expect(extensionLines(model)).toEqual([
      "300 Soporte pjsip",
      "301 Quejas pjsip",
      "302 Facturación pjsip",
      "303 Inventario iax2",
      "304 Dudas iax2",
      "305 Soporte 2 pjsip",
      "306 Soporte 3 pjsip",
      "307 Quejas 2 iax2",
      "308 Quejas 3 pjsip",
    ]);
  });

  it("has ring groups Soporte and Quejas", () => {
    expect(ringGroupLines(model)).toEqual(["601 Soporte ringall 300,305,306", "602 Quejas hunt 301,307,308"]);
  });

  it("has IVR 399 with four options", () => {
    expect(model.ivrs.map((ivr) => ivr.number)).toEqual(["399"]);
    expect(optionLines(model)).toEqual([
      "1 Soporte -> ringGroup 601",
      "2 Quejas -> ringGroup 602",
      "3 Facturación -> extension 302",
      "4 Inventario -> extension 303",
    ]);
  });
});

describe("silicon stack file", () => {
  const model = loadStack("silicon");

  it("describes the Silicon Valley branch", () => {
    expect(model.site.name).toBe("Silicon Valley");
    expect(model.site.role).toBe("branch");
    expect(model.site.timezone).toBe("America/Los_Angeles");
    expect(model.site.publicNumber).toBe("2135553890");
    expect(model.site.accessCode).toBe("83");
  });

  it("has the twelve Silicon Valley extensions", () => {
    expect(extensionLines(model)).toEqual([
      "1000 Inventario pjsip",
      "1001 Inventario 2 iax2",
      "1002 Inventario 3 iax2",
      "2000 Dudas pjsip",
      "2001 Dudas 2 pjsip",
      "2002 Dudas 3 pjsip",
      "3000 Reclamos pjsip",
      "3001 Reclamos 2 pjsip",
      "3002 Reclamos 3 pjsip",
      "401 Agente 1 pjsip",
      "402 Agente 2 pjsip",
      "403 Agente 3 pjsip",
    ]);
  });

  it("has ring groups Dudas, Inventario and Reclamos", () => {
    expect(ringGroupLines(model)).toEqual([
      "601 Dudas ringall 2000,2001,2002",
      "602 Inventario hunt 1000,1001,1002",
      "603 Reclamos ringall 3000,3001,3002",
    ]);
  });

  it("has IVR 400 Contestadora with an operator", () => {
    expect(model.ivrs.map((ivr) => `${ivr.number} ${ivr.name}`)).toEqual(["400 Contestadora"]);
    expect(model.ivrs[0].operator).toBe("401");
    expect(optionLines(model)).toEqual([
      "1 Dudas -> ringGroup 601",
      "2 Reclamos -> ringGroup 603",
      "3 Inventario -> ringGroup 602",
    ]);
  });
});

describe("every stack file", () => {
  const codes = ["mochis", "tabasco", "silicon"];

  it.each(codes)("%s greets by morning, afternoon and night", (code) => {
    const model = loadStack(code);
    expect(model.ivrs[0].greetings).toEqual([
      { from: "06:00", to: "11:59", recording: "ivr-dia" },
      { from: "12:00", to: "18:59", recording: "ivr-tarde" },
      { from: "19:00", to: "05:59", recording: "ivr-noche" },
    ]);
  });

  it.each(codes)("%s plays the timeout and invalid prompts", (code) => {
    const ivr = loadStack(code).ivrs[0];
    expect(ivr.timeoutRecording).toBe("agotado");
    expect(ivr.invalidRecording).toBe("error");
    expect(ivr.maxAttempts).toBe(3);
  });

  it.each(codes)("%s passes validation", (code) => {
    const problems = validateSite(loadStack(code), { projectDir: REPO_DIR, sites: loadProjectSites(REPO_DIR) });
    expect(problems).toEqual([]);
  });

  it("dials each site by its access code", () => {
    const sites = loadProjectSites(REPO_DIR).filter((site) => codes.includes(site.code));
    expect(sites.map((site) => `${site.code} ${site.accessCode}`)).toEqual(["mochis 81", "silicon 83", "tabasco 82"]);
  });
});
