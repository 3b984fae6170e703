import { describe, expect, it } from "vitest";
import { check, validRaw } from "./fixtures";

describe("ring-group members", () => {
  it("rejects a member that does not exist", () => {
    const raw = validRaw();
    raw.ringGroups![0].members = ["100", "101", "109"];
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[0].members[2]",
        code: "E_UNKNOWN_MEMBER",
        message: 'member "109" is not an extension of this site; use a number from inova-pbx:extensions or add the extension.',
      },
    ]);
  });

  it("rejects a member that is a ring group", () => {
    const raw = validRaw();
    raw.ringGroups!.push({ number: "602", name: "Todos", strategy: "ringall", members: ["102", "601"] });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[1].members[1]",
        code: "E_MEMBER_NOT_EXTENSION",
        message: 'member "601" is the ring group "Soporte", not an extension; list extensions only.',
      },
    ]);
  });

  it("rejects a member that is an IVR", () => {
    const raw = validRaw();
    raw.ringGroups![0].members = ["100", "199"];
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[0].members[1]",
        code: "E_MEMBER_NOT_EXTENSION",
        message: 'member "199" is the IVR "IVR", not an extension; list extensions only.',
      },
    ]);
  });

  it("rejects a member listed twice", () => {
    const raw = validRaw();
    raw.ringGroups![0].members = ["100", "101", "100"];
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[0].members[2]",
        code: "E_DUPLICATE_MEMBER",
        message: 'member "100" is listed more than once; list each extension once.',
      },
    ]);
  });

  it("rejects a group without members", () => {
    const raw = validRaw();
    raw.ringGroups![0].members = [];
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ringGroups[0].members",
        code: "E_EMPTY_RING_GROUP",
        message: 'ring group "601" has no members; list at least one extension, e.g. members: ["100"].',
      },
    ]);
  });
});

describe("IVR option targets", () => {
  it("rejects an extension that does not exist", () => {
    const raw = validRaw();
    raw.ivrs![0].options[1].extension = "109";
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[1].extension",
        code: "E_UNKNOWN_TARGET",
        message: 'extension "109" does not exist; use a number from inova-pbx:extensions.',
      },
    ]);
  });

  it("rejects a ring group that does not exist", () => {
    const raw = validRaw();
    raw.ivrs![0].options[0].ringGroup = "603";
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[0].ringGroup",
        code: "E_UNKNOWN_TARGET",
        message: 'ringGroup "603" does not exist; use a number from inova-pbx:ringGroups.',
      },
    ]);
  });

  it("rejects an IVR that does not exist", () => {
    const raw = validRaw();
    raw.ivrs![0].options.push({ digit: "3", label: "Menú", ivr: "198" });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[2].ivr",
        code: "E_UNKNOWN_TARGET",
        message: 'ivr "198" does not exist; use a number from inova-pbx:ivrs.',
      },
    ]);
  });

  it("names the right key for a target of another kind", () => {
    const raw = validRaw();
    raw.ivrs![0].options = [
      { digit: "1", label: "Soporte", extension: "601" },
      { digit: "2", label: "Facturación", ringGroup: "102" },
    ];
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[0].extension",
        code: "E_WRONG_TARGET_KIND",
        message: 'extension "601" is the ring group "Soporte", not an extension; write ringGroup: "601" instead.',
      },
      {
        path: "inova-pbx:ivrs[0].options[1].ringGroup",
        code: "E_WRONG_TARGET_KIND",
        message: 'ringGroup "102" is the extension "Facturación", not a ring group; write extension: "102" instead.',
      },
    ]);
  });

  it("accepts another site with an IVR", () => {
    const raw = validRaw();
    raw.ivrs![0].options.push({ digit: "5", label: "Beta", site: "beta" });
    expect(check(raw)).toEqual([]);
  });

  it("rejects a site without a stack file", () => {
    const raw = validRaw();
    raw.ivrs![0].options.push({ digit: "5", label: "Beta", site: "betta" });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[2].site",
        code: "E_UNKNOWN_SITE",
        message:
          'site "betta" has no stack file Pulumi.betta.yaml in the project. Did you mean "beta"? ' +
          "Use the stack name of another site (beta, gamma).",
      },
    ]);
  });

  it("rejects a site without an IVR", () => {
    const raw = validRaw();
    raw.ivrs![0].options.push({ digit: "6", label: "Gamma", site: "gamma" });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[2].site",
        code: "E_SITE_WITHOUT_IVR",
        message: 'site "gamma" has no IVR in Pulumi.gamma.yaml; add one to inova-pbx:ivrs there, or send this option elsewhere.',
      },
    ]);
  });

  it("rejects this site as a remote target", () => {
    const raw = validRaw();
    raw.ivrs![0].options.push({ digit: "7", label: "Alpha", site: "alpha" });
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[2].site",
        code: "E_SELF_SITE",
        message: 'site "alpha" is this site; to offer one of its own IVRs write ivr: "199" instead.',
      },
    ]);
  });

  it("rejects an operator that is not an extension", () => {
    const raw = validRaw();
    raw.ivrs![0].operator = "601";
    const unknown = validRaw();
    unknown.ivrs![0].operator = "150";
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].operator",
        code: "E_WRONG_TARGET_KIND",
        message: 'operator "601" is the ring group "Soporte", not an extension; set an extension instead.',
      },
    ]);
    expect(check(unknown)).toEqual([
      {
        path: "inova-pbx:ivrs[0].operator",
        code: "E_UNKNOWN_TARGET",
        message: 'operator "150" does not exist; use a number from inova-pbx:extensions.',
      },
    ]);
  });
});

describe("IVR menu", () => {
  it.each(["10", "*", "a", ""])("rejects digit %j", (digit) => {
    const raw = validRaw();
    raw.ivrs![0].options[0].digit = digit;
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[0].digit",
        code: "E_IVR_DIGIT",
        message: `digit "${digit}" is invalid; an option is chosen with a single digit from 0 to 9.`,
      },
    ]);
  });

  it("rejects a digit used twice", () => {
    const raw = validRaw();
    raw.ivrs![0].options[1].digit = "1";
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options[1].digit",
        code: "E_DUPLICATE_DIGIT",
        message: 'digit "1" is already used by option "Soporte" at inova-pbx:ivrs[0].options[0]; give each option its own digit.',
      },
    ]);
  });

  it("rejects an IVR without options", () => {
    const raw = validRaw();
    raw.ivrs![0].options = [];
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:ivrs[0].options",
        code: "E_NO_OPTIONS",
        message: 'IVR "199" has no options; add at least one, e.g. { digit: "1", label: Soporte, ringGroup: "601" }.',
      },
    ]);
  });
});
