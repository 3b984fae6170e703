import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  containerProvider,
  type ContainerProviderInputs,
  type ContainerProviderOutputs,
} from "../../../components/providers/docker/container-provider";
import { BASE_IMAGE, Cleanup, baseImageId, docker, dockerStatus, uniqueName } from "./docker-test-support";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

/** Main process that ends at once on SIGTERM, so stops take no grace period. */
const SERVICE_COMMAND = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"];

async function checked(news: Record<string, unknown>): Promise<ContainerProviderInputs> {
  const result = await containerProvider.check!({} as ContainerProviderInputs, news as unknown as ContainerProviderInputs);
  expect(result.failures).toEqual([]);
  return result.inputs as ContainerProviderInputs;
}

describe("Container provider", { timeout: 120_000 }, () => {
  let imageId: string;
  let volume: string;
  beforeAll(() => {
    imageId = baseImageId();
    volume = cleanup.volume(uniqueName("volume"));
    docker("volume", "create", volume);
  });

  describe("service container lifecycle", () => {
    const name = cleanup.container(uniqueName("container"));
    let inputs: ContainerProviderInputs;
    let state: ContainerProviderOutputs;

    it("creates and starts a host-network container", async () => {
      inputs = await checked({
        name,
        imageId,
        command: SERVICE_COMMAND,
        env: { TZ: "America/Mazatlan" },
        labels: { "inova.role": "test" },
        mounts: [
          { volume, target: "/data" },
          { tmpfs: { sizeBytes: 1048576 }, target: "/run/scratch" },
        ],
        stopTimeoutSeconds: 2,
      });
      const created = await containerProvider.create(inputs);
      state = created.outs as ContainerProviderOutputs;

      expect(created.id).toBe(name);
      expect(state.running).toBe(true);
      expect(state.containerId).toBe(docker("inspect", "--format", "{{.Id}}", name));
      expect(docker("inspect", "--format", "{{.HostConfig.NetworkMode}}", name)).toBe("host");
      expect(docker("inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}", name)).toBe("unless-stopped");
      expect(docker("exec", name, "sh", "-c", "echo $TZ")).toBe("America/Mazatlan");
      expect(docker("exec", name, "sh", "-c", "mount | grep -c /run/scratch")).toBe("1");
    });

    it("reads a running container", async () => {
      const read = await containerProvider.read!(name, state);
      expect(read.id).toBe(name);
      expect(read.props?.running).toBe(true);
      expect(read.props?.imageId).toBe(imageId);
      expect((await containerProvider.diff!(name, read.props!, inputs)).changes).toBe(false);
    });

    it("starts a container stopped by hand in place", async () => {
      docker("stop", "-t", "1", name);
      const read = await containerProvider.read!(name, state);
      expect(read.props?.running).toBe(false);
      expect(read.props?.status).toBe("exited");

      const diff = await containerProvider.diff!(name, read.props!, inputs);
      expect(diff.changes).toBe(true);
      expect(diff.replaces).toEqual([]);

      const updated = await containerProvider.update!(name, read.props!, inputs);
      expect(updated.outs?.running).toBe(true);
      expect(updated.outs?.containerId).toBe(state.containerId);
      expect(docker("inspect", "--format", "{{.State.Running}}", name)).toBe("true");
    });

    it("changes the restart policy in place", async () => {
      const changed = { ...inputs, restartPolicy: "always" as const };
      const diff = await containerProvider.diff!(name, state, changed);
      expect(diff.replaces).toEqual([]);
      const updated = await containerProvider.update!(name, state, changed);
      expect(updated.outs?.restartPolicy).toBe("always");
      expect(docker("inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}", name)).toBe("always");
      expect(updated.outs?.containerId).toBe(state.containerId);
    });

    it("restores a restart policy changed by hand in place", async () => {
      docker("update", "--restart", "no", name);
      const read = await containerProvider.read!(name, state);
      expect(read.props?.restartPolicy).toBe("no");

      const diff = await containerProvider.diff!(name, read.props!, inputs);
      expect(diff.changes).toBe(true);
      expect(diff.replaces).toEqual([]);

      const updated = await containerProvider.update!(name, read.props!, inputs);
      expect(updated.outs?.restartPolicy).toBe("unless-stopped");
      expect(updated.outs?.containerId).toBe(state.containerId);
      expect(docker("inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}", name)).toBe("unless-stopped");
      expect(docker("inspect", "--format", "{{.Id}}", name)).toBe(state.containerId);
    });

    it("adopts an identical container with the same name", async () => {
      const adopted = await containerProvider.create(inputs);
      expect(adopted.outs?.containerId).toBe(state.containerId);
    });

    it("reads a container removed by hand as gone", async () => {
      docker("rm", "-f", name);
      expect(await containerProvider.read!(name, state)).toEqual({});
    });

    it("replaces a container recreated by hand under its name", async () => {
      docker("run", "-d", "--name", name, BASE_IMAGE, "sleep", "60");
      const read = await containerProvider.read!(name, state);
      expect(read.props?.configHash).toBe("");
      const diff = await containerProvider.diff!(name, read.props!, inputs);
      expect(diff.replaces).toEqual(["configHash"]);
      await expect(containerProvider.create(inputs)).rejects.toThrow(/already exists .* with other settings/);
    });

    it("stops and removes on delete", async () => {
      const read = await containerProvider.read!(name, state);
      await containerProvider.delete!(name, read.props!);
      expect(dockerStatus("inspect", name).status).not.toBe(0);
      expect(docker("volume", "inspect", "--format", "{{.Name}}", volume)).toBe(volume);
    });
  });

  it("waits until a healthcheck passes", async () => {
    const name = cleanup.container(uniqueName("container"));
    const inputs = await checked({
      name,
      imageId,
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 2; touch /tmp/ready; while :; do sleep 0.2; done"],
      healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], intervalSeconds: 0.5, retries: 20 },
      stopTimeoutSeconds: 2,
    });
    const started = Date.now();
    const created = await containerProvider.create(inputs);
    expect(created.outs?.health).toBe("healthy");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    await containerProvider.delete!(name, created.outs as ContainerProviderOutputs);
  });

  it("removes a container whose process exits and reports its output", async () => {
    const name = cleanup.container(uniqueName("container"));
    const inputs = await checked({
      name,
      imageId,
      restartPolicy: "no",
      command: ["sh", "-c", "echo missing configuration >&2; exit 3"],
    });
    await expect(containerProvider.create(inputs)).rejects.toThrow(/exit code 3[\s\S]*missing configuration/);
    expect(dockerStatus("inspect", name).status).not.toBe(0);
  });

  it("fails when the container is not ready in time", async () => {
    const name = cleanup.container(uniqueName("container"));
    const inputs = await checked({
      name,
      imageId,
      command: SERVICE_COMMAND,
      healthcheck: { test: ["CMD", "test", "-f", "/never"], intervalSeconds: 0.5, retries: 100 },
      startTimeoutSeconds: 2,
    });
    await expect(containerProvider.create(inputs)).rejects.toThrow(/not healthy within 2 s .*startTimeoutSeconds/);
    expect(dockerStatus("inspect", name).status).not.toBe(0);
  });
});
