// The records API resources that HQ and a branch register under Pulumi mocks, with the
// repository's stack files: names, the configuration file, secret files and outputs, and the
// accounts at HQ's database through which the branches read.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { sharedPassword } from "../../../components/company-secret";
import { renderCallFlow } from "../../../components/diagrams/call-flow";
import { loadSiteCallFlows, type SiteCallFlowInput } from "../../../components/diagrams/project";
import { DEFAULT_CALL_RECORD_SETTINGS, loadCallRecordPeers } from "../../../components/model/call-records";
import { loadProjectSites } from "../../../components/model/load";
import { parseRecordsApiSettings, recordsApiSites, type RecordsApiSettings } from "../../../components/records-api/settings";
import type { SiteArgs } from "../../../components/site";
import {
  installMocks,
  loadComponents,
  recordSite,
  SECRET_PLACEHOLDER,
  valueOf,
  waitForRegistrations,
  type RegisteredResource,
  type SiteRun,
} from "../components/engine-mock";
import { named, ofType, PROJECT_DIR, siteArgsFromStack, TYPES } from "../components/fixtures";

const COMPANY_SECRET = "unit-test-company-secret-0123456789abcdefgh";
const USER_TYPE = "pulumi-nodejs:dynamic/mariadb:User";
const GRANT_TYPE = "pulumi-nodejs:dynamic/mariadb:Grant";
const RECORDS_API_TYPE = "inova:records:RecordsApi";
const IMAGE_CONTEXT = `${PROJECT_DIR}/services/cdr-api/.image-context`;

let components: Awaited<ReturnType<typeof loadComponents>>;

function argsWithApi(code: string, settings: RecordsApiSettings = { port: 8480 }): SiteArgs {
  const args = siteArgsFromStack(code);
  return {
    ...args,
    callRecords: {
      settings: DEFAULT_CALL_RECORD_SETTINGS,
      peers: loadCallRecordPeers(PROJECT_DIR),
      companySecret: pulumi.secret(COMPANY_SECRET),
      api: { settings, sites: recordsApiSites(args.model, loadProjectSites(PROJECT_DIR)), imageContext: IMAGE_CONTEXT },
    },
  };
}

async function runSite(code: string, settings?: RecordsApiSettings): Promise<SiteRun> {
  const run = await recordSite(components, code, argsWithApi(code, settings));
  await waitForRegistrations([`${code}-records-api-config`]);
  const { recordedResources } = await import("../components/engine-mock");
  return { ...run, resources: recordedResources() };
}

function configOf(run: SiteRun, code: string): Record<string, any> {
  const files = named(run.resources, `${code}-records-api-config`).inputs.files as Record<string, string>;
  return JSON.parse(files["config.json"]);
}

function secretFilesOf(run: SiteRun, code: string): Record<string, string> {
  return named(run.resources, `${code}-records-api-config`).inputs.secretFiles as Record<string, string>;
}

function apiAccounts(resources: readonly RegisteredResource[]): string[] {
  return ofType(resources, USER_TYPE)
    .filter((user) => String(user.inputs.user).startsWith("api_") && user.inputs.user !== "api_reader")
    .map((user) => `${String(user.inputs.user)}@${String(user.inputs.host)}`)
    .sort();
}

beforeAll(async () => {
  await installMocks("test");
  components = await loadComponents();
}, 60_000);

