import { describe, expect, it } from "vitest";

import {
  CALL_RECORD_FILE_NAMES,
  ConfigSyntaxError,
  JOURNAL_COLUMNS,
  journalFields,
  renderCallRecordFiles,
  renderCallRecordPublicFiles,
} from "../../../components/asterisk";
import { loadedModules } from "../../../components/asterisk/modules";
import { schemaMigrations } from "../../../components/database";
import { loadSite } from "../../../components/model/load";
import type { SiteModel } from "../../../components/model/types";
import { readStackConfig, REPO_DIR } from "../model/fixtures";

const PASSWORD = "WriterPassword0123456789";
const STACKS = ["mochis", "tabasco", "silicon"] as const;

function model(code: string): SiteModel {
  return loadSite(code, readStackConfig(code), { projectDir: REPO_DIR });
}

/** Column names of `cdr` in CREATE TABLE order, from the schema migrations. */
function cdrColumns(): string[] {
  const create = schemaMigrations()
    .flatMap((migration) => migration.statements)
    .find((statement) => statement.includes("CREATE TABLE IF NOT EXISTS `inova_cdr`.`cdr`")) as string;
  return [...create.matchAll(/^ {2}`([a-z_]+)` /gm)].map((match) => match[1]);
}

describe.each(STACKS)("call-record files of %s", (code) => {
  const site = model(code);
  const rendered = renderCallRecordFiles(site, { writerPassword: PASSWORD, reconcileIntervalSeconds: 15 });
  const adaptive = rendered.files["cdr_adaptive_odbc.conf"];
  const custom = rendered.files["cdr_custom.conf"];

  it("renders every file once", () => {
    expect([...Object.keys(rendered.files), ...Object.keys(rendered.secretFiles)].sort()).toEqual([...CALL_RECORD_FILE_NAMES].sort());
  });

  it("keeps the password in secret files only", () => {
    for (const [name, text] of Object.entries(rendered.files)) {
      expect(text, name).not.toContain(PASSWORD);
    }
    expect(rendered.secretFiles["res_odbc.conf"]).toContain(`password = ${PASSWORD}`);
    expect(rendered.secretFiles["inova-records-client.cnf"]).toContain(`password = ${PASSWORD}`);
  });

  it("renders public files without the password", () => {
    expect(renderCallRecordPublicFiles(site, 15)).toEqual(rendered.files);
  });

  it("writes the site code into the site column", () => {
    expect(adaptive).toContain(`static "${code}" => site`);
  });

  it("maps the start to calldate in UTC", () => {
    expect(adaptive).toContain("alias start => calldate");
    expect(adaptive).toContain("usegmtime = yes");
    expect(adaptive).toMatch(/^table = cdr$/m);
    expect(adaptive).toMatch(/^connection = inova_cdr$/m);
  });

  it("journals to the journal volume", () => {
    expect(custom).toMatch(/^\[\/var\/log\/asterisk\/cdr-journal\/cdr\.csv\]$/m);
    expect(custom).toContain("quoting_method = all");
    expect(custom).toContain('quote_escape_character = "');
  });

  it("journals the site first, as a literal", () => {
    const fields = /^fields = (.*)$/m.exec(custom)![1].split(",");
    expect(fields[0]).toBe(`"${code}"`);
    expect(fields).toEqual(journalFields(code));
  });

  it("connects through the database's Unix socket", () => {
    expect(rendered.files["odbc.ini"]).toContain("Socket = /run/mariadbd/mysqld.sock");
    expect(rendered.files["odbc.ini"]).toContain("Driver = MariaDB Unicode");
    expect(rendered.secretFiles["inova-records-client.cnf"]).toContain("socket = /run/mariadbd/mysqld.sock");
    expect(rendered.secretFiles["res_odbc.conf"]).toContain("username = pbx_writer");
  });

  it("tells the reconciler the journal columns", () => {
    const settings = rendered.files["inova-records.env"];
    expect(settings).toContain(`SITE=${code}`);
    expect(settings).toContain(`COLUMNS=${JOURNAL_COLUMNS.map((entry) => entry.column).join(",")}`);
    expect(settings).toContain("INTERVAL_SECONDS=15");
    expect(settings).toContain("TABLE=inova_cdr.cdr");
  });
});

describe("journal columns", () => {
  it("cover every column of cdr in table order", () => {
    expect(JOURNAL_COLUMNS.map((entry) => entry.column)).toEqual(cdrColumns());
  });

  it("take the start as Unix time second", () => {
    expect(JOURNAL_COLUMNS[1]).toEqual({ column: "calldate", field: "start(double)" });
  });
});

describe("renderCallRecordFiles input checks", () => {
  const site = model("mochis");

  it.each([
    ["a short password", "short"],
    ["a password with a semicolon", "Password0123456789;x"],
    ["a password with a quote", "Password0123456789\"x"],
  ])("rejects %s", (_case, password) => {
    expect(() => renderCallRecordFiles(site, { writerPassword: password, reconcileIntervalSeconds: 15 })).toThrow(ConfigSyntaxError);
  });

  it("rejects a zero interval", () => {
    expect(() => renderCallRecordPublicFiles(site, 0)).toThrow(/reconcileIntervalSeconds 0 is invalid/);
  });
});

describe("modules with call records", () => {
  it("load the ODBC and journal backends", () => {
    const modules = loadedModules({ callRecords: true });
    for (const module of ["res_odbc.so", "cdr_adaptive_odbc.so", "cdr_custom.so", "res_cdrel_custom.so"]) {
      expect(modules).toContain(module);
    }
  });

  it("are absent by default", () => {
    expect(loadedModules()).not.toContain("cdr_adaptive_odbc.so");
  });
});
