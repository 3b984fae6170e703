// Dynamic provider for a long-running service container.
//
// The resource id is the container name, which is fixed, so replacements
// delete the old container first. `read` reports the live state: a stopped
// container reads as `running: false`, and the next update starts it in place.
// The settings that the engine cannot change on an existing container are
// hashed into a label, so a container recreated by other means under the same
// name reads with a different hash and is replaced.

import type * as pulumi from "@pulumi/pulumi";
import type Dockerode from "dockerode";
import {
  containsUnknown,
  deepEqual,
  dockerErrorMessage,
  isNotFoundError,
  isNotModifiedError,
  sha256Digest,
  stableStringify,
  toPlainData,
} from "./common";
import { containerLogTail, waitUntilReady } from "./container-readiness";
import { connectEngine, type EngineSpec } from "./engine";

export type RestartPolicyName = "no" | "always" | "unless-stopped" | "on-failure";

export type NetworkMode = "host" | "none" | "bridge";

export interface VolumeMount {
  /** Name of a named volume. */
  readonly volume: string;
  /** Absolute path inside the container. */
  readonly target: string;
  readonly readOnly?: boolean;
}

export interface TmpfsMount {
  /** `true`, or the size limit in bytes and the permission bits of the mount. */
  readonly tmpfs: true | { readonly sizeBytes?: number; readonly mode?: number };
  /** Absolute path inside the container. */
  readonly target: string;
}

export type ContainerMount = VolumeMount | TmpfsMount;

export interface Healthcheck {
  /** Docker form: `["CMD", "prog", "arg"]`, `["CMD-SHELL", "command line"]` or `["NONE"]`. */
  readonly test: readonly string[];
  /** @default 30 */
  readonly intervalSeconds?: number;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly retries?: number;
  /** @default 0 */
  readonly startPeriodSeconds?: number;
}

export interface ContainerProviderInputs {
  readonly name: string;
  /** Image id, `sha256:<hex>`; a new id replaces the container. */
  readonly imageId: string;
  readonly hostname?: string;
  /** @default "host" */
  readonly networkMode: NetworkMode;
  /** Environment variables; they are visible to anyone who can inspect the container, so never secrets. */
  readonly env: Readonly<Record<string, string>>;
  readonly mounts: readonly ContainerMount[];
  /** @default "unless-stopped" */
  readonly restartPolicy: RestartPolicyName;
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** Linux capabilities to add, e.g. `NET_BIND_SERVICE`. */
  readonly capAdd: readonly string[];
  readonly healthcheck?: Healthcheck;
  /** User (name or uid[:gid]) of the main process; the image's user when absent. */
  readonly user?: string;
  /** Seconds to wait after a start until the container runs, and is healthy when it has a healthcheck. @default 120 */
  readonly startTimeoutSeconds: number;
  /** Seconds between SIGTERM and SIGKILL when the container is stopped. @default 10 */
  readonly stopTimeoutSeconds: number;
  readonly engine?: EngineSpec;
}

export interface ContainerProviderOutputs extends ContainerProviderInputs {
  /** Engine id of the container (64 hex digits). */
  readonly containerId: string;
  readonly running: boolean;
  /** Engine status: `running`, `exited`, `paused`, `restarting`, ... */
  readonly status: string;
  /** `starting`, `healthy` or `unhealthy` when the container has a healthcheck. */
  readonly health?: string;
  /** Hash of the settings fixed at creation, as read from the container's label. */
  readonly configHash: string;
}

/** Inputs that the engine fixes when it creates a container; changing any of them replaces it. */
export function containerReplaceKeys(): readonly (keyof ContainerProviderInputs)[] {
  return [
    "name",
    "imageId",
    "hostname",
    "networkMode",
    "env",
    "mounts",
    "command",
    "entrypoint",
    "labels",
    "capAdd",
    "healthcheck",
    "user",
    "engine",
  ];
}

/** Inputs applied to an existing container without replacing it. */
export function containerUpdateKeys(): readonly (keyof ContainerProviderInputs)[] {
  return ["restartPolicy", "startTimeoutSeconds", "stopTimeoutSeconds"];
}

