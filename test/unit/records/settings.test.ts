import * as path from "node:path";

import { describe, expect, it } from "vitest";

import {
  binlogExpireSeconds,
  DEFAULT_CALL_RECORD_SETTINGS,
  loadCallRecordPeers,
  parseCallRecordSettings,
  relayPort,
  replicationIdentity,
  usesRelay,
  validateCallRecordPorts,
} from "../../../components/model/call-records";

const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");
const SITE_PORTS = { sip: 5060, iax: 4569, ami: 5038, rtp: { start: 10000, end: 10999 } };

describe("parseCallRecordSettings", () => {
  it("returns the defaults when the key is absent", () => {
    expect(parseCallRecordSettings(undefined)).toEqual({ settings: DEFAULT_CALL_RECORD_SETTINGS, problems: [] });
    expect(DEFAULT_CALL_RECORD_SETTINGS).toEqual({
      port: 3306,
      binlogRetentionDays: 7,
      replicationRoute: "auto",
      relayBasePort: 33000,
      reconcileIntervalSeconds: 15,
      backupIntervalHours: 24,
      backupsKept: 7,
    });
  });

  it("keeps valid values", () => {
    const raw = {
      port: 3307,
      binlogRetentionDays: 30,
      replicationRoute: "direct",
      relayBasePort: 40000,
      reconcileIntervalSeconds: 5,
      backupIntervalHours: 6,
      backupsKept: 28,
    };
    const { settings, problems } = parseCallRecordSettings(raw);
    expect(problems).toEqual([]);
    expect(settings).toEqual(raw);
  });

  it("accepts 0 days as keeping the binary log", () => {
    expect(parseCallRecordSettings({ binlogRetentionDays: 0 }).settings.binlogRetentionDays).toBe(0);
  });

  it("accepts 0 hours as no backups", () => {
    expect(parseCallRecordSettings({ backupIntervalHours: 0 }).settings.backupIntervalHours).toBe(0);
  });

  it.each([
    ["a port below 1024", { port: 80 }, "inova-pbx:callRecords.port", "E_PORT_RANGE"],
    ["a port as text", { port: "3306" }, "inova-pbx:callRecords.port", "E_PORT_RANGE"],
    ["100 retention days", { binlogRetentionDays: 100 }, "inova-pbx:callRecords.binlogRetentionDays", "E_OUT_OF_RANGE"],
    ["a fractional interval", { reconcileIntervalSeconds: 1.5 }, "inova-pbx:callRecords.reconcileIntervalSeconds", "E_OUT_OF_RANGE"],
    ["a relay base without room", { relayBasePort: 65500 }, "inova-pbx:callRecords.relayBasePort", "E_PORT_RANGE"],
    ["no backup kept", { backupsKept: 0 }, "inova-pbx:callRecords.backupsKept", "E_OUT_OF_RANGE"],
    ["backups over a week apart", { backupIntervalHours: 169 }, "inova-pbx:callRecords.backupIntervalHours", "E_OUT_OF_RANGE"],
    ["an unknown route", { replicationRoute: "tunnel" }, "inova-pbx:callRecords.replicationRoute", "E_INVALID_VALUE"],
    ["an unknown key", { retention: 7 }, "inova-pbx:callRecords.retention", "E_UNKNOWN_KEY"],
    ["a list", [1], "inova-pbx:callRecords", "E_TYPE"],
  ])("rejects %s", (_case, raw, problemPath, code) => {
    const { settings, problems } = parseCallRecordSettings(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe(problemPath);
    expect(problems[0].code).toBe(code);
    expect(settings).toEqual(DEFAULT_CALL_RECORD_SETTINGS);
  });

  it("reports every invalid value at once", () => {
    const { problems } = parseCallRecordSettings({ port: 1, binlogRetentionDays: -1, replicationRoute: 3 });
    expect(problems.map((problem) => problem.path)).toEqual([
      "inova-pbx:callRecords.port",
      "inova-pbx:callRecords.binlogRetentionDays",
      "inova-pbx:callRecords.replicationRoute",
    ]);
  });
});

describe("validateCallRecordPorts", () => {
  it("accepts the defaults on every stack's ports", () => {
    expect(validateCallRecordPorts(DEFAULT_CALL_RECORD_SETTINGS, SITE_PORTS)).toEqual([]);
  });

  it("rejects the SIP port as database port", () => {
    const problems = validateCallRecordPorts({ ...DEFAULT_CALL_RECORD_SETTINGS, port: 5060 }, SITE_PORTS);
    expect(problems.map((problem) => problem.code)).toEqual(["E_PORT_CONFLICT"]);
    expect(problems[0].message).toContain("sip port");
  });

  it("rejects a database port inside the RTP range", () => {
    const problems = validateCallRecordPorts({ ...DEFAULT_CALL_RECORD_SETTINGS, port: 10500 }, SITE_PORTS);
    expect(problems.map((problem) => problem.path)).toEqual(["inova-pbx:callRecords.port"]);
  });

  it("rejects relay ports over the RTP range", () => {
    const problems = validateCallRecordPorts({ ...DEFAULT_CALL_RECORD_SETTINGS, relayBasePort: 9950 }, SITE_PORTS);
    expect(problems.map((problem) => problem.path)).toEqual(["inova-pbx:callRecords.relayBasePort"]);
  });

  it("rejects relay ports over the database port", () => {
    const problems = validateCallRecordPorts({ ...DEFAULT_CALL_RECORD_SETTINGS, relayBasePort: 3250 }, SITE_PORTS);
    expect(problems.map((problem) => problem.path)).toEqual(["inova-pbx:callRecords.relayBasePort"]);
  });
});

describe("replication identity", () => {
  it("derives server and domain ids from the access code", () => {
    expect(replicationIdentity("81")).toEqual({ serverId: 1081, gtidDomainId: 81 });
    expect(replicationIdentity("10")).toEqual({ serverId: 1010, gtidDomainId: 10 });
  });

  it("rejects an invalid access code", () => {
    expect(() => replicationIdentity("8")).toThrow(/access code "8" is invalid/);
  });

  it("gives the three stacks distinct ids", () => {
    const ids = loadCallRecordPeers(PROJECT_DIR).map((peer) => replicationIdentity(peer.accessCode));
    expect(new Set(ids.map((id) => id.serverId)).size).toBe(3);
    expect(new Set(ids.map((id) => id.gtidDomainId)).size).toBe(3);
  });
});

describe("replication route", () => {
  it("relays on loopback addresses by default", () => {
    expect(usesRelay("auto", "127.0.81.1")).toBe(true);
  });

  it("connects directly to other addresses by default", () => {
    expect(usesRelay("auto", "10.20.0.5")).toBe(false);
  });

  it("follows an explicit route", () => {
    expect(usesRelay("direct", "127.0.81.1")).toBe(false);
    expect(usesRelay("relay", "10.20.0.5")).toBe(true);
  });

  it("puts each branch's relay at base plus access code", () => {
    expect(relayPort(33000, "82")).toBe(33082);
    expect(relayPort(33000, "83")).toBe(33083);
  });
});

describe("binlogExpireSeconds", () => {
  it("converts days to seconds", () => {
    expect(binlogExpireSeconds(DEFAULT_CALL_RECORD_SETTINGS)).toBe(604_800);
    expect(binlogExpireSeconds({ ...DEFAULT_CALL_RECORD_SETTINGS, binlogRetentionDays: 0 })).toBe(0);
  });
});

describe("loadCallRecordPeers", () => {
  it("reads every stack file of the project", () => {
    const peers = loadCallRecordPeers(PROJECT_DIR);
    expect(peers.map((peer) => `${peer.code} ${peer.role} ${peer.address} ${peer.accessCode}`)).toEqual([
      "mochis hq 127.0.81.1 81",
      "silicon branch 127.0.83.1 83",
      "tabasco branch 127.0.82.1 82",
    ]);
    for (const peer of peers) {
      expect(peer.settings).toEqual(DEFAULT_CALL_RECORD_SETTINGS);
    }
  });
});
