import { describe, expect, it } from "vitest";

import { renderServerConfig, serverSettings } from "../../../components/database";
import { MOCHIS, TABASCO } from "./fixtures";

/** Parses the [mariadbd] group of a my.cnf text into key/value pairs, ignoring comments. */
function parseMyCnf(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  let group = "";
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      continue;
    }
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      group = header[1];
      continue;
    }
    expect(group).toBe("mariadbd");
    const [key, value] = trimmed.split(/\s*=\s*/, 2);
    expect(settings.has(key)).toBe(false);
    settings.set(key, value);
  }
  return settings;
}

describe("renderServerConfig", () => {
  it("renders the exact branch file", () => {
    expect(renderServerConfig(TABASCO)).toBe(
      [
        "# MariaDB settings of site tabasco (branch); rendered by components/database, do not edit.",
        "[mariadbd]",
        "# Listen on the site's own address only.",
        "bind_address = 127.0.82.1",
        "port = 3306",
        "# Accounts match client addresses, never names from DNS or /etc/hosts.",
        "skip_name_resolve = ON",
        "local_infile = OFF",
        "character_set_server = utf8mb4",
        "collation_server = utf8mb4_unicode_ci",
        "# NOW() and CURRENT_TIMESTAMP are UTC, like stored call times.",
        "default_time_zone = +00:00",
        "# Replication identity: unique per site, and a GTID domain of its own.",
        "server_id = 82",
        "gtid_domain_id = 82",
        "gtid_strict_mode = ON",
        "# Binary log in the data directory, row-based, kept for the replica at HQ.",
        "log_bin = mariadb-bin",
        "log_bin_index = mariadb-bin.index",
        "binlog_format = ROW",
        "log_slave_updates = ON",
        "binlog_expire_logs_seconds = 604800",
        "# Flush the binary log and InnoDB at every commit.",
        "sync_binlog = 1",
        "innodb_flush_log_at_trx_commit = 1",
        "# Relay log names must not depend on the host name.",
        "relay_log = relay-bin",
        "relay_log_index = relay-bin.index",
        "",
      ].join("\n"),
    );
  });

  it("sets the keys every site needs", () => {
    const settings = parseMyCnf(renderServerConfig(TABASCO));
    expect(settings.get("bind_address")).toBe("127.0.82.1");
    expect(settings.get("skip_name_resolve")).toBe("ON");
    expect(settings.get("binlog_format")).toBe("ROW");
    expect(settings.get("log_slave_updates")).toBe("ON");
    expect(settings.get("server_id")).toBe("82");
    expect(settings.get("gtid_domain_id")).toBe("82");
    expect(settings.has("replicate_do_table")).toBe(false);
  });

  it("filters replication at HQ", () => {
    const settings = parseMyCnf(renderServerConfig(MOCHIS));
    expect(settings.get("replicate_do_table")).toBe("inova_cdr.cdr");
    expect(settings.get("bind_address")).toBe("127.0.81.1");
    expect(settings.get("server_id")).toBe("81");
  });

  it("keeps binary logs 7 days by default", () => {
    expect(parseMyCnf(renderServerConfig(TABASCO)).get("binlog_expire_logs_seconds")).toBe("604800");
  });

  it("uses a configured binary log expiration", () => {
    const settings = parseMyCnf(renderServerConfig({ ...TABASCO, binlogExpireSeconds: 86_400 }));
    expect(settings.get("binlog_expire_logs_seconds")).toBe("86400");
  });

  it("uses a configured port", () => {
    expect(serverSettings({ ...TABASCO, port: 3307 }).find((setting) => setting.key === "port")?.value).toBe("3307");
  });
});
