// The dialplan model: argument checks, rendering of applications and structural validation.

import { describe, expect, it } from "vitest";

import {
  DialplanSyntaxError,
  DialplanValidationError,
  Expression,
  matchesExtension,
  plainArgument,
  renderApplication,
  renderDialplan,
  steps,
  validateDialplan,
  type Context,
  type Dialplan,
} from "../../../components/asterisk/dialplan";
import { renderConfigFile } from "../../../components/asterisk/writer";

function menu(extraExtensions: Context["extensions"] = []): Context {
  return {
    name: "ivr-test",
    requiredExtensions: ["i", "t"],
    extensions: [
      {
        name: "s",
        priorities: [
          { application: { app: "Answer" } },
          { label: "menu", application: { app: "Background", files: ["welcome"] } },
          { application: { app: "WaitExten", seconds: 5 } },
        ],
      },
      { name: "i", priorities: steps({ app: "Goto", target: { extension: "s", priority: "menu" } }) },
      { name: "t", priorities: steps({ app: "Goto", target: { extension: "s", priority: "menu" } }) },
      ...extraExtensions,
    ],
  };
}

function problemsOf(dialplan: Dialplan): readonly string[] {
  try {
    validateDialplan(dialplan);
    return [];
  } catch (error) {
    if (error instanceof DialplanValidationError) {
      return error.problems;
    }
    throw error;
  }
}

describe("plainArgument", () => {
  it.each(["Soporte 2", "Facturación", "Inventario-3", "/usr/share/asterisk/sounds/inova/ivr-dia", ""])("accepts %j", (value) => {
    expect(plainArgument(value, "name")).toBe(value);
  });

  it.each([",", "|", ";", "$", "[", "]", "{", "}", "(", ")", "?", ":", '"', "\\", "&", "^", "="])("rejects %j", (character) => {
    expect(() => plainArgument(`Soporte${character}Ventas`, "name of ring group 601")).toThrow(
      new RegExp(`name of ring group 601 .* contains '\\${character}'`),
    );
  });

  it("rejects a line break", () => {
    expect(() => plainArgument("a\nexten => 1,1,Dial(x)", "name")).toThrow(/line break/);
  });
});

