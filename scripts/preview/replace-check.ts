// Finds replacements of stateful resources in the output of
// `pulumi preview --json`. A replaced container drops its calls or its
// database connections, and a replaced volume loses its data, so a change
// that would replace one must be made on purpose, never by a config edit.

/** Types whose replacement loses state: containers (calls, connections) and volumes (data). */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  "pulumi-nodejs:dynamic/docker:Container",
  "pulumi-nodejs:dynamic/docker:Volume",
]);

const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced"]);

/** One step of `pulumi preview --json`, with the fields the summary reads. */
export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly replaceReasons?: readonly string[];
  readonly detailedDiff?: Record<string, { kind: string }>;
  readonly oldState?: { inputs?: Record<string, unknown> };
  readonly newState?: { type?: string; inputs?: Record<string, unknown> };
}

export interface PreviewOutput {
  readonly steps?: readonly PreviewStep[];
  readonly changeSummary?: Record<string, number>;
}

export interface Replacement {
  readonly urn: string;
  readonly type: string;
  /** Logical resource name, the last part of the URN. */
  readonly name: string;
  /** The engine's name of the resource (container or volume name), when its inputs have one. */
  readonly engineName?: string;
  /** Properties whose change forces the replacement, with changed map keys, e.g. `env (INOVA_MARIADB_SERVER_CONFIG)`. */
  readonly properties: readonly string[];
}

/** Returns the resource type that a URN names. */
export function typeOfUrn(urn: string): string {
  const qualifiedType = urn.split("::")[2] ?? "";
  return qualifiedType.split("$").pop() ?? qualifiedType;
}

/** Returns the logical name that a URN ends with. */
export function nameOfUrn(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** Names the keys of two maps whose values differ; values are never printed because they may be secret. */
function changedKeys(before: unknown, after: unknown): string[] {
  const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isMap(before) || !isMap(after)) {
    return [];
  }
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

/** Returns every stateful resource that the preview replaces, once per resource. */
export function findStatefulReplacements(preview: PreviewOutput): Replacement[] {
  const byUrn = new Map<string, Replacement>();
  for (const step of preview.steps ?? []) {
    const type = step.newState?.type ?? typeOfUrn(step.urn);
    if (!REPLACE_OPS.has(step.op) || !STATEFUL_TYPES.has(type)) {
      continue;
    }
    const reasons = step.replaceReasons ?? Object.keys(step.detailedDiff ?? {});
    const properties = reasons.map((property) => {
      const keys = changedKeys(step.oldState?.inputs?.[property], step.newState?.inputs?.[property]);
      return keys.length > 0 ? `${property} (${keys.join(", ")})` : property;
    });
    const previous = byUrn.get(step.urn);
    const engineName = step.newState?.inputs?.name ?? step.oldState?.inputs?.name;
    byUrn.set(step.urn, {
      urn: step.urn,
      type,
      name: nameOfUrn(step.urn),
      engineName: typeof engineName === "string" ? engineName : undefined,
      properties: [...new Set([...(previous?.properties ?? []), ...properties])],
    });
  }
  return [...byUrn.values()];
}

/** Formats a replacement as one sentence naming the resource and the changed properties. */
export function describeReplacement(stack: string, replacement: Replacement): string {
  const kind = replacement.type.endsWith(":Volume") ? "volume" : "container";
  const what = replacement.engineName === undefined ? replacement.name : `${replacement.engineName} (${replacement.name})`;
  const because = replacement.properties.length > 0 ? replacement.properties.join(", ") : "an unknown property";
  const loss = kind === "volume" ? "its data" : "its calls or connections";
  return (
    `stack ${stack} would replace ${kind} ${what} because ${because} changed, which drops ${loss}; ` +
    "revert the change, or apply it on purpose with pulumi up in a maintenance window"
  );
}
