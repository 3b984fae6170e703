// A small interpreter for the dialplan subset that extensions.conf uses, so tests can follow
// a call through menus and ring groups: which prompts play, which devices ring, where it ends.
// It reads the rendered text (through the test parser), not the renderer's model.

import { matchesExtension } from "../../../components/asterisk/dialplan";
import {
  jumpTargets,
  splitArguments,
  type ParsedContext,
  type ParsedExtension,
} from "../../support/asterisk-conf-parser";

export interface CallInput {
  /** Instant of the call; GotoIfTime compares it in the zone it names. */
  readonly now: Date;
  /** Device state per device (`PJSIP/100`); devices not listed are NOT_INUSE. */
  readonly deviceStates?: Readonly<Record<string, string>>;
  /** DIALSTATUS a Dial ends with for its target string; NOANSWER when absent. */
  readonly dialResult?: (targets: string) => string;
  /** Key pressed at each menu (during Background), in order; null or a missing entry is no key. */
  readonly keys?: readonly (string | null)[];
  readonly callerNumber?: string;
  /**
   * Calls each extension is already in, as `GROUP_COUNT(<extension>@<category>)` counts
   * them before this call; 0 when absent. A `Set(GROUP(<category>)=<extension>)` of this call
   * adds one.
   */
  readonly callCounts?: Readonly<Record<string, number>>;
  /** Channel variables set before the first priority, as an endpoint's `set_var` does. */
  readonly channelVariables?: Readonly<Record<string, string>>;
}

export interface CallStep {
  readonly context: string;
  readonly extension: string;
  readonly application: string;
  /** Arguments after variable substitution. */
  readonly data: string;
}

export interface CallResult {
  readonly steps: CallStep[];
  /** How the call ended: `hangup`, `answered` (a Dial was answered) or `fell-off` (no more priorities). */
  readonly end: "hangup" | "answered" | "fell-off";
  /** Applications as `App(data)`, for compact assertions. */
  readonly trace: string[];
}

const MAX_STEPS = 500;

/** Runs a call that starts at `extension@context`. */
export function simulateCall(dialplan: Map<string, ParsedContext>, context: string, extension: string, input: CallInput): CallResult {
  const variables = new Map<string, string>(Object.entries(input.channelVariables ?? {}));
  const steps: CallStep[] = [];
  const keys = [...(input.keys ?? [])];
  let pendingKey: string | null = null;
  let position = locate(dialplan, context, extension, "1");

  const finish = (end: CallResult["end"]): CallResult => ({
    steps,
    end,
    trace: steps.map((step) => `${step.application}(${step.data})`),
  });

  for (let count = 0; count < MAX_STEPS; count += 1) {
    const priority = position.extension.priorities[position.index];
    if (priority === undefined) {
      return finish("fell-off");
    }
    const application = priority.application;
    const data = substitute(application.raw, variables, input, position.dialed);
    steps.push({ context: position.context.name, extension: position.dialed, application: application.name, data });
    let next = { ...position, index: position.index + 1 };

    switch (application.name) {
      case "Set": {
        const separator = data.indexOf("=");
        variables.set(data.slice(0, separator), data.slice(separator + 1));
        break;
      }
      case "Goto":
      case "GotoIf":
      case "GotoIfTime": {
        const jump = branch(application.name, data);
        if (jump !== undefined) {
          const targets = jumpTargets({ ...application, raw: jump.label }, position.context.name, position.dialed);
          const target = targets[0];
          if (target !== undefined) {
            next = locate(dialplan, target.context, target.extension, target.priority);
          }
        }
        break;
      }
      case "Dial": {
        const status = input.dialResult?.(splitArguments(data)[0]) ?? "NOANSWER";
        variables.set("DIALSTATUS", status);
        if (status === "ANSWER") {
          return finish("answered");
        }
        break;
      }
      case "Background":
        pendingKey = keys.length > 0 ? (keys.shift() ?? null) : null;
        if (pendingKey !== null) {
          next = pressKey(dialplan, position.context, pendingKey);
          pendingKey = null;
        }
        break;
      case "WaitExten":
        next = locate(dialplan, position.context.name, "t", "1");
        break;
      case "Hangup":
        return finish("hangup");
      default:
        break;
    }
    position = next;
  }
  throw new Error(`The call ran more than ${MAX_STEPS} priorities: ${steps.map((step) => step.application).join(" ")}`);
}

interface Position {
  readonly context: ParsedContext;
  readonly extension: ParsedExtension;
  /** The extension as dialed, which a pattern extension matches. */
  readonly dialed: string;
  readonly index: number;
}

function locate(dialplan: Map<string, ParsedContext>, contextName: string, dialed: string, priority: string): Position {
  const context = dialplan.get(contextName);
  if (context === undefined) {
    throw new Error(`context ${contextName} does not exist`);
  }
  const found = findExtension(dialplan, context, dialed);
  if (found === undefined) {
    throw new Error(`no extension matches ${dialed}@${contextName}`);
  }
  const index = /^\d+$/.test(priority)
    ? found.extension.priorities.findIndex((candidate) => candidate.number === Number(priority))
    : found.extension.priorities.findIndex((candidate) => candidate.label === priority);
  if (index === -1) {
    throw new Error(`priority ${priority} of ${dialed}@${contextName} does not exist`);
  }
  return { context: found.context, extension: found.extension, dialed, index };
}