describe("renderApplication", () => {
  it("renders typed applications", () => {
    expect(renderApplication({ app: "Dial", channels: ["PJSIP/100", "IAX2/103"], timeoutSeconds: 15, options: "tT" })).toBe(
      "Dial(PJSIP/100&IAX2/103,15,tT)",
    );
    expect(renderApplication({ app: "Goto", target: { context: "local-x", extension: "100", priority: 1 } })).toBe("Goto(local-x,100,1)");
    expect(
      renderApplication({
        app: "GotoIf",
        condition: Expression.equals("DIALSTATUS", "BUSY"),
        ifTrue: { priority: "busy" },
        ifFalse: { extension: "s", priority: 1 },
      }),
    ).toBe('GotoIf($["${DIALSTATUS}" = "BUSY"]?busy:s,1)');
    expect(
      renderApplication({
        app: "GotoIfTime",
        condition: { times: "06:00-11:59", weekdays: "*", monthDays: "*", months: "*", timezone: "America/Mazatlan" },
        ifTrue: { priority: "greeting-1" },
      }),
    ).toBe("GotoIfTime(06:00-11:59,*,*,*,America/Mazatlan?greeting-1)");
    expect(renderApplication({ app: "Set", variable: "TRIES", value: Expression.plus("TRIES", 1) })).toBe("Set(TRIES=$[${TRIES} + 1])");
    expect(renderApplication({ app: "VoiceMail", mailbox: "100", context: "mochis", greeting: "busy" })).toBe("VoiceMail(100@mochis,b)");
    expect(renderApplication({ app: "VoiceMailMain", context: "mochis" })).toBe("VoiceMailMain(@mochis)");
    expect(renderApplication({ app: "Playback", files: ["a", "b"], noAnswer: true })).toBe("Playback(a&b,noanswer)");
    expect(renderApplication({ app: "Hangup", cause: 1 })).toBe("Hangup(1)");
    expect(renderApplication({ app: "Pickup" })).toBe("Pickup()");
  });

  it("rejects user data with argument separators", () => {
    expect(() => renderApplication({ app: "NoOp", text: "Soporte, Ventas" })).toThrow(DialplanSyntaxError);
    expect(() => renderApplication({ app: "Set", variable: "X", value: "a|b" })).toThrow(/contains '\|'/);
    expect(() => renderApplication({ app: "Set", variable: "X", value: "a;b" })).toThrow(/contains ';'/);
    expect(() => renderApplication({ app: "Background", files: ["ivr,dia"] })).toThrow(/sound file/);
    expect(() => renderApplication({ app: "Dial", channels: ["PJSIP/100,20"], timeoutSeconds: 5 })).toThrow(/Dial channel/);
    expect(() => renderApplication({ app: "Dial", channels: ["PJSIP/100"], timeoutSeconds: 5, options: "t,T" })).toThrow(/Dial options/);
    expect(() => renderApplication({ app: "VoiceMail", mailbox: "100,x", context: "mochis", greeting: "busy" })).toThrow(/voicemail box/);
    expect(() => renderApplication({ app: "Set", variable: "X=Y", value: "1" })).toThrow(/channel variable/);
    expect(() => Expression.equals("DIALSTATUS", 'BUSY"]?evil')).toThrow(DialplanSyntaxError);
  });

  it("rejects invalid time conditions", () => {
    const condition = { times: "19:00-05:59", weekdays: "*", monthDays: "*", months: "*", timezone: "America/Mazatlan" };
    expect(() => renderApplication({ app: "GotoIfTime", condition, ifTrue: { priority: 1 } })).toThrow(/wrap past midnight/);
    expect(() =>
      renderApplication({ app: "GotoIfTime", condition: { ...condition, times: "06:00-11:59", timezone: "Mazatlan?x" }, ifTrue: { priority: 1 } }),
    ).toThrow(/time zone/);
    expect(() => renderApplication({ app: "GotoIfTime", condition: { ...condition, times: "6-11" }, ifTrue: { priority: 1 } })).toThrow(
      /HH:MM-HH:MM/,
    );
  });

  it("renders a pre-dial handler as Dial option b", () => {
    const handler = { context: "count-calls-x", extension: "s", priority: 1 };
    expect(renderApplication({ app: "Dial", channels: ["PJSIP/100"], timeoutSeconds: 20, options: "tT", preDialHandler: handler })).toBe(
      "Dial(PJSIP/100,20,tTb(count-calls-x^s^1))",
    );
    expect(renderApplication({ app: "Dial", channels: ["PJSIP/100"], timeoutSeconds: 20, preDialHandler: handler })).toBe(
      "Dial(PJSIP/100,20,b(count-calls-x^s^1))",
    );
    expect(() =>
      renderApplication({ app: "Dial", channels: ["PJSIP/100"], timeoutSeconds: 20, preDialHandler: { extension: "s", priority: 1 } }),
    ).toThrow(/pre-dial handler needs a context/);
    expect(renderApplication({ app: "Return" })).toBe("Return()");
  });

  it("renders a jump to an extension evaluated at run time", () => {
    expect(renderApplication({ app: "Goto", target: { context: "from-internal-x", extension: Expression.variable("EXTEN"), priority: 1 } })).toBe(
      "Goto(from-internal-x,${EXTEN},1)",
    );
    expect(() => renderApplication({ app: "Goto", target: { extension: Expression.variable("EXTEN"), priority: 1 } })).toThrow(
      /name the context/,
    );
  });

  it("builds call counting expressions", () => {
    expect(Expression.groupCount("100", "extension-calls").text).toBe("${GROUP_COUNT(100@extension-calls)}");
    expect(Expression.groupCount(Expression.variable("CALLERID(num)"), "extension-calls").text).toBe(
      "${GROUP_COUNT(${CALLERID(num)}@extension-calls)}",
    );
    expect(Expression.cut("CHANNEL(name)", "-", 1).text).toBe("${CUT(CHANNEL(name),-,1)}");
    expect(Expression.compare(Expression.groupCount("100", "c"), ">=", 2).text).toBe("$[${GROUP_COUNT(100@c)} >= 2]");
    expect(Expression.compare(Expression.variable("A"), ">", Expression.variable("B")).text).toBe("$[${A} > ${B}]");
    expect(() => Expression.groupCount("100,x", "c")).toThrow(/group "100,x" is invalid/);
    expect(() => Expression.groupCount("100", "a@b")).toThrow(/group category/);
    expect(() => Expression.cut("X", ",", 1)).toThrow(/CUT delimiter/);
    expect(() => Expression.cut("X", "-", 0)).toThrow(/CUT field/);
  });

  it("rejects a pattern as a jump target", () => {
    expect(() => renderApplication({ app: "Goto", target: { context: "c", extension: "_X.", priority: 1 } })).toThrow(/not a pattern/);
  });
});

