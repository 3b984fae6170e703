// Helpers shared by the MariaDB dynamic providers. Like every provider
// module, these functions keep no module state and load modules inside their
// bodies, because Pulumi serializes them into a separate process.

import type * as pulumi from "@pulumi/pulumi";
import { containsUnknown, deepEqual } from "../docker/common";
import type { AdminTarget } from "./admin-connection";

/** Inputs that name the server every MariaDB resource administers. */
export interface TargetInputs {
  /** Engine id or name of the running database container. */
  readonly containerId: string;
  /** Unix socket of the server inside the container. @default "/run/mariadbd/mysqld.sock" */
  readonly socketPath: string;
  readonly engine?: AdminTarget["engine"];
}

/** Returns the administration target named by a resource's inputs. */
export function targetOf(inputs: TargetInputs): AdminTarget {
  return { containerId: inputs.containerId, socketPath: inputs.socketPath, engine: inputs.engine };
}

/** Fills in the target defaults and records a failure for each invalid target input. */
export function checkTarget(inputs: Record<string, unknown>, failures: pulumi.dynamic.CheckFailure[]): void {
  inputs.socketPath = inputs.socketPath ?? "/run/mariadbd/mysqld.sock";
  const containerId = inputs.containerId;
  if (!containsUnknown(containerId) && (typeof containerId !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(containerId))) {
    failures.push({
      property: "containerId",
      reason: `containerId must be a container id or name, got ${JSON.stringify(containerId)}`,
    });
  }
  const socketPath = inputs.socketPath;
  if (!containsUnknown(socketPath) && (typeof socketPath !== "string" || !socketPath.startsWith("/"))) {
    failures.push({ property: "socketPath", reason: `socketPath must be an absolute path, got ${JSON.stringify(socketPath)}` });
  }
}

/**
 * Reports whether the server to administer changed; an unknown target counts
 * as changed. A new container of the same server (a replacement that keeps
 * the data volume) still contains the same accounts and schema. A changed
 * target therefore updates a resource in place, which makes sure its object
 * exists there.
 */
export function targetChanged(olds: Partial<TargetInputs>, news: TargetInputs): boolean {
  const keys = ["containerId", "socketPath", "engine"] as const;
  return keys.some((key) => containsUnknown(news[key]) || !deepEqual(olds[key], news[key]));
}

/** Returns the server's error number of a failed query (e.g. 1141), or undefined for other errors. */
export function sqlErrorNumber(error: unknown): number | undefined {
  return (error as { errno?: number } | null)?.errno;
}

/** Reports whether `value` is a non-empty string. */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/**
 * Host part accepted for accounts: `localhost`, an IPv4 or IPv6 address, or an
 * address pattern with `%` and `_` wildcards. Host names are rejected because
 * the servers run with skip_name_resolve, where only addresses match.
 */
export function isValidAccountHost(host: unknown): boolean {
  if (typeof host !== "string" || host.length === 0 || host.length > 255) {
    return false;
  }
  const ipv4Pattern = /^[0-9.%_]+$/.test(host);
  const ipv6Pattern = /^[0-9A-Fa-f:.%_]+$/.test(host) && host.includes(":");
  return host === "localhost" || ipv4Pattern || ipv6Pattern;
}

/** User names: letters, digits, `_`, `-` and `.`, at most 80 characters. */
export function isValidAccountUser(user: unknown): boolean {
  return typeof user === "string" && /^[A-Za-z0-9_.-]{1,80}$/.test(user);
}
