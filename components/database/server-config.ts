// Server configuration of one site's MariaDB, in my.cnf syntax.
//
// The image's own /etc/mysql/my.cnf (assets/mariadb/my.cnf) sets the paths
// (socket, data directory, PID file) and includes this file, which the
// container receives in INOVA_MARIADB_CONFIG.

import { CDR_CHARACTER_SET, CDR_COLLATION, CDR_DATABASE, CDR_TABLE, type DatabaseSite } from "./model";

/** One `key = value` setting of the [mariadbd] group, with the reason it is set. */
export interface ServerSetting {
  readonly key: string;
  readonly value: string;
  readonly comment?: string;
}

/** Returns the [mariadbd] settings of a site in file order. */
export function serverSettings(site: DatabaseSite): ServerSetting[] {
  const settings: ServerSetting[] = [
    { key: "bind_address", value: site.address, comment: "Listen on the site's own address only." },
    { key: "port", value: String(site.port) },
    {
      key: "skip_name_resolve",
      value: "ON",
      comment: "Accounts match client addresses, never names from DNS or /etc/hosts.",
    },
    { key: "local_infile", value: "OFF" },
    { key: "character_set_server", value: CDR_CHARACTER_SET },
    { key: "collation_server", value: CDR_COLLATION },
    { key: "default_time_zone", value: "+00:00", comment: "NOW() and CURRENT_TIMESTAMP are UTC, like stored call times." },
    {
      key: "server_id",
      value: String(site.serverId),
      comment: "Replication identity: unique per site, and a GTID domain of its own.",
    },
    { key: "gtid_domain_id", value: String(site.gtidDomainId) },
    { key: "gtid_strict_mode", value: "ON" },
    { key: "log_bin", value: "mariadb-bin", comment: "Binary log in the data directory, row-based, kept for the replica at HQ." },
    { key: "log_bin_index", value: "mariadb-bin.index" },
    { key: "binlog_format", value: "ROW" },
    { key: "log_slave_updates", value: "ON" },
    { key: "binlog_expire_logs_seconds", value: String(site.binlogExpireSeconds) },
    { key: "sync_binlog", value: "1", comment: "Flush the binary log and InnoDB at every commit." },
    { key: "innodb_flush_log_at_trx_commit", value: "1" },
    { key: "relay_log", value: "relay-bin", comment: "Relay log names must not depend on the host name." },
    { key: "relay_log_index", value: "relay-bin.index" },
  ];
  if (site.role === "hq") {
    settings.push({
      key: "replicate_do_table",
      value: `${CDR_DATABASE}.${CDR_TABLE}`,
      comment: "Apply only call records from the branches; accounts and schema stay local to each server.",
    });
  }
  return settings;
}

/** Renders the my.cnf text of a site's server. Equal sites give equal text. */
export function renderServerConfig(site: DatabaseSite): string {
  const lines = [
    `# MariaDB settings of site ${site.code} (${site.role}); rendered by components/database, do not edit.`,
    "[mariadbd]",
  ];
  for (const setting of serverSettings(site)) {
    if (setting.comment !== undefined) {
      lines.push(`# ${setting.comment}`);
    }
    lines.push(`${setting.key} = ${setting.value}`);
  }
  return `${lines.join("\n")}\n`;
}
