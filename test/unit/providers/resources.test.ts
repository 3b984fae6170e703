// The resource classes under Pulumi mocks: outputs exist after construction,
// inputs reach the engine as given, and secret inputs stay secret. Mocks do
// not apply additionalSecretOutputs, so secret outputs are checked with the CLI.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { Container, rejectSecret } from "../../../components/providers/docker/container";
import { ContainerFiles } from "../../../components/providers/docker/container-files";
import { Image } from "../../../components/providers/docker/image";
import { Volume } from "../../../components/providers/docker/volume";
import { GeneratedSecret } from "../../../components/providers/secret";

const registered: pulumi.runtime.MockResourceArgs[] = [];

beforeAll(() => {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push(args);
        const outputs: Record<string, unknown> = { ...args.inputs };
        if (args.type.endsWith(":Image")) {
          outputs.imageId = `sha256:${"a".repeat(64)}`;
        } else if (args.type.endsWith(":Container")) {
          outputs.containerId = "1".repeat(64);
          outputs.running = true;
        } else if (args.type.endsWith(":GeneratedSecret")) {
          outputs.value = "482913";
        } else if (args.type.endsWith(":ContainerFiles")) {
          outputs.fileHashes = { "a.conf": "sha256:00" };
        }
        return { id: `${args.name}-id`, state: outputs };
      },
      call: () => ({}),
    },
    "inova-pbx",
    "test",
    false,
  );
});

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((value) => done(value)));
}

/**
 * Settles with the output's value or its error; `apply` never runs its
 * callback on an error. The output's other internal promises reject together
 * with its value, so they are observed too.
 */
function outputPromise<T>(output: pulumi.Output<T>): Promise<T> {
  const internal = output as unknown as { promise(): Promise<T>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  internal.isKnown.catch(() => undefined);
  internal.isSecret.catch(() => undefined);
  return internal.promise();
}

describe("dynamic resource classes", () => {
  it("expose outputs after construction", async () => {
    const image = new Image("image", { name: "dp-test/image:1", context: "/tmp/context" });
    const volume = new Volume("volume", { name: "dp-test-volume" });
    const container = new Container("container", {
      name: "dp-test-container",
      imageId: image.imageId,
      mounts: [{ volume: volume.name, target: "/data" }],
    });
    const files = new ContainerFiles("files", {
      containerId: container.containerId,
      directory: "/etc/dp-test",
      files: { "a.conf": "a=1\n" },
    });

    expect(await resolve(image.imageId)).toBe(`sha256:${"a".repeat(64)}`);
    expect(await resolve(volume.name)).toBe("dp-test-volume");
    expect(await resolve(container.containerId)).toBe("1".repeat(64));
    expect(await resolve(container.running)).toBe(true);
    expect(await resolve(files.fileHashes)).toEqual({ "a.conf": "sha256:00" });
  });

  it("register under the docker and inova modules", async () => {
    const secret = new GeneratedSecret("type-check", { length: 8, alphabet: "alnum" });
    await resolve(secret.value);
    const types = new Set(registered.map((args) => args.type));
    expect(types).toContain("pulumi-nodejs:dynamic/docker:Image");
    expect(types).toContain("pulumi-nodejs:dynamic/docker:Container");
    expect(types).toContain("pulumi-nodejs:dynamic/inova:GeneratedSecret");
  });

  it("sends secret files as a secret even when given as plain text", async () => {
    const files = new ContainerFiles("plain-secret", {
      containerId: "1".repeat(64),
      directory: "/etc/dp-test",
      secretFiles: { "s.conf": "pin=482913\n" },
    });
    await resolve(files.fileHashes);
    const args = registered.find((entry) => entry.name === "plain-secret");
    // Mocks receive a secret as Pulumi's wire form: a signature key and the value.
    expect(args?.inputs.secretFiles).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: { "s.conf": "pin=482913\n" },
    });
  });

  it("rejects a secret environment variable", async () => {
    const guarded = rejectSecret(pulumi.secret({ AMI_PASSWORD: "hunter2" }), "env", "secret-env");
    await expect(outputPromise(guarded!)).rejects.toThrow(/env of container secret-env contains a secret/);
  });

  it("passes a plain environment through", async () => {
    const guarded = rejectSecret(pulumi.output({ TZ: "UTC" }), "env", "plain-env");
    await expect(outputPromise(guarded!)).resolves.toEqual({ TZ: "UTC" });
  });
});
