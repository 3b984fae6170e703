import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseTarget } from "../../../components/model/target";

const FINGERPRINT = `SHA256:${"a".repeat(43)}`;
let projectDir: string;
let keyFile: string;

beforeAll(() => {
  projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "target-test-"));
  keyFile = path.join(projectDir, "deploy_key");
  fs.writeFileSync(keyFile, "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
  fs.writeFileSync(path.join(projectDir, "deploy_key.pub"), "ssh-ed25519 AAAA test\n");
});

afterAll(() => {
  fs.rmSync(projectDir, { recursive: true, force: true });
});

function sshTarget(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: "docker-ssh", host: "127.0.109.1", user: "deploy", privateKeyFile: "deploy_key", hostKeyFingerprint: FINGERPRINT, ...overrides };
}

function problemsOf(raw: unknown): string[] {
  return parseTarget(raw, projectDir).problems.map((problem) => `${problem.path} ${problem.code}`);
}

describe("parseTarget", () => {
  it("defaults to the local engine", () => {
    expect(parseTarget(undefined, projectDir)).toEqual({ target: { kind: "docker" }, problems: [] });
    expect(parseTarget({ kind: "docker" }, projectDir)).toEqual({ target: { kind: "docker" }, problems: [] });
  });

  it("reads a docker-ssh target", () => {
    const { target, problems } = parseTarget(sshTarget({ port: 2222 }), projectDir);
    expect(problems).toEqual([]);
    expect(target).toEqual({
      kind: "docker-ssh",
      host: "127.0.109.1",
      port: 2222,
      user: "deploy",
      privateKeyFile: keyFile,
      agent: false,
      hostKeyFingerprint: FINGERPRINT,
    });
  });

  it("fills host-ssh defaults", () => {
    const { target, problems } = parseTarget(sshTarget({ kind: "host-ssh" }), projectDir);
    expect(problems).toEqual([]);
    expect(target).toMatchObject({ kind: "host-ssh", port: 22, asteriskConfigDir: "/etc/asterisk", fileOwner: "asterisk:asterisk" });
  });

  it("rejects an unknown kind", () => {
    expect(problemsOf({ kind: "kubernetes" })).toEqual(["inova-pbx:target.kind E_INVALID_VALUE"]);
    expect(problemsOf({ host: "127.0.109.1" })).toEqual(["inova-pbx:target.kind E_REQUIRED"]);
    expect(problemsOf("ssh://127.0.109.1")).toEqual(["inova-pbx:target E_TYPE"]);
  });

  it("lists every missing login setting", () => {
    expect(problemsOf({ kind: "docker-ssh" })).toEqual([
      "inova-pbx:target.host E_REQUIRED",
      "inova-pbx:target.user E_REQUIRED",
      "inova-pbx:target.hostKeyFingerprint E_REQUIRED",
      "inova-pbx:target E_INVALID_VALUE",
    ]);
  });

  it("rejects invalid values", () => {
    expect(problemsOf(sshTarget({ host: "bad host" }))).toEqual(["inova-pbx:target.host E_INVALID_VALUE"]);
    expect(problemsOf(sshTarget({ port: 70000 }))).toEqual(["inova-pbx:target.port E_PORT_RANGE"]);
    expect(problemsOf(sshTarget({ user: "Root User" }))).toEqual(["inova-pbx:target.user E_INVALID_VALUE"]);
    expect(problemsOf(sshTarget({ hostKeyFingerprint: "ab:cd" }))).toEqual(["inova-pbx:target.hostKeyFingerprint E_INVALID_VALUE"]);
    expect(problemsOf(sshTarget({ kind: "host-ssh", asteriskConfigDir: "etc/asterisk" }))).toEqual([
      "inova-pbx:target.asteriskConfigDir E_INVALID_VALUE",
    ]);
    expect(problemsOf(sshTarget({ kind: "host-ssh", fileOwner: "asterisk:" }))).toEqual(["inova-pbx:target.fileOwner E_INVALID_VALUE"]);
  });

  it("rejects keys of another kind", () => {
    expect(problemsOf(sshTarget({ asteriskConfigDir: "/etc/asterisk" }))).toEqual(["inova-pbx:target.asteriskConfigDir E_UNKNOWN_KEY"]);
  });

  it("requires exactly one way to log in", () => {
    expect(problemsOf(sshTarget({ privateKeyFile: undefined }))).toEqual(["inova-pbx:target E_INVALID_VALUE"]);
    const both = parseTarget(sshTarget({ agent: true }), projectDir).problems;
    expect(both.map((problem) => problem.message).join("\n")).toContain("sets both privateKeyFile and agent: true");
  });

  it("rejects a key pasted in place of a path", () => {
    const pasted = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0\n-----END OPENSSH PRIVATE KEY-----";
    const problems = parseTarget(sshTarget({ privateKeyFile: pasted }), projectDir).problems;
    expect(problems.map((problem) => problem.code)).toEqual(["E_INVALID_VALUE"]);
    expect(problems[0].message).toContain("contains a key, not a file path");
    expect(problems[0].message).not.toContain("c2VjcmV0");
  });

  it("rejects a missing or public key file", () => {
    const missing = parseTarget(sshTarget({ privateKeyFile: "absent_key" }), projectDir).problems;
    expect(missing[0].message).toContain("cannot be read (ENOENT)");
    const publicKey = parseTarget(sshTarget({ privateKeyFile: "deploy_key.pub" }), projectDir).problems;
    expect(publicKey[0].message).toContain("is not a private key file");
  });
});