/** Label that stores the hash of the settings fixed at creation. */
function configHashLabel(): string {
  return "inova-pbx.config-hash";
}

/** Hashes the settings fixed at creation (the replace keys except the engine). */
export function containerConfigHash(inputs: ContainerProviderInputs): string {
  const fixed: Record<string, unknown> = {};
  for (const key of containerReplaceKeys()) {
    if (key !== "engine") {
      fixed[key] = inputs[key];
    }
  }
  return sha256Digest(stableStringify(fixed));
}

/**
 * Returns the settings whose change replaces the container, as canonical JSON,
 * for an IdleGate's replaceDigest. The settings that change in place, such as
 * the restart policy, are left out, so changing them does not wait for calls to end.
 */
export function containerReplaceDigest(settings: { readonly [K in keyof ContainerProviderInputs]?: unknown }): string {
  const fixed: Record<string, unknown> = {};
  for (const key of containerReplaceKeys()) {
    fixed[key] = settings[key];
  }
  return stableStringify(fixed);
}

// ---------------------------------------------------------------------------
// check

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value as Record<string, unknown>).every((item) => typeof item === "string")
  );
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isPositiveNumber(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

function validateMounts(mounts: unknown, failures: pulumi.dynamic.CheckFailure[]): void {
  if (!Array.isArray(mounts)) {
    failures.push({ property: "mounts", reason: "mounts must be a list" });
    return;
  }
  const targets = new Set<string>();
  mounts.forEach((mount: Record<string, unknown>, index) => {
    const property = `mounts[${index}]`;
    if (containsUnknown(mount)) {
      return;
    }
    const hasVolume = mount.volume !== undefined;
    const hasTmpfs = mount.tmpfs !== undefined;
    if (hasVolume === hasTmpfs) {
      failures.push({ property, reason: "a mount needs exactly one of volume or tmpfs" });
    }
    if (hasVolume && (typeof mount.volume !== "string" || mount.volume === "")) {
      failures.push({ property, reason: "volume must be a volume name" });
    }
    if (hasTmpfs && mount.tmpfs !== true && (mount.tmpfs === null || typeof mount.tmpfs !== "object")) {
      failures.push({ property, reason: "tmpfs must be true or { sizeBytes?, mode? }" });
    }
    if (typeof mount.target !== "string" || !mount.target.startsWith("/")) {
      failures.push({ property, reason: `target must be an absolute path, got ${JSON.stringify(mount.target)}` });
    } else if (targets.has(mount.target)) {
      failures.push({ property, reason: `target ${mount.target} is mounted twice` });
    } else {
      targets.add(mount.target);
    }
  });
}

function validateHealthcheck(healthcheck: unknown, failures: pulumi.dynamic.CheckFailure[]): void {
  const check = healthcheck as Record<string, unknown> | null;
  if (check === null || typeof check !== "object") {
    failures.push({ property: "healthcheck", reason: "healthcheck must be an object with a test" });
    return;
  }
  const test = check.test;
  if (!isStringArray(test) || !["CMD", "CMD-SHELL", "NONE"].includes(test[0])) {
    failures.push({
      property: "healthcheck.test",
      reason: 'test must start with "CMD", "CMD-SHELL" or "NONE", e.g. ["CMD", "asterisk", "-rx", "core show uptime"]',
    });
  }
  for (const key of ["intervalSeconds", "timeoutSeconds", "startPeriodSeconds"]) {
    if (check[key] !== undefined && !isPositiveNumber(check[key])) {
      failures.push({ property: `healthcheck.${key}`, reason: `${key} must be a positive number of seconds` });
    }
  }
  if (check.retries !== undefined && !(Number.isInteger(check.retries) && (check.retries as number) > 0)) {
    failures.push({ property: "healthcheck.retries", reason: "retries must be a positive integer" });
  }
}

async function checkContainer(
  _olds: Partial<ContainerProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<ContainerProviderInputs>> {
  const inputs: Record<string, unknown> = {
    ...news,
    networkMode: news.networkMode ?? "host",
    env: news.env ?? {},
    mounts: news.mounts ?? [],
    restartPolicy: news.restartPolicy ?? "unless-stopped",
    labels: news.labels ?? {},
    capAdd: news.capAdd ?? [],
    startTimeoutSeconds: news.startTimeoutSeconds ?? 120,
    stopTimeoutSeconds: news.stopTimeoutSeconds ?? 10,
  };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const known = (key: string) => !containsUnknown(inputs[key]);
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  if (known("name") && (typeof inputs.name !== "string" || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(inputs.name))) {
    fail("name", `invalid container name ${JSON.stringify(inputs.name)}: use letters, digits, "_", "." and "-"`);
  }
  if (known("imageId") && (typeof inputs.imageId !== "string" || !/^sha256:[0-9a-f]{64}$/.test(inputs.imageId))) {
    fail("imageId", `imageId must be an image id (sha256:<64 hex digits>), got ${JSON.stringify(inputs.imageId)}`);
  }
  if (known("networkMode") && !["host", "none", "bridge"].includes(inputs.networkMode as string)) {
    fail("networkMode", `networkMode must be "host", "none" or "bridge", got ${JSON.stringify(inputs.networkMode)}`);
  }
  if (known("env")) {
    if (!isStringRecord(inputs.env)) {
      fail("env", "env must map variable names to string values");
    } else {
      const invalid = Object.keys(inputs.env).filter((key) => key === "" || key.includes("="));
      if (invalid.length > 0) {
        fail("env", `invalid environment variable names: ${invalid.join(", ")}`);
      }
    }
  }
  if (known("mounts")) {
    validateMounts(inputs.mounts, failures);
  }
  if (known("restartPolicy") && !["no", "always", "unless-stopped", "on-failure"].includes(inputs.restartPolicy as string)) {
    fail("restartPolicy", `restartPolicy must be "no", "always", "unless-stopped" or "on-failure"`);
  }
  for (const key of ["command", "entrypoint", "capAdd"]) {
    if (inputs[key] !== undefined && known(key) && !isStringArray(inputs[key])) {
      fail(key, `${key} must be a list of strings`);
    }
  }
  if (known("labels")) {
    if (!isStringRecord(inputs.labels)) {
      fail("labels", "labels must map names to string values");
    } else if (configHashLabel() in inputs.labels) {
      fail("labels", `label ${configHashLabel()} is set by the provider`);
    }
  }
  if (inputs.healthcheck !== undefined && known("healthcheck")) {
    validateHealthcheck(inputs.healthcheck, failures);
  }
  for (const key of ["startTimeoutSeconds", "stopTimeoutSeconds"]) {
    if (known(key) && !isPositiveNumber(inputs[key])) {
      fail(key, `${key} must be a positive number of seconds`);
    }
  }
  return { inputs: inputs as unknown as ContainerProviderInputs, failures };
}

// ---------------------------------------------------------------------------
// diff

/**
 * Decides between replacement (settings fixed at creation, or a container
 * recreated by other means), an update in place (restart policy, timeouts, or
 * a stopped or paused container to start), and no change.
 */
export async function diffContainer(
  _id: string,
  olds: ContainerProviderOutputs,
  news: ContainerProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = containerReplaceKeys().filter(
    (key) => containsUnknown(news[key]) || !deepEqual(olds[key], news[key]),
  );
  if (replaces.length === 0 && !containsUnknown(news) && olds.configHash !== containerConfigHash(news)) {
    replaces.push("configHash");
  }
  const updates: string[] = containerUpdateKeys().filter(
    (key) => containsUnknown(news[key]) || !deepEqual(olds[key], news[key]),
  );
  if (olds.running === false || olds.status === "paused") {
    updates.push("running");
  }
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    deleteBeforeReplace: true,
  };
}

// ---------------------------------------------------------------------------
// create, read, update, delete

function toMountSettings(mount: ContainerMount): Dockerode.MountSettings {
  if ("volume" in mount) {
    return { Type: "volume", Source: mount.volume, Target: mount.target, ReadOnly: mount.readOnly ?? false };
  }
  const options = mount.tmpfs === true ? {} : mount.tmpfs;
  return {
    Type: "tmpfs",
    Source: "",
    Target: mount.target,
    TmpfsOptions: { SizeBytes: options.sizeBytes, Mode: options.mode } as { SizeBytes: number; Mode: number },
  };
}

function toHealthConfig(healthcheck: Healthcheck | undefined): Dockerode.HealthConfig | undefined {
  if (healthcheck === undefined) {
    return undefined;
  }
  const nanoseconds = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1e9));
  return {
    Test: [...healthcheck.test],
    Interval: nanoseconds(healthcheck.intervalSeconds),
    Timeout: nanoseconds(healthcheck.timeoutSeconds),
    Retries: healthcheck.retries,
    StartPeriod: nanoseconds(healthcheck.startPeriodSeconds),
  };
}

