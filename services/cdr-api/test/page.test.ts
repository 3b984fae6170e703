// The web page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// login, filters, paging, CSV download, language switch, empty and error states, keyboard use.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { API_TOKEN, CLOSED_DB } from "./support/environment";
import { fixture, parseCsv, utcMs } from "./support/oracle";
import { getJson, startService, type RunningService } from "./support/service";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SCREENSHOTS = join(__dirname, "..", "test-results");

let service: RunningService;
let context: BrowserContext;
let userDataDir: string;
let page: Page;
/** Every URL the browser requested, to prove the page loads nothing from elsewhere. */
const requested: string[] = [];

beforeAll(async () => {
  service = await startService({ role: "hq" });
  userDataDir = mkdtempSync(join(tmpdir(), "cdr-api-chromium-"));
  mkdirSync(SCREENSHOTS, { recursive: true });
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    acceptDownloads: true,
    locale: "es-MX",
    viewport: { width: 1280, height: 900 },
  });
  context.on("request", (request) => requested.push(request.url()));
});

afterAll(async () => {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
  await service?.close();
});

beforeEach(async () => {
  page = await context.newPage();
});

async function signIn(target: Page, path = "/", waitForTable = true): Promise<void> {
  await target.goto(`${service.baseUrl}${path}`);
  await target.getByLabel("Token de acceso").fill(API_TOKEN);
  await target.getByRole("button", { name: "Entrar" }).click();
  if (waitForTable) {
    await target.locator("#status").filter({ hasText: /en esta página/ }).waitFor();
  }
}

function tableRows(target: Page) {
  return target.locator("#results tbody tr");
}

