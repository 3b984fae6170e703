// The dialplan as data: contexts, extensions, priorities and typed applications.
// `validateDialplan` checks it and `renderDialplan` writes extensions.conf from it.

import type { Expression } from "./arguments";

/**
 * Destination of Goto-like applications: `[[context,]extension,]priority`.
 * A missing context or extension means the current one.
 */
export interface GotoTarget {
  readonly context?: string;
  /**
   * A concrete extension, or an expression such as `${EXTEN}` that Asterisk evaluates when the
   * call jumps. Validation can then check only the context, so an expression needs a context.
   */
  readonly extension?: string | Expression;
  /** Priority number, or the label of a priority. */
  readonly priority: number | string;
}

/** A time condition of GotoIfTime, evaluated in `timezone`. */
export interface TimeCondition {
  /** `HH:MM-HH:MM`, both ends inclusive to the minute, start not after end. */
  readonly times: string;
  /** `*` or a day-of-week range such as `mon-fri`. */
  readonly weekdays: string;
  /** `*` or a day-of-month range such as `1-15`. */
  readonly monthDays: string;
  /** `*` or a month range such as `jan-mar`. */
  readonly months: string;
  /** IANA zone; without one Asterisk evaluates the condition in the system zone (UTC in containers). */
  readonly timezone: string;
}

/** Dialplan applications that the generated dialplan uses, with typed arguments. */
export type Application =
  | { readonly app: "Answer" }
  | { readonly app: "Background"; readonly files: readonly string[] }
  | {
      readonly app: "Dial";
      /** Channel strings such as `PJSIP/100`, which ring at once, or an expression giving such a list joined by `&`. */
      readonly channels: readonly string[] | Expression;
      readonly timeoutSeconds: number;
      /** Dial options such as `tT` (either party may transfer). */
      readonly options?: string;
      /** Subroutine run on each dialed channel before it is called (Dial option `b`); it must end with Return. */
      readonly preDialHandler?: GotoTarget;
    }
  | { readonly app: "Goto"; readonly target: GotoTarget }
  | {
      readonly app: "GotoIf";
      readonly condition: Expression;
      readonly ifTrue?: GotoTarget;
      readonly ifFalse?: GotoTarget;
    }
  | { readonly app: "GotoIfTime"; readonly condition: TimeCondition; readonly ifTrue: GotoTarget }
  /** Hangs up with a Q.850 cause code, e.g. 1 (unallocated number) or 16 (normal clearing). */
  | { readonly app: "Hangup"; readonly cause?: number }
  | { readonly app: "NoOp"; readonly text: string }
  /**
   * Places a second call from the dialplan (app_originate) without waiting for it (option `a`):
   * `channel` is dialed, and once it answers it runs `target`.
   */
  | { readonly app: "Originate"; readonly channel: Expression; readonly target: GotoTarget; readonly timeoutSeconds: number }
  /** Picks up a ringing call in the caller's pickup groups. */
  | { readonly app: "Pickup" }
  | { readonly app: "Playback"; readonly files: readonly string[]; readonly noAnswer?: boolean }
  /** Sends early media (SIP 183), so a message can play without answering. */
  | { readonly app: "Progress" }
  /** Ends a subroutine such as a pre-dial handler. */
  | { readonly app: "Return" }
  /** Speaks each digit of the value in the channel's language. */
  | { readonly app: "SayDigits"; readonly digits: Expression }
  | { readonly app: "Set"; readonly variable: string; readonly value: string | Expression }
  | {
      readonly app: "VoiceMail";
      readonly mailbox: string;
      readonly context: string;
      readonly greeting: "unavailable" | "busy";
    }
  /** Voicemail menu; without a mailbox the caller enters the box number. */
  | { readonly app: "VoiceMailMain"; readonly mailbox?: string | Expression; readonly context: string }
  | { readonly app: "Wait"; readonly seconds: number }
  /** Waits for a digit; on timeout Asterisk jumps to `t` only when this is the extension's last priority. */
  | { readonly app: "WaitExten"; readonly seconds: number };

export type ApplicationName = Application["app"];

export interface Priority {
  /** Name that Goto targets can use instead of the priority number. */
  readonly label?: string;
  readonly application: Application;
}

export interface DialplanExtension {
  /** Exact extension (`100`, `s`, `i`, `t`) or a pattern starting with `_` (`_82X.`). */
  readonly name: string;
  /** Device whose state the extension's hint reports, e.g. `PJSIP/100`. */
  readonly hint?: string;
  readonly comment?: string;
  readonly priorities: readonly Priority[];
}

export interface Context {
  readonly name: string;
  /** Comment lines written above the context. */
  readonly comments?: readonly string[];
  /** Contexts searched, in order, when no extension of this context matches. */
  readonly includes?: readonly string[];
  /** Extensions that must exist, e.g. `i` and `t` in an IVR menu. */
  readonly requiredExtensions?: readonly string[];
  readonly extensions: readonly DialplanExtension[];
}

export interface Dialplan {
  readonly contexts: readonly Context[];
}
