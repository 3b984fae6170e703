// The call-flow view of the web page in headless Chromium. The service reads the site's
// generated diagram (docs/call-flows/mochis.md of the project) from the file named in its
// configuration. The page draws it with the copy of Mermaid that the service serves.
// Nothing here needs the call-record database, which points at a closed port.

import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app";
import { parseConfig } from "../src/config";
import { mermaidText } from "../src/routes/call-flow";

const CHROMIUM = "/usr/bin/chromium";
const HOST = "127.0.107.2";
/** Nothing listens here, so any database request fails at once. */
const CLOSED_DATABASE = { host: "127.0.107.9", port: 3306 };
const TOKEN = "call-flow-test-token-0123456789";
const DIAGRAM = join(__dirname, "..", "..", "..", "docs", "call-flows", "mochis.md");
const OPTION_LABELS = ["1: Soporte", "2: Quejas", "3: Facturación", "4: Inventario", "5: Villahermosa", "6: Silicon Valley"];

let directory: string;
let app: FastifyInstance;
let baseUrl: string;
let context: BrowserContext;
const requested: string[] = [];

async function startApp(callFlowFile: string | undefined): Promise<FastifyInstance> {
  const tokenFile = join(directory, "token");
  const passwordFile = join(directory, "db-password");
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  writeFileSync(passwordFile, "unused-password\n", { mode: 0o600 });
  const config = parseConfig({
    site: "mochis",
    timeZone: "America/Mazatlan",
    listen: { host: HOST, port: 0 },
    database: { ...CLOSED_DATABASE, user: "cdr_api", passwordFile },
    auth: { tokenFile },
    allowedOrigin: `http://${HOST}:8480`,
    sites: [{ code: "mochis", name: "Los Mochis", timeZone: "America/Mazatlan" }],
    logLevel: "silent",
    ...(callFlowFile === undefined ? {} : { callFlowFile }),
  });
  return buildApp(config);
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("Token de acceso").fill(TOKEN);
  await page.getByRole("button", { name: "Entrar" }).click();
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "cdr-api-call-flow-"));
  copyFileSync(DIAGRAM, join(directory, "mochis.md"));
  app = await startApp(join(directory, "mochis.md"));
  await app.listen({ host: HOST, port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") {
    throw new Error("service did not bind a TCP port");
  }
  baseUrl = `http://${HOST}:${address.port}`;
  context = await chromium.launchPersistentContext(join(directory, "chromium"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    locale: "es-MX",
    viewport: { width: 1280, height: 900 },
  });
  context.on("request", (request) => requested.push(request.url()));
});

afterAll(async () => {
  await context?.close();
  await app?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("call-flow view", () => {
  test("draws the diagram with every IVR option", async () => {
    const page = await context.newPage();
    await signIn(page);

    const diagram = page.locator("#call-flow svg");
    await diagram.waitFor({ state: "visible", timeout: 30_000 });
    await expect(page.locator("#call-flow-title").textContent()).resolves.toBe("Flujo de llamadas");
    const text = (await diagram.textContent()) ?? "";
    for (const label of OPTION_LABELS) {
      expect(text).toContain(label);
    }
    expect(text).toContain("Grupo de timbrado 601: Soporte (todos a la vez, 15 s)");
    expect(text).toContain("IVR 199: IVR");
    expect(text).toContain("06:00-11:59 ivr-dia");
    await page.close();
  });

  test("switches the diagram to English", async () => {
    const page = await context.newPage();
    await signIn(page);
    await page.locator("#call-flow svg").waitFor({ state: "visible", timeout: 30_000 });

    await page.getByRole("button", { name: "Switch to English" }).click();
    await expect(page.locator("#call-flow-title").textContent()).resolves.toBe("Call flow");
    await page.locator("#call-flow svg", { hasText: "Ring group 601: Soporte (ringall, 15 s)" }).waitFor({ timeout: 30_000 });
    const text = (await page.locator("#call-flow svg").textContent()) ?? "";
    for (const label of OPTION_LABELS) {
      expect(text).toContain(label);
    }
    expect(text).not.toContain("Grupo de timbrado");

    // Back to Spanish for the other tests, which share the browser's storage.
    await page.getByRole("button", { name: "Cambiar a español" }).click();
    await page.close();
  });

  test("loads everything from the service", () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(`${baseUrl}/`))).toEqual([]);
    expect(requested).toContain(`${baseUrl}/vendor/mermaid.min.js`);
  });

  test("answers 404 without a diagram file", async () => {
    const bare = await startApp(undefined);
    const response = await bare.inject({ method: "GET", url: "/api/call-flow", headers: { authorization: `Bearer ${TOKEN}` } });
    await bare.close();
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toBe("This service has no call-flow diagram: callFlowFile is not set.");
  });

  test("extracts the mermaid block of a page", () => {
    expect(mermaidText("# Title\n\n```mermaid\nflowchart LR\n  a --> b\n```\n")).toBe("flowchart LR\n  a --> b\n");
    expect(mermaidText("flowchart LR\n  a --> b\n")).toBe("flowchart LR\n  a --> b\n");
  });
});