describe("validateDialplan", () => {
  it("accepts a complete menu", () => {
    expect(problemsOf({ contexts: [menu()] })).toEqual([]);
  });

  it("requires i and t in a menu", () => {
    const context = menu();
    const withoutT = { ...context, extensions: context.extensions.filter((extension) => extension.name !== "t") };
    expect(problemsOf({ contexts: [withoutT] })).toEqual(['context "ivr-test" has no "t" extension, which it requires.']);
  });

  it("requires WaitExten to be last", () => {
    const problems = problemsOf({
      contexts: [
        menu([
          {
            name: "9",
            priorities: steps({ app: "WaitExten", seconds: 5 }, { app: "Hangup" }),
          },
        ]),
      ],
    });
    expect(problems).toEqual(["extension 9@ivr-test has WaitExten at priority 1, but WaitExten must be the last priority."]);
  });

  it("reports jumps to missing contexts, extensions and labels", () => {
    const problems = problemsOf({
      contexts: [
        menu([
          { name: "1", priorities: steps({ app: "Goto", target: { context: "nowhere", extension: "s", priority: 1 } }) },
          { name: "2", priorities: steps({ app: "Goto", target: { extension: "404", priority: 1 } }) },
          { name: "3", priorities: steps({ app: "Goto", target: { extension: "s", priority: "nolabel" } }) },
          { name: "4", priorities: steps({ app: "Goto", target: { extension: "s", priority: 9 } }) },
          {
            name: "5",
            priorities: steps({ app: "GotoIf", condition: Expression.atLeast("X", 1), ifFalse: { extension: "t", priority: "x" } }),
          },
        ]),
      ],
    });
    expect(problems).toEqual([
      'Goto in 1@ivr-test jumps to nowhere,s,1: context "nowhere" does not exist.',
      'Goto in 2@ivr-test jumps to 404,1: no extension of context "ivr-test" or its includes matches "404".',
      'Goto in 3@ivr-test jumps to s,nolabel: extension s has no priority labelled "nolabel".',
      "Goto in 4@ivr-test jumps to s,9: extension s has only 3 priorities.",
      'GotoIf in 5@ivr-test jumps to t,x: extension t has no priority labelled "x".',
    ]);
  });

  it("resolves jumps through patterns and includes", () => {
    const dialplan: Dialplan = {
      contexts: [
        { name: "entry", includes: ["remote"], extensions: [{ name: "1", priorities: steps({ app: "Goto", target: { extension: "82300", priority: 1 } }) }] },
        { name: "remote", extensions: [{ name: "_82X.", priorities: steps({ app: "Hangup" }) }] },
      ],
    };
    expect(problemsOf(dialplan)).toEqual([]);
  });

  it("checks only the context of a dynamic jump", () => {
    const jump = (context: string): Context => ({
      name: "entry",
      extensions: [{ name: "_X.", priorities: steps({ app: "Goto", target: { context, extension: Expression.variable("EXTEN"), priority: 1 } }) }],
    });
    expect(problemsOf({ contexts: [jump("routes"), { name: "routes", extensions: [{ name: "100", priorities: steps({ app: "Hangup" }) }] }] })).toEqual(
      [],
    );
    expect(problemsOf({ contexts: [jump("nowhere")] })).toEqual(['Goto in _X.@entry jumps to nowhere,${EXTEN},1: context "nowhere" does not exist.']);
  });

  it("checks the pre-dial handler of a Dial", () => {
    const dial = (priority: string): Dialplan => ({
      contexts: [
        {
          name: "c",
          extensions: [
            {
              name: "100",
              priorities: steps({ app: "Dial", channels: ["PJSIP/100"], timeoutSeconds: 5, preDialHandler: { context: "c", extension: "s", priority } }),
            },
            { name: "s", priorities: [{ label: "count", application: { app: "Return" } }] },
          ],
        },
      ],
    });
    expect(problemsOf(dial("count"))).toEqual([]);
    expect(problemsOf(dial("missing"))).toEqual(['Dial in 100@c jumps to c,s,missing: extension s has no priority labelled "missing".']);
  });

  it("reports ambiguous patterns as jump targets", () => {
    const dialplan: Dialplan = {
      contexts: [
        {
          name: "c",
          extensions: [
            { name: "_8X.", priorities: steps({ app: "Hangup" }) },
            { name: "_82X.", priorities: steps({ app: "Hangup" }) },
            { name: "1", priorities: steps({ app: "Goto", target: { extension: "82300", priority: 1 } }) },
          ],
        },
      ],
    };
    expect(problemsOf(dialplan)[0]).toMatch(/2 patterns of context "c" match "82300"/);
  });

  it("reports duplicates, bad names and missing includes together", () => {
    const problems = problemsOf({
      contexts: [
        { name: "a", includes: ["missing"], extensions: [{ name: "1", priorities: [] }] },
        { name: "a", extensions: [] },
        { name: "bad name", extensions: [] },
        {
          name: "b",
          extensions: [
            { name: "1", priorities: steps({ app: "Hangup" }) },
            { name: "1", priorities: steps({ app: "Hangup" }) },
            {
              name: "2",
              priorities: [
                { label: "x", application: { app: "Hangup" } },
                { label: "x", application: { app: "Hangup" } },
              ],
            },
          ],
        },
      ],
    });
    expect(problems).toEqual([
      'context "a" is defined twice.',
      'context name "bad name" is invalid: use letters, digits, \'_\' and \'-\'.',
      'context "a" includes "missing", which does not exist.',
      "extension 1@a has no priorities.",
      "extension 1@b is defined twice.",
      'extension 2@b uses label "x" twice.',
    ]);
  });

  it("renderDialplan refuses an invalid dialplan", () => {
    const context = menu();
    expect(() => renderDialplan({ contexts: [{ ...context, extensions: context.extensions.slice(0, 1) }] })).toThrow(DialplanValidationError);
  });

  it("renderDialplan writes exten and same lines", () => {
    const text = renderConfigFile({
      origin: { siteCode: "mochis", siteName: "Los Mochis", renderer: "extensions" },
      description: "d",
      blocks: renderDialplan({ contexts: [menu()] }),
    });
    expect(text).toContain(
      ["[ivr-test]", "exten => s,1,Answer()", "same => n(menu),Background(welcome)", "same => n,WaitExten(5)"].join("\n"),
    );
  });
});

describe("matchesExtension", () => {
  it.each([
    ["_82X.", "82300", true],
    ["_82X.", "8230", true],
    ["_82X.", "823", false],
    ["_82X.", "82", false],
    ["_82X.", "81300", false],
    ["_[0-9*#+]", "5", true],
    ["_[0-9*#+]", "55", false],
    ["_[0-9*#+].", "*97", true],
    ["_NXX", "200", true],
    ["_NXX", "100", false],
    ["_ZX!", "12", true],
    ["_ZX!", "1", false],
    ["_ZX!", "02", false],
    ["100", "100", true],
    ["100", "1000", false],
  ])("%s matches %s: %s", (pattern, dialed, expected) => {
    expect(matchesExtension(pattern, dialed)).toBe(expected);
  });
});
