// The inova/cdr-api:dev image (built by build-image.sh, which the project's test
// command runs first) against HQ's test database.

import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FIXTURE_SITES } from "./fixtures/calls";
import { API_DB_PASSWORD, API_DB_USER, API_TOKEN, HQ_DB, MONITOR_PASSWORD, MONITOR_USER, SERVICE_HOST } from "./support/environment";

const IMAGE = process.env.CDR_API_IMAGE ?? "inova/cdr-api:dev";
const APP_DIRECTORY = "/opt/cdr-api";
const CONTAINER = "api-test-cdr-api";
const PORT = 18480;
const HEALTHY_WITHIN_MS = 60_000;

function imageExists(): boolean {
  try {
    execFileSync("docker", ["image", "inspect", IMAGE], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

describe("service image", () => {
  let directory: string;

  beforeAll(async () => {
    if (!imageExists()) {
      throw new Error(`image ${IMAGE} not found; build it with services/cdr-api/build-image.sh`);
    }
    directory = mkdtempSync(join(tmpdir(), "cdr-api-image-"));
    chmodSync(directory, 0o755);
    // The container runs as uid 10001, so its secrets must be readable by that user.
    for (const [name, value] of [["db-password", API_DB_PASSWORD], ["monitor-password", MONITOR_PASSWORD], ["token", API_TOKEN]]) {
      writeFileSync(join(directory, name), `${value}\n`, { mode: 0o644 });
    }
    writeFileSync(
      join(directory, "config.json"),
      JSON.stringify({
        site: "mochis",
        timeZone: "America/Mazatlan",
        listen: { host: SERVICE_HOST, port: PORT },
        database: { host: HQ_DB.host, port: HQ_DB.port, user: API_DB_USER, passwordFile: "/run/secrets/db-password" },
        monitor: { user: MONITOR_USER, passwordFile: "/run/secrets/monitor-password" },
        auth: { tokenFile: "/run/secrets/token" },
        allowedOrigin: `http://${SERVICE_HOST}:${PORT}`,
        sites: FIXTURE_SITES.map(({ code, name, timeZone }) => ({ code, name, timeZone })),
      }),
      { mode: 0o644 },
    );
    execFileSync("docker", ["rm", "-f", CONTAINER], { stdio: "ignore" });
    docker(
      "run", "-d", "--name", CONTAINER, "--network", "host",
      "-v", `${join(directory, "config.json")}:/etc/cdr-api/config.json:ro`,
      "-v", `${directory}:/run/secrets:ro`,
      "--health-interval", "1s",
      IMAGE,
    );
    const deadline = Date.now() + HEALTHY_WITHIN_MS;
    while (docker("inspect", "-f", "{{.State.Health.Status}}", CONTAINER) !== "healthy") {
      if (Date.now() > deadline) {
        throw new Error(`container not healthy within ${HEALTHY_WITHIN_MS} ms:\n${docker("logs", CONTAINER)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  afterAll(() => {
    execFileSync("docker", ["rm", "-f", CONTAINER], { stdio: "ignore" });
    rmSync(directory, { recursive: true, force: true });
  });

  test("healthy and serving records", async () => {
    const response = await fetch(`http://${SERVICE_HOST}:${PORT}/api/calls?limit=3`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.items).toHaveLength(3);
    expect(body.source).toBe("hq");
  });

  test("page served from the image", async () => {
    const response = await fetch(`http://${SERVICE_HOST}:${PORT}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Registro de llamadas");
  });

  test("Mermaid bundle served from vendor/", async () => {
    expect(docker("exec", CONTAINER, "sh", "-c", `test -f ${APP_DIRECTORY}/vendor/mermaid.min.js && echo present`)).toBe("present");
    expect(docker("exec", CONTAINER, "sh", "-c", `test -e ${APP_DIRECTORY}/node_modules/mermaid || echo absent`)).toBe("absent");

    // package-lock.json pins one Mermaid version for the development install and the image.
    const expected = readFileSync(require.resolve("mermaid/dist/mermaid.min.js"));
    const response = await fetch(`http://${SERVICE_HOST}:${PORT}/vendor/mermaid.min.js`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(expected)).toBe(true);
  });

  test("no development packages installed", () => {
    const lock = JSON.parse(readFileSync(join(__dirname, "..", "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const developmentPackages = Object.entries(lock.packages)
      .filter(([, entry]) => entry.dev === true)
      .map(([path]) => path);
    expect(developmentPackages).toContain("node_modules/mermaid");

    const present = docker(
      "exec", CONTAINER, "sh", "-c", `cd ${APP_DIRECTORY} && for path; do if [ -e "$path" ]; then echo "$path"; fi; done`,
      "sh", ...developmentPackages,
    );
    expect(present).toBe("");
  });

  test("runs as unprivileged user on image's Node.js", () => {
    expect(docker("exec", CONTAINER, "id", "-u")).toBe("10001");
    expect(Number(docker("exec", CONTAINER, "node", "-p", "process.versions.node.split('.')[0]"))).toBeGreaterThanOrEqual(20);
  });

  test("logs carry no secrets", () => {
    const logs = execFileSync("docker", ["logs", CONTAINER], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(logs).toContain("cdr-api started");
    expect(logs).not.toContain(API_TOKEN);
    expect(logs).not.toContain(API_DB_PASSWORD);
  });
});
