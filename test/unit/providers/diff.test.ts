import { describe, expect, it } from "vitest";

import { unknownPlaceholder } from "../../../components/providers/docker/common";
import {
  containerDigestScope,
  containerFilesProvider,
  secretFileDigest,
  type ContainerFilesProviderInputs,
  type ContainerFilesProviderOutputs,
} from "../../../components/providers/docker/container-files-provider";
import {
  containerConfigHash,
  containerProvider,
  containerReplaceDigest,
  type ContainerProviderInputs,
  type ContainerProviderOutputs,
} from "../../../components/providers/docker/container-provider";
import {
  imageProvider,
  isValidImageName,
  type ImageProviderOutputs,
} from "../../../components/providers/docker/image-provider";
import { volumeProvider, type VolumeProviderOutputs } from "../../../components/providers/docker/volume-provider";
import { compareSnapshots, desiredSnapshot } from "../../../components/providers/file-set";

const IMAGE_A = `sha256:${"a".repeat(64)}`;
const IMAGE_B = `sha256:${"b".repeat(64)}`;
const CONTAINER_A = "1".repeat(64);
const CONTAINER_B = "2".repeat(64);

describe("Container diff", () => {
  const inputs: ContainerProviderInputs = {
    name: "dp-test-pbx",
    imageId: IMAGE_A,
    networkMode: "host",
    env: { TZ: "America/Mazatlan" },
    mounts: [{ volume: "dp-test-data", target: "/data" }],
    restartPolicy: "unless-stopped",
    command: ["asterisk", "-f"],
    labels: { "inova.site": "mochis" },
    capAdd: [],
    startTimeoutSeconds: 120,
    stopTimeoutSeconds: 10,
  };
  const olds: ContainerProviderOutputs = {
    ...inputs,
    containerId: CONTAINER_A,
    running: true,
    status: "running",
    configHash: containerConfigHash(inputs),
  };
  const diff = (news: Partial<ContainerProviderInputs>, previous: Partial<ContainerProviderOutputs> = {}) =>
    containerProvider.diff!("dp-test-pbx", { ...olds, ...previous }, { ...inputs, ...news });

  it("reports no change for equal inputs", async () => {
    expect(await diff({})).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
  });

  const replacing: [string, Partial<ContainerProviderInputs>][] = [
    ["imageId", { imageId: IMAGE_B }],
    ["env", { env: { TZ: "UTC" } }],
    ["mounts", { mounts: [{ volume: "dp-test-data", target: "/data", readOnly: true }] }],
    ["networkMode", { networkMode: "bridge" }],
    ["command", { command: ["asterisk", "-f", "-vvv"] }],
    ["capAdd", { capAdd: ["NET_ADMIN"] }],
    ["labels", { labels: { "inova.site": "silicon" } }],
    ["entrypoint", { entrypoint: ["/bin/sh"] }],
    ["hostname", { hostname: "pbx" }],
    ["healthcheck", { healthcheck: { test: ["CMD", "true"] } }],
  ];
  for (const [key, change] of replacing) {
    it(`replaces on ${key}`, async () => {
      const result = await diff(change);
      expect(result.changes).toBe(true);
      expect(result.replaces).toEqual([key]);
      expect(result.deleteBeforeReplace).toBe(true);
    });
  }

  it("updates the restart policy in place", async () => {
    const result = await diff({ restartPolicy: "always" });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("restores a restart policy changed by hand in place", async () => {
    // A refresh reads the live policy, so olds contain "no" after `docker update --restart no`.
    const result = await diff({}, { restartPolicy: "no" });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("updates the timeouts in place", async () => {
    const result = await diff({ startTimeoutSeconds: 300, stopTimeoutSeconds: 30 });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("starts a stopped container in place", async () => {
    const result = await diff({}, { running: false, status: "exited" });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("unpauses a paused container in place", async () => {
    const result = await diff({}, { running: false, status: "paused" });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("replaces a container recreated under the same name", async () => {
    const result = await diff({}, { configHash: "", containerId: CONTAINER_B });
    expect(result.replaces).toEqual(["configHash"]);
  });

  it("replaces when the live image differs", async () => {
    const result = await diff({}, { imageId: IMAGE_B });
    expect(result.replaces).toEqual(["imageId"]);
  });

  it("replaces on an image id unknown in preview", async () => {
    const result = await diff({ imageId: unknownPlaceholder() });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual(["imageId"]);
  });

  it("ignores the order of environment keys", async () => {
    const reordered = await containerProvider.diff!(
      "dp-test-pbx",
      { ...olds, env: { A: "1", B: "2" }, configHash: containerConfigHash({ ...inputs, env: { A: "1", B: "2" } }) },
      { ...inputs, env: { B: "2", A: "1" } },
    );
    expect(reordered.changes).toBe(false);
  });
});

describe("Container replace digest", () => {
  const settings: ContainerProviderInputs = {
    name: "dp-test-pbx",
    imageId: IMAGE_A,
    networkMode: "host",
    env: { TZ: "America/Mazatlan", LANG: "C.UTF-8" },
    mounts: [{ volume: "dp-test-data", target: "/data" }],
    restartPolicy: "unless-stopped",
    labels: { "inova.site": "mochis" },
    capAdd: [],
    startTimeoutSeconds: 120,
    stopTimeoutSeconds: 10,
  };
  const digest = containerReplaceDigest(settings);

  const inPlace: [string, Partial<ContainerProviderInputs>][] = [
    ["restartPolicy", { restartPolicy: "always" }],
    ["startTimeoutSeconds", { startTimeoutSeconds: 300 }],
    ["stopTimeoutSeconds", { stopTimeoutSeconds: 30 }],
  ];
  for (const [key, change] of inPlace) {
    it(`ignores ${key}`, () => {
      expect(containerReplaceDigest({ ...settings, ...change })).toBe(digest);
    });
  }

  const replacing: [string, Partial<ContainerProviderInputs>][] = [
    ["imageId", { imageId: IMAGE_B }],
    ["env", { env: { TZ: "UTC" } }],
    ["mounts", { mounts: [] }],
    ["labels", { labels: {} }],
    ["engine", { engine: { socketPath: "/run/other.sock" } }],
  ];
  for (const [key, change] of replacing) {
    it(`changes with ${key}`, () => {
      expect(containerReplaceDigest({ ...settings, ...change })).not.toBe(digest);
    });
  }

  it("ignores the order of environment keys", () => {
    expect(containerReplaceDigest({ ...settings, env: { LANG: "C.UTF-8", TZ: "America/Mazatlan" } })).toBe(digest);
  });

  it("leaves the restart policy out of its text", () => {
    expect(JSON.parse(digest)).not.toHaveProperty("restartPolicy");
  });
});

describe("Container check", () => {
  const check = (news: Record<string, unknown>) =>
    containerProvider.check!({} as ContainerProviderInputs, news as unknown as ContainerProviderInputs);

  it("applies defaults", async () => {
    const { inputs, failures } = await check({ name: "dp-test-a", imageId: IMAGE_A });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      networkMode: "host",
      restartPolicy: "unless-stopped",
      env: {},
      mounts: [],
      labels: {},
      capAdd: [],
      startTimeoutSeconds: 120,
      stopTimeoutSeconds: 10,
    });
  });

  it("rejects an image name in place of an id", async () => {
    const { failures } = await check({ name: "dp-test-a", imageId: "inova/asterisk:22" });
    expect(failures?.map((failure) => failure.property)).toEqual(["imageId"]);
  });

  it("rejects a mount with both volume and tmpfs", async () => {
    const { failures } = await check({
      name: "dp-test-a",
      imageId: IMAGE_A,
      mounts: [{ volume: "v", tmpfs: true, target: "/x" }],
    });
    expect(failures?.[0].reason).toMatch(/exactly one of volume or tmpfs/);
  });

  it("rejects a relative mount target", async () => {
    const { failures } = await check({ name: "dp-test-a", imageId: IMAGE_A, mounts: [{ volume: "v", target: "x" }] });
    expect(failures?.[0].reason).toMatch(/absolute path/);
  });

  it("accepts an image id unknown in preview", async () => {
    const { failures } = await check({ name: "dp-test-a", imageId: unknownPlaceholder() });
    expect(failures).toEqual([]);
  });

  it("rejects an invalid healthcheck test", async () => {
    const { failures } = await check({ name: "dp-test-a", imageId: IMAGE_A, healthcheck: { test: ["true"] } });
    expect(failures?.map((failure) => failure.property)).toEqual(["healthcheck.test"]);
  });
});

describe("Image diff", () => {
  const olds: ImageProviderOutputs = {
    name: "dp-test/image:1",
    context: "/srv/a/assets",
    dockerfile: "Dockerfile",
    buildArgs: { BASE: "x" },
    keepLocally: false,
    contextHash: `sha256:${"c".repeat(64)}`,
    imageId: IMAGE_A,
  };
  const diff = (news: Partial<ImageProviderOutputs>) =>
    imageProvider.diff!("dp-test/image:1", olds, { ...olds, ...news });

  it("reports no change for the same context in another checkout", async () => {
    expect((await diff({ context: "/srv/b/assets" })).changes).toBe(false);
  });

  it("rebuilds in place when the context hash changes", async () => {
    const result = await diff({ contextHash: `sha256:${"d".repeat(64)}` });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("rebuilds in place when build arguments change", async () => {
    const result = await diff({ buildArgs: { BASE: "y" } });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("replaces when the tag changes", async () => {
    expect((await diff({ name: "dp-test/image:2" })).replaces).toEqual(["name"]);
  });

  it("reports a change when the hash is not known yet", async () => {
    expect((await diff({ contextHash: undefined })).changes).toBe(true);
  });
});

describe("image name validation", () => {
  const cases: [string, boolean][] = [
    ["inova/asterisk:22", true],
    ["asterisk", true],
    ["localhost:5000/inova/asterisk:22.1-sid", true],
    ["Inova/asterisk", false],
    ["inova/asterisk@sha256:abc", false],
    ["inova//asterisk", false],
    ["", false],
  ];
  for (const [name, valid] of cases) {
    it(`${JSON.stringify(name)} is ${valid ? "valid" : "invalid"}`, () => {
      expect(isValidImageName(name)).toBe(valid);
    });
  }
});

describe("Volume diff", () => {
  const olds: VolumeProviderOutputs = {
    name: "dp-test-voicemail",
    labels: { a: "1" },
    driver: "local",
    deleteOnDestroy: false,
    mountpoint: "/var/lib/docker/volumes/dp-test-voicemail/_data",
  };
  const diff = (news: Partial<VolumeProviderOutputs>) =>
    volumeProvider.diff!("dp-test-voicemail", olds, { ...olds, ...news });

  it("replaces on a new name, deleting first", async () => {
    const result = await diff({ name: "dp-test-other" });
    expect(result.replaces).toEqual(["name"]);
    expect(result.deleteBeforeReplace).toBe(true);
  });

  it("ignores label changes", async () => {
    expect((await diff({ labels: { a: "2" } })).changes).toBe(false);
  });

  it("updates deleteOnDestroy in place", async () => {
    const result = await diff({ deleteOnDestroy: true });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });
});

describe("ContainerFiles diff", () => {
  const inputs: ContainerFilesProviderInputs = {
    containerId: CONTAINER_A,
    directory: "/etc/asterisk",
    files: { "extensions.conf": "[default]\n", "pjsip.conf": "[transport]\n" },
    secretFiles: { "voicemail.conf": "1001 => 482913\n" },
    mode: "0644",
    secretMode: "0640",
    owner: "asterisk",
    afterChange: ["asterisk", "-rx", "core reload"],
    forceRestart: false,
    commandTimeoutSeconds: 60,
    restartTimeoutSeconds: 120,
  };
  const { files: _files, secretFiles: _secretFiles, ...settings } = inputs;
  const snapshot = desiredSnapshot(inputs, "100:101", containerDigestScope(CONTAINER_A));
  const olds: ContainerFilesProviderOutputs = { ...settings, ownerIds: "100:101", ...snapshot };
  const diff = (news: Partial<ContainerFilesProviderInputs>) =>
    containerFilesProvider.diff!("x", olds, { ...inputs, ...news });

  it("reports no change for equal files", async () => {
    expect((await diff({})).changes).toBe(false);
  });

  it("updates in place on a content change", async () => {
    const result = await diff({ files: { ...inputs.files, "extensions.conf": "[other]\n" } });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("updates in place on a secret change", async () => {
    const result = await diff({ secretFiles: { "voicemail.conf": "1001 => 550123\n" } });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("updates in place when a file is dropped", async () => {
    const result = await diff({ files: { "extensions.conf": "[default]\n" } });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("updates in place on a mode change", async () => {
    expect((await diff({ secretMode: "0600" })).changes).toBe(true);
  });

  it("updates on a container id unknown in preview", async () => {
    const result = await diff({ containerId: unknownPlaceholder() });
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
  });

  it("replaces on a new container", async () => {
    const result = await diff({ containerId: CONTAINER_B });
    expect(result.replaces).toEqual(["containerId"]);
  });

  it("detects a hand edit found by a refresh", async () => {
    const refreshed = {
      ...olds,
      fileHashes: { ...olds.fileHashes, "pjsip.conf": "sha256:0000" },
    };
    const result = await containerFilesProvider.diff!("x", refreshed, inputs);
    expect(result.changes).toBe(true);
  });
});

describe("ContainerFiles snapshots", () => {
  it("keys secret digests by container and path", () => {
    const content = "1001 => 482913\n";
    const digest = secretFileDigest(CONTAINER_A, "voicemail.conf", content);
    expect(digest).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(secretFileDigest(CONTAINER_B, "voicemail.conf", content)).not.toBe(digest);
    expect(secretFileDigest(CONTAINER_A, "other.conf", content)).not.toBe(digest);
  });

  it("lists changed and removed paths", () => {
    const base = {
      containerId: CONTAINER_A,
      directory: "/etc/x",
      mode: "0644",
      secretMode: "0640",
      owner: "0:0",
      forceRestart: false,
      commandTimeoutSeconds: 60,
      restartTimeoutSeconds: 120,
    };
    const scope = containerDigestScope(CONTAINER_A);
    const current = desiredSnapshot({ ...base, files: { a: "1", b: "2", c: "3" }, secretFiles: {} }, "0:0", scope);
    const desired = desiredSnapshot({ ...base, files: { a: "1", b: "changed" }, secretFiles: { d: "s" } }, "0:0", scope);
    expect(compareSnapshots(current, desired)).toEqual({ changed: ["b", "d"], removed: ["c"] });
  });

  it("keeps secret content out of snapshots", () => {
    const secret = "ami-password-7f3kQ";
    const files = { files: {}, secretFiles: { "manager.conf": `secret = ${secret}\n` }, mode: "0644", secretMode: "0640" };
    const snapshot = desiredSnapshot(files, "0:0", containerDigestScope(CONTAINER_A));
    expect(JSON.stringify(snapshot)).not.toContain(secret);
    expect(snapshot.fileAttributes["manager.conf"]).toBe("0640 0:0");
  });
});

describe("ContainerFiles check", () => {
  const check = (news: Record<string, unknown>) =>
    containerFilesProvider.check!({} as ContainerFilesProviderInputs, news as unknown as ContainerFilesProviderInputs);

  it("rejects paths that leave the directory", async () => {
    const { failures } = await check({ containerId: CONTAINER_A, directory: "/etc/x", files: { "../passwd": "x" } });
    expect(failures?.[0].property).toBe("files");
  });

  it("rejects a path listed twice", async () => {
    const { failures } = await check({
      containerId: CONTAINER_A,
      directory: "/etc/x",
      files: { a: "1" },
      secretFiles: { a: "2" },
    });
    expect(failures?.[0].reason).toMatch(/both files and secretFiles: a/);
  });

  it("keeps secret content out of failure messages", async () => {
    const { failures } = await check({
      containerId: "not-an-id",
      directory: "relative",
      secretFiles: { "../s": "hunter2-secret" },
    });
    expect(failures?.length).toBeGreaterThan(0);
    expect(JSON.stringify(failures)).not.toContain("hunter2-secret");
  });

  it("applies defaults to restartWhen", async () => {
    const { inputs, failures } = await check({
      containerId: CONTAINER_A,
      directory: "/etc/x",
      restartWhen: { paths: ["modules.conf"] },
    });
    expect(failures).toEqual([]);
    expect(inputs?.restartWhen).toEqual({ paths: ["modules.conf"], maxWaitSeconds: 300, pollIntervalSeconds: 5 });
  });
});
