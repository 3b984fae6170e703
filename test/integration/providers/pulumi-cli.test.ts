// Runs a small program of every provider through the real Pulumi CLI on a
// file backend: up, drift by hand, refresh, up again, destroy. Skipped when
// `pulumi` and `pulumi-language-nodejs` are not on PATH (scripts/test.sh puts
// the project's toolchain there).

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { BASE_IMAGE, Cleanup, docker, dockerStatus, uniqueName } from "./docker-test-support";

const PROJECT_ROOT = join(__dirname, "..", "..", "..");
const cliAvailable = ["pulumi", "pulumi-language-nodejs"].every(
  (command) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0,
);

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

function programText(names: { image: string; volume: string; container: string; context: string }): string {
  const providers = join(PROJECT_ROOT, "components", "providers");
  return `
import * as pulumi from "@pulumi/pulumi";
import { Container } from ${JSON.stringify(join(providers, "docker", "container"))};
import { ContainerFiles } from ${JSON.stringify(join(providers, "docker", "container-files"))};
import { Image } from ${JSON.stringify(join(providers, "docker", "image"))};
import { Volume } from ${JSON.stringify(join(providers, "docker", "volume"))};
import { GeneratedSecret } from ${JSON.stringify(join(providers, "secret"))};

const config = new pulumi.Config();
const image = new Image("image", { name: ${JSON.stringify(names.image)}, context: ${JSON.stringify(names.context)} });
const volume = new Volume("volume", { name: ${JSON.stringify(names.volume)}, deleteOnDestroy: true });
const container = new Container("container", {
  name: ${JSON.stringify(names.container)},
  imageId: image.imageId,
  command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"],
  mounts: [{ volume: volume.name, target: "/data" }],
  stopTimeoutSeconds: 2,
});
const pinSecret = new GeneratedSecret("pin", { length: 6, alphabet: "digits" });
const files = new ContainerFiles("files", {
  containerId: container.containerId,
  directory: "/etc/dp-test",
  files: { "a.conf": "a=" + (config.get("a") ?? "1") + "\\n" },
  secretFiles: pinSecret.value.apply((value) => ({ "pin.conf": "pin=" + value + "\\n" })),
  afterChange: ["sh", "-c", "echo applied >> /var/tmp/applied"],
});
export const imageId = image.imageId;
export const pin = pinSecret.value;
export const fileHashes = files.fileHashes;
`;
}

describe("providers under the Pulumi CLI", { timeout: 600_000 }, () => {
  it("finds the Pulumi CLI and language host on PATH", () => {
    // scripts/test.sh puts the project's toolchain on PATH; run it through that script.
    expect(cliAvailable).toBe(true);
  });

  const root = cleanup.directory({});
  const project = join(root, "project");
  const names = {
    image: cleanup.image(`${uniqueName("cli")}:1`),
    volume: cleanup.volume(uniqueName("cli")),
    container: cleanup.container(uniqueName("cli")),
    context: join(root, "context"),
  };
  const env = {
    ...process.env,
    PULUMI_HOME: join(root, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${join(root, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "dp-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  /** Runs the CLI in the project; a failure carries the end of its output. */
  const pulumi = (...args: string[]): string => {
    const result = spawnSync("pulumi", [...args, "--non-interactive"], {
      cwd: project,
      env,
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    if (result.status !== 0) {
      const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").slice(-40).join("\n");
      throw new Error(`pulumi ${args.join(" ")} exited with ${result.status ?? result.error}:\n${output}`);
    }
    return result.stdout;
  };

  it("deploys every resource", () => {
    mkdirSync(project, { recursive: true });
    mkdirSync(join(root, "state"), { recursive: true });
    mkdirSync(names.context, { recursive: true });
    writeFileSync(join(names.context, "Dockerfile"), `FROM ${BASE_IMAGE}\nCOPY hello /opt/hello\n`);
    writeFileSync(join(names.context, "hello"), "hola\n");
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(project, "node_modules"));
    writeFileSync(join(project, "Pulumi.yaml"), "name: dp-test-cli\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    writeFileSync(join(project, "package.json"), '{ "name": "dp-test-cli", "private": true }\n');
    const tsconfig = JSON.parse(readFileSync(join(PROJECT_ROOT, "tsconfig.json"), "utf8"));
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ ...tsconfig, include: ["index.ts"] }));
    writeFileSync(join(project, "index.ts"), programText(names));

    pulumi("stack", "init", "test");
    pulumi("up", "--yes");

    expect(docker("exec", names.container, "cat", "/opt/hello", "/etc/dp-test/a.conf")).toBe("hola\na=1");
    const pin = pulumi("stack", "output", "pin", "--show-secrets").trim();
    expect(pin).toMatch(/^[0-9]{6}$/);
    expect(docker("exec", names.container, "cat", "/etc/dp-test/pin.conf")).toBe(`pin=${pin}`);
  });

  it("stores no secret in plain text", () => {
    const pin = pulumi("stack", "output", "pin", "--show-secrets").trim();
    const state = pulumi("stack", "export");
    expect(state).not.toContain(pin);
    const resources = JSON.parse(state).deployment.resources as { type: string; outputs?: Record<string, unknown> }[];
    const files = resources.find((resource) => resource.type.endsWith(":ContainerFiles"));
    expect(files?.outputs?.secretFileHashes).toHaveProperty("ciphertext");
  });

  it("reports no changes for an unchanged program", () => {
    pulumi("preview", "--expect-no-changes");
  });

  it("repairs a stopped container and an edited file", () => {
    docker("exec", names.container, "sh", "-c", "echo tampered >> /etc/dp-test/a.conf");
    docker("stop", "-t", "1", names.container);
    pulumi("refresh", "--yes");
    pulumi("up", "--yes");

    expect(docker("inspect", "--format", "{{.State.Running}}", names.container)).toBe("true");
    expect(docker("exec", names.container, "cat", "/etc/dp-test/a.conf")).toBe("a=1");
    pulumi("preview", "--expect-no-changes");
  });

  it("replaces the container and rewrites files after a rebuild", () => {
    const before = docker("inspect", "--format", "{{.Id}}", names.container);
    writeFileSync(join(names.context, "hello"), "adios\n");
    pulumi("config", "set", "a", "2");
    pulumi("up", "--yes");

    expect(docker("inspect", "--format", "{{.Id}}", names.container)).not.toBe(before);
    expect(docker("exec", names.container, "cat", "/opt/hello", "/etc/dp-test/a.conf")).toBe("adios\na=2");
  });

  it("removes everything on destroy", () => {
    pulumi("destroy", "--yes");
    expect(dockerStatus("inspect", names.container).status).not.toBe(0);
    expect(dockerStatus("volume", "inspect", names.volume).status).not.toBe(0);
    expect(dockerStatus("image", "inspect", names.image).status).not.toBe(0);
  });
});
