import { describe, expect, it } from "vitest";

import {
  compareHostSnapshots,
  desiredHostSnapshot,
  hostSecretDigest,
  planApply,
  type AsteriskHostFilesInputs,
  type FileApplyMode,
} from "../../../components/providers/ssh/asterisk-files-provider";
import { hostKeyFingerprint, shellQuote } from "../../../components/providers/ssh/connection";

const LOGIN = { host: "127.0.109.1", port: 2222, user: "root", agent: false, hostKeyFingerprint: `SHA256:${"a".repeat(43)}` };

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

describe("planApply", () => {
  it("reloads each module once", () => {
    expect(planApply(["pjsip_auth.conf", "pjsip.conf", "extensions.conf"], MODES, new Set(["pjsip.conf"]))).toEqual({
      restart: false,
      reloadCommands: ["dialplan reload", "module reload res_pjsip.so"],
    });
  });

  it("restarts for a start-only file already read", () => {
    expect(planApply(["asterisk.conf", "pjsip.conf"], MODES, new Set(["asterisk.conf"]))).toEqual({ restart: true, reloadCommands: [] });
  });

  it("reloads when the start-only file is new", () => {
    expect(planApply(["asterisk.conf", "pjsip.conf"], MODES, new Set())).toEqual({
      restart: false,
      reloadCommands: ["module reload res_pjsip.so"],
    });
  });
});

describe("host file snapshots", () => {
  it("lists changed, new and removed files", () => {
    const current = desiredHostSnapshot(inputs({ "a.conf": "one", "b.conf": "two", "old.conf": "x" }), "0:0");
    const desired = desiredHostSnapshot(inputs({ "a.conf": "one", "b.conf": "TWO", "c.conf": "three" }), "0:0");
    expect(compareHostSnapshots(current, desired)).toEqual({ changed: ["b.conf", "c.conf"], removed: ["old.conf"] });
  });

  it("counts an owner change as a change", () => {
    const current = desiredHostSnapshot(inputs({ "a.conf": "one" }), "0:0");
    const desired = desiredHostSnapshot(inputs({ "a.conf": "one" }), "100:101");
    expect(compareHostSnapshots(current, desired).changed).toEqual(["a.conf"]);
  });

  it("keeps secret content out of the digests", () => {
    const snapshot = desiredHostSnapshot(inputs({}, { "pjsip_auth.conf": "password=1234" }), "0:0");
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