describe("records API at HQ", () => {
  let run: SiteRun;

  beforeAll(async () => {
    run = await runSite("mochis");
  }, 60_000);

  it("names the image, container and files by site", () => {
    expect(named(run.resources, "mochis-records-api").type).toBe(RECORDS_API_TYPE);
    const image = named(run.resources, "mochis-records-api-image");
    expect(image.inputs.name).toBe("inova/cdr-api:mochis");
    expect(image.inputs.context).toBe(IMAGE_CONTEXT);
    const container = named(run.resources, "mochis-records-api-container");
    expect(container.inputs.name).toBe("inova-mochis-records-api");
    expect(named(run.resources, "mochis-records-api-config").type).toBe(TYPES.containerFiles);
  });

  it("runs on the host network with a restart policy and the image id", () => {
    const container = named(run.resources, "mochis-records-api-container");
    expect(container.inputs.networkMode).toBe("host");
    expect(container.inputs.restartPolicy).toBe("unless-stopped");
    expect(String(container.inputs.imageId)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(container.inputs.mounts).toEqual([{ volume: "inova-mochis-cdr-socket", target: "/run/mariadbd" }]);
  });

  it("keeps secrets out of the environment", () => {
    const container = named(run.resources, "mochis-records-api-container");
    expect(container.secretPaths).toEqual([]);
    expect(container.inputs.env).toBeUndefined();
  });

  it("listens on the site address with its own origin", () => {
    const config = configOf(run, "mochis");
    expect(config.site).toBe("mochis");
    expect(config.timeZone).toBe("America/Mazatlan");
    expect(config.listen).toEqual({ host: "127.0.81.1", port: 8480 });
    expect(config.allowedOrigin).toBe("http://127.0.81.1:8480");
    expect(config.hq).toBeUndefined();
  });

  it("reads as api_reader over the socket", () => {
    const config = configOf(run, "mochis");
    expect(config.database).toEqual({ socketPath: "/run/mariadbd/mysqld.sock", user: "api_reader", passwordFile: "/etc/cdr-api/db-password" });
    expect(config.monitor).toEqual({ user: "monitor", passwordFile: "/etc/cdr-api/monitor-password" });
  });

  it("lists every site with its time zone", () => {
    expect(configOf(run, "mochis").sites).toEqual([
      { code: "mochis", name: "Los Mochis", timeZone: "America/Mazatlan" },
      { code: "silicon", name: "Silicon Valley", timeZone: "America/Los_Angeles" },
      { code: "tabasco", name: "Villahermosa", timeZone: "America/Mexico_City" },
    ]);
  });

  it("writes secrets as secret files for the service only", () => {
    const files = named(run.resources, "mochis-records-api-config");
    expect(files.secretPaths).toContain("secretFiles");
    expect(files.plainInputs.secretFiles).toBe(SECRET_PLACEHOLDER);
    expect(Object.keys(secretFilesOf(run, "mochis")).sort()).toEqual(["api-token", "db-password", "monitor-password"]);
    expect(files.inputs.owner).toBe("cdrapi");
    expect(files.inputs.secretMode).toBe("0400");
    expect(files.inputs.directory).toBe("/etc/cdr-api");
  });

  it("restarts the service on any file change", () => {
    const restart = named(run.resources, "mochis-records-api-config").inputs.restartWhen as { paths: string[] };
    expect(restart.paths).toEqual(["api-token", "config.json", "db-password", "monitor-password"]);
  });

  it("delivers the call-flow diagram without restarts", () => {
    const site = loadSiteCallFlows(PROJECT_DIR).find((candidate) => candidate.code === "mochis") as SiteCallFlowInput;
    const files = named(run.resources, "mochis-records-api-config").inputs.files as Record<string, string>;
    expect(files["call-flow.mmd"]).toBe(renderCallFlow(site.model, site.peers));
    expect(configOf(run, "mochis").callFlowFile).toBe("/etc/cdr-api/call-flow.mmd");
  });

  it("uses the generated token as a secret output", async () => {
    const site = run.site as unknown as { recordsApi: { token: pulumi.Output<string>; url: string } };
    expect(site.recordsApi.url).toBe("http://127.0.81.1:8480");
    expect(await pulumi.isSecret(site.recordsApi.token)).toBe(true);
    const token = await valueOf(site.recordsApi.token);
    expect(token).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(secretFilesOf(run, "mochis")["api-token"]).toBe(token);
    expect(named(run.resources, "mochis-records-api-token").type).toBe(TYPES.generatedSecret);
  });

  it("creates one SELECT-only account per branch", () => {
    expect(apiAccounts(run.resources)).toEqual(["api_silicon@127.0.83.1", "api_tabasco@127.0.82.1"]);
    const grants = ofType(run.resources, GRANT_TYPE).filter((grant) => String(grant.inputs.user).startsWith("api_") && grant.inputs.user !== "api_reader");
    expect(grants.map((grant) => `${String(grant.inputs.user)} ${(grant.inputs.privileges as string[]).join(",")} ON ${String(grant.inputs.object)}`).sort()).toEqual([
      "api_silicon SELECT ON inova_cdr.*",
      "api_tabasco SELECT ON inova_cdr.*",
    ]);
  });

  it("derives branch passwords and keeps them secret", () => {
    const user = named(run.resources, "mochis-records-api-api_tabasco");
    expect(user.secretPaths).toContain("password");
    expect(user.inputs.password).toBe(sharedPassword(COMPANY_SECRET, "records-api", "mochis", "tabasco"));
  });

  it("exports the token only as a secret", () => {
    const api = run.componentOutputs.find((outputs) => outputs.urn.endsWith("::mochis-records-api"));
    expect(api).toBeDefined();
    const outputs = api!.plainOutputs as Record<string, unknown>;
    expect(outputs.token).toBe(SECRET_PLACEHOLDER);
    expect(outputs.url).toBe("http://127.0.81.1:8480");
  });
});

describe("records API at a branch", () => {
  let run: SiteRun;

  beforeAll(async () => {
    run = await runSite("tabasco", { port: 8481, token: "operator-token-0123456789" });
  }, 60_000);

  it("reads HQ from the branch address", () => {
    expect(configOf(run, "tabasco").hq).toEqual({
      host: "127.0.81.1",
      port: 3306,
      localAddress: "127.0.82.1",
      user: "api_tabasco",
      passwordFile: "/etc/cdr-api/hq-password",
      timeoutMs: 1500,
    });
  });

  it("uses the password HQ derives", () => {
    expect(secretFilesOf(run, "tabasco")["hq-password"]).toBe(sharedPassword(COMPANY_SECRET, "records-api", "mochis", "tabasco"));
  });

  it("creates no accounts at HQ", () => {
    expect(apiAccounts(run.resources)).toEqual([]);
  });

  it("uses the configured port and token", () => {
    const config = configOf(run, "tabasco");
    expect(config.listen).toEqual({ host: "127.0.82.1", port: 8481 });
    expect(config.allowedOrigin).toBe("http://127.0.82.1:8481");
    expect(secretFilesOf(run, "tabasco")["api-token"]).toBe("operator-token-0123456789");
    expect(ofType(run.resources, TYPES.generatedSecret).map((secret) => secret.name)).not.toContain("tabasco-records-api-token");
  });
});

describe("parseRecordsApiSettings", () => {
  const ports = { sip: 5060, iax: 4569, ami: 5038, rtp: { start: 10000, end: 10999 } };

  it("defaults the port to 8480", () => {
    expect(parseRecordsApiSettings(undefined, undefined, ports, DEFAULT_CALL_RECORD_SETTINGS)).toEqual({ settings: { port: 8480 }, problems: [] });
  });

  it.each([
    [5060, /already the site's SIP port/],
    [3306, /already the site's call-record database port/],
    [10500, /inside the site's RTP range 10000-10999/],
    [33050, /inside the replication relay ports 33010-33099/],
    [80, /not a valid port; set an integer from 1024 to 65535/],
    ["8480", /not a valid port/],
  ])("rejects port %s", (port, message) => {
    const { problems } = parseRecordsApiSettings(port, undefined, ports, DEFAULT_CALL_RECORD_SETTINGS);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("inova-pbx:recordsApiPort");
    expect(problems[0].message).toMatch(message);
  });

  it("rejects a short token without printing it", () => {
    const { problems } = parseRecordsApiSettings(undefined, "short-secret", ports, DEFAULT_CALL_RECORD_SETTINGS);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe("inova-pbx:recordsApiToken");
    expect(problems[0].message).toMatch(/at least 16 characters/);
    expect(problems[0].message).not.toContain("short-secret");
  });
});
