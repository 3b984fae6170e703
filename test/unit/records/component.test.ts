// The call-record resources that HQ and a branch register under Pulumi mocks, with the
// repository's stack files: accounts, grants, relays, replication connections and what the
// PBX receives.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { sharedPassword } from "../../../components/company-secret";
import { DEFAULT_CALL_RECORD_SETTINGS, loadCallRecordPeers } from "../../../components/model/call-records";
import type { SiteArgs } from "../../../components/site";
import { installMocks, loadComponents, recordSite, type RegisteredResource, type SiteRun } from "../components/engine-mock";
import { named, ofType, PROJECT_DIR, siteArgsFromStack, TYPES } from "../components/fixtures";

const COMPANY_SECRET = "unit-test-company-secret-0123456789abcdefgh";
const TYPE = {
  user: "pulumi-nodejs:dynamic/mariadb:User",
  grant: "pulumi-nodejs:dynamic/mariadb:Grant",
  replica: "pulumi-nodejs:dynamic/mariadb:ReplicaConnection",
  migrations: "pulumi-nodejs:dynamic/mariadb:Migrations",
} as const;

let components: Awaited<ReturnType<typeof loadComponents>>;

function argsWithRecords(code: string): SiteArgs {
  return {
    ...siteArgsFromStack(code),
    callRecords: {
      settings: DEFAULT_CALL_RECORD_SETTINGS,
      peers: loadCallRecordPeers(PROJECT_DIR),
      companySecret: pulumi.secret(COMPANY_SECRET),
    },
  };
}

function accounts(resources: readonly RegisteredResource[]): string[] {
  return ofType(resources, TYPE.user)
    .map((user) => `${String(user.inputs.user)}@${String(user.inputs.host)}`)
    .sort();
}

function grants(resources: readonly RegisteredResource[]): string[] {
  return ofType(resources, TYPE.grant)
    .map((grant) => `${String(grant.inputs.user)}@${String(grant.inputs.host)} ${(grant.inputs.privileges as string[]).join(",")} ON ${String(grant.inputs.object)}`)
    .sort();
}

beforeAll(async () => {
  await installMocks("test");
  components = await loadComponents();
});

