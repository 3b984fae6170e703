import * as path from "node:path";
import { describe, expect, it } from "vitest";

import { loadSiteCallFlows, type SiteCallFlowInput } from "../../../components/diagrams/project";
import { currentBand, localTimeIn, planProbes, type CallProbe, type ChannelSample, type DeviceStates, type Probe } from "../../../scripts/synthetic/plan";

const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");
const sites = loadSiteCallFlows(PROJECT_DIR);
const mochis = sites.find((site) => site.code === "mochis") as SiteCallFlowInput;
const silicon = sites.find((site) => site.code === "silicon") as SiteCallFlowInput;

function statesOf(site: SiteCallFlowInput, registered: readonly string[] = []): DeviceStates {
  return Object.fromEntries(site.model.extensions.map((extension) => [extension.number, registered.includes(extension.number) ? "Idle" : "Unavailable"]));
}

function probe(probes: readonly Probe[], feature: string): Probe {
  const found = probes.find((candidate) => candidate.feature === feature);
  if (found === undefined) {
    throw new Error(`no probe for ${feature}: ${probes.map((candidate) => candidate.feature).join(", ")}`);
  }
  return found;
}

function sample(fields: Partial<ChannelSample>): ChannelSample {
  return { channel: "Local/199@local-mochis-00000001;2", context: "", exten: "", state: "Up", application: "", data: "", accountCode: "synthetic-check", uniqueId: "1", ...fields };
}

