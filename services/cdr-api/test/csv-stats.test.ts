// CSV exports and daily statistics at HQ.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FIXTURE_SITES } from "./fixtures/calls";
import { fixture, parseCsv, rowsWhere, utcMs } from "./support/oracle";
import { AUTH, getJson, startService, type RunningService } from "./support/service";

let service: RunningService;

beforeAll(async () => {
  service = await startService({ role: "hq" });
});

afterAll(async () => {
  await service.close();
});

async function getCsv(path: string): Promise<{ status: number; headers: Headers; text: string; rows: string[][] }> {
  const response = await fetch(`${service.baseUrl}${path}`, { headers: AUTH });
  // Decode by hand: Response.text() drops the byte order mark that the test checks for.
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, text, rows: parseCsv(text.replace(/^\uFEFF/, "")) };
}

describe("records CSV", () => {
  test("all records with header", async () => {
    const { status, headers, text, rows } = await getCsv("/api/records.csv");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(headers.get("content-disposition")).toMatch(/^attachment; filename="cdr-records-all-\d{8}-\d{6}\.csv"$/);
    expect(headers.get("x-cdr-source")).toBe("hq");
    expect(text.startsWith("\uFEFFsite,calldate_utc,calldate_local,clid,src,dst,")).toBe(true);
    expect(rows).toHaveLength(fixture.rows.length + 1);
  });

  test("formula cells neutralised", async () => {
    const { rows } = await getCsv("/api/records.csv?site=mochis&from=2024-03-12T18:00&to=2024-03-12T18:01");
    const header = rows[0];
    const cell = (row: string[], name: string) => row[header.indexOf(name)];
    expect(rows).toHaveLength(2);
    const hostile = rows[1];
    expect(cell(hostile, "clid")).toBe("'=SUM(1+2)*cmd|' /C calc'!A0");
    expect(cell(hostile, "src")).toBe("'-2+3");
    expect(cell(hostile, "dst")).toBe("'@600");
    expect(cell(hostile, "lastdata")).toBe("'+52 667 000 0000");
    expect(cell(hostile, "accountcode")).toBe("'\tcuenta");
    expect(cell(hostile, "peeraccount")).toBe("'\rpar");
    expect(cell(hostile, "duration")).toBe("12");
  });

  test("quotes, commas and accents survive", async () => {
    const { rows } = await getCsv("/api/records.csv?site=mochis&from=2024-03-12T18:01&to=2024-03-12T18:02");
    expect(rows).toHaveLength(2);
    expect(rows[1][rows[0].indexOf("clid")]).toBe('José "Pepe" Pérez, Ñúñez');
  });

  test("filters honoured", async () => {
    const { rows } = await getCsv("/api/records.csv?site=silicon&from=2024-03-10&to=2024-03-10&disposition=ANSWERED");
    const expected = rowsWhere(
      (row) => row.site === "silicon" && row.disposition === "ANSWERED" && utcMs(row.calldate) >= Date.UTC(2024, 2, 10, 8) && utcMs(row.calldate) < Date.UTC(2024, 2, 11, 7),
    );
    expect(rows.slice(1).map((row) => row[rows[0].indexOf("uniqueid")])).toEqual(expected.map((row) => row.uniqueid));
  });

  test("invalid filters rejected before streaming", async () => {
    const response = await getJson(service.baseUrl, "/api/records.csv?from=nope&disposition=x");
    expect(response.status).toBe(400);
    expect(response.body.fields.map((problem: { field: string }) => problem.field).sort()).toEqual(["disposition", "from"]);
  });

  test("aborted downloads release connections", async () => {
    for (let attempt = 0; attempt < 15; attempt += 1) {
      const controller = new AbortController();
      const response = await fetch(`${service.baseUrl}/api/records.csv`, { headers: AUTH, signal: controller.signal });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
    // The pool has 10 connections, so leaked ones would make these requests time out.
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const { status } = await getJson(service.baseUrl, "/api/records?limit=1");
      expect(status).toBe(200);
    }
  });
});

