import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  containerFilesProvider,
  type ContainerFilesProviderInputs,
  type ContainerFilesProviderOutputs,
} from "../../../components/providers/docker/container-files-provider";
import { BASE_IMAGE, Cleanup, docker, uniqueName } from "./docker-test-support";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

const DIRECTORY = "/etc/dp-test";
const AMI_SECRET = "ami-Qx7vN2kLp9Rz";
const PIN_SECRET = "804613";

async function checked(news: Record<string, unknown>): Promise<ContainerFilesProviderInputs> {
  const result = await containerFilesProvider.check!(
    {} as ContainerFilesProviderInputs,
    news as unknown as ContainerFilesProviderInputs,
  );
  expect(result.failures).toEqual([]);
  return result.inputs as ContainerFilesProviderInputs;
}

function expectNoSecrets(value: unknown): void {
  const text = JSON.stringify(value);
  expect(text).not.toContain(AMI_SECRET);
  expect(text).not.toContain(PIN_SECRET);
}

describe("ContainerFiles provider", { timeout: 120_000 }, () => {
  const name = cleanup.container(uniqueName("files"));
  let containerId: string;

  const exec = (script: string) => docker("exec", name, "sh", "-c", script);
  const lineCount = (path: string) => Number(exec(`cat ${path} 2>/dev/null | wc -l`));

  beforeAll(() => {
    // Each start of the main process appends a line to /var/tmp/starts.
    docker(
      "run", "-d", "--name", name, "--network", "host", "--stop-timeout", "2", BASE_IMAGE,
      "sh", "-c", "echo started >> /var/tmp/starts; trap 'exit 0' TERM; while :; do sleep 0.2; done",
    );
    docker("exec", name, "useradd", "--system", "--user-group", "svc");
    containerId = docker("inspect", "--format", "{{.Id}}", name);
  });

  const baseArgs = () => ({
    containerId,
    directory: DIRECTORY,
    files: {
      "extensions.conf": "[default]\nexten => 100,1,Answer()\n",
      "modules.conf": "[modules]\nautoload=yes\n",
      "sub/dir/nested.conf": "nested=1\n",
    },
    secretFiles: {
      "manager.conf": `[provisioner]\nsecret = ${AMI_SECRET}\n`,
      "voicemail.conf": `[default]\n1001 => ${PIN_SECRET},Ana\n`,
    },
    owner: "svc",
    afterChange: ["sh", "-c", "date +%s%N >> /var/tmp/after-change"],
  });

  let inputs: ContainerFilesProviderInputs;
  let state: ContainerFilesProviderOutputs;

  it("writes files with mode and owner and runs afterChange", async () => {
    inputs = await checked(baseArgs());
    const created = await containerFilesProvider.create(inputs);
    state = created.outs as ContainerFilesProviderOutputs;

    expect(exec(`cat ${DIRECTORY}/extensions.conf`)).toBe("[default]\nexten => 100,1,Answer()");
    expect(exec(`cat ${DIRECTORY}/sub/dir/nested.conf`)).toBe("nested=1");
    expect(exec(`grep secret ${DIRECTORY}/manager.conf`)).toBe(`secret = ${AMI_SECRET}`);
    expect(exec(`stat -c '%a %U:%G' ${DIRECTORY}/extensions.conf`)).toBe("644 svc:svc");
    expect(exec(`stat -c '%a %U:%G' ${DIRECTORY}/manager.conf`)).toBe("640 svc:svc");
    expect(lineCount("/var/tmp/after-change")).toBe(1);

    expect(Object.keys(state.fileHashes).sort()).toEqual(["extensions.conf", "modules.conf", "sub/dir/nested.conf"]);
    expect(Object.keys(state.secretFileHashes).sort()).toEqual(["manager.conf", "voicemail.conf"]);
    expect(state.fileAttributes["voicemail.conf"]).toMatch(/^0640 \d+:\d+$/);
    expectNoSecrets(created);
  });

  it("runs nothing when the files already match", async () => {
    const again = await containerFilesProvider.create(inputs);
    expect(again.outs?.fileHashes).toEqual(state.fileHashes);
    expect(lineCount("/var/tmp/after-change")).toBe(1);
  });

  it("reads back equal files as unchanged", async () => {
    const read = await containerFilesProvider.read!(`x`, state);
    expect(read.props?.fileHashes).toEqual(state.fileHashes);
    expect(read.props?.secretFileHashes).toEqual(state.secretFileHashes);
    expect((await containerFilesProvider.diff!("x", read.props!, inputs)).changes).toBe(false);
    expectNoSecrets(read);
  });

  it("detects a hand edit and restores it", async () => {
    exec(`echo 'exten => 666,1,Hangup()' >> ${DIRECTORY}/extensions.conf`);
    exec(`echo '1002 => 1111' >> ${DIRECTORY}/voicemail.conf; chmod 0644 ${DIRECTORY}/voicemail.conf`);

    const read = await containerFilesProvider.read!("x", state);
    expect(read.props?.fileHashes["extensions.conf"]).not.toBe(state.fileHashes["extensions.conf"]);
    expect(read.props?.secretFileHashes["voicemail.conf"]).not.toBe(state.secretFileHashes["voicemail.conf"]);
    expect(read.props?.fileAttributes["voicemail.conf"]).toMatch(/^0644 /);

    const diff = await containerFilesProvider.diff!("x", read.props!, inputs);
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);

    const updated = await containerFilesProvider.update!("x", read.props!, inputs);
    expect(exec(`cat ${DIRECTORY}/extensions.conf`)).toBe("[default]\nexten => 100,1,Answer()");
    expect(exec(`stat -c '%a' ${DIRECTORY}/voicemail.conf`)).toBe("640");
    expect(exec(`grep -c 1002 ${DIRECTORY}/voicemail.conf || true`)).toBe("0");
    expect(lineCount("/var/tmp/after-change")).toBe(2);
    expect(updated.outs?.fileHashes).toEqual(state.fileHashes);
    expect(updated.outs?.secretFileHashes).toEqual(state.secretFileHashes);
    expectNoSecrets(updated);
  });

  it("removes files dropped from the set", async () => {
    const args = baseArgs();
    const { "sub/dir/nested.conf": _dropped, ...files } = args.files;
    const news = await checked({ ...args, files });
    const updated = await containerFilesProvider.update!("x", state, news);
    expect(exec(`test -e ${DIRECTORY}/sub/dir/nested.conf && echo present || echo absent`)).toBe("absent");
    expect(Object.keys(updated.outs?.fileHashes ?? {})).not.toContain("sub/dir/nested.conf");
    state = updated.outs as ContainerFilesProviderOutputs;
    inputs = news;
  });

  describe("restart when a listed file changes", () => {
    const restartArgs = (modules: string, extra: Record<string, unknown> = {}) => {
      const args = baseArgs();
      const { "sub/dir/nested.conf": _dropped, ...files } = args.files;
      return {
        ...args,
        files: { ...files, "modules.conf": modules },
        restartWhen: {
          paths: ["modules.conf"],
          waitIdleCommand: ["cat", "/var/tmp/active-calls"],
          maxWaitSeconds: 30,
          pollIntervalSeconds: 0.5,
        },
        ...extra,
      };
    };

    it("waits for idle, then restarts", async () => {
      exec("echo 2 > /var/tmp/active-calls");
      const startsBefore = lineCount("/var/tmp/starts");
      const afterChangeBefore = lineCount("/var/tmp/after-change");
      const news = await checked(restartArgs("[modules]\nautoload=no\n"));

      const update = containerFilesProvider.update!("x", state, news);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      // While calls are active nothing is written and nothing restarts.
      expect(exec(`cat ${DIRECTORY}/modules.conf`)).toBe("[modules]\nautoload=yes");
      expect(lineCount("/var/tmp/starts")).toBe(startsBefore);

      exec("echo 0 > /var/tmp/active-calls");
      const updated = await update;
      expect(exec(`cat ${DIRECTORY}/modules.conf`)).toBe("[modules]\nautoload=no");
      expect(lineCount("/var/tmp/starts")).toBe(startsBefore + 1);
      expect(lineCount("/var/tmp/after-change")).toBe(afterChangeBefore);
      expect(docker("inspect", "--format", "{{.State.Running}}", name)).toBe("true");
      state = updated.outs as ContainerFilesProviderOutputs;
    });

    it("fails without changes when the wait bound passes", async () => {
      exec("echo 1 > /var/tmp/active-calls");
      const startsBefore = lineCount("/var/tmp/starts");
      const news = await checked(restartArgs("[modules]\nautoload=maybe\n"));
      const bounded = { ...news, restartWhen: { ...news.restartWhen!, maxWaitSeconds: 1.5 } };

      await expect(containerFilesProvider.update!("x", state, bounded)).rejects.toThrow(
        /was not idle within 1.5 s.*printed "1".*forceRestart: true/s,
      );
      expect(exec(`cat ${DIRECTORY}/modules.conf`)).toBe("[modules]\nautoload=no");
      expect(lineCount("/var/tmp/starts")).toBe(startsBefore);
    });

    it("restarts at once with forceRestart", async () => {
      exec("echo 1 > /var/tmp/active-calls");
      const startsBefore = lineCount("/var/tmp/starts");
      const news = await checked(restartArgs("[modules]\nautoload=maybe\n", { forceRestart: true }));
      const updated = await containerFilesProvider.update!("x", state, news);
      expect(exec(`cat ${DIRECTORY}/modules.conf`)).toBe("[modules]\nautoload=maybe");
      expect(lineCount("/var/tmp/starts")).toBe(startsBefore + 1);
      expectNoSecrets(updated);
      state = updated.outs as ContainerFilesProviderOutputs;
    });
  });

  it("reports a failing afterChange command", async () => {
    const args = baseArgs();
    const news = await checked({
      ...args,
      files: { ...args.files, "extensions.conf": "[broken]\n" },
      afterChange: ["sh", "-c", "echo reload failed >&2; exit 4"],
    });
    await expect(containerFilesProvider.update!("x", state, news)).rejects.toThrow(
      /exited with code 4.*reload failed/s,
    );
  });

  it("reads the files of a removed container as gone", async () => {
    docker("rm", "-f", name);
    expect(await containerFilesProvider.read!("x", state)).toEqual({});
  });

  it("refuses a container that does not exist", async () => {
    await expect(containerFilesProvider.create(inputs)).rejects.toThrow(/not found/);
  });
});
