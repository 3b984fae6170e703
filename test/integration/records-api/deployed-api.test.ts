// Deploys a whole HQ site of its own (stack `apitest` on 127.0.105.1) with the real Pulumi CLI
// from a private copy of the project. The tests then use its records API as a client would:
// the stack outputs, token and Basic logins, CORS, a record written to the site's database and
// the web page in Chromium. They also check where the secrets are: in files for the service
// only, never in the environment, state, outputs or logs. Destroy removes everything.

import Docker from "dockerode";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ProjectCopy } from "../../support/project-copy";

const STACK = "apitest";
const ADDRESS = "127.0.105.1";
const PORT = 8486;
const ORIGIN = `http://${ADDRESS}:${PORT}`;
const API_CONTAINER = `inova-${STACK}-records-api`;
const DB_CONTAINER = `inova-${STACK}-cdr-db`;
const PBX_CONTAINER = `inova-${STACK}-pbx`;
const CHROMIUM = "/usr/bin/chromium";
const COMPANY_SECRET = "records-api-test-company-secret-0123456789";
const docker = new Docker();

const STACK_FILE = `# Records API test site: HQ on its own address, no branches.
config:
  inova-pbx:site:
    name: Prueba API
    role: hq
    timezone: America/Mazatlan
    address: ${ADDRESS}
    publicNumber: "6680000086"
    accessCode: "86"
    rtpPorts: {start: 34000, end: 34999}
  inova-pbx:extensions:
    - {number: "100", name: Ventas, protocol: pjsip}
    - {number: "101", name: Almacén, protocol: iax2}
  inova-pbx:recordsApiPort: ${PORT}
  inova-pbx:deleteDataOnDestroy: true
`;

let project: ProjectCopy;
let token: string;
let plainOutputs: Record<string, unknown>;
let browserDir: string;
let browser: BrowserContext | undefined;

/** Runs a command in a container and returns its standard output and exit code. */
async function execIn(container: string, command: string[]): Promise<{ stdout: string; code: number }> {
  const execution = await docker.getContainer(container).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await execution.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  docker.modem.demuxStream(stream, stdout, new PassThrough());
  await new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  const info = await execution.inspect();
  return { stdout: text.trim(), code: info.ExitCode ?? -1 };
}

