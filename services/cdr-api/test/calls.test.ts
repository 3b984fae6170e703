// /api/calls at HQ: grouping of ring-group legs and of legs recorded at two sites.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TIE_BURST, localToUtcMs, type ExpectedCall } from "./fixtures/calls";
import { fixture, walkPages } from "./support/oracle";
import { getJson, startService, type RunningService } from "./support/service";

let service: RunningService;

beforeAll(async () => {
  service = await startService({ role: "hq" });
});

afterAll(async () => {
  await service.close();
});

function summary(call: any) {
  return {
    id: call.id,
    site: call.site,
    disposition: call.disposition,
    answeredSite: call.answeredBy?.site ?? null,
    answeredPeer: call.answeredBy?.peer ?? null,
    answeredApplication: call.answeredBy?.application ?? null,
    talkSeconds: call.talkSeconds,
    ringSeconds: call.ringSeconds,
    legs: call.legs,
    sites: call.sites,
  };
}

function expectedSummary(call: ExpectedCall) {
  const { kind: _kind, ...rest } = call;
  return rest;
}

describe("calls across all sites", () => {
  let calls: any[];

  beforeAll(async () => {
    calls = (await walkPages(service.baseUrl, "/api/calls?limit=40")).items;
  });

  test("one row per logical call", () => {
    expect(calls).toHaveLength(fixture.calls.length);
    expect(new Set(calls.map((call) => call.id))).toEqual(new Set(fixture.calls.map((call) => call.id)));
  });

  test("newest first", () => {
    // Pad whole seconds to microseconds so the text sorts like the time.
    const dates = calls.map((call) => call.calldate.replace(/:(\d{2})Z$/, ":$1.000000Z"));
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  const kinds = [
    "ring-group",
    "ring-group-unanswered",
    "ivr-abandoned",
    "busy",
    "failed",
    "cross-site",
    "cross-site-ring-group",
    "cross-site-unanswered",
    "internal",
    "tie",
  ];
  for (const kind of kinds) {
    test(`grouping of ${kind} calls`, () => {
      const expected = fixture.calls.filter((call) => call.kind === kind);
      expect(expected.length).toBeGreaterThan(0);
      const byId = new Map(calls.map((call) => [call.id, call]));
      for (const call of expected) {
        expect(summary(byId.get(call.id)), call.id).toEqual(expectedSummary(call));
      }
    });
  }

  test("cross-site call answered at far end", () => {
    const call = calls.find((entry) => entry.id === fixture.calls.find((expected) => expected.kind === "cross-site" && expected.site === "mochis")!.id);
    expect(call.answeredBy.site).toBe("tabasco");
    expect(call.answeredBy.channel).toMatch(/^PJSIP\/20\d-/);
    expect(call.sites).toEqual(["mochis", "tabasco"]);
  });
});

describe("calls of one site", () => {
  test("far-end legs listed as the site's own calls", async () => {
    const { items } = await walkPages(service.baseUrl, "/api/calls?site=tabasco&limit=100");
    const localGroups = new Set(fixture.rows.filter((row) => row.site === "tabasco").map((row) => row.linkedid));
    expect(items).toHaveLength(localGroups.size);
    expect(items.every((call: any) => call.sites.length === 1 && call.sites[0] === "tabasco")).toBe(true);
    const received = items.filter((call: any) => call.dcontext === "from-sites");
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((call: any) => /^81\d{3}$/.test(call.src))).toBe(true);
  });
});

describe("calls filters", () => {
  const cases: Array<[string, string, (call: ExpectedCall) => boolean]> = [
    ["answered", "disposition=ANSWERED", (call) => call.disposition === "ANSWERED"],
    ["no answer", "disposition=NO%20ANSWER", (call) => call.disposition === "NO ANSWER"],
    ["busy", "disposition=BUSY", (call) => call.disposition === "BUSY"],
    ["failed", "disposition=FAILED", (call) => call.disposition === "FAILED"],
    ["congestion", "disposition=CONGESTION", (call) => call.disposition === "CONGESTION"],
  ];
  for (const [name, query, predicate] of cases) {
    test(`filter ${name}`, async () => {
      const { items } = await walkPages(service.baseUrl, `/api/calls?${query}&limit=100`);
      const expected = fixture.calls.filter(predicate).map((call) => call.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(items.map((call: any) => call.id).sort()).toEqual(expected.sort());
    });
  }

  test("src matches the caller", async () => {
    const { items } = await walkPages(service.baseUrl, "/api/calls?src=101&limit=100");
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((call: any) => call.src === "101")).toBe(true);
  });

  test("paging ties on calldate", async () => {
    const burstUtc = localToUtcMs(TIE_BURST.site, TIE_BURST.date, TIE_BURST.time);
    const path = `/api/calls?site=${TIE_BURST.site}&from=${new Date(burstUtc).toISOString()}&to=${new Date(burstUtc + 1000).toISOString()}&limit=5`;
    const { items, pages } = await walkPages(service.baseUrl, path);
    expect(items).toHaveLength(TIE_BURST.count);
    expect(new Set(items.map((call: any) => call.id)).size).toBe(TIE_BURST.count);
    const back = await getJson(service.baseUrl, `${path}&cursor=${pages[2].page.prev}`);
    expect(back.body.items.map((call: any) => call.id)).toEqual(pages[1].items.map((call: any) => call.id));
  });
});
