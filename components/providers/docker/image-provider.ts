// Dynamic provider that builds a tagged image with the engine's classic builder.
//
// `check` hashes the build context into the `contextHash` input, so an image
// is rebuilt in place only when the context or the build arguments change. A
// new tag or engine replaces the resource, whose id is the tag.

import type * as pulumi from "@pulumi/pulumi";
import { collectBuildContext, hashBuildContext, hashContextDirectory, packBuildContext } from "./build-context";
import {
  containsUnknown,
  deepEqual,
  dockerErrorMessage,
  isConflictError,
  isNotFoundError,
  logLine,
  toPlainData,
} from "./common";
import { connectEngine, describeEngine, type EngineSpec } from "./engine";

export interface ImageProviderInputs {
  /** Tag to build, e.g. `inova/asterisk:22`. */
  readonly name: string;
  /** Absolute path of the build context directory. */
  readonly context: string;
  /** Dockerfile path, relative to the context or absolute. @default "Dockerfile" */
  readonly dockerfile: string;
  /** Build arguments; they are stored in the image history, so never pass secrets. */
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Keep the tag on delete, and earlier untagged builds after a rebuild. @default false */
  readonly keepLocally: boolean;
  readonly engine?: EngineSpec;
  /** Hash of the build context computed by `check`. */
  readonly contextHash?: string;
}

export interface ImageProviderOutputs extends ImageProviderInputs {
  /** Image id, `sha256:<hex>`. */
  readonly imageId: string;
  readonly contextHash: string;
}

/** Label that records the context hash in each built image. */
function contextHashLabel(): string {
  return "inova-pbx.context-hash";
}

/** Label that records the tag each image was built for, to find its untagged predecessors. */
function imageNameLabel(): string {
  return "inova-pbx.image";
}

/** Seconds of building after which build output is also written to the provider log. */
function slowBuildSeconds(): number {
  return 10;
}

/** Reports whether `name` is a valid image reference with an optional tag and no digest. */
export function isValidImageName(name: string): boolean {
  const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  const tag = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
  const repository = new RegExp(`^${component}(?:/${component})*(?::${tag})?$`);
  // As in Docker, the first component names a registry host only when it
  // contains "." or ":" or is "localhost".
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost") {
    const host = /^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?$/;
    return name.length <= 255 && host.test(first) && repository.test(name.slice(slash + 1));
  }
  return name.length <= 255 && repository.test(name);
}

async function checkImage(
  _olds: Partial<ImageProviderInputs>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<ImageProviderInputs>> {
  const path: typeof import("path") = require("path");
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const inputs: Record<string, unknown> = {
    ...news,
    dockerfile: news.dockerfile ?? "Dockerfile",
    buildArgs: news.buildArgs ?? {},
    keepLocally: news.keepLocally ?? false,
  };
  delete inputs.contextHash;

  const { name, context, dockerfile, buildArgs, keepLocally } = inputs;
  if (!containsUnknown(name) && (typeof name !== "string" || !isValidImageName(name))) {
    failures.push({ property: "name", reason: `invalid image name ${JSON.stringify(name)}: expected repository[:tag] in lowercase` });
  }
  const contextKnown = !containsUnknown(context) && !containsUnknown(dockerfile);
  if (contextKnown && (typeof context !== "string" || !path.isAbsolute(context))) {
    failures.push({ property: "context", reason: `context must be an absolute directory path, got ${JSON.stringify(context)}` });
  }
  if (contextKnown && typeof dockerfile !== "string") {
    failures.push({ property: "dockerfile", reason: "dockerfile must be a path string" });
  }
  const buildArgsValid =
    buildArgs !== null &&
    typeof buildArgs === "object" &&
    !Array.isArray(buildArgs) &&
    Object.values(buildArgs as Record<string, unknown>).every((value) => typeof value === "string" || containsUnknown(value));
  if (!containsUnknown(buildArgs) && !buildArgsValid) {
    failures.push({ property: "buildArgs", reason: "buildArgs must map names to string values" });
  }
  if (typeof keepLocally !== "boolean" && !containsUnknown(keepLocally)) {
    failures.push({ property: "keepLocally", reason: "keepLocally must be a boolean" });
  }

  if (contextKnown && failures.length === 0) {
    try {
      inputs.contextHash = hashContextDirectory(context as string, dockerfile as string);
    } catch (error) {
      failures.push({ property: "context", reason: (error as Error).message });
    }
  }
  return { inputs: inputs as unknown as ImageProviderInputs, failures };
}

async function diffImage(
  _id: string,
  olds: ImageProviderOutputs,
  news: ImageProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaceKeys = ["name", "engine"] as const;
  // The context path itself is not compared: the same files in another
  // checkout give the same hash and need no rebuild.
  const updateKeys = ["contextHash", "buildArgs", "keepLocally"] as const;
  const replaces = replaceKeys.filter((key) => containsUnknown(news[key]) || !deepEqual(olds[key], news[key]));
  const updates = updateKeys.filter((key) => containsUnknown(news[key]) || !deepEqual(olds[key], news[key]));
  const hashUnknown = news.contextHash === undefined;
  return {
    changes: replaces.length > 0 || updates.length > 0 || hashUnknown,
    replaces: [...replaces],
    deleteBeforeReplace: false,
  };
}

/** Buffers build output and writes it to the provider log once a build is slow. */
function createBuildLog(name: string) {
  const startedAt = Date.now();
  const lines: string[] = [];
  let streaming = false;
  return {
    write(text: string) {
      for (const line of text.split("\n")) {
        if (line.trim() === "") {
          continue;
        }
        lines.push(line);
        if (!streaming && Date.now() - startedAt > slowBuildSeconds() * 1000) {
          streaming = true;
          lines.slice(0, -1).forEach((earlier) => logLine(`build ${name}: ${earlier}`));
        }
        if (streaming) {
          logLine(`build ${name}: ${line}`);
        }
      }
    },
    tail(count: number): string {
      return lines.slice(-count).join("\n");
    },
  };
}

/** Builds and tags the image; returns its id and the hash of the context that was sent. */
async function buildTaggedImage(inputs: ImageProviderInputs): Promise<{ imageId: string; contextHash: string }> {
  const docker = connectEngine(inputs.engine);
  const context = collectBuildContext(inputs.context, inputs.dockerfile);
  const contextHash = hashBuildContext(context);
  const archive = packBuildContext(context);
  const log = createBuildLog(inputs.name);

  let response: NodeJS.ReadableStream;
  try {
    response = await docker.buildImage(archive, {
      t: inputs.name,
      dockerfile: context.dockerfilePath,
      buildargs: { ...inputs.buildArgs },
      labels: { [contextHashLabel()]: contextHash, [imageNameLabel()]: inputs.name },
      rm: true,
      forcerm: true,
      pull: false,
      version: "1",
    });
  } catch (error) {
    throw new Error(
      `building image ${inputs.name} on ${describeEngine(inputs.engine)} failed: ${dockerErrorMessage(error)}`,
    );
  }

  const buildError = await new Promise<string | undefined>((resolve, reject) => {
    let pending = "";
    let failure: string | undefined;
    const handleLine = (line: string) => {
      if (line.trim() === "") {
        return;
      }
      let event: { stream?: string; error?: string; errorDetail?: { message?: string } };
      try {
        event = JSON.parse(line);
      } catch {
        log.write(line);
        return;
      }
      if (event.stream !== undefined) {
        log.write(event.stream);
      }
      if (event.error !== undefined) {
        failure = event.errorDetail?.message ?? event.error;
      }
    };
    response.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(handleLine);
    });
    response.on("end", () => {
      handleLine(pending);
      resolve(failure);
    });
    response.on("error", reject);
  });
  if (buildError !== undefined) {
    throw new Error(
      `building image ${inputs.name} from ${inputs.context} failed: ${buildError}\nlast build output:\n${log.tail(30)}`,
    );
  }

  const info = await docker.getImage(inputs.name).inspect();
  return { imageId: info.Id, contextHash };
}

