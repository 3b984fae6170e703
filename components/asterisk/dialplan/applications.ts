// Rendering of typed dialplan applications into `App(arguments)` text.

import { DialplanSyntaxError, Expression, integer, plainArgument, variableName } from "./arguments";
import type { Application, GotoTarget, TimeCondition } from "./model";

const CONTEXT_NAME = /^[A-Za-z0-9_-]+$/;
/** Names a concrete extension: digits, `*`, `#`, `+`, or a word such as `s`, `i`, `t`, `give-up`. */
const TARGET_EXTENSION = /^[A-Za-z0-9*#+-]+$/;
const LABEL = /^[A-Za-z][A-Za-z0-9_-]*$/;
const CHANNEL = /^(PJSIP|IAX2|Local)\/[A-Za-z0-9_.@/+-]+$/;
const DIAL_OPTIONS = /^[A-Za-z]*$/;
const TIME_RANGE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const TIME_FIELD = /^(\*|[a-z0-9]+(-[a-z0-9]+)?)$/;
const TIMEZONE = /^[A-Za-z0-9_+/-]+$/;
const SOUND_FILE = /^[A-Za-z0-9_/.-]+$/;
const MAILBOX = /^[0-9]+$/;

/** Checks a context name and returns it. */
export function contextName(name: string): string {
  if (!CONTEXT_NAME.test(name)) {
    throw new DialplanSyntaxError(`context name "${name}" is invalid: use letters, digits, '_' and '-'.`);
  }
  return name;
}

/** Checks a priority label and returns it. */
export function labelName(label: string): string {
  if (!LABEL.test(label)) {
    throw new DialplanSyntaxError(`priority label "${label}" is invalid: start with a letter, then letters, digits, '_' or '-'.`);
  }
  return label;
}

/** Renders a target as `[[context,]extension,]priority`, or joined by `separator` where an option list needs `^`. */
export function formatTarget(target: GotoTarget, separator = ","): string {
  const parts: string[] = [];
  if (target.context !== undefined) {
    if (target.extension === undefined) {
      throw new DialplanSyntaxError(`Goto target in context "${target.context}" names no extension; a target with a context needs one.`);
    }
    parts.push(contextName(target.context));
  }
  if (target.extension instanceof Expression) {
    if (target.context === undefined) {
      throw new DialplanSyntaxError(`Goto target extension ${target.extension.text} is an expression; name the context it is looked up in.`);
    }
    parts.push(target.extension.text);
  } else if (target.extension !== undefined) {
    if (!TARGET_EXTENSION.test(target.extension)) {
      throw new DialplanSyntaxError(
        `Goto target extension "${target.extension}" is invalid: name one concrete extension (digits, '*', '#', '+' or a word), not a pattern.`,
      );
    }
    parts.push(target.extension);
  }
  parts.push(typeof target.priority === "number" ? priorityNumber(target.priority) : labelName(target.priority));
  return parts.join(separator);
}

/** Renders an application as `Name(arguments)`. */
export function renderApplication(application: Application): string {
  return `${application.app}(${applicationArguments(application).join(",")})`;
}

/** Returns every target that the application may jump to, for validation. */
export function applicationTargets(application: Application): GotoTarget[] {
  switch (application.app) {
    case "Goto":
      return [application.target];
    case "GotoIf":
      return [application.ifTrue, application.ifFalse].filter((target): target is GotoTarget => target !== undefined);
    case "GotoIfTime":
      return [application.ifTrue];
    case "Dial":
      return application.preDialHandler === undefined ? [] : [application.preDialHandler];
    case "Originate":
      return [application.target];
    default:
      return [];
  }
}

function applicationArguments(application: Application): string[] {
  switch (application.app) {
    case "Answer":
    case "Pickup":
    case "Progress":
    case "Return":
      return [];
    case "Background":
      return [soundFiles(application.files)];
    case "Dial":
      return dialArguments(application.channels, application.timeoutSeconds, application.options, application.preDialHandler);
    case "Goto":
      return [formatTarget(application.target)];
    case "GotoIf":
      return [gotoIfArgument(application.condition, application.ifTrue, application.ifFalse)];
    case "GotoIfTime": {
      // The zone and the label share the last argument: `zone?target`.
      const [times, weekdays, monthDays, months, timezone] = timeConditionArguments(application.condition);
      return [times, weekdays, monthDays, months, `${timezone}?${formatTarget(application.ifTrue)}`];
    }
    case "Hangup":
      return application.cause === undefined ? [] : [integer(application.cause, "hangup cause")];
    case "NoOp":
      return [plainArgument(application.text, "NoOp text")];
    case "Originate":
      return originateArguments(application.channel, application.target, application.timeoutSeconds);
    case "SayDigits":
      return [application.digits.text];
    case "Playback":
      return application.noAnswer === true ? [soundFiles(application.files), "noanswer"] : [soundFiles(application.files)];
    case "Set":
      return [`${variableName(application.variable)}=${valueText(application.value, `value of ${application.variable}`)}`];
    case "VoiceMail":
      return [
        `${mailboxNumber(application.mailbox)}@${contextName(application.context)}`,
        application.greeting === "busy" ? "b" : "u",
      ];
    case "VoiceMailMain": {
      const mailbox = application.mailbox === undefined ? "" : valueText(application.mailbox, "VoiceMailMain mailbox");
      return [`${mailbox}@${contextName(application.context)}`];
    }
    case "Wait":
    case "WaitExten":
      return [integer(application.seconds, `${application.app} seconds`)];
  }
}

function dialArguments(
  channels: readonly string[] | Expression,
  timeoutSeconds: number,
  options: string | undefined,
  preDialHandler: GotoTarget | undefined,
): string[] {
  const targets = channels instanceof Expression ? channels.text : channelList(channels);
  if (timeoutSeconds <= 0) {
    throw new DialplanSyntaxError(`Dial timeout ${timeoutSeconds} must be a positive number of seconds.`);
  }
  const args = [targets, integer(timeoutSeconds, "Dial timeout")];
  let optionText = options ?? "";
  if (!DIAL_OPTIONS.test(optionText)) {
    throw new DialplanSyntaxError(`Dial options "${optionText}" are invalid: expected option letters only.`);
  }
  if (preDialHandler !== undefined) {
    if (preDialHandler.context === undefined || preDialHandler.extension === undefined || preDialHandler.extension instanceof Expression) {
      throw new DialplanSyntaxError("a Dial pre-dial handler needs a context and a concrete extension.");
    }
    // Inside an option's parentheses `,` would end Dial's option argument, so the parts are joined by `^`.
    optionText += `b(${formatTarget(preDialHandler, "^")})`;
  }
  if (optionText !== "") {
    args.push(optionText);
  }
  return args;
}

/** `channel,exten,context,extension,priority,timeout,a`: the channel runs the target once it answers. */
function originateArguments(channel: Expression, target: GotoTarget, timeoutSeconds: number): string[] {
  if (target.context === undefined || target.extension === undefined) {
    throw new DialplanSyntaxError("an Originate target needs a context and an extension.");
  }
  if (timeoutSeconds <= 0) {
    throw new DialplanSyntaxError(`Originate timeout ${timeoutSeconds} must be a positive number of seconds.`);
  }
  const extension = target.extension instanceof Expression ? target.extension.text : target.extension;
  const priority = typeof target.priority === "number" ? priorityNumber(target.priority) : labelName(target.priority);
  return [channel.text, "exten", contextName(target.context), extension, priority, integer(timeoutSeconds, "Originate timeout"), "a"];
}

function channelList(channels: readonly string[]): string {
  if (channels.length === 0) {
    throw new DialplanSyntaxError("Dial needs at least one channel.");
  }
  for (const channel of channels) {
    if (!CHANNEL.test(channel)) {
      throw new DialplanSyntaxError(`Dial channel "${channel}" is invalid: expected PJSIP/<name>, IAX2/<name> or Local/<exten>@<context>.`);
    }
  }
  return channels.join("&");
}

function gotoIfArgument(condition: Expression, ifTrue: GotoTarget | undefined, ifFalse: GotoTarget | undefined): string {
  if (ifTrue === undefined && ifFalse === undefined) {
    throw new DialplanSyntaxError(`GotoIf(${condition.text}) has no target.`);
  }
  const whenTrue = ifTrue === undefined ? "" : formatTarget(ifTrue);
  const whenFalse = ifFalse === undefined ? "" : `:${formatTarget(ifFalse)}`;
  return `${condition.text}?${whenTrue}${whenFalse}`;
}

function timeConditionArguments(condition: TimeCondition): string[] {
  const match = TIME_RANGE.exec(condition.times);
  if (match === null) {
    throw new DialplanSyntaxError(`GotoIfTime times "${condition.times}" are invalid: expected HH:MM-HH:MM.`);
  }
  const start = Number(match[1]) * 60 + Number(match[2]);
  const end = Number(match[3]) * 60 + Number(match[4]);
  if (start > end) {
    throw new DialplanSyntaxError(`GotoIfTime times "${condition.times}" wrap past midnight; split them into two conditions.`);
  }
  for (const [field, value] of [
    ["weekdays", condition.weekdays],
    ["days of month", condition.monthDays],
    ["months", condition.months],
  ] as const) {
    if (!TIME_FIELD.test(value)) {
      throw new DialplanSyntaxError(`GotoIfTime ${field} "${value}" are invalid: expected '*' or a range such as mon-fri.`);
    }
  }
  if (!TIMEZONE.test(condition.timezone)) {
    throw new DialplanSyntaxError(`GotoIfTime time zone "${condition.timezone}" is invalid: expected an IANA zone such as America/Mazatlan.`);
  }
  return [condition.times, condition.weekdays, condition.monthDays, condition.months, condition.timezone];
}

function soundFiles(files: readonly string[]): string {
  if (files.length === 0) {
    throw new DialplanSyntaxError("a sound file list is empty.");
  }
  for (const file of files) {
    if (!SOUND_FILE.test(file)) {
      throw new DialplanSyntaxError(`sound file "${file}" is invalid: use letters, digits, '/', '.', '_' and '-', without an extension.`);
    }
  }
  return files.join("&");
}

function valueText(value: string | Expression, what: string): string {
  return value instanceof Expression ? value.text : plainArgument(value, what);
}

function mailboxNumber(mailbox: string): string {
  if (!MAILBOX.test(mailbox)) {
    throw new DialplanSyntaxError(`voicemail box "${mailbox}" is invalid: expected digits.`);
  }
  return mailbox;
}

function priorityNumber(priority: number): string {
  if (!Number.isInteger(priority) || priority < 1) {
    throw new DialplanSyntaxError(`priority ${priority} is invalid: expected an integer from 1.`);
  }
  return String(priority);
}