function toCreateOptions(inputs: ContainerProviderInputs): Dockerode.ContainerCreateOptions {
  const env = Object.keys(inputs.env)
    .sort()
    .map((key) => `${key}=${inputs.env[key]}`);
  return {
    name: inputs.name,
    Image: inputs.imageId,
    Hostname: inputs.hostname,
    User: inputs.user,
    Env: env,
    Cmd: inputs.command ? [...inputs.command] : undefined,
    Entrypoint: inputs.entrypoint ? [...inputs.entrypoint] : undefined,
    Labels: { ...inputs.labels, [configHashLabel()]: containerConfigHash(inputs) },
    Healthcheck: toHealthConfig(inputs.healthcheck),
    StopTimeout: inputs.stopTimeoutSeconds,
    HostConfig: {
      NetworkMode: inputs.networkMode,
      Mounts: inputs.mounts.map((mount) => toMountSettings(mount)),
      RestartPolicy: { Name: inputs.restartPolicy, MaximumRetryCount: 0 },
      CapAdd: inputs.capAdd.length > 0 ? [...inputs.capAdd] : undefined,
    },
  } as Dockerode.ContainerCreateOptions;
}

async function inspectOrUndefined(
  docker: Dockerode,
  nameOrId: string,
): Promise<Dockerode.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(nameOrId).inspect();
  } catch (error) {
    if (isNotFoundError(error)) {
      return undefined;
    }
    throw error;
  }
}

