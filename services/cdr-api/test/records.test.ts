// /api/records at HQ (mochis, America/Mazatlan) against the generated records.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { INJECTION_SOURCES, TIE_BURST, localToUtcMs } from "./fixtures/calls";
import { compareNewestFirst, fixture, rowId, rowsWhere, utcMs, walkPages } from "./support/oracle";
import { getJson, startService, type RunningService } from "./support/service";

let service: RunningService;

beforeAll(async () => {
  service = await startService({ role: "hq" });
});

afterAll(async () => {
  await service.close();
});

function ids(items: Array<{ site: string; uniqueid: string; sequence: number }>): string[] {
  return items.map(rowId);
}

describe("records listing", () => {
  test("first page defaults to 50 newest", async () => {
    const { status, headers, body } = await getJson(service.baseUrl, "/api/records");
    expect(status).toBe(200);
    expect(body.limit).toBe(50);
    expect(body.items).toHaveLength(50);
    expect(body.source).toBe("hq");
    expect(headers.get("x-cdr-source")).toBe("hq");
    expect(body.page.prev).toBeNull();
    expect(ids(body.items)).toEqual(ids([...fixture.rows].sort(compareNewestFirst).slice(0, 50)));
  });

  test("walking all pages returns every row once in order", async () => {
    const { items, pages } = await walkPages(service.baseUrl, "/api/records?limit=37");
    expect(items).toHaveLength(fixture.rows.length);
    expect(new Set(ids(items)).size).toBe(fixture.rows.length);
    expect(ids(items)).toEqual(ids([...fixture.rows].sort(compareNewestFirst)));
    expect(pages.slice(0, -1).every((page) => page.items.length === 37)).toBe(true);
  });

  test("prev returns the page before", async () => {
    const first = await getJson(service.baseUrl, "/api/records?limit=20");
    const second = await getJson(service.baseUrl, `/api/records?limit=20&cursor=${first.body.page.next}`);
    const third = await getJson(service.baseUrl, `/api/records?limit=20&cursor=${second.body.page.next}`);
    const backToSecond = await getJson(service.baseUrl, `/api/records?limit=20&cursor=${third.body.page.prev}`);
    expect(ids(backToSecond.body.items)).toEqual(ids(second.body.items));
    const backToFirst = await getJson(service.baseUrl, `/api/records?limit=20&cursor=${backToSecond.body.page.prev}`);
    expect(ids(backToFirst.body.items)).toEqual(ids(first.body.items));
    expect(backToFirst.body.page.prev).toBeNull();
  });

  test("paging through identical calldates is stable", async () => {
    const burstUtc = localToUtcMs(TIE_BURST.site, TIE_BURST.date, TIE_BURST.time);
    const from = new Date(burstUtc).toISOString();
    const to = new Date(burstUtc + 1000).toISOString();
    const path = `/api/records?site=${TIE_BURST.site}&from=${from}&to=${to}&limit=5`;
    const { items, pages } = await walkPages(service.baseUrl, path);
    expect(items).toHaveLength(TIE_BURST.count);
    expect(new Set(items.map((item) => item.calldate)).size).toBe(1);
    expect(ids(items)).toEqual(ids(rowsWhere((row) => row.site === TIE_BURST.site && utcMs(row.calldate) === burstUtc)));

    // Walk back from the last page with prev and meet the same pages.
    let cursor = pages[pages.length - 1].page.prev;
    for (let index = pages.length - 2; index >= 0; index -= 1) {
      const back = await getJson(service.baseUrl, `${path}&cursor=${cursor}`);
      expect(ids(back.body.items)).toEqual(ids(pages[index].items));
      cursor = back.body.page.prev;
    }
    expect(cursor).toBeNull();
  });

  test("calldate is UTC with the site's local time", async () => {
    const { body } = await getJson(service.baseUrl, "/api/records?site=silicon&from=2024-03-10T03:00&to=2024-03-10T04:00");
    expect(body.items).toHaveLength(1);
    expect(body.items[0].calldate.startsWith("2024-03-10T10:30:00")).toBe(true);
    expect(body.items[0].calldateLocal).toBe("2024-03-10T03:30:00-07:00");
  });
});

