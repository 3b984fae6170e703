// The Pulumi engine runs each dynamic provider in a separate Node.js process,
// from the module text that the resource carries: a few lines that load the
// provider from the project's files through scripts/register-typescript.js.
// These tests load that text with require-from-string, as the dynamic provider
// host does, and drive the loaded providers against the real engine.

import { createRequire } from "node:module";
import { join } from "node:path";

import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PROVIDERS, providerModuleText } from "../../../components/providers/project-resource";
import { BASE_IMAGE, Cleanup, docker, dockerStatus, uniqueName } from "./docker-test-support";

const PROJECT_ROOT = join(__dirname, "..", "..", "..");
const cleanup = new Cleanup();
afterAll(() => cleanup.run());

type Provider = Required<pulumi.dynamic.ResourceProvider>;

/** Loads a provider from its module text the way `@pulumi/pulumi/cmd/dynamic-provider` does. */
function loadProvider(text: string): Provider {
  const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
  const requireFromString = pulumiRequire("require-from-string") as (code: string) => { handler(): Provider };
  return requireFromString(text).handler();
}

describe("provider modules", { timeout: 180_000 }, () => {
  const providers: Record<string, Provider> = {};

  beforeAll(() => {
    // The engine starts the provider host in the project directory; the module text relies on it.
    if (process.cwd() !== PROJECT_ROOT) {
      throw new Error(`run these tests from ${PROJECT_ROOT}, not ${process.cwd()}`);
    }
    for (const name of ["image", "volume", "container", "containerFiles", "generatedSecret"] as const) {
      providers[name] = loadProvider(providerModuleText(PROVIDERS[name]));
    }
  });

  it("generates a secret", async () => {
    const secret = providers.generatedSecret;
    const { inputs } = await secret.check({}, { length: 6, alphabet: "digits" });
    const created = await secret.create(inputs);
    expect(created.outs.value).toMatch(/^[0-9]{6}$/);
    expect((await secret.diff(created.id, created.outs, inputs)).changes).toBe(false);
  });

  it("creates and deletes a volume", async () => {
    const volume = providers.volume;
    const name = cleanup.volume(uniqueName("volume"));
    const { inputs } = await volume.check({}, { name, deleteOnDestroy: true });
    const created = await volume.create(inputs);
    expect((await volume.read(created.id, created.outs)).id).toBe(name);
    await volume.delete(created.id, created.outs);
    expect(dockerStatus("volume", "inspect", name).status).not.toBe(0);
  });

  it("builds an image, runs a container and delivers files", async () => {
    const tag = cleanup.image(`${uniqueName("image")}:1`);
    const context = cleanup.directory({
      Dockerfile: `FROM ${BASE_IMAGE}\nCOPY motd /etc/motd-test\n`,
      motd: "serialized\n",
    });
    const image = providers.image;
    const imageInputs = (await image.check({}, { name: tag, context })).inputs;
    const builtImage = await image.create(imageInputs);
    expect(builtImage.outs.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await image.diff(builtImage.id, builtImage.outs, imageInputs)).changes).toBe(false);

    const container = providers.container;
    const name = cleanup.container(uniqueName("container"));
    const containerInputs = (
      await container.check(
        {},
        {
          name,
          imageId: builtImage.outs.imageId,
          command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"],
          stopTimeoutSeconds: 2,
        },
      )
    ).inputs;
    const runningContainer = await container.create(containerInputs);
    expect(runningContainer.outs.running).toBe(true);
    expect(docker("exec", name, "cat", "/etc/motd-test")).toBe("serialized");

    const files = providers.containerFiles;
    const secret = "serialized-secret-4Jd8";
    const fileInputs = (
      await files.check(
        {},
        {
          containerId: runningContainer.outs.containerId,
          directory: "/etc/dp-test",
          files: { "a.conf": "a=1\n" },
          secretFiles: { "s.conf": `secret=${secret}\n` },
          afterChange: ["touch", "/tmp/applied"],
        },
      )
    ).inputs;
    const delivered = await files.create(fileInputs);
    expect(docker("exec", name, "cat", "/etc/dp-test/s.conf")).toBe(`secret=${secret}`);
    expect(docker("exec", name, "sh", "-c", "test -f /tmp/applied && echo yes")).toBe("yes");
    expect(JSON.stringify(delivered)).not.toContain(secret);

    const read = await files.read(delivered.id, delivered.outs);
    expect((await files.diff(delivered.id, read.props, fileInputs)).changes).toBe(false);

    await container.delete(runningContainer.id, runningContainer.outs);
    expect(dockerStatus("inspect", name).status).not.toBe(0);
    await image.delete(builtImage.id, builtImage.outs);
    expect(dockerStatus("image", "inspect", tag).status).not.toBe(0);
  });
});