function findExtension(
  dialplan: Map<string, ParsedContext>,
  context: ParsedContext,
  dialed: string,
): { context: ParsedContext; extension: ParsedExtension } | undefined {
  const exact = context.extensions.get(dialed);
  if (exact !== undefined) {
    return { context, extension: exact };
  }
  for (const extension of context.extensions.values()) {
    if (extension.name.startsWith("_") && matchesExtension(extension.name, dialed)) {
      return { context, extension };
    }
  }
  for (const included of context.includes) {
    const next = dialplan.get(included);
    const found = next === undefined ? undefined : findExtension(dialplan, next, dialed);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** Returns where a key pressed in a menu leads: its extension, or `i` when the menu has none. */
function pressKey(dialplan: Map<string, ParsedContext>, context: ParsedContext, key: string): Position {
  return context.extensions.has(key) ? locate(dialplan, context.name, key, "1") : locate(dialplan, context.name, "i", "1");
}

/** Returns the label to jump to, or undefined when the condition is false. */
function branch(application: string, data: string): { label: string } | undefined {
  if (application === "Goto") {
    return { label: data };
  }
  const question = data.lastIndexOf("?");
  const condition = data.slice(0, question);
  const [ifTrue, ifFalse] = data.slice(question + 1).split(":");
  const conditionTrue = application === "GotoIf" ? condition === "1" : condition === "in-range";
  const label = conditionTrue ? ifTrue : ifFalse;
  return label === undefined || label === "" ? undefined : { label };
}

/**
 * Replaces `${...}` references, innermost first, and evaluates `$[...]`; GotoIfTime
 * conditions become `in-range` or `out-of-range`.
 */
function substitute(raw: string, variables: Map<string, string>, input: CallInput, dialed: string): string {
  let text = raw;
  for (let previous = ""; previous !== text; ) {
    previous = text;
    text = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*(?:\([^()$]*\))?)(?::(\d+))?\}/g, (_match, name: string, offset?: string) => {
      const resolved = lookup(name, variables, input, dialed);
      return offset === undefined ? resolved : resolved.slice(Number(offset));
    });
  }
  text = text.replace(/\$\[(.*?)\](?=\?|$|,)/g, (_match, expression: string) => evaluate(expression));

  const time = /^(\d\d:\d\d)-(\d\d:\d\d),\*,\*,\*,([^?]+)\?(.*)$/.exec(text);
  if (time !== null) {
    const local = localMinutes(input.now, time[3]);
    const inRange = minutes(time[1]) <= local && local <= minutes(time[2]);
    return `${inRange ? "in-range" : "out-of-range"}?${time[4]}`;
  }
  return text;
}

function lookup(name: string, variables: Map<string, string>, input: CallInput, dialed: string): string {
  const deviceState = /^DEVICE_STATE\((.+)\)$/.exec(name);
  if (deviceState !== null) {
    return input.deviceStates?.[deviceState[1]] ?? "NOT_INUSE";
  }
  const groupCount = /^GROUP_COUNT\((.*)@(.+)\)$/.exec(name);
  if (groupCount !== null) {
    const [, group, category] = groupCount;
    const own = variables.get(`GROUP(${category})`) === group ? 1 : 0;
    return String((input.callCounts?.[group] ?? 0) + own);
  }
  if (name === "CALLERID(num)") {
    return input.callerNumber ?? "";
  }
  if (name === "EXTEN") {
    return dialed;
  }
  return variables.get(name) ?? "";
}

function evaluate(expression: string): string {
  const equals = /^"(.*)" = "(.*)"$/.exec(expression.trim());
  if (equals !== null) {
    return equals[1] === equals[2] ? "1" : "0";
  }
  const atLeast = /^(-?\d*) >= (\d+)$/.exec(expression.trim());
  if (atLeast !== null) {
    return Number(atLeast[1] || 0) >= Number(atLeast[2]) ? "1" : "0";
  }
  const greater = /^(-?\d+) > (-?\d+)$/.exec(expression.trim());
  if (greater !== null) {
    return Number(greater[1]) > Number(greater[2]) ? "1" : "0";
  }
  const plus = /^(-?\d*) \+ (\d+)$/.exec(expression.trim());
  if (plus !== null) {
    return String(Number(plus[1] || 0) + Number(plus[2]));
  }
  throw new Error(`the simulator cannot evaluate $[${expression}]`);
}

function localMinutes(now: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const hour = Number(parts.find((part) => part.type === "hour")?.value);
  const minute = Number(parts.find((part) => part.type === "minute")?.value);
  return hour * 60 + minute;
}

function minutes(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}
