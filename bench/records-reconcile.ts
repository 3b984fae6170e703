// Reconciliation throughput: 10,000 journaled records loaded by inova-records-reconcile against
// the same number of records inserted one by one through the ODBC data source that
// cdr_adaptive_odbc uses, both inside a PBX container over the database's Unix socket.
//
// The direct path is timed with unixODBC's isql, one autocommitted INSERT per record as
// cdr_adaptive_odbc sends them, so it leaves out Asterisk's own work per record.

import { JOURNAL_COLUMNS, JOURNAL_FILE } from "../components/asterisk/call-records";
import { RecordsSite } from "../test/integration/records/support";

export interface ReconcileOptions {
  readonly records: number;
  readonly progress: (message: string) => void;
}

export interface ReconcileResult {
  /** Seconds for the records inserted one by one through ODBC. */
  readonly directSeconds: number;
  /** Seconds of one reconciler pass that inserts every journaled record. */
  readonly reconcileSeconds: number;
  /** Seconds of a pass over the same records once they are all stored (every INSERT IGNORE skips). */
  readonly rereadSeconds: number;
  /** Rows in the table at the end; twice `records` when nothing was lost or doubled. */
  readonly rows: number;
  readonly reconcileOutput: string;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Returns `count` journal lines as cdr_custom writes them, with uniqueids `rec-bench-journal.<n>`. */
function journalLines(count: number): string {
  const lines: string[] = [];
  for (let index = 1; index <= count; index++) {
    const uniqueid = `rec-bench-journal.${index}`;
    const fields = ["rec-bench", `${1768500000 + index}.000000`, '"Bench" <300>', "300", "301", "ctx", "PJSIP/300-1", "PJSIP/301-2"];
    fields.push("Dial", "PJSIP/301", "12", "10", "ANSWERED", "3", "", uniqueid, "", uniqueid, "", String(index));
    lines.push(fields.map((field) => `"${field.replace(/"/g, '""')}"`).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** Returns `count` INSERT statements, one per line, as cdr_adaptive_odbc sends one per record. */
function insertStatements(count: number): string {
  const columns = JOURNAL_COLUMNS.map((entry) => entry.column).join(", ");
  const lines: string[] = [];
  for (let index = 1; index <= count; index++) {
    const uniqueid = `rec-bench-direct.${index}`;
    lines.push(
      `INSERT INTO inova_cdr.cdr (${columns}) VALUES ('rec-bench', FROM_UNIXTIME(${1768500000 + index}), '"Bench" <300>', ` +
        `'300', '301', 'ctx', 'PJSIP/300-1', 'PJSIP/301-2', 'Dial', 'PJSIP/301', 12, 10, 'ANSWERED', 3, '', '${uniqueid}', '', ` +
        `'${uniqueid}', '', ${index})`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Starts a site with a reconciler that waits an hour between passes, so only the timed pass runs. */
export async function measureReconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  options.progress("starting a PBX and its database as rec-test-bench-*, on 127.0.93.53");
  const site = await RecordsSite.start({
    name: "bench",
    code: "mochis",
    address: "127.0.93.53",
    rtpStart: 23800,
    reconcileIntervalSeconds: 3600,
  });
  try {
    const run = async (command: string, user = "asterisk") => {
      const result = await site.exec(["sh", "-c", command], user);
      if (result.exitCode !== 0) {
        throw new Error(`"${command.slice(0, 120)}" failed with ${result.exitCode}: ${result.stdout}${result.stderr}`);
      }
      return result.stdout;
    };

    options.progress(`inserting ${options.records} records one by one through ODBC`);
    await site.writeFile("/tmp/direct.sql", insertStatements(options.records));
    const directStart = nowMs();
    const isqlOutput = await run(`isql -b inova_cdr pbx_writer ${site.writerPassword} < /tmp/direct.sql`);
    const directSeconds = (nowMs() - directStart) / 1000;
    if (/error/i.test(isqlOutput)) {
      throw new Error(`isql reported errors: ${isqlOutput.slice(0, 500)}`);
    }

    options.progress(`journaling ${options.records} records and loading them with one reconciler pass`);
    await site.writeFile("/tmp/journal.csv", journalLines(options.records));
    await run(`cat /tmp/journal.csv >> ${JOURNAL_FILE}`);
    const reconcileStart = nowMs();
    const reconcileOutput = (await run("inova-records-reconcile --once")).trim();
    const reconcileSeconds = (nowMs() - reconcileStart) / 1000;

    options.progress("reading the same journal again, every record already stored");
    await run(`echo 0 > ${JOURNAL_FILE}.reconciled-bytes`);
    const rereadStart = nowMs();
    await run("inova-records-reconcile --once");
    const rereadSeconds = (nowMs() - rereadStart) / 1000;

    const counted = (await site.asRoot((connection) =>
      connection.query("SELECT COUNT(*) AS count FROM inova_cdr.cdr WHERE site = 'rec-bench'"),
    )) as Array<{ count: number | bigint }>;
    return { directSeconds, reconcileSeconds, rereadSeconds, rows: Number(counted[0].count), reconcileOutput };
  } finally {
    site.removeAll();
  }
}