/**
 * Removes earlier builds of `name` that lost their tag and that no container
 * uses. A build that a container still runs stays until a later update or
 * delete finds it unused. Failures are logged, not raised: this is cleanup.
 */
async function pruneUntaggedBuilds(inputs: ImageProviderInputs): Promise<void> {
  const docker = connectEngine(inputs.engine);
  try {
    await docker.pruneImages({ filters: { dangling: ["true"], label: [`${imageNameLabel()}=${inputs.name}`] } });
  } catch (error) {
    logLine(`removing untagged builds of ${inputs.name} failed: ${dockerErrorMessage(error)}`);
  }
}

async function createImage(inputs: ImageProviderInputs): Promise<pulumi.dynamic.CreateResult<ImageProviderOutputs>> {
  const built = await buildTaggedImage(inputs);
  return { id: inputs.name, outs: toPlainData({ ...inputs, ...built }) };
}

async function updateImage(
  _id: string,
  _olds: ImageProviderOutputs,
  news: ImageProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<ImageProviderOutputs>> {
  const built = await buildTaggedImage(news);
  if (!news.keepLocally) {
    await pruneUntaggedBuilds(news);
  }
  return { outs: toPlainData({ ...news, ...built }) };
}

async function readImage(
  id: string,
  props?: ImageProviderOutputs,
): Promise<pulumi.dynamic.ReadResult<ImageProviderOutputs>> {
  const docker = connectEngine(props?.engine);
  const name = props?.name ?? id;
  try {
    const info = await docker.getImage(name).inspect();
    // An image tagged by other means carries no context hash label, so its
    // hash reads as empty and the next update rebuilds it.
    const labels = info.Config?.Labels ?? {};
    return {
      id,
      props: toPlainData({
        ...(props as ImageProviderOutputs),
        name,
        imageId: info.Id,
        contextHash: labels[contextHashLabel()] ?? "",
      }),
    };
  } catch (error) {
    if (isNotFoundError(error)) {
      return {};
    }
    throw error;
  }
}

async function deleteImage(id: string, props: ImageProviderOutputs): Promise<void> {
  if (props.keepLocally) {
    return;
  }
  const docker = connectEngine(props.engine);
  const name = props.name ?? id;
  try {
    // Removes the tag; the engine deletes the image layers only when no other
    // tag or image uses them, so base images stay.
    await docker.getImage(name).remove({ force: false, noprune: false });
  } catch (error) {
    if (isNotFoundError(error)) {
      await pruneUntaggedBuilds({ ...props, name });
      return;
    }
    if (isConflictError(error)) {
      throw new Error(
        `cannot remove image ${name}: ${dockerErrorMessage(error)}; remove the containers that use it, or set keepLocally: true`,
      );
    }
    throw error;
  }
  await pruneUntaggedBuilds({ ...props, name });
}

/** Provider of the `Image` dynamic resource. */
export const imageProvider: pulumi.dynamic.ResourceProvider<ImageProviderInputs, ImageProviderOutputs> = {
  check: checkImage as unknown as pulumi.dynamic.ResourceProvider<ImageProviderInputs, ImageProviderOutputs>["check"],
  diff: diffImage,
  create: createImage,
  update: updateImage,
  read: readImage,
  delete: deleteImage,
};