function restartPolicyOf(info: Dockerode.ContainerInspectInfo): RestartPolicyName {
  const name = info.HostConfig.RestartPolicy?.Name ?? "";
  return (name === "" ? "no" : name) as RestartPolicyName;
}

/** Starts (or unpauses) the container when needed and waits until it is ready. */
async function startAndWait(docker: Dockerode, containerId: string, timeoutSeconds: number) {
  const container = docker.getContainer(containerId);
  const info = await container.inspect();
  if (info.State.Paused) {
    await container.unpause();
  } else if (!info.State.Running) {
    try {
      await container.start();
    } catch (error) {
      if (!isNotModifiedError(error)) {
        throw new Error(`starting container ${info.Name.replace(/^\//, "")} failed: ${dockerErrorMessage(error)}`);
      }
    }
  }
  return waitUntilReady(docker, containerId, timeoutSeconds, "startTimeoutSeconds");
}

/** Builds the outputs from the inputs and the live container. */
function describeContainer(
  inputs: ContainerProviderInputs,
  info: Dockerode.ContainerInspectInfo,
): ContainerProviderOutputs {
  return toPlainData({
    ...inputs,
    name: info.Name.replace(/^\//, ""),
    containerId: info.Id,
    imageId: info.Image,
    restartPolicy: restartPolicyOf(info),
    running: info.State.Running && !info.State.Paused,
    status: info.State.Status,
    health: info.State.Health?.Status,
    configHash: info.Config.Labels?.[configHashLabel()] ?? "",
  });
}

async function createContainer(
  inputs: ContainerProviderInputs,
): Promise<pulumi.dynamic.CreateResult<ContainerProviderOutputs>> {
  const docker = connectEngine(inputs.engine);
  const existing = await inspectOrUndefined(docker, inputs.name);
  let containerId: string;
  if (existing !== undefined) {
    // A container with the same settings, for example one left by a lost
    // state, is adopted. Any other container of that name is not ours to remove.
    if (existing.Config.Labels?.[configHashLabel()] !== containerConfigHash(inputs)) {
      throw new Error(
        `a container named ${inputs.name} already exists (id ${existing.Id.slice(0, 12)}) with other settings; remove it with "docker rm -f ${inputs.name}" and run the update again`,
      );
    }
    containerId = existing.Id;
  } else {
    try {
      containerId = (await docker.createContainer(toCreateOptions(inputs))).id;
    } catch (error) {
      throw new Error(`creating container ${inputs.name} failed: ${dockerErrorMessage(error)}`);
    }
  }

  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await startAndWait(docker, containerId, inputs.startTimeoutSeconds);
  } catch (error) {
    // Creation must leave nothing behind when it fails, so the new container goes.
    const logs = await containerLogTail(docker, containerId, 40);
    if (existing === undefined) {
      await docker
        .getContainer(containerId)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    }
    throw new Error(`${(error as Error).message}${logs}`);
  }
  return { id: inputs.name, outs: describeContainer(inputs, info) };
}