describe("HQ call records", () => {
  let run: SiteRun;

  beforeAll(async () => {
    run = await recordSite(components, "mochis", argsWithRecords("mochis"));
  });

  it("runs the database on the site address", () => {
    const container = named(run.resources, "mochis-records-db");
    expect(container.inputs.name).toBe("inova-mochis-cdr-db");
    expect(container.inputs.networkMode).toBe("host");
    const config = (container.inputs.env as Record<string, string>).INOVA_MARIADB_CONFIG;
    expect(config).toContain("bind_address = 127.0.81.1");
    expect(config).toContain("port = 3306");
    expect(config).toContain("server_id = 1081");
    expect(config).toContain("gtid_domain_id = 81");
    expect(config).toContain("binlog_expire_logs_seconds = 604800");
  });

  it("tags the database image per site", () => {
    const image = named(run.resources, "mochis-records-image");
    expect(image.inputs.name).toBe("inova/mariadb:11.8-mochis");
    expect(image.inputs.context).toBe(`${PROJECT_DIR}/assets/mariadb`);
  });

  it("relays to each branch from HQ's address", () => {
    const env = named(run.resources, "mochis-records-db").inputs.env as Record<string, string>;
    expect(env.INOVA_MARIADB_RELAYS).toBe("127.0.81.1:33083>127.0.83.1:3306 127.0.81.1:33082>127.0.82.1:3306");
  });

  it("mounts the data and socket volumes", () => {
    expect(named(run.resources, "mochis-records-db").inputs.mounts).toEqual([
      { volume: "inova-mochis-cdr-data", target: "/var/lib/mysql" },
      { volume: "inova-mochis-cdr-socket", target: "/run/mariadbd" },
      { volume: "inova-mochis-cdr-backups", target: "/var/backups/inova-cdr" },
    ]);
  });

  it("backs up daily and keeps seven backups", () => {
    const env = named(run.resources, "mochis-records-db").inputs.env as Record<string, string>;
    expect(env.INOVA_MARIADB_BACKUP_INTERVAL_SECONDS).toBe("86400");
    expect(env.INOVA_MARIADB_BACKUP_KEEP).toBe("7");
  });

  it("keeps data, journal and backups on destroy", () => {
    expect(named(run.resources, "mochis-records-data").inputs.deleteOnDestroy).toBe(false);
    expect(named(run.resources, "mochis-records-journal").inputs.deleteOnDestroy).toBe(false);
    expect(named(run.resources, "mochis-records-backups").inputs.deleteOnDestroy).toBe(false);
    expect(named(run.resources, "mochis-records-socket").inputs.deleteOnDestroy).toBe(true);
  });

  it("creates accounts with their grants", () => {
    expect(accounts(run.resources)).toEqual([
      "api_reader@localhost",
      "monitor@localhost",
      "pbx_writer@localhost",
      "reseed@127.0.82.1",
      "reseed@127.0.83.1",
    ]);
    expect(grants(run.resources)).toEqual([
      "api_reader@localhost SELECT ON inova_cdr.*",
      "monitor@localhost SLAVE MONITOR ON *.*",
      "pbx_writer@localhost INSERT ON inova_cdr.cdr",
      "reseed@127.0.82.1 SELECT ON inova_cdr.cdr_tabasco",
      "reseed@127.0.83.1 SELECT ON inova_cdr.cdr_silicon",
    ]);
  });

  it("pulls each branch through its relay", () => {
    const connections = ofType(run.resources, TYPE.replica).map((connection) => connection.inputs);
    expect(connections.map((inputs) => `${String(inputs.name)} ${String(inputs.masterHost)}:${String(inputs.masterPort)}`).sort()).toEqual([
      "silicon 127.0.81.1:33083",
      "tabasco 127.0.81.1:33082",
    ]);
  });

  it("derives each connection's password from the company secret", () => {
    for (const connection of ofType(run.resources, TYPE.replica)) {
      const branch = String(connection.inputs.name);
      expect(connection.inputs.password).toBe(sharedPassword(COMPANY_SECRET, "replication", "mochis", branch));
      expect(connection.secretPaths).toContain("password");
    }
  });

  it("sends every password as a secret", () => {
    for (const user of ofType(run.resources, TYPE.user)) {
      expect(user.secretPaths, String(user.inputs.user)).toContain("password");
      expect(JSON.stringify(user.plainInputs)).not.toContain(String(user.inputs.password));
    }
  });

  it("creates accounts and connections after the schema", () => {
    const schema = named(run.resources, "mochis-records-schema").urn;
    for (const resource of [...ofType(run.resources, TYPE.user), ...ofType(run.resources, TYPE.replica)]) {
      expect(resource.dependencies, resource.name).toContain(schema);
    }
  });

  it("gives the PBX the socket and journal volumes", () => {
    const pbx = named(run.resources, "mochis-pbx-container");
    expect(pbx.inputs.mounts).toEqual([
      { volume: "inova-mochis-voicemail", target: "/var/spool/asterisk/voicemail" },
      { volume: "inova-mochis-cdr-socket", target: "/run/mariadbd" },
      { volume: "inova-mochis-cdr-journal", target: "/var/log/asterisk/cdr-journal" },
    ]);
    expect(pbx.inputs.env).toEqual({ ODBCSYSINI: "/etc/asterisk" });
  });

  it("configures the PBX after its database and accounts", () => {
    const config = named(run.resources, "mochis-pbx-config");
    expect(config.dependencies).toContain(named(run.resources, "mochis-records-db").urn);
    for (const user of ofType(run.resources, TYPE.user)) {
      expect(config.dependencies, user.name).toContain(user.urn);
    }
  });

  it("writes the call-record files into the PBX", () => {
    const config = named(run.resources, "mochis-pbx-config");
    const files = config.inputs.files as Record<string, string>;
    const secretFiles = config.inputs.secretFiles as Record<string, string>;
    expect(files["modules.conf"]).toContain("load = cdr_adaptive_odbc.so");
    expect(files["cdr_adaptive_odbc.conf"]).toContain('static "mochis" => site');
    expect(Object.keys(secretFiles)).toContain("res_odbc.conf");
    expect(config.secretPaths).toContain("secretFiles");
    const writer = ofType(run.resources, TYPE.user).find((user) => user.inputs.user === "pbx_writer") as RegisteredResource;
    expect(secretFiles["res_odbc.conf"]).toContain(`password = ${String(writer.inputs.password)}`);
  });

  it("exports the endpoint and secret passwords", async () => {
    const records = run.site.callRecords!;
    expect(records.endpoint).toBe("127.0.81.1:3306");
    expect(await pulumi.isSecret(records.readerPassword)).toBe(true);
    expect(await pulumi.isSecret(records.writerPassword)).toBe(true);
    expect(records.replicationConnections).toEqual(["silicon", "tabasco"]);
  });
});

describe("branch call records", () => {
  let run: SiteRun;

  beforeAll(async () => {
    run = await recordSite(components, "tabasco", argsWithRecords("tabasco"));
  });

  it("admits HQ's replication from HQ's address", () => {
    expect(accounts(run.resources)).toEqual(["api_reader@localhost", "pbx_writer@localhost", "replicator@127.0.81.1"]);
    expect(grants(run.resources)).toContain("replicator@127.0.81.1 REPLICATION SLAVE ON *.*");
  });

  it("shares the replication password with HQ", () => {
    const replicator = ofType(run.resources, TYPE.user).find((user) => user.inputs.user === "replicator") as RegisteredResource;
    expect(replicator.inputs.password).toBe(sharedPassword(COMPANY_SECRET, "replication", "mochis", "tabasco"));
  });

  it("starts no relay and no replication connection", () => {
    const env = named(run.resources, "tabasco-records-db").inputs.env as Record<string, string>;
    expect(env.INOVA_MARIADB_RELAYS).toBeUndefined();
    expect(ofType(run.resources, TYPE.replica)).toEqual([]);
  });

  it("uses its own replication identity", () => {
    const config = (named(run.resources, "tabasco-records-db").inputs.env as Record<string, string>).INOVA_MARIADB_CONFIG;
    expect(config).toContain("server_id = 1082");
    expect(config).toContain("gtid_domain_id = 82");
    expect(config).not.toContain("replicate_do_table");
  });
});

describe("site without call records", () => {
  it("registers no database", async () => {
    const run = await recordSite(components, "silicon", siteArgsFromStack("silicon"));
    expect(run.resources.filter((resource) => resource.type.includes("mariadb"))).toEqual([]);
    expect(ofType(run.resources, TYPES.volume).map((volume) => volume.name)).toEqual(["silicon-pbx-voicemail"]);
  });
});
