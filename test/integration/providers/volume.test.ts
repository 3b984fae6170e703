import { afterAll, describe, expect, it } from "vitest";

import {
  volumeProvider,
  type VolumeProviderInputs,
  type VolumeProviderOutputs,
} from "../../../components/providers/docker/volume-provider";
import { Cleanup, docker, dockerStatus, uniqueName } from "./docker-test-support";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function checked(news: Record<string, unknown>): Promise<VolumeProviderInputs> {
  const result = await volumeProvider.check!({} as VolumeProviderInputs, news as unknown as VolumeProviderInputs);
  expect(result.failures).toEqual([]);
  return result.inputs as VolumeProviderInputs;
}

describe("Volume provider", { timeout: 60_000 }, () => {
  it("creates a volume with labels", async () => {
    const name = cleanup.volume(uniqueName("volume"));
    const created = await volumeProvider.create(await checked({ name, labels: { "inova.data": "voicemail" } }));
    expect(created.id).toBe(name);
    expect(docker("volume", "inspect", "--format", "{{json .Labels}}", name)).toBe('{"inova.data":"voicemail"}');
    expect((created.outs as VolumeProviderOutputs).mountpoint).toMatch(new RegExp(`${name}/_data$`));
  });

  it("keeps the volume and its data on delete by default", async () => {
    const name = cleanup.volume(uniqueName("volume"));
    const created = await volumeProvider.create(await checked({ name }));
    docker("run", "--rm", "-v", `${name}:/data`, "inova/debian-sid:base", "sh", "-c", "echo kept > /data/file");

    await volumeProvider.delete!(name, created.outs as VolumeProviderOutputs);
    expect(docker("run", "--rm", "-v", `${name}:/data`, "inova/debian-sid:base", "cat", "/data/file")).toBe("kept");

    const adopted = await volumeProvider.create(await checked({ name }));
    expect(adopted.id).toBe(name);
    expect(docker("run", "--rm", "-v", `${name}:/data`, "inova/debian-sid:base", "cat", "/data/file")).toBe("kept");
  });

  it("removes the volume when deleteOnDestroy is set", async () => {
    const name = cleanup.volume(uniqueName("volume"));
    const created = await volumeProvider.create(await checked({ name, deleteOnDestroy: true }));
    await volumeProvider.delete!(name, created.outs as VolumeProviderOutputs);
    expect(dockerStatus("volume", "inspect", name).status).not.toBe(0);
  });

  it("reads a removed volume as gone", async () => {
    const name = cleanup.volume(uniqueName("volume"));
    const created = await volumeProvider.create(await checked({ name }));
    const outs = created.outs as VolumeProviderOutputs;
    expect((await volumeProvider.read!(name, outs)).id).toBe(name);
    docker("volume", "rm", name);
    expect(await volumeProvider.read!(name, outs)).toEqual({});
  });
});
