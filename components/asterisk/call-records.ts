// Files that send a site's call records to its MariaDB and to a local journal: res_odbc.conf,
// cdr_adaptive_odbc.conf, cdr_custom.conf, the unixODBC files, and the settings of the
// reconciler in the image (assets/asterisk/records-reconcile.sh) that loads journaled records
// the database missed. Load the modules with the render option `callRecords: true`.
//
// cdr_adaptive_odbc writes each record once, at the end of the call, and drops it when the
// database is unreachable ("CDR failed" in the log). cdr_custom appends the same record, with
// every column of `cdr`, to the journal on its own volume, whatever the database's state. The
// reconciler inserts journal lines with INSERT IGNORE, so a record that both paths deliver is
// stored once, by the primary key (site, uniqueid, sequence).

import { CDR_DATABASE, CDR_TABLE, SERVER_SOCKET_PATH } from "../database/model";
import type { SiteModel } from "../model/types";
import { ConfigSyntaxError } from "./writer";

/** ODBC data source name of the call-record database, in odbc.ini and res_odbc.conf. */
export const CALL_RECORDS_DSN = "inova_cdr";

/** Driver name that Debian's odbc-mariadb package registers. */
export const MARIADB_ODBC_DRIVER = "MariaDB Unicode";

/** Directory of the journal inside the PBX container; a volume of its own is mounted here. */
export const JOURNAL_DIRECTORY = "/var/log/asterisk/cdr-journal";

/** The journal: one CSV line per record, appended by cdr_custom. */
export const JOURNAL_FILE = `${JOURNAL_DIRECTORY}/cdr.csv`;

/**
 * Directory that contains the database server's Unix socket. The socket volume is mounted here
 * in both the database and the PBX container, so the PBX connects as `user@localhost`.
 */
export const SOCKET_DIRECTORY = SERVER_SOCKET_PATH.slice(0, SERVER_SOCKET_PATH.lastIndexOf("/"));

/** Account that the PBX and the reconciler insert records with. */
export const PBX_WRITER_USER = "pbx_writer";

/** Value of ODBCSYSINI in the PBX container, so unixODBC reads odbc.ini and odbcinst.ini from /etc/asterisk. */
export const ODBC_SYSTEM_DIRECTORY = "/etc/asterisk";

/** Reconciler settings (non-secret), read by the reconciler before each pass. */
export const RECONCILER_SETTINGS_FILE = "inova-records.env";

/** Reconciler's client options with the password, in MariaDB option file syntax. */
export const RECONCILER_CLIENT_FILE = "inova-records-client.cnf";

/**
 * Columns of `cdr` in journal order, with the cdr_custom field that fills each. `site` is a
 * literal, so it is set per site in {@link journalFields}. The second field is the call's start
 * as Unix time with microseconds; the reconciler converts it with FROM_UNIXTIME in a UTC
 * session. `amaflags` is the number, as cdr_adaptive_odbc stores it in the integer column.
 */
export const JOURNAL_COLUMNS: readonly { readonly column: string; readonly field: string }[] = [
  { column: "site", field: "" },
  { column: "calldate", field: "start(double)" },
  { column: "clid", field: "clid" },
  { column: "src", field: "src" },
  { column: "dst", field: "dst" },
  { column: "dcontext", field: "dcontext" },
  { column: "channel", field: "channel" },
  { column: "dstchannel", field: "dstchannel" },
  { column: "lastapp", field: "lastapp" },
  { column: "lastdata", field: "lastdata" },
  { column: "duration", field: "duration" },
  { column: "billsec", field: "billsec" },
  { column: "disposition", field: "disposition" },
  { column: "amaflags", field: "amaflags(int64)" },
  { column: "accountcode", field: "accountcode" },
  { column: "uniqueid", field: "uniqueid" },
  { column: "userfield", field: "userfield" },
  { column: "linkedid", field: "linkedid" },
  { column: "peeraccount", field: "peeraccount" },
  { column: "sequence", field: "sequence" },
];

/** Inputs of the call-record files beyond the site model. */
export interface CallRecordFileOptions {
  /** Password of `pbx_writer@localhost`. */
  readonly writerPassword: string;
  /** Seconds between reconciler passes. */
  readonly reconcileIntervalSeconds: number;
}

