// Call-record benchmarks:
// 1. replication lag from a branch to HQ at 100 records/s for 60 s (goal: p99 ≤ 50 ms);
// 2. one reconciler pass over 10,000 journaled records against inserting them one by one
//    through ODBC (goal: reconciler rate / direct rate ≥ 0.5).
//
//   node_modules/.bin/ts-node --transpile-only bench/records.ts
//
// Containers are named rec-test-* and bind 127.0.93.51-53; they are removed at the end.
// Prints progress on standard error and writes bench/results/records.json.

import { measureReconcile } from "./records-reconcile";
import { measureReplicationLag } from "./records-replication";
import { median, progress, ResultRecorder, roundTo } from "./lib/results";

const NAME = "records";
const RATE_PER_SECOND = 100;
const LAG_SECONDS = 60;
const LAG_P99_GOAL_MS = 50;
const RECORDS = 10_000;
const RATIO_GOAL = 0.5;

/** Returns the nearest-rank percentile `p` (0 to 100) of `values`. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

async function main(): Promise<void> {
  const log = (message: string) => progress(NAME, message);
  const recorder = new ResultRecorder(
    NAME,
    "Call records: replication lag and reconciliation",
    `Replication: a branch and an HQ server from assets/mariadb on this host, HQ pulling through its relay; ` +
      `${RATE_PER_SECOND} inserts/s at the branch for ${LAG_SECONDS} s after a 5 s warm-up, each lag measured from ` +
      `sending the INSERT to the end of the first HQ poll (about every 1 ms) that finds the row. Reconciliation: ` +
      `${RECORDS} journaled records loaded by one inova-records-reconcile pass in a PBX container, against the same ` +
      `number of INSERTs sent one by one through the PBX's ODBC data source with isql.`,
  );

  const lag = await measureReplicationLag({ ratePerSecond: RATE_PER_SECOND, seconds: LAG_SECONDS, progress: log });
  const p50 = percentile(lag.lagsMs, 50);
  const p99 = percentile(lag.lagsMs, 99);
  recorder.version("mariadb", lag.mariadbVersion);
  recorder.row({ measure: "Replication lag, median", value: roundTo(p50, 1), unit: "ms" });
  recorder.row({
    measure: "Replication lag, 99th percentile",
    value: roundTo(p99, 1),
    unit: "ms",
    goal: `≤ ${LAG_P99_GOAL_MS}`,
    goalMet: p99 <= LAG_P99_GOAL_MS,
  });
  recorder.row({ measure: "Replication lag, maximum", value: roundTo(Math.max(...lag.lagsMs), 1), unit: "ms" });
  recorder.row({ measure: "Lag after the branch's commit, median", value: roundTo(percentile(lag.lagsAfterCommitMs, 50), 1), unit: "ms" });
  recorder.row({ measure: "Lag after the branch's commit, 99th percentile", value: roundTo(percentile(lag.lagsAfterCommitMs, 99), 1), unit: "ms" });
  recorder.row({ measure: "Branch commit (INSERT acknowledged), median", value: roundTo(percentile(lag.commitMs, 50), 1), unit: "ms" });
  recorder.row({ measure: "Branch commit (INSERT acknowledged), 99th percentile", value: roundTo(percentile(lag.commitMs, 99), 1), unit: "ms" });
  recorder.row({ measure: "Insert rate reached at the branch", value: roundTo(lag.achievedRatePerSecond, 1), unit: "records/s" });
  recorder.note(`HQ was polled every ${roundTo(lag.meanPollIntervalMs, 2)} ms on average; each lag is at most that much too high.`);
  log(
    `replication lag p50 ${roundTo(p50, 1)} ms, p99 ${roundTo(p99, 1)} ms; after commit p50 ` +
      `${roundTo(percentile(lag.lagsAfterCommitMs, 50), 1)} ms, p99 ${roundTo(percentile(lag.lagsAfterCommitMs, 99), 1)} ms; ` +
      `commit p50 ${roundTo(percentile(lag.commitMs, 50), 1)} ms, p99 ${roundTo(percentile(lag.commitMs, 99), 1)} ms`,
  );

  const reconcile = await measureReconcile({ records: RECORDS, progress: log });
  const ratio = reconcile.directSeconds / reconcile.reconcileSeconds;
  recorder.row({ measure: `${RECORDS} records, one INSERT each through ODBC`, value: roundTo(reconcile.directSeconds, 2), unit: "s" });
  recorder.row({ measure: `${RECORDS} journaled records, one reconciler pass`, value: roundTo(reconcile.reconcileSeconds, 2), unit: "s" });
  recorder.row({
    measure: "Reconciler rate / direct rate",
    value: roundTo(ratio, 2),
    goal: `≥ ${RATIO_GOAL}`,
    goalMet: ratio >= RATIO_GOAL,
  });
  recorder.row({ measure: `Pass over ${RECORDS} records already stored`, value: roundTo(reconcile.rereadSeconds, 2), unit: "s" });
  recorder.row({ measure: "Rows stored, expected twice the records", value: reconcile.rows, goal: `= ${2 * RECORDS}`, goalMet: reconcile.rows === 2 * RECORDS });
  recorder.note(`Reconciler output: ${reconcile.reconcileOutput}.`);
  log(`reconcile ${roundTo(reconcile.reconcileSeconds, 2)} s, direct ${roundTo(reconcile.directSeconds, 2)} s, ratio ${roundTo(ratio, 2)}`);

  const file = recorder.write({
    lagsMs: lag.lagsMs.map((value) => roundTo(value, 2)),
    commitMs: lag.commitMs.map((value) => roundTo(value, 2)),
    lagMedianCheck: roundTo(median(lag.lagsMs), 2),
    reconcile,
  });
  log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench ${NAME}: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