describe("records filters", () => {
  const cases: Array<[string, string, (row: (typeof fixture.rows)[number]) => boolean]> = [
    ["src", "src=101", (row) => row.src === "101"],
    ["dst", "dst=600", (row) => row.dst === "600"],
    ["disposition", "disposition=BUSY", (row) => row.disposition === "BUSY"],
    ["disposition with space", "disposition=NO%20ANSWER", (row) => row.disposition === "NO ANSWER"],
    ["site", "site=silicon", (row) => row.site === "silicon"],
    ["combined", "site=tabasco&disposition=ANSWERED&dst=600", (row) => row.site === "tabasco" && row.disposition === "ANSWERED" && row.dst === "600"],
  ];
  for (const [name, query, predicate] of cases) {
    test(`filter by ${name}`, async () => {
      const { items } = await walkPages(service.baseUrl, `/api/records?${query}&limit=500`);
      const expected = rowsWhere(predicate);
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(items)).toEqual(ids(expected));
    });
  }
});

describe("time zones of from and to", () => {
  const cases: Array<[string, string, number, number, string | undefined]> = [
    // Mazatlan is UTC-7 all year since 2022.
    ["site day in Mazatlan", "site=mochis&from=2024-03-09&to=2024-03-09", Date.UTC(2024, 2, 9, 7), Date.UTC(2024, 2, 10, 7), "mochis"],
    // Mexico City is UTC-6.
    ["site day in Mexico City", "site=tabasco&from=2024-03-09&to=2024-03-09", Date.UTC(2024, 2, 9, 6), Date.UTC(2024, 2, 10, 6), "tabasco"],
    // Los Angeles' 23-hour day: 08:00Z to 07:00Z.
    ["spring-forward day", "site=silicon&from=2024-03-10&to=2024-03-10", Date.UTC(2024, 2, 10, 8), Date.UTC(2024, 2, 11, 7), "silicon"],
    // All sites: the serving site's zone (mochis).
    ["all sites in serving zone", "from=2024-03-09&to=2024-03-09", Date.UTC(2024, 2, 9, 7), Date.UTC(2024, 2, 10, 7), undefined],
    ["explicit UTC", "from=2024-03-09T00:00:00Z&to=2024-03-09T06:00:00Z", Date.UTC(2024, 2, 9, 0), Date.UTC(2024, 2, 9, 6), undefined],
    ["explicit offset", "site=silicon&from=2024-03-09T00:00:00-06:00&to=2024-03-09T12:00:00-06:00", Date.UTC(2024, 2, 9, 6), Date.UTC(2024, 2, 9, 18), "silicon"],
  ];
  for (const [name, query, fromMs, toMs, site] of cases) {
    test(name, async () => {
      const { items, pages } = await walkPages(service.baseUrl, `/api/records?${query}&limit=500`);
      const expected = rowsWhere((row) => (site === undefined || row.site === site) && utcMs(row.calldate) >= fromMs && utcMs(row.calldate) < toMs);
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(items)).toEqual(ids(expected));
      const zones: Record<string, string> = { tabasco: "America/Mexico_City", silicon: "America/Los_Angeles" };
      expect(pages[0].timeZone).toBe(zones[site ?? ""] ?? "America/Mazatlan");
    });
  }

  test("late call stays on its local day", async () => {
    // 23:30 in Mazatlan on 2024-03-09 is 06:30Z on 2024-03-10.
    const { body } = await getJson(service.baseUrl, "/api/records?site=mochis&from=2024-03-09T23:00&to=2024-03-10&limit=500");
    expect(body.items.some((item: { calldateLocal: string }) => item.calldateLocal.startsWith("2024-03-09T23:30"))).toBe(true);
  });
});

