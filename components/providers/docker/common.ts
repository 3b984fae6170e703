// Helpers shared by the Docker dynamic providers.
//
// Pulumi serializes each provider object together with every function it
// reaches, and runs that text in a separate Node.js process. Functions here
// therefore load Node.js and npm modules with `require` inside their bodies and
// keep no module-level state.

/**
 * Placeholder that Pulumi 3.x sends to dynamic providers for values not known
 * yet during a preview (`unknownValue` in `@pulumi/pulumi/runtime/rpc`).
 */
export function unknownPlaceholder(): string {
  return "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
}

/** Reports whether `value` is, or contains, a value unknown during a preview. */
export function containsUnknown(value: unknown): boolean {
  if (value === unknownPlaceholder()) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some((item) => containsUnknown(item));
  }
  if (value !== null && typeof value === "object") {
    return Object.values(value as Record<string, unknown>).some((item) => containsUnknown(item));
  }
  return false;
}

/**
 * Copies `value` as plain JSON data without `undefined` members. The dynamic
 * provider host converts outputs with `Struct.fromJavaScript`, which throws on
 * `undefined`.
 */
export function toPlainData<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Serializes `value` as JSON with object keys sorted, so equal data gives equal text. */
export function stableStringify(value: unknown): string {
  if (value === undefined) {
    return "null";
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => stableStringify(item)).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify(record[key])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Compares two JSON-like values structurally; `undefined` members count as absent. */
export function deepEqual(left: unknown, right: unknown): boolean {
  return stableStringify(left) === stableStringify(right);
}

/** Returns `sha256:<hex>` of the given text or bytes. */
export function sha256Digest(data: string | Buffer): string {
  const crypto: typeof import("crypto") = require("crypto");
  return `sha256:${crypto.createHash("sha256").update(data).digest("hex")}`;
}

/** Reports whether a Docker Engine API error is HTTP 404 (no such object). */
export function isNotFoundError(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 404;
}

/** Reports whether a Docker Engine API error is HTTP 409 (conflict, e.g. object in use). */
export function isConflictError(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 409;
}

/** Reports whether a Docker Engine API error is HTTP 304 (already started or stopped). */
export function isNotModifiedError(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 304;
}

/** Returns the message of a Docker Engine API error, preferring the engine's own text. */
export function dockerErrorMessage(error: unknown): string {
  const withJson = error as { json?: { message?: string }; message?: string } | null;
  return withJson?.json?.message ?? withJson?.message ?? String(error);
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Writes one line to the provider's standard error. The Pulumi engine shows
 * what a provider plugin writes there as diagnostics of the running operation.
 */
export function logLine(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * Splits the multiplexed stream format of a non-TTY container (8-byte frame
 * headers: stream type, 3 zero bytes, big-endian length) into stdout and stderr.
 */
export function demultiplexDockerStream(data: Buffer): { stdout: string; stderr: string } {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= data.length) {
    const streamType = data[offset];
    const length = data.readUInt32BE(offset + 4);
    const frame = data.subarray(offset + 8, offset + 8 + length);
    if (streamType === 2) {
      stderr.push(frame);
    } else {
      stdout.push(frame);
    }
    offset += 8 + length;
  }
  return { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
}
