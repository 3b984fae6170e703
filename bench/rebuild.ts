// Rebuild time of the tabasco branch against its first deploy in the same run.
// HQ (mochis) and tabasco are deployed from a private copy of the project on an
// empty backend, and tabasco's first `pulumi up` is timed. Then tabasco gets a
// call history of RECORDS rows that HQ replicates, and its containers and
// volumes are removed by hand. The `pulumi up` that rebuilds it is timed next.
// It covers the refresh that finds them gone, new volumes and containers, the
// re-seed of the rows from HQ and the accounts. A second rebuild follows a
// `pulumi destroy`, which keeps the volumes. Images are cached by then, as on
// any rebuild.
//
//   node_modules/.bin/ts-node --transpile-only bench/rebuild.ts
//
// Prints progress on standard error and writes bench/results/rebuild.json.

import Docker from "dockerode";
import { PassThrough } from "node:stream";

import { ProjectCopy } from "../test/support/project-copy";
import { runChecked, runTimed, type TimedRunResult } from "./lib/command";
import { progress, ResultRecorder, roundTo } from "./lib/results";

const NAME = "rebuild";
const HQ = "mochis";
const BRANCH = "tabasco";
/** Call records written at the branch before it is lost; about a week of calls at a small branch. */
const RECORDS = 2000;
const GOAL = 1.0;

const docker = new Docker();

async function execIn(container: string, command: string[]): Promise<string> {
  const execution = await docker.getContainer(container).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await execution.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  docker.modem.demuxStream(stream, stdout, new PassThrough());
  await new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  return text.trim();
}

async function countAt(site: string, recordsOf: string): Promise<number> {
  const output = await execIn(`inova-${site}-cdr-db`, [
    "mariadb",
    "--batch",
    "--skip-column-names",
    "-e",
    `SELECT COUNT(*) FROM inova_cdr.cdr WHERE site = '${recordsOf}'`,
  ]);
  return Number(output);
}

/** Inserts RECORDS synthetic rows at the branch in one logged transaction, as replicated history. */
async function writeHistory(): Promise<void> {
  const sql = [
    "SET SESSION sql_log_bin = 1;",
    "INSERT INTO inova_cdr.cdr (site, calldate, src, dst, disposition, duration, billsec, uniqueid, linkedid, sequence)",
    `SELECT '${BRANCH}', UTC_TIMESTAMP(6) - INTERVAL seq MINUTE, '300', '305', 'ANSWERED', 60, 55,`,
    `CONCAT('1760000000.', seq), CONCAT('1760000000.', seq), 1 FROM seq_1_to_${RECORDS};`,
  ].join(" ");
  const output = await execIn(`inova-${BRANCH}-cdr-db`, ["mariadb", "--database", "inova_cdr", "-e", sql]);
  const written = await countAt(BRANCH, BRANCH);
  if (written < RECORDS) {
    throw new Error(`writing ${RECORDS} call records at ${BRANCH} failed: ${written} rows present; mariadb printed: ${output}`);
  }
}

async function waitForHq(expected: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  while ((await countAt(HQ, BRANCH)) < expected) {
    if (Date.now() > deadline) {
      throw new Error(`HQ did not receive ${expected} rows of ${BRANCH} within 300 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function removeBranchByHand(): Promise<void> {
  for (const info of await docker.listContainers({ all: true })) {
    if (info.Names.some((name) => name.startsWith(`/inova-${BRANCH}-`))) {
      await docker.getContainer(info.Id).remove({ force: true, v: true });
    }
  }
  for (const volume of (await docker.listVolumes()).Volumes ?? []) {
    if (volume.Name.startsWith(`inova-${BRANCH}-`)) {
      await docker.getVolume(volume.Name).remove();
    }
  }
}

async function main(): Promise<void> {
  const recorder = new ResultRecorder(
    NAME,
    "Rebuild of a lost branch",
    `Seconds of the \`pulumi up\` that rebuilds tabasco, divided by the seconds of tabasco's first \`pulumi up\` in the same run. ` +
      `Before the rebuild, tabasco holds ${RECORDS} call records that HQ replicated, and its containers and volumes are removed by hand; ` +
      "the rebuild re-seeds them from HQ.",
  );
  const project = ProjectCopy.create("inova-bench-rebuild");
  const env = project.env();
  const up = (site: string): Promise<TimedRunResult> => {
    progress(NAME, `pulumi up ${site}`);
    return runChecked("pulumi", ["up", "--refresh", "--yes", "--skip-preview", "--stack", site, "--suppress-progress"], {
      cwd: project.dir,
      env,
      timeoutMs: 1_800_000,
    });
  };
  try {
    for (const site of [HQ, BRANCH]) {
      await runChecked("pulumi", ["stack", "init", site], { cwd: project.dir, env });
    }
    await up(HQ);
    const first = await up(BRANCH);

    progress(NAME, `writing ${RECORDS} call records at ${BRANCH}`);
    await writeHistory();
    await waitForHq(RECORDS);

    progress(NAME, `removing the containers and volumes of ${BRANCH} by hand`);
    await removeBranchByHand();
    const rebuild = await up(BRANCH);
    const restored = await countAt(BRANCH, BRANCH);

    progress(NAME, `destroying ${BRANCH}, keeping its volumes`);
    await runChecked("pulumi", ["destroy", "--yes", "--skip-preview", "--stack", BRANCH, "--suppress-progress"], { cwd: project.dir, env, timeoutMs: 900_000 });
    const afterDestroy = await up(BRANCH);

    const ratio = rebuild.seconds / first.seconds;
    recorder.row({ measure: `first deploy of ${BRANCH} (pulumi up)`, value: roundTo(first.seconds, 1), unit: "s" });
    recorder.row({ measure: "rebuild after containers and volumes were removed", value: roundTo(rebuild.seconds, 1), unit: "s" });
    recorder.row({ measure: "rebuild ÷ first deploy", value: roundTo(ratio, 2), goal: `≤ ${GOAL}`, goalMet: ratio <= GOAL });
    recorder.row({ measure: `records re-seeded from HQ (of ${RECORDS})`, value: restored });
    recorder.row({ measure: "redeploy after pulumi destroy (volumes kept)", value: roundTo(afterDestroy.seconds, 1), unit: "s" });
    recorder.note(
      `HQ (${HQ}) was deployed before the first deploy of ${BRANCH}; both use images built earlier in the run or cached before it.`,
    );
    const file = recorder.write({ firstSeconds: first.seconds, rebuildSeconds: rebuild.seconds, afterDestroySeconds: afterDestroy.seconds, restored });
    progress(NAME, `wrote ${file}`);
  } finally {
    for (const site of [BRANCH, HQ]) {
      await runTimed("pulumi", ["destroy", "--yes", "--skip-preview", "--stack", site, "--suppress-progress"], {
        cwd: project.dir,
        env,
        timeoutMs: 900_000,
      }).catch(() => undefined);
      for (const volume of (await docker.listVolumes()).Volumes ?? []) {
        if (volume.Name.startsWith(`inova-${site}-`)) {
          await docker.getVolume(volume.Name).remove().catch(() => undefined);
        }
      }
    }
    project.remove();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench ${NAME}: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