describe("web page", () => {
  test("login rejects a wrong token", async () => {
    await page.goto(`${service.baseUrl}/`);
    await page.waitForFunction((lang) => document.documentElement.lang === lang, "es-MX");
    await page.getByLabel("Token de acceso").fill("not-the-token-at-all");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByText("El token no es válido").waitFor();
    expect(await page.locator("#login").isVisible()).toBe(true);
    await page.close();
  });

  test("table, chart and filters", async () => {
    await signIn(page);
    expect(await tableRows(page).count()).toBe(50);
    expect(await page.locator("#results caption").textContent()).toBe("Llamadas, de la más reciente a la más antigua");
    expect(await page.locator("#results thead th[scope=col]").count()).toBe(9);
    expect(await page.locator("#chart svg[role=img] rect").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, "page-calls.png"), fullPage: true });

    await page.getByLabel("Sitio", { exact: true }).selectOption("silicon");
    await page.getByLabel("Desde").fill("2024-03-10");
    await page.getByLabel("Hasta (incluido)").fill("2024-03-10");
    await page.getByRole("radio", { name: "Registros (sin agrupar)" }).check();
    await page.getByRole("button", { name: "Buscar" }).click();
    await page.locator("#status").filter({ hasText: /registros en esta página/ }).waitFor();

    const expected = fixture.rows.filter(
      (row) => row.site === "silicon" && utcMs(row.calldate) >= Date.UTC(2024, 2, 10, 8) && utcMs(row.calldate) < Date.UTC(2024, 2, 11, 7),
    );
    expect(await tableRows(page).count()).toBe(expected.length);
    const sites = await page.locator("#results tbody tr td:nth-child(2)").allTextContents();
    expect(new Set(sites)).toEqual(new Set(["Silicon Valley"]));
    expect(page.url()).toContain("site=silicon");
    expect(page.url()).toContain("view=records");
    await page.close();
  });

  test("next and previous pages", async () => {
    await signIn(page, "/?limit=25");
    const first = await page.locator("#results tbody th").allTextContents();
    expect(first).toHaveLength(25);
    expect(await page.getByRole("button", { name: "Página anterior" }).isDisabled()).toBe(true);

    await page.getByRole("button", { name: "Página siguiente" }).click();
    await page.waitForFunction((firstDate) => document.querySelector("#results tbody th")?.textContent !== firstDate, first[0]);
    const second = await page.locator("#results tbody th").allTextContents();
    expect(second).toHaveLength(25);
    expect(second[0] <= first[first.length - 1]).toBe(true);

    await page.getByRole("button", { name: "Página anterior" }).click();
    await page.waitForFunction((firstDate) => document.querySelector("#results tbody th")?.textContent === firstDate, first[0]);
    expect(await page.locator("#results tbody th").allTextContents()).toEqual(first);
    await page.close();
  });

  test("CSV download honours filters", async () => {
    await signIn(page, "/?site=tabasco&disposition=BUSY");
    const href = await page.locator("#csv-link").getAttribute("href");
    expect(href).toBe("/api/calls.csv?site=tabasco&disposition=BUSY");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Descargar CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^cdr-calls-tabasco-\d{8}-\d{6}\.csv$/);
    const path = await download.path();
    const rows = parseCsv(readFileSync(path!, "utf8").replace(/^\uFEFF/, ""));
    const api = await getJson(service.baseUrl, "/api/calls?site=tabasco&disposition=BUSY&limit=500");
    expect(rows.length - 1).toBe(api.body.items.length);
    expect(rows.slice(1).map((row) => row[0])).toEqual(api.body.items.map((call: { id: string }) => call.id));
    await page.getByText(/CSV descargado/).waitFor();
    await page.close();
  });

  test("language switch remembered", async () => {
    await signIn(page);
    await page.getByRole("button", { name: "Switch to English" }).click();
    await page.waitForFunction((lang) => document.documentElement.lang === lang, "en");
    expect(await page.locator("#results caption").textContent()).toBe("Calls, newest first");
    await page.getByRole("button", { name: "Search" }).waitFor();
    await page.reload();
    await page.locator("#status").filter({ hasText: /on this page/ }).waitFor();
    expect(await page.getByLabel("Caller number").count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "page-english.png"), fullPage: true });
    await page.getByRole("button", { name: "Cambiar a español" }).click();
    await page.waitForFunction((lang) => document.documentElement.lang === lang, "es-MX");
    await page.close();
  });

  test("empty result state", async () => {
    await signIn(page, "/?src=0000000000");
    await page.getByText("No se encontraron llamadas con estos filtros.").waitFor();
    expect(await tableRows(page).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Página siguiente" }).isDisabled()).toBe(true);
    await page.close();
  });

  test("invalid filter names the field", async () => {
    await signIn(page, "/?from=2024-02-30", false);
    const alert = page.locator("#error");
    await alert.waitFor();
    expect(await alert.getAttribute("role")).toBe("alert");
    expect(await alert.textContent()).toContain("Desde: must be a valid date");
    expect(await page.locator("#f-from").getAttribute("aria-invalid")).toBe("true");
    await page.close();
  });

  test("keyboard only", async () => {
    await signIn(page, "/?limit=25");
    await page.locator("#f-src").focus();
    await page.keyboard.type("101");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("src") === "101");
    await page.locator("#status").filter({ hasText: /llamadas en esta página/ }).waitFor();
    const sources = await page.locator("#results tbody td:nth-child(3)").allTextContents();
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((text) => text.includes("<101>"))).toBe(true);

    // Clear the field, then Tab from the search button through to the next-page button.
    await page.locator("#f-src").fill("");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => !new URLSearchParams(location.search).has("src"));
    await page.locator("#status").filter({ hasText: /25 llamadas en esta página/ }).waitFor();
    await page.getByRole("button", { name: "Buscar" }).focus();
    const firstDate = await page.locator("#results tbody th").first().textContent();
    for (let step = 0; step < 30; step += 1) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.id)) === "next") break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("next");
    await page.keyboard.press("Enter");
    await page.waitForFunction((date) => document.querySelector("#results tbody th")?.textContent !== date, firstDate);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("next");
    await page.close();
  });

  test("nothing loaded from other hosts", () => {
    const foreign = requested.filter((url) => !url.startsWith(service.baseUrl) && !url.startsWith("blob:") && !url.startsWith("data:"));
    expect(requested.length).toBeGreaterThan(10);
    expect(foreign).toEqual([]);
  });
});

describe("web page with database down", () => {
  let broken: RunningService;

  beforeAll(async () => {
    broken = await startService({ role: "branch", ownDatabase: CLOSED_DB, hqEndpoint: CLOSED_DB });
  });

  afterAll(async () => {
    await broken.close();
  });

  test("error state offers retry", async () => {
    const target = await context.newPage();
    await target.goto(`${broken.baseUrl}/`);
    await target.getByLabel("Token de acceso").fill(API_TOKEN);
    await target.getByRole("button", { name: "Entrar" }).click();
    await target.locator("#app").waitFor();
    await target.getByText("El servicio respondió con un error (503)").waitFor({ timeout: 30_000 });
    expect(await target.getByRole("button", { name: "Reintentar" }).isVisible()).toBe(true);
    await target.screenshot({ path: join(SCREENSHOTS, "page-error.png"), fullPage: true });
    await target.close();
  });
});
