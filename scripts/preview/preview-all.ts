// Previews every stack of the project with the policy pack and the replace
// check, and writes a Markdown summary. Run it through scripts/preview-all.sh
// (`npm run preview:all`), which puts the Pulumi CLI on PATH.
//
//   preview-all.ts [--output FILE] [STACK...]
//
// Without stacks it previews each Pulumi.<stack>.yaml of the project. It
// exits with 1 when any preview fails (an invalid stack or a mandatory policy
// violation) or when a config change would replace a container or volume.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { describeReplacement, findStatefulReplacements, nameOfUrn, typeOfUrn, type PreviewStep } from "./replace-check";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const POLICY_DIR = path.join(PROJECT_DIR, "policy");

interface StackResult {
  readonly stack: string;
  readonly ok: boolean;
  /** Changed resources as Markdown table rows. */
  readonly changes: readonly string[];
  readonly problems: readonly string[];
}

function parseArguments(argv: readonly string[]): { output?: string; stacks: string[] } {
  const stacks: string[] = [];
  let output: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    if (argv[index] === "--output") {
      output = argv[++index];
      if (output === undefined) {
        throw new Error("--output needs a file name, e.g. --output preview.md");
      }
    } else {
      stacks.push(argv[index]);
    }
  }
  return { output, stacks };
}

function projectStacks(): string[] {
  return fs
    .readdirSync(PROJECT_DIR)
    .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** One line of `pulumi preview --json` with PULUMI_ENABLE_STREAMING_JSON_PREVIEW set: an engine event. */
interface EngineEvent {
  readonly resourcePreEvent?: {
    metadata: {
      op: string;
      urn: string;
      type: string;
      old?: { inputs?: Record<string, unknown> } | null;
      new?: { type?: string; inputs?: Record<string, unknown> } | null;
      keys?: string[];
      diffs?: string[];
      detailedDiff?: Record<string, { kind: string }> | null;
    };
  };
  readonly policyEvent?: { resourceUrn?: string; message: string; policyName: string; enforcementLevel: string };
  readonly diagnosticEvent?: { message: string; severity: string; urn?: string };
}

/** Reads the engine events, skipping any line that is not one (for example a warning printed by the CLI). */
function parseEvents(stdout: string): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) {
      continue;
    }
    try {
      events.push(JSON.parse(line) as EngineEvent);
    } catch {
      // A line cut off by a crash; the exit code reports the failure.
    }
  }
  return events;
}

/** Turns resource events into the steps of a non-streaming `pulumi preview --json`, which the replace check reads. */
function stepsOf(events: readonly EngineEvent[]): PreviewStep[] {
  return events.flatMap((event) => {
    const metadata = event.resourcePreEvent?.metadata;
    if (metadata === undefined) {
      return [];
    }
    return [
      {
        op: metadata.op,
        urn: metadata.urn,
        replaceReasons: metadata.keys,
        detailedDiff: metadata.detailedDiff ?? undefined,
        oldState: { inputs: metadata.old?.inputs },
        newState: { type: metadata.type, inputs: metadata.new?.inputs },
      },
    ];
  });
}

/** Describes each policy violation and each error the engine reported. */
function failuresOf(events: readonly EngineEvent[]): string[] {
  const failures: string[] = [];
  for (const event of events) {
    const policy = event.policyEvent;
    // Advisory events include the SDK's notes on policies it could not run on values still unknown.
    if (policy !== undefined && policy.enforcementLevel === "mandatory") {
      // The first line of the message repeats the policy's description, and the rest names the problem.
      const detail = policy.message.trim().split("\n").slice(1).join(" ") || policy.message.trim();
      const resource = policy.resourceUrn === undefined ? "the stack" : nameOfUrn(policy.resourceUrn);
      failures.push(`policy ${policy.policyName} (${policy.enforcementLevel}) on ${resource}: ${detail}`);
    }
    const diagnostic = event.diagnosticEvent;
    if (diagnostic?.severity === "error" && diagnostic.message.trim() !== "preview failed") {
      failures.push(`error: ${diagnostic.message.trim()}`);
    }
  }
  return failures;
}

function previewStack(stack: string): StackResult {
  const result = spawnSync(
    "pulumi",
    ["preview", "--json", "--non-interactive", "--stack", stack, "--policy-pack", POLICY_DIR],
    {
      cwd: PROJECT_DIR,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" },
    },
  );
  if (result.error !== undefined) {
    return { stack, ok: false, changes: [], problems: [`pulumi could not run: ${result.error.message}`] };
  }

  const events = parseEvents(result.stdout);
  const steps = stepsOf(events);
  const problems = failuresOf(events);
  if (result.status !== 0 && problems.length === 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-10);
    problems.push(`pulumi preview exited with ${result.status}: ${output.join(" ")}`);
  }
  problems.push(...findStatefulReplacements({ steps }).map((replacement) => describeReplacement(stack, replacement)));

  // A preview run with --refresh first reads every resource, which the engine reports as a
  // "refresh" step whether or not anything drifted.
  const changes = steps
    .filter((step) => step.op !== "same" && step.op !== "refresh")
    .map((step) => {
      const properties = step.replaceReasons?.length ? step.replaceReasons : Object.keys(step.detailedDiff ?? {});
      return `| ${step.op} | \`${typeOfUrn(step.urn)}\` | ${nameOfUrn(step.urn)} | ${properties.join(", ")} |`;
    });
  return { stack, ok: result.status === 0 && problems.length === 0, changes, problems };
}

function renderMarkdown(results: readonly StackResult[]): string {
  const lines = ["## Pulumi preview", ""];
  for (const result of results) {
    lines.push(`### ${result.ok ? "✅" : "❌"} ${result.stack}`, "");
    for (const problem of result.problems) {
      lines.push(`- ${problem}`);
    }
    if (result.problems.length > 0) {
      lines.push("");
    }
    if (result.changes.length === 0) {
      lines.push(result.ok ? "No changes." : "", "");
      continue;
    }
    lines.push("| operation | type | resource | properties |", "|---|---|---|---|", ...result.changes, "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function main(): number {
  const { output, stacks: requested } = parseArguments(process.argv.slice(2));
  const stacks = requested.length > 0 ? requested : projectStacks();
  if (stacks.length === 0) {
    console.error(`preview-all: no stack files (Pulumi.<stack>.yaml) in ${PROJECT_DIR}`);
    return 1;
  }

  const results = stacks.map((stack) => {
    console.error(`preview-all: previewing ${stack}`);
    return previewStack(stack);
  });
  const markdown = renderMarkdown(results);
  if (output !== undefined) {
    fs.writeFileSync(output, markdown);
  }
  process.stdout.write(markdown);

  const failed = results.filter((result) => !result.ok).map((result) => result.stack);
  if (failed.length > 0) {
    console.error(`preview-all: failed for ${failed.join(", ")}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