/** Call-record files of /etc/asterisk, split like `RenderedSiteConfig`. */
export interface RenderedCallRecordFiles {
  readonly files: Record<string, string>;
  readonly secretFiles: Record<string, string>;
}

/** Returns the cdr_custom field list of the journal: the site code as a literal, then the CDR fields. */
export function journalFields(siteCode: string): string[] {
  return JOURNAL_COLUMNS.map((entry) => (entry.column === "site" ? `"${siteCode}"` : entry.field));
}

/** Renders every call-record file; the password appears only in `secretFiles`. */
export function renderCallRecordFiles(model: SiteModel, options: CallRecordFileOptions): RenderedCallRecordFiles {
  return {
    files: renderCallRecordPublicFiles(model, options.reconcileIntervalSeconds),
    secretFiles: renderCallRecordSecretFiles(model, options.writerPassword),
  };
}

/** Renders the call-record files without secrets; they never depend on the password. */
export function renderCallRecordPublicFiles(model: SiteModel, reconcileIntervalSeconds: number): Record<string, string> {
  checkSiteCode(model.site.code);
  if (!Number.isInteger(reconcileIntervalSeconds) || reconcileIntervalSeconds < 1) {
    throw new ConfigSyntaxError(
      `reconcileIntervalSeconds ${reconcileIntervalSeconds} is invalid; expected a whole number of seconds, at least 1.`,
    );
  }
  return {
    "cdr_adaptive_odbc.conf": renderCdrAdaptiveOdbcConf(model),
    "cdr_custom.conf": renderCdrCustomConf(model),
    "odbc.ini": renderOdbcIni(model),
    "odbcinst.ini": renderOdbcinstIni(model),
    [RECONCILER_SETTINGS_FILE]: renderReconcilerSettings(model, reconcileIntervalSeconds),
  };
}

/** Renders the call-record files that contain the pbx_writer password. */
export function renderCallRecordSecretFiles(model: SiteModel, writerPassword: string): Record<string, string> {
  checkSiteCode(model.site.code);
  checkPassword(writerPassword);
  return {
    "res_odbc.conf": renderResOdbcConf(model, writerPassword),
    [RECONCILER_CLIENT_FILE]: renderReconcilerClient(model, writerPassword),
  };
}

/** Names of the files that {@link renderCallRecordFiles} returns, secret or not. */
export const CALL_RECORD_FILE_NAMES: readonly string[] = [
  "cdr_adaptive_odbc.conf",
  "cdr_custom.conf",
  "odbc.ini",
  "odbcinst.ini",
  RECONCILER_SETTINGS_FILE,
  "res_odbc.conf",
  RECONCILER_CLIENT_FILE,
];

function header(model: SiteModel, description: string, commentMark: string): string[] {
  return [
    `${commentMark} ${description}`,
    `${commentMark} Generated by inova-pbx for site ${model.site.code} (${model.site.name}).`,
    `${commentMark} Do not edit: change Pulumi.${model.site.code}.yaml or components/asterisk/call-records.ts and run pulumi up.`,
  ];
}

function lines(text: readonly string[]): string {
  return `${text.join("\n")}\n`;
}

/**
 * res_odbc.conf: one pooled connection class to the site's database over the Unix socket.
 * A failed connection is tried again after 5 s (the default waits 300 s), so direct writes
 * resume soon after the database returns.
 */
export function renderResOdbcConf(model: SiteModel, writerPassword: string): string {
  return lines([
    ...header(model, "ODBC connections: the site's call-record database.", ";"),
    "",
    `[${CALL_RECORDS_DSN}]`,
    "enabled = yes",
    `dsn = ${CALL_RECORDS_DSN}`,
    `username = ${PBX_WRITER_USER}`,
    `password = ${writerPassword}`,
    "pre-connect = yes",
    "max_connections = 4",
    "sanitysql = SELECT 1",
    "connect_timeout = 5",
    "negative_connection_cache = 5",
  ]);
}

