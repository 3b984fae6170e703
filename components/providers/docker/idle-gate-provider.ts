// Dynamic provider that delays the replacement of a service container until the
// service is idle. A container that depends on the gate is replaced only after
// the gate's update, and that update waits until the idle command in the running
// container prints 0, so an image upgrade drops no call.

import type * as pulumi from "@pulumi/pulumi";
import { containsUnknown, isNotFoundError, toPlainData } from "./common";
import { connectEngine, type EngineSpec } from "./engine";
import { waitForIdle } from "./exec";

export interface IdleGateProviderInputs {
  /** Name of the container that the gate guards. */
  readonly containerName: string;
  /** Digest of the settings whose change replaces the container, such as its image id. */
  readonly replaceDigest: string;
  /** Command that prints only the number of active calls. */
  readonly waitIdleCommand: readonly string[];
  /** @default 600 */
  readonly maxWaitSeconds: number;
  /** @default 5 */
  readonly pollIntervalSeconds: number;
  /** Let the replacement go ahead at once; active calls are dropped. @default false */
  readonly force: boolean;
  readonly engine?: EngineSpec;
}

export type IdleGateProviderOutputs = IdleGateProviderInputs;

async function checkIdleGate(
  _olds: Partial<IdleGateProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<IdleGateProviderInputs>> {
  const inputs: Record<string, unknown> = {
    ...news,
    maxWaitSeconds: news.maxWaitSeconds ?? 600,
    pollIntervalSeconds: news.pollIntervalSeconds ?? 5,
    force: news.force ?? false,
  };
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const command = inputs.waitIdleCommand;
  if (!containsUnknown(command) && (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === "string"))) {
    failures.push({ property: "waitIdleCommand", reason: 'waitIdleCommand must be a non-empty command list, e.g. ["inova-active-calls"]' });
  }
  for (const key of ["maxWaitSeconds", "pollIntervalSeconds"]) {
    const value = inputs[key];
    if (!containsUnknown(value) && !(typeof value === "number" && Number.isFinite(value) && value > 0)) {
      failures.push({ property: key, reason: `${key} must be a positive number of seconds` });
    }
  }
  return { inputs: inputs as unknown as IdleGateProviderInputs, failures };
}

/** Reports a change when any input changes; only a new replace digest makes the update wait. */
async function diffIdleGate(
  _id: string,
  olds: IdleGateProviderOutputs,
  news: IdleGateProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const keys = ["containerName", "replaceDigest", "waitIdleCommand", "maxWaitSeconds", "pollIntervalSeconds", "force", "engine"] as const;
  const changed = keys.filter((key) => containsUnknown(news[key]) || JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
  return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
}

/** Waits until the guarded container is idle. A missing or stopped container has no call to drop, so it returns at once. */
async function waitWhenRunning(inputs: IdleGateProviderInputs): Promise<void> {
  if (inputs.force) {
    return;
  }
  const docker = connectEngine(inputs.engine);
  let running: boolean;
  try {
    running = (await docker.getContainer(inputs.containerName).inspect()).State.Running;
  } catch (error) {
    if (isNotFoundError(error)) {
      return;
    }
    throw error;
  }
  if (!running) {
    return;
  }
  await waitForIdle(docker, inputs.containerName, {
    command: inputs.waitIdleCommand,
    maxWaitSeconds: inputs.maxWaitSeconds,
    pollIntervalSeconds: inputs.pollIntervalSeconds,
    commandTimeoutSeconds: 60,
    before: "before the container is replaced",
    untouched: "The container was not replaced",
    override: "forceRestart: true to replace it",
  });
}

async function createIdleGate(inputs: IdleGateProviderInputs): Promise<pulumi.dynamic.CreateResult<IdleGateProviderOutputs>> {
  await waitWhenRunning(inputs);
  return { id: inputs.containerName, outs: toPlainData(inputs) };
}

async function updateIdleGate(
  _id: string,
  olds: IdleGateProviderOutputs,
  news: IdleGateProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<IdleGateProviderOutputs>> {
  if (olds.replaceDigest !== news.replaceDigest) {
    await waitWhenRunning(news);
  }
  return { outs: toPlainData(news) };
}

/** Returns the stored properties: the gate has no state outside Pulumi's. */
async function readIdleGate(
  id: string,
  props?: IdleGateProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<IdleGateProviderOutputs>> {
  return props === undefined ? {} : { id, props };
}

async function deleteIdleGate(): Promise<void> {
  return;
}

/** Provider of the `IdleGate` dynamic resource. */
export const idleGateProvider: pulumi.dynamic.ResourceProvider<IdleGateProviderInputs, IdleGateProviderOutputs> = {
  check: checkIdleGate as unknown as pulumi.dynamic.ResourceProvider<IdleGateProviderInputs>["check"],
  diff: diffIdleGate,
  create: createIdleGate,
  update: updateIdleGate,
  read: readIdleGate,
  delete: deleteIdleGate,
};
