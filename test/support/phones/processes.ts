// Child processes started by the phone helpers, stopped by PID.

import type { ChildProcess } from "node:child_process";

import { withTimeout } from "./wait";

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Registers a child so that it is killed when this process exits without
 * having stopped it, e.g. after a test timeout.
 */
export function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const tracked of liveChildren) {
        tracked.kill("SIGKILL");
      }
    });
  }
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Waits for the child to exit, sending SIGTERM and then SIGKILL when it takes longer than `graceMs` each. */
export async function stopChild(child: ChildProcess, graceMs = 2_000): Promise<void> {
  if (!isRunning(child)) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (const signal of [undefined, "SIGTERM", "SIGKILL"] as const) {
    if (signal) {
      child.kill(signal);
    }
    try {
      await withTimeout(exited, graceMs, `PID ${child.pid} to exit`);
      return;
    } catch {
      // Escalate to the next signal.
    }
  }
  throw new Error(`PID ${child.pid} did not exit after SIGKILL`);
}
