// Polling and timeouts shared by the phone helpers.

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Delay between two checks, in milliseconds. @default 100 */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout message, e.g. `1001 to register`. */
  readonly description: string | (() => string);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `check` until it returns a value other than false, undefined or null,
 * and returns that value. An error thrown by `check` ends the wait at once.
 */
export async function waitFor<T>(check: () => Promise<T | false | undefined | null> | T | false | undefined | null, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 100;
  for (;;) {
    const result = await check();
    if (result !== false && result !== undefined && result !== null) {
      return result;
    }
    if (Date.now() >= deadline) {
      const description = typeof options.description === "function" ? options.description() : options.description;
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${description}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Rejects with a timeout error when `promise` does not settle within `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