/**
 * cdr_adaptive_odbc.conf: every record into `cdr`, columns matched by name. Times are UTC
 * (usegmtime), the call's start goes to `calldate`, and `site` is the site code.
 */
export function renderCdrAdaptiveOdbcConf(model: SiteModel): string {
  return lines([
    ...header(model, "Call records into the site's MariaDB table inova_cdr.cdr.", ";"),
    "",
    `[${CDR_TABLE}]`,
    `connection = ${CALL_RECORDS_DSN}`,
    `table = ${CDR_TABLE}`,
    "usegmtime = yes",
    "alias start => calldate",
    `static "${model.site.code}" => site`,
  ]);
}

/**
 * cdr_custom.conf: the journal, an advanced DSV mapping (Asterisk 22) with every column of
 * `cdr` in {@link JOURNAL_COLUMNS} order. Every field is quoted with `"`, and a `"` inside a
 * value is doubled, so each line is CSV and each field a MariaDB string literal.
 */
export function renderCdrCustomConf(model: SiteModel): string {
  return lines([
    ...header(model, "Call record journal: every record as one CSV line, whatever the database's state.", ";"),
    "",
    `[${JOURNAL_FILE}]`,
    "format = dsv",
    "separator_character = ,",
    'quote_character = "',
    'quote_escape_character = "',
    "quoting_method = all",
    `fields = ${journalFields(model.site.code).join(",")}`,
  ]);
}

/** odbc.ini: the data source, reached over the database server's Unix socket. */
export function renderOdbcIni(model: SiteModel): string {
  return lines([
    ...header(model, "unixODBC data sources (ODBCSYSINI points here).", "#"),
    "",
    `[${CALL_RECORDS_DSN}]`,
    `Driver = ${MARIADB_ODBC_DRIVER}`,
    `Description = Call records of site ${model.site.code}`,
    "Server = localhost",
    `Socket = ${SERVER_SOCKET_PATH}`,
    `Database = ${CDR_DATABASE}`,
    "Charset = utf8mb4",
  ]);
}

/** odbcinst.ini: the MariaDB driver as Debian's odbc-mariadb package registers it. */
export function renderOdbcinstIni(model: SiteModel): string {
  return lines([
    ...header(model, "unixODBC drivers (ODBCSYSINI points here).", "#"),
    "",
    `[${MARIADB_ODBC_DRIVER}]`,
    "Description = MariaDB Connector/ODBC (Unicode)",
    "Driver = libmaodbc.so",
    "Threading = 0",
  ]);
}

/** Reconciler settings as shell assignments; every value is a fixed word without quotes or spaces. */
export function renderReconcilerSettings(model: SiteModel, intervalSeconds: number): string {
  return lines([
    ...header(model, "Settings of inova-records-reconcile, which loads journaled records missing from the database.", "#"),
    "",
    `SITE=${model.site.code}`,
    `JOURNAL=${JOURNAL_FILE}`,
    `TABLE=${CDR_DATABASE}.${CDR_TABLE}`,
    `COLUMNS=${JOURNAL_COLUMNS.map((entry) => entry.column).join(",")}`,
    `INTERVAL_SECONDS=${intervalSeconds}`,
  ]);
}

/** Client options of the reconciler: pbx_writer over the Unix socket. */
export function renderReconcilerClient(model: SiteModel, writerPassword: string): string {
  return lines([
    ...header(model, "MariaDB client options of inova-records-reconcile.", "#"),
    "",
    "[client]",
    `user = ${PBX_WRITER_USER}`,
    `password = ${writerPassword}`,
    `socket = ${SERVER_SOCKET_PATH}`,
  ]);
}

function checkSiteCode(code: string): void {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(code)) {
    throw new ConfigSyntaxError(`site code "${code}" cannot be written into the call-record files; use lower-case letters, digits and "-".`);
  }
}

function checkPassword(password: string): void {
  // Asterisk starts a comment at ";" and MariaDB option files treat quotes and "#" specially.
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(password)) {
    throw new ConfigSyntaxError(
      "the pbx_writer password must have 16 to 128 letters, digits, \"_\" or \"-\", so every file can carry it unquoted.",
    );
  }
}