describe("synthetic check plan", () => {
  it("covers every feature of an idle site", () => {
    const probes = planProbes(mochis.model, mochis.peers, statesOf(mochis), { localTime: "10:00" });
    expect(probes.map((candidate) => candidate.feature)).toEqual([
      ...mochis.model.extensions.map((extension) => `extension ${extension.number}`),
      "ring group 601",
      "ring group 602",
      "ivr 199 greeting",
      ...["1", "2", "3", "4", "5", "6"].map((digit) => `ivr 199 option ${digit}`),
    ]);
    expect(probes.every((candidate) => candidate.kind === "call")).toBe(true);
  });

  it("skips what would ring a registered phone", () => {
    const probes = planProbes(mochis.model, mochis.peers, statesOf(mochis, ["105"]), { localTime: "10:00" });
    expect(probe(probes, "extension 105")).toEqual({
      kind: "skipped",
      feature: "extension 105",
      reason: "phone registered (Idle); not called, because the call would ring it (pass --ring)",
    });
    expect(probe(probes, "ring group 601").kind).toBe("skipped");
    expect(probe(probes, "ivr 199 option 1").kind).toBe("skipped");
    expect(probe(probes, "ring group 602").kind).toBe("call");
    expect(probe(probes, "ivr 199 option 2").kind).toBe("call");
  });

  it("rings registered phones with --ring", () => {
    const probes = planProbes(mochis.model, mochis.peers, statesOf(mochis, ["105"]), { localTime: "10:00", ring: true });
    const group = probe(probes, "ring group 601") as CallProbe;
    expect(group.kind).toBe("call");
    expect(group.reached([sample({ context: "local-mochis", exten: "601", application: "Dial" })])).toBe(true);
    expect(group.reached([sample({ application: "VoiceMail", data: "100@mochis,u" })])).toBe(false);
  });

  it("reports an extension missing from the dialplan", () => {
    const states = statesOf(mochis);
    delete (states as Record<string, string>)["108"];
    const missing = probe(planProbes(mochis.model, mochis.peers, states, { localTime: "10:00" }), "extension 108") as CallProbe;
    expect(missing.failure).toBe("extension 108 has no hint in local-mochis: the site's dialplan does not have it");
    expect(missing.reached([sample({ application: "VoiceMail", data: "108@mochis,u" })])).toBe(false);
  });

  it("expects the voicemail of an unregistered extension", () => {
    const extension = probe(planProbes(mochis.model, mochis.peers, statesOf(mochis), { localTime: "10:00" }), "extension 102") as CallProbe;
    expect(extension.reached([sample({ context: "local-mochis", exten: "102", application: "VoiceMail", data: "102@mochis,u" })])).toBe(true);
    expect(extension.reached([sample({ context: "local-mochis", exten: "102", application: "VoiceMail", data: "103@mochis,u" })])).toBe(false);
  });

  it("expects the greeting of the current band, then the menu", () => {
    const greeting = probe(planProbes(mochis.model, mochis.peers, statesOf(mochis), { localTime: "20:30" }), "ivr 199 greeting") as CallProbe;
    const played = sample({ context: "ivr-mochis-199", exten: "s", application: "BackGround", data: "/usr/share/asterisk/sounds/inova/ivr-noche" });
    const waiting = sample({ context: "ivr-mochis-199", exten: "s", application: "WaitExten", data: "5" });
    expect(greeting.reached([played, waiting])).toBe(true);
    expect(greeting.reached([played])).toBe(false);
    expect(greeting.reached([sample({ ...played, data: "/usr/share/asterisk/sounds/inova/ivr-dia" }), waiting])).toBe(false);
  });

  it("sends the option digit and expects its target", () => {
    const probes = planProbes(mochis.model, mochis.peers, statesOf(mochis), { localTime: "10:00" });
    const billing = probe(probes, "ivr 199 option 3") as CallProbe;
    expect(billing.number).toBe("199");
    expect(billing.digits).toBe("3");
    expect(billing.reached([sample({ context: "local-mochis", exten: "102", application: "VoiceMail" })])).toBe(true);
    expect(billing.reached([sample({ context: "local-mochis", exten: "103", application: "VoiceMail" })])).toBe(false);
  });

  it("needs an answered trunk call for another site", () => {
    const remote = probe(planProbes(mochis.model, mochis.peers, statesOf(mochis), { localTime: "10:00" }), "ivr 199 option 5") as CallProbe;
    const outbound = sample({ context: "outbound-mochis", exten: "82399", application: "Dial" });
    expect(remote.reached([outbound, sample({ channel: "PJSIP/trunk-tabasco-00000002", state: "Up" })])).toBe(true);
    expect(remote.reached([outbound, sample({ channel: "PJSIP/trunk-tabasco-00000002", state: "Ring" })])).toBe(false);
    expect(remote.reached([sample({ context: "ivr-mochis-199", exten: "unavailable", application: "Playback" })])).toBe(false);
  });

  it("skips an extension without voicemail or phone", () => {
    const model = { ...silicon.model, extensions: silicon.model.extensions.map((extension) => (extension.number === "401" ? { ...extension, voicemail: false } : extension)) };
    expect(probe(planProbes(model, silicon.peers, statesOf(silicon), { localTime: "10:00" }), "extension 401")).toEqual({
      kind: "skipped",
      feature: "extension 401",
      reason: "no phone registered and no voicemail box; nothing answers a test call",
    });
  });
});

describe("currentBand", () => {
  const bands = mochis.model.ivrs[0].greetings;

  it.each([
    ["06:00", "ivr-dia"],
    ["11:59", "ivr-dia"],
    ["12:00", "ivr-tarde"],
    ["18:59", "ivr-tarde"],
    ["19:00", "ivr-noche"],
    ["23:59", "ivr-noche"],
    ["00:00", "ivr-noche"],
    ["05:59", "ivr-noche"],
  ])("picks the band at %s", (time, recording) => {
    expect(currentBand(bands, time).recording).toBe(recording);
  });

  it("gives the local time in the site's zone", () => {
    expect(localTimeIn("America/Mazatlan", new Date("2026-01-15T18:05:00Z"))).toBe("11:05");
    expect(localTimeIn("America/Los_Angeles", new Date("2026-07-15T07:30:00Z"))).toBe("00:30");
  });
});
