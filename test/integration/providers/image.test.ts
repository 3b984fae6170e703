import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import {
  imageProvider,
  type ImageProviderInputs,
  type ImageProviderOutputs,
} from "../../../components/providers/docker/image-provider";
import { BASE_IMAGE, Cleanup, docker, dockerStatus, uniqueName } from "./docker-test-support";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function checked(news: Record<string, unknown>): Promise<ImageProviderInputs> {
  const result = await imageProvider.check!({} as ImageProviderInputs, news as unknown as ImageProviderInputs);
  expect(result.failures).toEqual([]);
  return result.inputs as ImageProviderInputs;
}

describe("Image provider", { timeout: 180_000 }, () => {
  const tag = cleanup.image(`${uniqueName("image")}:1`);
  const context = cleanup.directory({
    Dockerfile: `FROM ${BASE_IMAGE}\nCOPY greeting.txt /opt/greeting.txt\n`,
    "greeting.txt": "hola\n",
    ".dockerignore": "*.log\n",
  });
  let state: ImageProviderOutputs;

  it("builds the image and returns its id", async () => {
    const inputs = await checked({ name: tag, context });
    expect(inputs.contextHash).toMatch(/^sha256:/);

    const created = await imageProvider.create(inputs);
    state = created.outs as ImageProviderOutputs;
    // The rebuild below leaves this first image untagged.
    cleanup.image(state.imageId);

    expect(created.id).toBe(tag);
    expect(state.imageId).toBe(docker("image", "inspect", "--format", "{{.Id}}", tag));
    expect(docker("run", "--rm", tag, "cat", "/opt/greeting.txt")).toBe("hola");
  });

  it("skips the rebuild when the context is unchanged", async () => {
    writeFileSync(join(context, "ignored.log"), "not part of the context\n");
    const inputs = await checked({ name: tag, context });
    const diff = await imageProvider.diff!(tag, state, inputs);
    expect(diff.changes).toBe(false);
  });

  it("rebuilds in place when a file changes", async () => {
    writeFileSync(join(context, "greeting.txt"), "buenas tardes\n");
    const inputs = await checked({ name: tag, context });
    const diff = await imageProvider.diff!(tag, state, inputs);
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);

    const updated = await imageProvider.update!(tag, state, inputs);
    const outs = updated.outs as ImageProviderOutputs;
    expect(outs.imageId).not.toBe(state.imageId);
    expect(outs.contextHash).toBe(inputs.contextHash);
    expect(docker("run", "--rm", tag, "cat", "/opt/greeting.txt")).toBe("buenas tardes");
    // The first build lost its tag and no container uses it, so it is gone.
    expect(dockerStatus("image", "inspect", state.imageId).status).not.toBe(0);
    state = outs;
  });

  it("reads the live image id", async () => {
    const read = await imageProvider.read!(tag, state);
    expect(read.id).toBe(tag);
    expect(read.props?.imageId).toBe(state.imageId);
    expect(read.props?.contextHash).toBe(state.contextHash);
  });

  it("deletes the tag and reads it as gone", async () => {
    await imageProvider.delete!(tag, state);
    expect(dockerStatus("image", "inspect", tag).status).not.toBe(0);
    expect(docker("image", "inspect", "--format", "{{.Id}}", BASE_IMAGE)).toMatch(/^sha256:/);
    expect(await imageProvider.read!(tag, state)).toEqual({});
  });

  it("reports the builder's error text", async () => {
    const failing = cleanup.directory({ Dockerfile: `FROM ${BASE_IMAGE}\nRUN exit 7\n` });
    const failingTag = cleanup.image(`${uniqueName("image")}:fail`);
    const inputs = await checked({ name: failingTag, context: failing });
    await expect(imageProvider.create(inputs)).rejects.toThrow(/returned a non-zero code: 7/);
  });

  it("keeps the tag when keepLocally is set", async () => {
    const keptTag = cleanup.image(`${uniqueName("image")}:kept`);
    const inputs = await checked({ name: keptTag, context, keepLocally: true });
    const created = await imageProvider.create(inputs);
    await imageProvider.delete!(keptTag, created.outs as ImageProviderOutputs);
    expect(dockerStatus("image", "inspect", keptTag).status).toBe(0);
  });

  it("keeps an earlier build while a container uses it", async () => {
    const usedTag = cleanup.image(`${uniqueName("image")}:used`);
    const usedContext = cleanup.directory({
      Dockerfile: `FROM ${BASE_IMAGE}\nCOPY version /opt/version\n`,
      version: "1\n",
    });
    const first = await imageProvider.create(await checked({ name: usedTag, context: usedContext }));
    const firstOuts = first.outs as ImageProviderOutputs;
    cleanup.image(firstOuts.imageId);
    const containerName = cleanup.container(uniqueName("container"));
    docker("run", "-d", "--name", containerName, firstOuts.imageId, "sleep", "60");

    writeFileSync(join(usedContext, "version"), "2\n");
    const second = await imageProvider.update!(usedTag, firstOuts, await checked({ name: usedTag, context: usedContext }));
    expect(dockerStatus("image", "inspect", firstOuts.imageId).status).toBe(0);

    docker("rm", "-f", containerName);
    await imageProvider.delete!(usedTag, second.outs as ImageProviderOutputs);
    expect(dockerStatus("image", "inspect", firstOuts.imageId).status).not.toBe(0);
    expect(dockerStatus("image", "inspect", usedTag).status).not.toBe(0);
  });

  it("rejects a relative context", async () => {
    const result = await imageProvider.check!(
      {} as ImageProviderInputs,
      { name: tag, context: "assets/asterisk" } as ImageProviderInputs,
    );
    expect(result.failures?.map((failure) => failure.property)).toEqual(["context"]);
  });
});