describe("calls CSV", () => {
  test("one line per call", async () => {
    const { status, headers, rows } = await getCsv("/api/calls.csv");
    expect(status).toBe(200);
    expect(headers.get("content-disposition")).toContain("cdr-calls-all-");
    expect(rows[0]).toEqual([
      "id",
      "site",
      "calldate_utc",
      "calldate_local",
      "clid",
      "src",
      "dst",
      "disposition",
      "answered_by_site",
      "answered_by",
      "talk_seconds",
      "ring_seconds",
      "duration_seconds",
      "legs",
      "sites",
    ]);
    expect(rows).toHaveLength(fixture.calls.length + 1);
    const ivr = fixture.calls.find((call) => call.kind === "ivr-abandoned")!;
    const line = rows.find((row) => row[0] === ivr.id)!;
    expect(line[rows[0].indexOf("answered_by")]).toBe("BackGround");
  });
});

describe("daily statistics", () => {
  /** Expected calls per local day, site and disposition, from the fixture with fixed offsets. */
  function expectedStats(site: string | undefined) {
    const offsets: Record<string, (ms: number) => number> = {
      mochis: () => -7,
      tabasco: () => -6,
      silicon: (ms) => (ms < Date.UTC(2024, 2, 10, 10) ? -8 : -7),
    };
    const groups = new Map<string, { site: string; start: number; dispositions: string[] }>();
    for (const row of fixture.rows) {
      if (site !== undefined && row.site !== site) continue;
      const key = `${row.site}|${row.linkedid}`;
      const group = groups.get(key) ?? { site: row.site, start: Infinity, dispositions: [] };
      group.start = Math.min(group.start, utcMs(row.calldate));
      group.dispositions.push(row.disposition);
      groups.set(key, group);
    }
    const order = ["ANSWERED", "BUSY", "NO ANSWER", "CONGESTION", "FAILED"];
    const counts = new Map<string, number>();
    for (const group of groups.values()) {
      const local = new Date(group.start + offsets[group.site](group.start) * 3_600_000).toISOString().slice(0, 10);
      const disposition = order.find((value) => group.dispositions.includes(value))!;
      const key = `${local}|${group.site}|${disposition}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  test("calls per local day across sites", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/stats?from=2024-03-01&to=2024-03-20");
    expect(status).toBe(200);
    const received = new Map<string, number>(body.rows.map((row: any) => [`${row.date}|${row.site}|${row.disposition}`, row.calls]));
    expect(received).toEqual(expectedStats(undefined));
    expect(body.days[0]).toBe("2024-03-01");
    expect(body.days[body.days.length - 1]).toBe("2024-03-20");
  });

  test("spring-forward day at silicon", async () => {
    const { body } = await getJson(service.baseUrl, "/api/stats?site=silicon&from=2024-03-10&to=2024-03-10");
    const total = body.rows.reduce((sum: number, row: any) => sum + row.calls, 0);
    const expected = [...expectedStats("silicon")].filter(([key]) => key.startsWith("2024-03-10|")).reduce((sum, [, count]) => sum + count, 0);
    expect(total).toBe(expected);
    expect(body.rows.every((row: any) => row.date === "2024-03-10" && row.site === "silicon")).toBe(true);
    expect(body.from).toBe("2024-03-10T08:00:00.000Z");
    expect(body.to).toBe("2024-03-11T07:00:00.000Z");
  });

  test("default range ends at newest record", async () => {
    const { body } = await getJson(service.baseUrl, "/api/stats");
    expect(body.days).toHaveLength(31);
    expect(body.days[body.days.length - 1]).toBe("2024-03-12");
    expect(body.rows.length).toBeGreaterThan(0);
  });

  test("range over 400 days rejected", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/stats?from=2022-01-01&to=2024-01-01");
    expect(status).toBe(400);
    expect(body.fields[0].field).toBe("to");
  });

  test("every site listed in sites", async () => {
    const { body } = await getJson(service.baseUrl, "/api/sites");
    expect(body.sites.map((site: any) => site.code)).toEqual(FIXTURE_SITES.map((site) => site.code));
    expect(body.role).toBe("hq");
  });
});
