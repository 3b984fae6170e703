// The tabasco branch: consolidated data from HQ when HQ responds, its own records otherwise.

import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLOSED_DB, SILENT_DB } from "./support/environment";
import { fixture, rowId, rowsWhere, utcMs, walkPages } from "./support/oracle";
import { AUTH, getJson, startService, type RunningService } from "./support/service";

describe("branch with HQ answering", () => {
  let service: RunningService;

  beforeAll(async () => {
    service = await startService({ role: "branch" });
  });

  afterAll(async () => {
    await service.close();
  });

  test("all sites come from HQ", async () => {
    const { headers, body, status } = await getJson(service.baseUrl, "/api/records?limit=500");
    expect(status).toBe(200);
    expect(body.source).toBe("hq");
    expect(headers.get("x-cdr-source")).toBe("hq");
    expect(new Set(body.items.map((item: { site: string }) => item.site))).toEqual(new Set(["mochis", "tabasco", "silicon"]));
  });

  test("another site comes from HQ", async () => {
    const { body } = await getJson(service.baseUrl, "/api/calls?site=silicon&limit=5");
    expect(body.source).toBe("hq");
    expect(body.items.every((call: { site: string }) => call.site === "silicon")).toBe(true);
  });

  test("own site read locally", async () => {
    const { body, headers } = await getJson(service.baseUrl, "/api/records?site=tabasco&limit=500");
    expect(body.source).toBe("local");
    expect(headers.get("x-cdr-source")).toBe("local");
    expect(body.items.map(rowId)).toEqual(rowsWhere((row) => row.site === "tabasco").map(rowId));
  });

  test("all-site dates read in the branch's zone", async () => {
    // tabasco serves: Mexico City, UTC-6.
    const { items, pages } = await walkPages(service.baseUrl, "/api/records?from=2024-03-09&to=2024-03-09&limit=500");
    expect(pages[0].timeZone).toBe("America/Mexico_City");
    const expected = rowsWhere((row) => utcMs(row.calldate) >= Date.UTC(2024, 2, 9, 6) && utcMs(row.calldate) < Date.UTC(2024, 2, 10, 6));
    expect(items.map(rowId)).toEqual(expected.map(rowId));
  });

  test("health reports HQ reachable", async () => {
    const { body } = await getJson(service.baseUrl, "/api/health");
    expect(body.role).toBe("branch");
    expect(body.hq.reachable).toBe(true);
    expect(body.status).toBe("ok");
  });
});

describe("branch with HQ refusing connections", () => {
  let service: RunningService;

  beforeAll(async () => {
    service = await startService({ role: "branch", hqEndpoint: CLOSED_DB });
  });

  afterAll(async () => {
    await service.close();
  });

  test("falls back to local records", async () => {
    const started = performance.now();
    const { body, headers, status } = await getJson(service.baseUrl, "/api/records?limit=500");
    expect(status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(body.source).toBe("local");
    expect(headers.get("x-cdr-source")).toBe("local");
    expect(body.items.map(rowId)).toEqual(rowsWhere((row) => row.site === "tabasco").map(rowId));
  });

  test("calls, stats and CSV fall back too", async () => {
    const calls = await getJson(service.baseUrl, "/api/calls?limit=5");
    expect(calls.body.source).toBe("local");
    const stats = await getJson(service.baseUrl, "/api/stats");
    expect(stats.body.source).toBe("local");
    expect(stats.body.rows.every((row: { site: string }) => row.site === "tabasco")).toBe(true);
    const csv = await fetch(`${service.baseUrl}/api/records.csv`, { headers: AUTH });
    expect(csv.headers.get("x-cdr-source")).toBe("local");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines).toHaveLength(fixture.rows.filter((row) => row.site === "tabasco").length + 1);
  });

  test("fallback logged without password", async () => {
    const text = service.logs.join("");
    expect(text).toContain("HQ database connection failed");
    expect(text).not.toContain("cdr-api-db-password");
  });

  test("health reports HQ unreachable", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/health");
    expect(status).toBe(200);
    expect(body.hq.reachable).toBe(false);
    expect(body.status).toBe("degraded");
  });
});

describe("branch with HQ not answering", () => {
  let service: RunningService;
  let silent: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Accepts TCP connections and never sends the server greeting.
    silent = createServer((socket) => {
      sockets.push(socket);
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(SILENT_DB.port, SILENT_DB.host, resolve));
    service = await startService({ role: "branch", hqEndpoint: SILENT_DB, hqTimeoutMs: 1500 });
  });

  afterAll(async () => {
    await service.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  test("falls back after the timeout, then at once", async () => {
    const started = performance.now();
    const first = await getJson(service.baseUrl, "/api/records?limit=5");
    const firstMs = performance.now() - started;
    expect(first.status).toBe(200);
    expect(first.body.source).toBe("local");
    expect(firstMs).toBeGreaterThanOrEqual(1400);
    expect(firstMs).toBeLessThan(4000);

    const again = performance.now();
    const second = await getJson(service.baseUrl, "/api/records?limit=5");
    expect(second.body.source).toBe("local");
    expect(performance.now() - again).toBeLessThan(500);
  });
});