describe("bad input", () => {
  test("every invalid field named at once", async () => {
    const { status, body } = await getJson(
      service.baseUrl,
      "/api/records?limit=0&from=2024-13-45&to=tomorrow&disposition=MAYBE&site=Mars%3Bdrop&cursor=%21%21%21",
    );
    expect(status).toBe(400);
    const fields = body.fields.map((problem: { field: string }) => problem.field).sort();
    expect(fields).toEqual(["cursor", "disposition", "from", "limit", "site", "to"]);
    for (const problem of body.fields) {
      expect(problem.message.length).toBeGreaterThan(3);
    }
  });

  test("impossible date rejected", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/records?from=2024-02-30");
    expect(status).toBe(400);
    expect(body.fields).toEqual([{ field: "from", message: expect.stringContaining("valid date") }]);
  });

  test("unknown site rejected", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/records?site=guadalajara");
    expect(status).toBe(400);
    expect(body.fields[0].field).toBe("site");
    expect(body.fields[0].message).toContain("mochis");
  });

  test("to before from rejected", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/records?from=2024-03-10&to=2024-03-09T12:00");
    expect(status).toBe(400);
    expect(body.fields.map((problem: { field: string }) => problem.field)).toEqual(["to"]);
  });

  test("page size capped at 500", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/records?limit=100000");
    expect(status).toBe(200);
    expect(body.limit).toBe(500);
    expect(body.items).toHaveLength(Math.min(500, fixture.rows.length));
  });

  test("non-numeric limit rejected", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/records?limit=ten");
    expect(status).toBe(400);
    expect(body.fields.map((problem: { field: string }) => problem.field)).toEqual(["limit"]);
  });

  test("cursor from other filters rejected", async () => {
    const first = await getJson(service.baseUrl, "/api/records?site=mochis&limit=5");
    const { status, body } = await getJson(service.baseUrl, `/api/records?site=silicon&limit=5&cursor=${first.body.page.next}`);
    expect(status).toBe(400);
    expect(body.fields[0].field).toBe("cursor");
  });

  test("over-long values rejected", async () => {
    const { status, body } = await getJson(service.baseUrl, `/api/records?src=${"9".repeat(81)}`);
    expect(status).toBe(400);
    expect(body.fields[0].field).toBe("src");
  });
});

describe("SQL injection payloads", () => {
  test("payload in src matches only the literal text", async () => {
    for (const payload of INJECTION_SOURCES) {
      const { status, body } = await getJson(service.baseUrl, `/api/records?src=${encodeURIComponent(payload)}`);
      expect(status).toBe(200);
      expect(body.items).toHaveLength(1);
      expect(body.items[0].src).toBe(payload);
    }
  });

  test("payloads in dst and dates change nothing", async () => {
    const payloads = ["1' OR '1'='1", "600' UNION SELECT user, password FROM mysql.user -- ", "\\' OR 1=1 #"];
    for (const payload of payloads) {
      const { status, body } = await getJson(service.baseUrl, `/api/records?dst=${encodeURIComponent(payload)}`);
      expect(status).toBe(200);
      expect(body.items).toHaveLength(0);
    }
    const dated = await getJson(service.baseUrl, `/api/records?from=${encodeURIComponent("2024-03-09' OR '1'='1")}`);
    expect(dated.status).toBe(400);
  });

  test("forged cursor key is only a value", async () => {
    const digestSource = await getJson(service.baseUrl, "/api/records?limit=1");
    const genuine = JSON.parse(Buffer.from(digestSource.body.page.next, "base64url").toString());
    const forged = Buffer.from(
      JSON.stringify({ ...genuine, k: [genuine.k[0], "zzz' OR '1'='1", "x') OR 1=1 -- ", 0] }),
    ).toString("base64url");
    const { status, body } = await getJson(service.baseUrl, `/api/records?limit=500&cursor=${forged}`);
    expect(status).toBe(200);
    // Every site code sorts before "zzz…", so the page contains all rows at or before the key's calldate.
    const expected = rowsWhere((row) => row.calldate <= genuine.k[0]);
    expect(body.items.length).toBe(Math.min(500, expected.length));
  });

  test("table intact after payloads", async () => {
    const { items } = await walkPages(service.baseUrl, "/api/records?limit=500");
    expect(items).toHaveLength(fixture.rows.length);
  });
});
