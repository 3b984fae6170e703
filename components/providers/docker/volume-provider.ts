// Dynamic provider for named volumes. Data volumes outlive `pulumi destroy`
// unless `deleteOnDestroy` is set; the resource id is the volume name.

import type * as pulumi from "@pulumi/pulumi";
import {
  containsUnknown,
  deepEqual,
  dockerErrorMessage,
  isConflictError,
  isNotFoundError,
  logLine,
  toPlainData,
} from "./common";
import { connectEngine, type EngineSpec } from "./engine";

export interface VolumeProviderInputs {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** @default "local" */
  readonly driver: string;
  /** Remove the volume and its data when the resource is deleted. @default false */
  readonly deleteOnDestroy: boolean;
  readonly engine?: EngineSpec;
}

export interface VolumeProviderOutputs extends VolumeProviderInputs {
  /** Path of the volume's data on the engine's host. */
  readonly mountpoint: string;
}

async function checkVolume(
  _olds: Partial<VolumeProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<VolumeProviderInputs>> {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const inputs: Record<string, unknown> = {
    ...news,
    labels: news.labels ?? {},
    driver: news.driver ?? "local",
    deleteOnDestroy: news.deleteOnDestroy ?? false,
  };
  const name = inputs.name;
  if (!containsUnknown(name) && (typeof name !== "string" || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name))) {
    failures.push({
      property: "name",
      reason: `invalid volume name ${JSON.stringify(name)}: use letters, digits, "_", "." and "-", at least 2 characters`,
    });
  }
  const labels = inputs.labels;
  if (
    !containsUnknown(labels) &&
    (labels === null ||
      typeof labels !== "object" ||
      Array.isArray(labels) ||
      !Object.values(labels as Record<string, unknown>).every((value) => typeof value === "string"))
  ) {
    failures.push({ property: "labels", reason: "labels must map names to string values" });
  }
  if (!containsUnknown(inputs.deleteOnDestroy) && typeof inputs.deleteOnDestroy !== "boolean") {
    failures.push({ property: "deleteOnDestroy", reason: "deleteOnDestroy must be a boolean" });
  }
  return { inputs: inputs as unknown as VolumeProviderInputs, failures };
}

async function diffVolume(
  _id: string,
  olds: VolumeProviderOutputs,
  news: VolumeProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  // The engine cannot change a volume's name or driver, so those replace it;
  // with deleteOnDestroy false the old volume and its data stay behind.
  // Labels are applied only when the volume is created: the engine cannot
  // relabel a volume, and replacing a kept volume of the same name would adopt
  // it with its old labels again.
  const replaceKeys = ["name", "driver", "engine"] as const;
  const replaces = replaceKeys.filter((key) => containsUnknown(news[key]) || !deepEqual(olds[key], news[key]));
  const deleteOnDestroyChanged = olds.deleteOnDestroy !== news.deleteOnDestroy;
  return {
    changes: replaces.length > 0 || deleteOnDestroyChanged,
    replaces: [...replaces],
    deleteBeforeReplace: true,
  };
}

async function createVolume(inputs: VolumeProviderInputs): Promise<pulumi.dynamic.CreateResult<VolumeProviderOutputs>> {
  const docker = connectEngine(inputs.engine);
  // Creating an existing local volume returns it unchanged, which adopts a
  // volume kept by an earlier destroy together with its data.
  await docker.createVolume({ Name: inputs.name, Driver: inputs.driver, Labels: { ...inputs.labels } });
  const info = await docker.getVolume(inputs.name).inspect();
  return { id: inputs.name, outs: toPlainData({ ...inputs, mountpoint: info.Mountpoint }) };
}

async function updateVolume(
  _id: string,
  olds: VolumeProviderOutputs,
  news: VolumeProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<VolumeProviderOutputs>> {
  // Only deleteOnDestroy changes in place, and it lives in the state alone.
  return { outs: toPlainData({ ...news, mountpoint: olds.mountpoint }) };
}

async function readVolume(
  id: string,
  props?: VolumeProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<VolumeProviderOutputs>> {
  const docker = connectEngine(props?.engine);
  const name = props?.name ?? id;
  try {
    const info = await docker.getVolume(name).inspect();
    return {
      id,
      props: toPlainData({
        ...(props as VolumeProviderOutputs),
        name,
        driver: info.Driver,
        labels: info.Labels ?? {},
        mountpoint: info.Mountpoint,
      }),
    };
  } catch (error) {
    if (isNotFoundError(error)) {
      return {};
    }
    throw error;
  }
}

async function deleteVolume(id: string, props: VolumeProviderOutputs): Promise<void> {
  const name = props.name ?? id;
  if (!props.deleteOnDestroy) {
    logLine(`volume ${name} kept with its data; remove it with "docker volume rm ${name}" when no longer needed`);
    return;
  }
  const docker = connectEngine(props.engine);
  try {
    await docker.getVolume(name).remove();
  } catch (error) {
    if (isNotFoundError(error)) {
      return;
    }
    if (isConflictError(error)) {
      throw new Error(`cannot remove volume ${name}: ${dockerErrorMessage(error)}; remove the containers that use it first`);
    }
    throw error;
  }
}

/** Provider of the `Volume` dynamic resource. */
export const volumeProvider: pulumi.dynamic.ResourceProvider<VolumeProviderInputs, VolumeProviderOutputs> = {
  check: checkVolume as unknown as pulumi.dynamic.ResourceProvider<VolumeProviderInputs, VolumeProviderOutputs>["check"],
  diff: diffVolume,
  create: createVolume,
  update: updateVolume,
  read: readVolume,
  delete: deleteVolume,
};
