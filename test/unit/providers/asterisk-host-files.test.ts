import { describe, expect, it } from "vitest";

import * as fileSet from "../../../components/providers/file-set";
import {
  asteriskHostFilesProvider,
  hostDigestScope,
  hostSecretDigest,
  isRestartFile,
  reloadCommands,
  type AsteriskHostFilesInputs,
  type FileApplyMode,
} from "../../../components/providers/ssh/asterisk-files-provider";
import { hostKeyFingerprint, shellQuote } from "../../../components/providers/ssh/connection";

const LOGIN = { host: "127.0.109.1", port: 2222, user: "root", agent: false, hostKeyFingerprint: `SHA256:${"a".repeat(43)}` };
const SCOPE = hostDigestScope(LOGIN, "/etc/asterisk");

function inputs(files: Record<string, string>, secretFiles: Record<string, string> = {}): AsteriskHostFilesInputs {
  return {
    login: LOGIN,
    directory: "/etc/asterisk",
    files,
    secretFiles,
    applyModes: {},
    owner: "asterisk:asterisk",
    mode: "0644",
    secretMode: "0640",
    forceRestart: false,
    maxRestartWaitSeconds: 600,
    commandTimeoutSeconds: 60,
    restartTimeoutSeconds: 120,
  };
}

const MODES: Record<string, FileApplyMode> = {
  "asterisk.conf": { kind: "restart" },
  "pjsip.conf": { kind: "reload", command: "module reload res_pjsip.so" },
  "pjsip_auth.conf": { kind: "reload", command: "module reload res_pjsip.so" },
  "extensions.conf": { kind: "reload", command: "dialplan reload" },
};

describe("apply plan", () => {
  const plan = (current: Record<string, string>, desired: Record<string, string>) => {
    const currentSnapshot = fileSet.desiredSnapshot(inputs(current), "0:0", SCOPE);
    return fileSet.plan(inputs(desired), "0:0", currentSnapshot, SCOPE, (name) => isRestartFile(MODES, name));
  };

  it("reloads each module once", () => {
    expect(reloadCommands(["pjsip_auth.conf", "pjsip.conf", "extensions.conf"], MODES)).toEqual([
      "dialplan reload",
      "module reload res_pjsip.so",
    ]);
  });

  it("restarts for a start-only file already read", () => {
    const result = plan({ "asterisk.conf": "old", "pjsip.conf": "old" }, { "asterisk.conf": "new", "pjsip.conf": "new" });
    expect(result.restart).toBe(true);
    expect(result.writes.map((write) => write.relativePath)).toEqual(["asterisk.conf", "pjsip.conf"]);
  });

  it("reloads when the start-only file is new", () => {
    const result = plan({ "pjsip.conf": "old" }, { "asterisk.conf": "new", "pjsip.conf": "new" });
    expect(result.restart).toBe(false);
    expect(reloadCommands(["asterisk.conf", "pjsip.conf"], MODES)).toEqual(["module reload res_pjsip.so"]);
  });

  it("restarts when a start-only file is removed", () => {
    const result = plan({ "asterisk.conf": "old", "pjsip.conf": "old" }, { "pjsip.conf": "old" });
    expect(result.restart).toBe(true);
    expect(result.writes).toEqual([]);
    expect(result.removed).toEqual(["asterisk.conf"]);
  });

  it("writes secret files with the secret mode", () => {
    const current = fileSet.desiredSnapshot(inputs({}), "0:0", SCOPE);
    const result = fileSet.plan(inputs({}, { "pjsip_auth.conf": "password=1234" }), "0:0", current, SCOPE, () => false);
    expect(result.writes).toEqual([{ relativePath: "pjsip_auth.conf", content: "password=1234", mode: "0640" }]);
  });
});

