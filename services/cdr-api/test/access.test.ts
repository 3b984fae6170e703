// Authentication, CORS, request logs, public routes, OpenAPI and HQ health.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { API_DB_PASSWORD, API_TOKEN, MONITOR_PASSWORD } from "./support/environment";
import { ALLOWED_ORIGIN, AUTH, getJson, startService, type RunningService } from "./support/service";

let service: RunningService;

beforeAll(async () => {
  service = await startService({ role: "hq" });
});

afterAll(async () => {
  await service.close();
});

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

describe("authentication", () => {
  test("missing credentials get 401 with both challenges", async () => {
    const response = await fetch(`${service.baseUrl}/api/records`);
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate")!;
    expect(challenge).toContain('Bearer realm="inova-cdr"');
    expect(challenge).toContain('Basic realm="inova-cdr"');
    const body = await response.json();
    expect(body.error).toBe("Unauthorized");
  });

  test("wrong bearer token gets 401", async () => {
    const response = await fetch(`${service.baseUrl}/api/calls`, { headers: { authorization: `Bearer ${API_TOKEN}x` } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="inova-cdr", error="invalid_token"');
  });

  test("basic credentials accepted", async () => {
    const response = await fetch(`${service.baseUrl}/api/records?limit=1`, { headers: { authorization: basic("cdr", API_TOKEN) } });
    expect(response.status).toBe(200);
  });

  test("basic with wrong user rejected", async () => {
    const response = await fetch(`${service.baseUrl}/api/records?limit=1`, { headers: { authorization: basic("admin", API_TOKEN) } });
    expect(response.status).toBe(401);
  });

  test("every API route protected", async () => {
    for (const path of ["/api/records", "/api/calls", "/api/records.csv", "/api/calls.csv", "/api/stats", "/api/health", "/api/sites", "/api/nothing"]) {
      const response = await fetch(`${service.baseUrl}${path}`);
      expect(response.status, path).toBe(401);
    }
  });

  test("page, docs and probes public", async () => {
    for (const path of ["/", "/app.js", "/app.css", "/favicon.svg", "/docs", "/openapi.json", "/livez", "/readyz"]) {
      const response = await fetch(`${service.baseUrl}${path}`);
      expect(response.status, path).toBe(200);
    }
  });

  test("Mermaid served from disk", async () => {
    const expected = readFileSync(require.resolve("mermaid/dist/mermaid.min.js"));
    const response = await fetch(`${service.baseUrl}/vendor/mermaid.min.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("content-length")).toBe(String(expected.length));
    expect(Buffer.from(await response.arrayBuffer()).equals(expected)).toBe(true);
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{16}"$/);

    const cached = await fetch(`${service.baseUrl}/vendor/mermaid.min.js`, { headers: { "if-none-match": etag! } });
    expect(cached.status).toBe(304);
  });

  test("page sent with a strict content security policy", async () => {
    const response = await fetch(`${service.baseUrl}/`);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(response.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await response.text();
    expect(html).toContain('<html lang="es-MX">');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
});

describe("CORS", () => {
  test("own origin allowed", async () => {
    const response = await fetch(`${service.baseUrl}/api/records?limit=1`, { headers: { ...AUTH, origin: ALLOWED_ORIGIN } });
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get("access-control-expose-headers")).toContain("X-CDR-Source");
  });

  test("other origin gets no CORS headers", async () => {
    const response = await fetch(`${service.baseUrl}/api/records?limit=1`, { headers: { ...AUTH, origin: "http://127.0.97.200:8480" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("preflight answered for own origin only", async () => {
    const allowed = await fetch(`${service.baseUrl}/api/records`, {
      method: "OPTIONS",
      headers: { origin: ALLOWED_ORIGIN, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get("access-control-allow-headers")).toContain("Authorization");

    const other = await fetch(`${service.baseUrl}/api/records`, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.97.201", "access-control-request-method": "GET" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("request logs", () => {
  test("no token, password or Authorization header", async () => {
    await fetch(`${service.baseUrl}/api/records?limit=1`, { headers: AUTH });
    await fetch(`${service.baseUrl}/api/records?limit=1`, { headers: { authorization: basic("cdr", API_TOKEN) } });
    await fetch(`${service.baseUrl}/api/records?limit=1`, { headers: { authorization: `Bearer ${API_TOKEN}-wrong` } });
    await fetch(`${service.baseUrl}/api/health`, { headers: AUTH });
    const text = service.logs.join("");
    expect(service.logs.length).toBeGreaterThan(4);
    expect(text).toContain('"url":"/api/records?limit=1"');
    expect(text).not.toContain(API_TOKEN);
    expect(text).not.toContain(Buffer.from(`cdr:${API_TOKEN}`).toString("base64"));
    expect(text.toLowerCase()).not.toContain("authorization");
    expect(text).not.toContain(API_DB_PASSWORD);
    expect(text).not.toContain(MONITOR_PASSWORD);
  });
});

describe("OpenAPI", () => {
  test("document lists routes and filters", async () => {
    const { status, body } = await getJson(service.baseUrl, "/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    for (const path of ["/api/calls", "/api/records", "/api/records.csv", "/api/calls.csv", "/api/stats", "/api/health", "/livez", "/readyz"]) {
      expect(body.paths[path], path).toBeDefined();
    }
    const names = body.paths["/api/records"].get.parameters.map((parameter: any) => parameter.name).sort();
    expect(names).toEqual(["cursor", "disposition", "dst", "from", "limit", "site", "src", "to"]);
    expect(body.components.securitySchemes.bearerAuth.scheme).toBe("bearer");
  });

  test("docs page renders routes", async () => {
    const html = await (await fetch(`${service.baseUrl}/docs`)).text();
    expect(html).toContain("GET /api/calls");
    expect(html).toContain("cursor");
  });
});

describe("HQ health", () => {
  test("replication lag per branch", async () => {
    const { status, body } = await getJson(service.baseUrl, "/api/health");
    expect(status).toBe(200);
    expect(body.role).toBe("hq");
    expect(body.database.ok).toBe(true);
    const connections = Object.fromEntries(body.replication.connections.map((entry: any) => [entry.connection, entry]));
    expect(connections.tabasco.ioRunning).toBe("Yes");
    expect(connections.tabasco.sqlRunning).toBe("Yes");
    expect(connections.tabasco.secondsBehind).toBe(0);
    expect(connections.tabasco.ok).toBe(true);
    // The silicon connection points at a closed port.
    expect(connections.silicon.ok).toBe(false);
    expect(connections.silicon.lastError).toContain("127.0.97.9");
    expect(body.status).toBe("degraded");
  });

  test("readyz checks database", async () => {
    const { status, body } = await getJson(service.baseUrl, "/readyz");
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
  });
});