/** Polls `/readyz` until it returns 200, because the container starts before its files arrive. */
async function waitUntilReady(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${ORIGIN}/readyz`);
      if (response.status === 200) {
        return;
      }
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${ORIGIN}/readyz did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

function api(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${ORIGIN}${path}`, { headers });
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const full = join(directory, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

beforeAll(async () => {
  for (const name of [API_CONTAINER, DB_CONTAINER, PBX_CONTAINER]) {
    const exists = await docker.getContainer(name).inspect().then(() => true, () => false);
    if (exists) {
      throw new Error(`container ${name} already exists; this test deploys its own ${STACK} site. Remove it (docker rm -f ${name}) and run again.`);
    }
  }
  project = ProjectCopy.create("inova-records-api");
  for (const file of readdirSync(project.dir).filter((name) => /^Pulumi\..+\.yaml$/.test(name))) {
    rmSync(join(project.dir, file));
  }
  project.writeFile(`Pulumi.${STACK}.yaml`, STACK_FILE);
  // The copy's sources may be newer than the staged image context, so stage it as the set-up step does.
  const staged = await project.run("bash", ["services/cdr-api/stage-context.sh"], { timeoutMs: 600_000 });
  if (staged.code !== 0) {
    throw new Error(`stage-context.sh failed with ${staged.code}\n${staged.stdout}\n${staged.stderr}`);
  }
  await project.pulumi(["stack", "init", STACK]);
  await project.pulumi(["config", "set", "--secret", "--stack", STACK, "companySecret", COMPANY_SECRET]);

  const result = await project.run("pulumi", ["up", "--yes", "--skip-preview", "--stack", STACK, "--suppress-progress"], { timeoutMs: 1_200_000 });
  if (result.code !== 0) {
    throw new Error(`pulumi up failed with ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  token = JSON.parse(await project.pulumi(["stack", "output", "--stack", STACK, "--json", "--show-secrets", "recordsApiToken"]));
  plainOutputs = JSON.parse(await project.pulumi(["stack", "output", "--stack", STACK, "--json"]));
  await waitUntilReady(60_000);

  // One answered call of the site, written as root, as the PBX would write it.
  const insert = await execIn(DB_CONTAINER, [
    "mariadb",
    "inova_cdr",
    "-e",
    "INSERT INTO cdr (site, calldate, clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, duration, billsec, disposition, amaflags, uniqueid, linkedid, sequence) " +
      "VALUES ('apitest', UTC_TIMESTAMP(6) - INTERVAL 1 HOUR, '\"Ventas\" <100>', '100', '101', 'internal', 'PJSIP/100-00000001', 'IAX2/101-1', 'Dial', 'IAX2/101', 42, 30, 'ANSWERED', 3, '1700000000.1', '1700000000.1', 1)",
  ]);
  expect(insert.code, insert.stdout).toBe(0);
}, 1_500_000);

afterAll(async () => {
  await browser?.close();
  if (browserDir !== undefined) {
    rmSync(browserDir, { recursive: true, force: true });
  }
  if (project !== undefined) {
    // Leaves nothing behind even when a test failed half way; deleteDataOnDestroy removes the volumes.
    const result = await project.run("pulumi", ["destroy", "--yes", "--stack", STACK, "--suppress-progress"], { timeoutMs: 600_000 });
    project.remove();
    if (result.code !== 0) {
      throw new Error(`pulumi destroy failed with ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
  }
}, 700_000);

describe("deployed records API", () => {
  it("exports the URL and only a secret token", () => {
    expect(plainOutputs.recordsApiUrl).toBe(ORIGIN);
    expect(plainOutputs.recordsApiToken).toBe("[secret]");
    expect(token).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  it("runs the container as specified", async () => {
    const info = await docker.getContainer(API_CONTAINER).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.HostConfig.NetworkMode).toBe("host");
    expect(info.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    expect(info.Image).toMatch(/^sha256:/);
    expect(info.Config.User).toBe("cdrapi");
  });

  it("keeps secrets out of the environment", async () => {
    const info = await docker.getContainer(API_CONTAINER).inspect();
    const env = (info.Config.Env ?? []).join("\n");
    expect(env).not.toContain(token);
    expect(env).not.toMatch(/PASSWORD|TOKEN/i);
  });

  it("gives secret files to the service only", async () => {
    const listing = await execIn(API_CONTAINER, ["stat", "-c", "%n %a %U", "/etc/cdr-api/api-token", "/etc/cdr-api/db-password", "/etc/cdr-api/monitor-password", "/etc/cdr-api/config.json"]);
    expect(listing.stdout.split("\n")).toEqual([
      "/etc/cdr-api/api-token 400 cdrapi",
      "/etc/cdr-api/db-password 400 cdrapi",
      "/etc/cdr-api/monitor-password 400 cdrapi",
      "/etc/cdr-api/config.json 444 cdrapi",
    ]);
    const config = await execIn(API_CONTAINER, ["cat", "/etc/cdr-api/config.json"]);
    expect(config.stdout).not.toContain(token);
  });

  it("keeps the token out of state and logs", async () => {
    for (const file of filesUnder(project.stateDir)) {
      expect(readFileSync(file, "utf8").includes(token), file).toBe(false);
    }
    const logs = (await docker.getContainer(API_CONTAINER).logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    expect(logs.toString("utf8")).not.toContain(token);
  });

  it("rejects requests without the token", async () => {
    const response = await api("/api/records");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/Bearer|Basic/);
  });

  it("returns the site's record with the token", async () => {
    const response = await api("/api/records?site=apitest", { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-cdr-source")).toBe("hq");
    const body = (await response.json()) as { source: string; items: Array<{ src: string; dst: string; disposition: string }> };
    expect(body.source).toBe("hq");
    expect(body.items.map((item) => `${item.src}>${item.dst} ${item.disposition}`)).toEqual(["100>101 ANSWERED"]);
  });

  it("accepts Basic login with the token", async () => {
    const basic = Buffer.from(`cdr:${token}`).toString("base64");
    const response = await api("/api/sites", { authorization: `Basic ${basic}` });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { site: string; role: string };
    expect(body.site).toBe(STACK);
    expect(body.role).toBe("hq");
  });

  it("allows CORS from the site origin only", async () => {
    const own = await api("/api/sites", { authorization: `Bearer ${token}`, origin: ORIGIN });
    expect(own.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const other = await api("/api/sites", { authorization: `Bearer ${token}`, origin: "http://127.0.105.2:8486" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("reads with the read-only account", async () => {
    const health = await api("/api/health", { authorization: `Bearer ${token}` });
    expect(health.status).toBe(200);
    const grants = await execIn(DB_CONTAINER, ["mariadb", "-N", "-e", "SHOW GRANTS FOR 'api_reader'@'localhost'"]);
    expect(grants.stdout).toContain("GRANT SELECT ON `inova_cdr`.* TO `api_reader`@`localhost`");
    expect(grants.stdout).not.toMatch(/INSERT|UPDATE|DELETE/);
  });

  it("shows the records in Chromium", async () => {
    browserDir = mkdtempSync(join(tmpdir(), "inova-records-api-chromium-"));
    browser = await chromium.launchPersistentContext(browserDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
      locale: "es-MX",
    });
    const page = await browser.newPage();
    await page.goto(`${ORIGIN}/`);
    await page.getByLabel("Token de acceso").fill(token);
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.locator("#status").filter({ hasText: /en esta página/ }).waitFor({ timeout: 30_000 });
    const rows = page.locator("#results tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain("100");
    expect(await page.locator("#site-info").innerText()).toContain("Prueba API");
  });
});
