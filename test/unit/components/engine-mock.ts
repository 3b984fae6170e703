// Pulumi mocks that record every resource registration as the engine receives
// it: type, name, parent, inputs with their secretness, dependencies and
// additionalSecretOutputs. Call installMocks() before the first import of a
// component module, then load the modules with loadComponents().

import { createHash } from "node:crypto";

import * as pulumi from "@pulumi/pulumi";

import type { SiteArgs } from "../../../components/site";

export const PROJECT = "inova-pbx";

/** Placeholder for each secret value in `plainInputs` and `plainOutputs`. */
export const SECRET_PLACEHOLDER = "[secret]";

export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** URN of the parent resource; empty for a resource without one. */
  readonly parent: string;
  /** False for a component resource. */
  readonly custom: boolean;
  /** Inputs with secret values unwrapped. */
  readonly inputs: Record<string, unknown>;
  /** Inputs with each secret value replaced by SECRET_PLACEHOLDER: what the state keeps in plain text. */
  readonly plainInputs: Record<string, unknown>;
  /** Dotted paths of the inputs sent as secrets, e.g. `secretFiles`. */
  readonly secretPaths: readonly string[];
  readonly additionalSecretOutputs: readonly string[];
  /** URNs of the resources that this one waited for. */
  readonly dependencies: readonly string[];
}

/** Outputs that a component registered, with each secret value replaced by SECRET_PLACEHOLDER. */
export interface RegisteredOutputs {
  readonly urn: string;
  readonly plainOutputs: unknown;
}

interface ProtobufStruct {
  toJavaScript(): unknown;
}

// The parts of the resource monitor's gRPC messages that the recorder reads.
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): ProtobufStruct | undefined;
  getAdditionalsecretoutputsList(): string[];
  getDependenciesList(): string[];
}

interface RegisterResourceOutputsRequest {
  getUrn(): string;
  getOutputs(): ProtobufStruct | undefined;
}

type Callback<T> = (error: Error | null, response?: T) => void;

interface ResourceMonitor {
  registerResource(request: RegisterResourceRequest, callback: Callback<{ getUrn(): string }>): void;
  registerResourceOutputs(request: RegisterResourceOutputsRequest, callback: Callback<unknown>): void;
}

const resources: RegisteredResource[] = [];
const componentOutputs: RegisteredOutputs[] = [];
/** additionalSecretOutputs of each registration in flight, keyed by `type::name`. */
const requestedSecretOutputs = new Map<string, readonly string[]>();
let registrationsInFlight = 0;

/**
 * Installs the mocks for stack `stack` and wraps the mock resource monitor so
 * that every registration is recorded. Like the engine, and unlike the SDK's
 * mock monitor, the wrapped monitor returns the outputs named in
 * additionalSecretOutputs as secrets.
 */
export async function installMocks(stack: string): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: mockOutputs(args) }),
      call: () => ({}),
    },
    PROJECT,
    stack,
    false,
  );

  const monitor = pulumi.runtime.getMonitor() as unknown as ResourceMonitor;
  const registerResource = monitor.registerResource.bind(monitor);
  const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);

  monitor.registerResource = (request, callback) => {
    const key = `${request.getType()}::${request.getName()}`;
    requestedSecretOutputs.set(key, request.getAdditionalsecretoutputsList());
    registrationsInFlight++;
    registerResource(request, (error, response) => {
      registrationsInFlight--;
      if (error === null && response !== undefined) {
        resources.push(recordRegistration(request, response.getUrn()));
      }
      callback(error, response);
    });
  };

  monitor.registerResourceOutputs = (request, callback) => {
    componentOutputs.push({
      urn: request.getUrn(),
      plainOutputs: withoutSecrets(request.getOutputs()?.toJavaScript() ?? {}),
    });
    registerResourceOutputs(request, callback);
  };
}

/** Returns the component classes, imported only now so that they see the mocks. */
export async function loadComponents() {
  const { Site } = await import("../../../components/site");
  const stackConfig = await import("../../../components/stack-config");
  return { Site, readSiteFromStackConfig: stackConfig.readSiteFromStackConfig };
}

type Components = Awaited<ReturnType<typeof loadComponents>>;
type SiteInstance = InstanceType<Components["Site"]>;

export interface SiteRun {
  readonly site: SiteInstance;
  /** Every registration of the run, in order of completion. */
  readonly resources: readonly RegisteredResource[];
  readonly componentOutputs: readonly RegisteredOutputs[];
}

/**
 * Constructs a Site named `name` and waits until every resource under it is
 * registered. Each run starts with an empty record.
 */
export async function recordSite(components: Components, name: string, args: SiteArgs): Promise<SiteRun> {
  resources.length = 0;
  componentOutputs.length = 0;

  const site = new components.Site(name, args);
  await waitForSite(site);

  return { site, resources: [...resources], componentOutputs: [...componentOutputs] };
}

