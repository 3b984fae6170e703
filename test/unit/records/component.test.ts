// The call-record resources that HQ and a branch register under Pulumi mocks, with the
// repository's stack files: accounts, grants, relays, replication connections and what the
// PBX receives.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { sharedPassword } from "../../../components/company-secret";
import {
  DEFAULT_CALL_RECORD_SETTINGS,
  loadCallRecordPeers,
  type CallRecordPeer,
  type CallRecordSettings,
} from "../../../components/model/call-records";
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

function argsWithRecords(
  code: string,
  peers: readonly CallRecordPeer[] = loadCallRecordPeers(PROJECT_DIR),
  settings: CallRecordSettings = DEFAULT_CALL_RECORD_SETTINGS,
): SiteArgs {
  return {
    ...siteArgsFromStack(code),
    callRecords: {
      settings,
      peers,
      companySecret: pulumi.secret(COMPANY_SECRET),
    },
  };
}

/** HQ's relay containers, keyed by logical name. */
function relays(resources: readonly RegisteredResource[]): Map<string, RegisteredResource> {
  const containers = ofType(resources, TYPES.container).filter(
    (container) => (container.inputs.labels as Record<string, string>)["inova.role"] === "call-records-relay",
  );
  return new Map(containers.map((container) => [container.name, container]));
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

  it("runs one relay container per branch", () => {
    expect([...relays(run.resources).keys()].sort()).toEqual(["mochis-records-relay-silicon", "mochis-records-relay-tabasco"]);
  });

  it("relays to each branch from HQ's address", () => {
    const expected = [
      { branch: "silicon", listen: "TCP-LISTEN:33083,bind=127.0.81.1", target: "TCP:127.0.83.1:3306,bind=127.0.81.1" },
      { branch: "tabasco", listen: "TCP-LISTEN:33082,bind=127.0.81.1", target: "TCP:127.0.82.1:3306,bind=127.0.81.1" },
    ];
    for (const { branch, listen, target } of expected) {
      const relay = named(run.resources, `mochis-records-relay-${branch}`);
      expect(relay.inputs.name).toBe(`inova-mochis-cdr-relay-${branch}`);
      expect(relay.inputs.entrypoint).toEqual(["socat"]);
      expect(relay.inputs.command).toEqual([`${listen},reuseaddr,fork,su=nobody`, target]);
    }
  });

  it("runs the relays on the database image", () => {
    const database = named(run.resources, "mochis-records-db");
    const found = relays(run.resources);
    expect(found.size).toBe(2);
    for (const relay of found.values()) {
      expect(relay.inputs.imageId, relay.name).toBe(database.inputs.imageId);
      expect(relay.inputs.networkMode, relay.name).toBe("host");
      expect(relay.inputs.restartPolicy, relay.name).toBe("unless-stopped");
      expect(relay.inputs.healthcheck, relay.name).toEqual({ test: ["NONE"] });
      expect(relay.inputs.labels, relay.name).toEqual({ "inova.site": "mochis", "inova.role": "call-records-relay" });
    }
  });

  it("gives the database no relay settings", () => {
    const env = named(run.resources, "mochis-records-db").inputs.env as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual([
      "INOVA_MARIADB_BACKUP_INTERVAL_SECONDS",
      "INOVA_MARIADB_BACKUP_KEEP",
      "INOVA_MARIADB_CONFIG",
    ]);
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

  it("starts each relay after the database container", () => {
    const database = named(run.resources, "mochis-records-db").urn;
    for (const relay of relays(run.resources).values()) {
      expect(relay.dependencies, relay.name).toContain(database);
    }
  });

  it("connects to each branch after its relay", () => {
    for (const connection of ofType(run.resources, TYPE.replica)) {
      const relay = named(run.resources, `mochis-records-relay-${String(connection.inputs.name)}`);
      expect(connection.dependencies, connection.name).toContain(relay.urn);
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
    expect([...relays(run.resources).keys()]).toEqual([]);
    expect(ofType(run.resources, TYPE.replica)).toEqual([]);
  });

  it("uses its own replication identity", () => {
    const config = (named(run.resources, "tabasco-records-db").inputs.env as Record<string, string>).INOVA_MARIADB_CONFIG;
    expect(config).toContain("server_id = 1082");
    expect(config).toContain("gtid_domain_id = 82");
    expect(config).not.toContain("replicate_do_table");
  });
});

describe("HQ relays as branches change", () => {
  const peers = loadCallRecordPeers(PROJECT_DIR);
  let twoBranches: SiteRun;
  let oneBranch: SiteRun;
  let reordered: SiteRun;

  beforeAll(async () => {
    twoBranches = await recordSite(components, "mochis", argsWithRecords("mochis", peers));
    oneBranch = await recordSite(components, "mochis", argsWithRecords("mochis", peers.filter((peer) => peer.code !== "silicon")));
    reordered = await recordSite(components, "mochis", argsWithRecords("mochis", [...peers].reverse()));
  });

  it("reversing the peers changes their order", () => {
    expect(peers.map((peer) => peer.code)).not.toEqual([...peers].reverse().map((peer) => peer.code));
  });

  it("keeps HQ's database inputs with one branch", () => {
    expect(named(oneBranch.resources, "mochis-records-db").inputs).toEqual(named(twoBranches.resources, "mochis-records-db").inputs);
  });

  it("removes only the dropped branch's relay", () => {
    expect([...relays(oneBranch.resources).keys()]).toEqual(["mochis-records-relay-tabasco"]);
    expect(named(oneBranch.resources, "mochis-records-relay-tabasco").inputs).toEqual(
      named(twoBranches.resources, "mochis-records-relay-tabasco").inputs,
    );
  });

  it("keeps relay names and inputs when peers are reordered", () => {
    const before = relays(twoBranches.resources);
    const after = relays(reordered.resources);
    expect([...after.keys()].sort()).toEqual(["mochis-records-relay-silicon", "mochis-records-relay-tabasco"]);
    expect([...before.keys()].sort()).toEqual(["mochis-records-relay-silicon", "mochis-records-relay-tabasco"]);
    for (const [name, relay] of after) {
      expect(relay.inputs, name).toEqual(before.get(name)?.inputs);
    }
  });

  it("keeps HQ's database inputs when peers are reordered", () => {
    expect(named(reordered.resources, "mochis-records-db").inputs).toEqual(named(twoBranches.resources, "mochis-records-db").inputs);
  });
});

describe("HQ call records on the direct route", () => {
  let run: SiteRun;

  beforeAll(async () => {
    const settings: CallRecordSettings = { ...DEFAULT_CALL_RECORD_SETTINGS, replicationRoute: "direct" };
    run = await recordSite(components, "mochis", argsWithRecords("mochis", loadCallRecordPeers(PROJECT_DIR), settings));
  });

  it("runs no relay container", () => {
    expect([...relays(run.resources).keys()]).toEqual([]);
  });

  it("connects to each branch's own address", () => {
    const connections = ofType(run.resources, TYPE.replica).map((connection) => connection.inputs);
    expect(connections.map((inputs) => `${String(inputs.name)} ${String(inputs.masterHost)}:${String(inputs.masterPort)}`).sort()).toEqual([
      "silicon 127.0.83.1:3306",
      "tabasco 127.0.82.1:3306",
    ]);
  });

  it("keeps database inputs across routes", async () => {
    const relayed = await recordSite(components, "mochis", argsWithRecords("mochis"));
    expect(named(run.resources, "mochis-records-db").inputs).toEqual(named(relayed.resources, "mochis-records-db").inputs);
  });
});

describe("site without call records", () => {
  it("registers no database", async () => {
    const run = await recordSite(components, "silicon", siteArgsFromStack("silicon"));
    expect(run.resources.filter((resource) => resource.type.includes("mariadb"))).toEqual([]);
    expect(ofType(run.resources, TYPES.volume).map((volume) => volume.name)).toEqual(["silicon-pbx-voicemail"]);
  });
});