async function readContainer(
  id: string,
  props?: ContainerProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<ContainerProviderOutputs>> {
  const docker = connectEngine(props?.engine);
  const info = await inspectOrUndefined(docker, props?.name ?? id);
  if (info === undefined) {
    return {};
  }
  return { id, props: describeContainer(props as ContainerProviderOutputs, info) };
}

async function updateContainer(
  id: string,
  _olds: ContainerProviderOutputs,
  news: ContainerProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<ContainerProviderOutputs>> {
  const docker = connectEngine(news.engine);
  const info = await inspectOrUndefined(docker, news.name ?? id);
  if (info === undefined) {
    throw new Error(`container ${news.name} not found; run "pulumi refresh" so the next update creates it again`);
  }
  if (restartPolicyOf(info) !== news.restartPolicy) {
    await docker.getContainer(info.Id).update({ RestartPolicy: { Name: news.restartPolicy, MaximumRetryCount: 0 } });
  }
  let ready: Dockerode.ContainerInspectInfo;
  try {
    ready = await startAndWait(docker, info.Id, news.startTimeoutSeconds);
  } catch (error) {
    throw new Error(`${(error as Error).message}${await containerLogTail(docker, info.Id, 40)}`);
  }
  return { outs: describeContainer(news, ready) };
}

async function deleteContainer(id: string, props: ContainerProviderOutputs): Promise<void> {
  const docker = connectEngine(props.engine);
  const container = docker.getContainer(props.containerId ?? props.name ?? id);
  try {
    await container.stop({ t: props.stopTimeoutSeconds ?? 10 });
  } catch (error) {
    if (isNotFoundError(error)) {
      return;
    }
    if (!isNotModifiedError(error)) {
      throw new Error(`stopping container ${props.name ?? id} failed: ${dockerErrorMessage(error)}`);
    }
  }
  try {
    // `v` removes anonymous volumes only; named volumes are never removed here.
    await container.remove({ force: true, v: true });
  } catch (error) {
    if (!isNotFoundError(error)) {
      throw new Error(`removing container ${props.name ?? id} failed: ${dockerErrorMessage(error)}`);
    }
  }
}

/** Provider of the `Container` dynamic resource. */
export const containerProvider: pulumi.dynamic.ResourceProvider<ContainerProviderInputs, ContainerProviderOutputs> = {
  check: checkContainer as unknown as pulumi.dynamic.ResourceProvider<ContainerProviderInputs, ContainerProviderOutputs>["check"],
  diff: diffContainer,
  create: createContainer,
  update: updateContainer,
  read: readContainer,
  delete: deleteContainer,
};