/**
 * Resolves every output of the site. Each resource under it feeds one of them,
 * directly or as an input or dependency of another, so all are registered
 * afterwards. The loop then waits for registration callbacks still queued.
 */
async function waitForSite(site: SiteInstance): Promise<void> {
  await Promise.all([
    valueOf(site.pbx.containerName),
    valueOf(site.pbx.imageId),
    valueOf(site.pbx.configHashes),
    valueOf(site.secrets.extensionPasswords),
    valueOf(site.secrets.voicemailPins),
    valueOf(site.secrets.amiPassword),
  ]);
  while (registrationsInFlight > 0) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

/** Returns the registrations recorded since the last reset, in order of completion. */
export function recordedResources(): RegisteredResource[] {
  return [...resources];
}

/** Resolves once a resource of each name in `names` is registered; rejects after `timeoutMs`. */
export async function waitForRegistrations(names: readonly string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const missing = () => names.filter((name) => !resources.some((resource) => resource.name === name));
  while (missing().length > 0 || registrationsInFlight > 0) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for the registration of ${missing().join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with the value of a known output. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => {
    output.apply((value) => {
      resolve(value);
      return value;
    });
  });
}

/** Returns the secret value that the mocks give the GeneratedSecret `name`: stable per name, like the state. */
export function mockGeneratedValue(name: string, length: number, alphabet: string): string {
  const digest = createHash("sha256").update(`generated:${name}`).digest();
  if (alphabet === "digits") {
    return [...digest.subarray(0, length)].map((byte) => String(byte % 10)).join("");
  }
  const characters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const extended = Buffer.concat([digest, createHash("sha256").update(digest).digest()]);
  return [...extended.subarray(0, length)].map((byte) => characters[byte % characters.length]).join("");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Returns the outputs that the real provider of each type would report, derived from the inputs. */
function mockOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
  const outputs: Record<string, unknown> = { ...args.inputs };

  if (args.type.endsWith("docker:Image")) {
    outputs.imageId = `sha256:${sha256(`image:${args.name}`)}`;
    outputs.contextHash = sha256(`context:${args.name}`);
  } else if (args.type.endsWith("docker:Volume")) {
    outputs.mountpoint = `/var/lib/docker/volumes/${String(inputs.name)}/_data`;
  } else if (args.type.endsWith("docker:Container")) {
    outputs.containerId = sha256(`container:${args.name}`);
    outputs.running = true;
    outputs.status = "running";
  } else if (args.type.endsWith("docker:ContainerFiles")) {
    const files = (inputs.files ?? {}) as Record<string, string>;
    outputs.fileHashes = Object.fromEntries(Object.entries(files).map(([file, text]) => [file, `sha256:${sha256(text)}`]));
    outputs.secretFileHashes = {};
    outputs.ownerIds = "0:0";
  } else if (args.type.endsWith("inova:GeneratedSecret")) {
    outputs.value = mockGeneratedValue(args.name, Number(inputs.length), String(inputs.alphabet));
  }

  for (const key of requestedSecretOutputs.get(`${args.type}::${args.name}`) ?? []) {
    if (key in outputs) {
      outputs[key] = pulumi.secret(outputs[key]);
    }
  }
  return outputs;
}

function recordRegistration(request: RegisterResourceRequest, urn: string): RegisteredResource {
  const object = request.getObject();
  const wireInputs = object === undefined ? {} : pulumi.runtime.deserializeProperties(object as never);
  return {
    type: request.getType(),
    name: request.getName(),
    urn,
    parent: request.getParent(),
    custom: request.getCustom(),
    inputs: unwrapSecrets(wireInputs) as Record<string, unknown>,
    plainInputs: withoutSecrets(wireInputs) as Record<string, unknown>,
    secretPaths: findSecretPaths(wireInputs, ""),
    additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
    dependencies: request.getDependenciesList(),
  };
}

function isSecretValue(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

function mapValues(value: unknown, leaf: (secret: { value: unknown }) => unknown): unknown {
  if (isSecretValue(value)) {
    return leaf(value);
  }
  if (Array.isArray(value)) {
    return value.map((item) => mapValues(item, leaf));
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapValues(item, leaf)]));
  }
  return value;
}

function unwrapSecrets(value: unknown): unknown {
  return mapValues(value, (secret) => unwrapSecrets(secret.value));
}

function withoutSecrets(value: unknown): unknown {
  return mapValues(value, () => SECRET_PLACEHOLDER);
}

function findSecretPaths(value: unknown, path: string): string[] {
  if (isSecretValue(value)) {
    return [path];
  }
  if (typeof value !== "object" || value === null) {
    return [];
  }
  return Object.entries(value).flatMap(([key, item]) => findSecretPaths(item, path === "" ? key : `${path}.${key}`));
}
