// The resources that each real stack registers, under Pulumi mocks: one
// image, volume and container, two file sets, one generated secret per
// extension password, PIN and AMI password, each parented to its component.

import { beforeAll, describe, expect, it } from "vitest";

import { renderPublicFiles, restartRequiredFiles, secretFileNames } from "../../../components/asterisk";
import { containerReplaceDigest } from "../../../components/providers/docker/container-provider";
import type { SiteArgs } from "../../../components/site";
import { installMocks, loadComponents, recordSite, valueOf, type SiteRun } from "./engine-mock";
import { named, ofType, siteArgsFromStack, single, STACKS, TYPES } from "./fixtures";

let components: Awaited<ReturnType<typeof loadComponents>>;

beforeAll(async () => {
  await installMocks("test");
  components = await loadComponents();
});

describe.each(STACKS)("%s stack graph", (code) => {
  let args: SiteArgs;
  let run: SiteRun;

  beforeAll(async () => {
    args = siteArgsFromStack(code);
    run = await recordSite(components, code, args);
  });

  it("registers one of each component", () => {
    expect(single(run.resources, TYPES.site).name).toBe(code);
    expect(single(run.resources, TYPES.pbx).name).toBe(`${code}-pbx`);
    expect(single(run.resources, TYPES.secrets).name).toBe(`${code}-secrets`);
  });

  it("registers nothing beyond the expected resources", () => {
    const extensionCount = args.model.extensions.length;
    const expected = 3 + 6 + 2 * extensionCount + 1;
    expect(run.resources.map((resource) => `${resource.type} ${resource.name}`)).toHaveLength(expected);
    expect(new Set(run.resources.map((resource) => resource.urn)).size).toBe(expected);
  });

  it("builds one image from the asterisk context", () => {
    const image = single(run.resources, TYPES.image);
    expect(image.name).toBe(`${code}-pbx-image`);
    expect(image.inputs.name).toBe(`inova/asterisk:22-${code}`);
    expect(image.inputs.context).toBe(`${args.projectDir}/assets/asterisk`);
    expect(image.inputs.buildArgs).toEqual({ BASE_IMAGE: "inova/debian-sid:base" });
  });

  it("keeps the voicemail volume on destroy", () => {
    const volume = single(run.resources, TYPES.volume);
    expect(volume.name).toBe(`${code}-pbx-voicemail`);
    expect(volume.inputs.name).toBe(`inova-${code}-voicemail`);
    expect(volume.inputs.deleteOnDestroy).toBe(false);
    expect(volume.inputs.labels).toEqual({ "inova.site": code, "inova.data": "voicemail" });
  });

  it("runs the container on the host network", () => {
    const container = single(run.resources, TYPES.container);
    expect(container.name).toBe(`${code}-pbx-container`);
    expect(container.inputs.name).toBe(`inova-${code}-pbx`);
    expect(container.inputs.networkMode).toBe("host");
    expect(container.inputs.restartPolicy).toBe("unless-stopped");
    expect(container.inputs.labels).toEqual({ "inova.site": code, "inova.role": "pbx" });
  });

  it("runs the container from the image id", async () => {
    const image = single(run.resources, TYPES.image);
    const container = single(run.resources, TYPES.container);
    const builtId = await valueOf(run.site.pbx.imageId);

    expect(builtId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(container.inputs.imageId).toBe(builtId);
    expect(container.inputs.imageId).not.toBe(image.inputs.name);
    expect(container.dependencies).toContain(image.urn);
  });

  it("replaces the container only after its idle gate waited for calls to end", async () => {
    const gate = single(run.resources, TYPES.idleGate);
    const container = single(run.resources, TYPES.container);
    expect(gate.name).toBe(`${code}-pbx-idle-gate`);
    expect(gate.inputs.containerName).toBe(`inova-${code}-pbx`);
    expect(gate.inputs.waitIdleCommand).toEqual(["inova-active-calls"]);
    expect(gate.inputs.force).toBe(false);
    expect(gate.inputs.replaceDigest).toContain(await valueOf(run.site.pbx.imageId));
    expect(container.dependencies).toContain(gate.urn);
  });

  it("leaves the restart policy out of the gate's digest", () => {
    const gate = single(run.resources, TYPES.idleGate);
    const container = single(run.resources, TYPES.container);
    expect(gate.inputs.replaceDigest).toBe(containerReplaceDigest(container.inputs));
    expect(JSON.parse(gate.inputs.replaceDigest as string)).not.toHaveProperty("restartPolicy");
  });

  it("mounts the voicemail volume", () => {
    const volume = single(run.resources, TYPES.volume);
    const container = single(run.resources, TYPES.container);
    expect(container.inputs.mounts).toEqual([{ volume: `inova-${code}-voicemail`, target: "/var/spool/asterisk/voicemail" }]);
    expect(container.dependencies).toContain(volume.urn);
  });

  it("writes two file sets into the container", () => {
    const container = single(run.resources, TYPES.container);
    const fileSets = ofType(run.resources, TYPES.containerFiles);
    expect(fileSets.map((files) => files.name).sort()).toEqual([`${code}-pbx-config`, `${code}-pbx-prompts`]);
    for (const files of fileSets) {
      expect(files.inputs.containerId, files.name).toMatch(/^[0-9a-f]{64}$/);
      expect(files.dependencies, files.name).toContain(container.urn);
      expect(files.inputs.owner, files.name).toBe("asterisk");
    }
  });

  it("writes prompt sources and builds them", () => {
    const prompts = named(run.resources, `${code}-pbx-prompts`);
    expect(prompts.inputs.directory).toBe("/var/lib/inova/prompt-sources");
    expect(prompts.inputs.afterChange).toEqual(["inova-build-prompts"]);
    expect(prompts.inputs.secretFiles).toEqual({});
    expect(Object.keys(prompts.inputs.files as object).length).toBeGreaterThan(0);
  });

  it("applies config changes with inova-apply-config", () => {
    const config = named(run.resources, `${code}-pbx-config`);
    expect(config.inputs.directory).toBe("/etc/asterisk");
    expect(config.inputs.afterChange).toEqual(["inova-apply-config"]);
    expect(config.inputs.forceRestart).toBe(false);
  });

  it("restarts for the restart-required files only", () => {
    const config = named(run.resources, `${code}-pbx-config`);
    const restartWhen = config.inputs.restartWhen as Record<string, unknown>;
    expect(restartWhen.paths).toEqual([...restartRequiredFiles]);
    expect(restartWhen.paths).toContain("asterisk.conf");
    expect(restartWhen.paths).not.toContain("extensions.conf");
    expect(restartWhen.waitIdleCommand).toEqual(["inova-active-calls"]);
    expect(restartWhen.maxWaitSeconds).toBe(600);
  });

  it("splits config into public and secret files", () => {
    const config = named(run.resources, `${code}-pbx-config`);
    expect(config.inputs.files).toEqual(renderPublicFiles(args.model, args.renderOptions));
    expect(Object.keys(config.inputs.secretFiles as object).sort()).toEqual([...secretFileNames]);
  });

  it("writes config after the prompts", () => {
    const prompts = named(run.resources, `${code}-pbx-prompts`);
    const config = named(run.resources, `${code}-pbx-config`);
    expect(config.dependencies).toContain(prompts.urn);
  });

  it("generates a password and PIN per extension", () => {
    const secrets = ofType(run.resources, TYPES.generatedSecret);
    const expected = args.model.extensions.flatMap((extension) => [
      `${code}-secrets-password-${extension.number}`,
      `${code}-secrets-pin-${extension.number}`,
    ]);
    expect(secrets.map((secret) => secret.name).sort()).toEqual([...expected, `${code}-secrets-ami-password`].sort());

    for (const extension of args.model.extensions) {
      const password = named(run.resources, `${code}-secrets-password-${extension.number}`);
      const pin = named(run.resources, `${code}-secrets-pin-${extension.number}`);
      expect(password.inputs, password.name).toMatchObject({ length: 24, alphabet: "alnum", rotation: "" });
      expect(pin.inputs, pin.name).toMatchObject({ length: 6, alphabet: "digits", rotation: "" });
    }
  });

  it("generates the AMI password", () => {
    const ami = named(run.resources, `${code}-secrets-ami-password`);
    expect(ami.type).toBe(TYPES.generatedSecret);
    expect(ami.inputs).toMatchObject({ length: 32, alphabet: "alnum", rotation: "" });
  });

  it("parents every resource to its component", () => {
    const site = single(run.resources, TYPES.site);
    const pbx = single(run.resources, TYPES.pbx);
    const secrets = single(run.resources, TYPES.secrets);
    const dockerTypes: string[] = [TYPES.image, TYPES.volume, TYPES.container, TYPES.containerFiles];

    expect(site.parent).toBe("");
    expect(pbx.parent).toBe(site.urn);
    expect(secrets.parent).toBe(site.urn);
    for (const resource of run.resources.filter((entry) => dockerTypes.includes(entry.type))) {
      expect(resource.parent, resource.name).toBe(pbx.urn);
    }
    for (const resource of ofType(run.resources, TYPES.generatedSecret)) {
      expect(resource.parent, resource.name).toBe(secrets.urn);
    }
  });

  it("exposes the container name and image id", async () => {
    expect(await valueOf(run.site.pbx.containerName)).toBe(`inova-${code}-pbx`);
    expect(await valueOf(run.site.pbx.imageId)).toBe(single(run.resources, TYPES.container).inputs.imageId);
  });
});

describe("site deployment options", () => {
  it("deletes the voicemail volume when asked", async () => {
    const run = await recordSite(components, "tabasco", { ...siteArgsFromStack("tabasco"), deleteDataOnDestroy: true });
    expect(single(run.resources, TYPES.volume).inputs.deleteOnDestroy).toBe(true);
  });

  it("passes forceRestart to the config files", async () => {
    const run = await recordSite(components, "tabasco", { ...siteArgsFromStack("tabasco"), forceRestart: true });
    expect(named(run.resources, "tabasco-pbx-config").inputs.forceRestart).toBe(true);
    expect(named(run.resources, "tabasco-pbx-idle-gate").inputs.force).toBe(true);
  });
});