describe("host file snapshots", () => {
  it("lists changed, new and removed files", () => {
    const current = fileSet.desiredSnapshot(inputs({ "a.conf": "one", "b.conf": "two", "old.conf": "x" }), "0:0", SCOPE);
    const desired = fileSet.desiredSnapshot(inputs({ "a.conf": "one", "b.conf": "TWO", "c.conf": "three" }), "0:0", SCOPE);
    expect(fileSet.compareSnapshots(current, desired)).toEqual({ changed: ["b.conf", "c.conf"], removed: ["old.conf"] });
  });

  it("counts an owner change as a change", () => {
    const current = fileSet.desiredSnapshot(inputs({ "a.conf": "one" }), "0:0", SCOPE);
    const desired = fileSet.desiredSnapshot(inputs({ "a.conf": "one" }), "100:101", SCOPE);
    expect(fileSet.compareSnapshots(current, desired).changed).toEqual(["a.conf"]);
  });

  it("keeps secret content out of the digests", () => {
    const snapshot = fileSet.desiredSnapshot(inputs({}, { "pjsip_auth.conf": "password=1234" }), "0:0", SCOPE);
    expect(snapshot.fileHashes).toEqual({});
    expect(snapshot.secretFileHashes["pjsip_auth.conf"]).toBe(hostSecretDigest(LOGIN, "/etc/asterisk", "pjsip_auth.conf", "password=1234"));
    expect(snapshot.fileAttributes["pjsip_auth.conf"]).toBe("0640 0:0");
  });

  it("keys secret digests by host and directory", () => {
    const other = { ...LOGIN, host: "127.0.109.2" };
    expect(hostSecretDigest(LOGIN, "/etc/asterisk", "a.conf", "x")).not.toBe(hostSecretDigest(other, "/etc/asterisk", "a.conf", "x"));
    expect(hostSecretDigest(LOGIN, "/etc/asterisk", "a.conf", "x")).not.toBe(hostSecretDigest(LOGIN, "/opt/asterisk", "a.conf", "x"));
  });
});

describe("AsteriskHostFiles check", () => {
  const check = (news: Record<string, unknown>) =>
    asteriskHostFilesProvider.check!({} as AsteriskHostFilesInputs, news as unknown as AsteriskHostFilesInputs);
  const base = { login: LOGIN, directory: "/etc/asterisk", applyModes: {}, owner: "asterisk" };

  it("applies the defaults", async () => {
    const { inputs, failures } = await check({ ...base, files: { "a.conf": "x" } });
    expect(failures).toEqual([]);
    expect(inputs?.owner).toBe("asterisk");
    expect(inputs?.secretFiles).toEqual({});
    expect(inputs?.mode).toBe("0644");
    expect(inputs?.maxRestartWaitSeconds).toBe(600);
    expect(inputs?.restartTimeoutSeconds).toBe(120);
  });

  it("rejects a file name with a directory", async () => {
    const { failures } = await check({ ...base, files: { "sub/a.conf": "x" } });
    expect(failures).toEqual([{ property: "files", reason: 'invalid file name "sub/a.conf": use a plain file name without "/"' }]);
  });

  it("rejects a file listed twice", async () => {
    const { failures } = await check({ ...base, files: { "a.conf": "x" }, secretFiles: { "a.conf": "y" } });
    expect(failures).toEqual([{ property: "secretFiles", reason: "paths listed in both files and secretFiles: a.conf" }]);
  });

  it("rejects a zero restart wait", async () => {
    const { failures } = await check({ ...base, maxRestartWaitSeconds: 0 });
    expect(failures).toEqual([
      { property: "maxRestartWaitSeconds", reason: "maxRestartWaitSeconds must be a positive number of seconds, got 0" },
    ]);
  });
});

describe("ssh helpers", () => {
  it("formats fingerprints as ssh-keygen does", () => {
    // SHA-256 of the empty input, in unpadded base64.
    expect(hostKeyFingerprint(Buffer.alloc(0))).toBe("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
  });

  it("quotes shell arguments", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote("$(id)")).toBe("'$(id)'");
  });
});
