// Client for baresip's ctrl_tcp module (baresip 1.0.0): JSON messages framed
// as netstrings (`<length>:<payload>,`) over TCP.
//
// A command is `{"command": "dial", "params": "sip:…", "token": "…"}` and gets
// one response `{"response": true, "ok": …, "data": "…", "token": "…"}`.
// Events such as `{"event": true, "type": "CALL_ESTABLISHED", …}` arrive at any
// time and are passed to the event listener.

import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";

import { sleep } from "./wait";

/** One ctrl_tcp event, e.g. `{ type: "CALL_CLOSED", param: "Connection reset by peer" }`. */
export interface BaresipEvent {
  readonly type: string;
  readonly class?: string;
  readonly accountaor?: string;
  readonly direction?: "incoming" | "outgoing";
  readonly peeruri?: string;
  /** Call id. */
  readonly id?: string;
  readonly param?: string;
  /** Milliseconds since the Unix epoch at which the event was parsed. */
  readonly receivedAt: number;
}

interface PendingCommand {
  readonly command: string;
  readonly resolve: (data: string) => void;
  readonly reject: (error: Error) => void;
}

export class BaresipControl extends EventEmitter<{ event: [BaresipEvent]; close: [] }> {
  private buffer = Buffer.alloc(0);
  private nextToken = 1;
  private readonly pending = new Map<string, PendingCommand>();
  private closed = false;

  private constructor(private readonly socket: Socket) {
    super();
    socket.on("data", (chunk) => this.receive(chunk));
    socket.on("close", () => this.handleClose());
    socket.on("error", () => {
      // The close event that follows rejects the pending commands.
    });
  }

  /**
   * Connects to ctrl_tcp, retrying while baresip is still starting.
   * `isAlive` stops the retries early when the baresip process has exited.
   */
  static async connect(host: string, port: number, timeoutMs: number, isAlive: () => boolean): Promise<BaresipControl> {
    const deadline = Date.now() + timeoutMs;
    let lastError: Error | undefined;
    while (Date.now() < deadline && isAlive()) {
      try {
        const socket = await openSocket(host, port);
        return new BaresipControl(socket);
      } catch (error) {
        lastError = error as Error;
        await sleep(50);
      }
    }
    const reason = isAlive() ? `timed out after ${timeoutMs} ms` : "baresip exited";
    throw new Error(`cannot connect to baresip ctrl_tcp at ${host}:${port}: ${reason} (last error: ${lastError?.message ?? "none"})`);
  }

  /** Sends a command and returns the `data` of its response; throws when baresip reports `ok: false`. */
  send(command: string, params = "", timeoutMs = 5_000): Promise<string> {
    if (this.closed) {
      return Promise.reject(new Error(`cannot send ${command}: the ctrl_tcp connection is closed`));
    }
    const token = String(this.nextToken++);
    const payload = Buffer.from(JSON.stringify({ command, params, token }), "utf8");
    const frame = Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(",")]);

    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip did not respond to ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, {
        command,
        resolve: (data) => {
          clearTimeout(timer);
          resolve(data);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(":");
      if (colon < 0) {
        return;
      }
      const length = Number(this.buffer.subarray(0, colon).toString("ascii"));
      if (!Number.isInteger(length) || length < 0) {
        // A corrupt frame cannot be resynchronised; drop the connection.
        this.socket.destroy(new Error(`invalid netstring length "${this.buffer.subarray(0, colon).toString("ascii")}"`));
        return;
      }
      const end = colon + 1 + length;
      if (this.buffer.length < end + 1) {
        return;
      }
      const payload = this.buffer.subarray(colon + 1, end).toString("utf8");
      this.buffer = this.buffer.subarray(end + 1);
      this.dispatch(payload);
    }
  }

  private dispatch(payload: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      return;
    }

    if (message.event === true) {
      this.emit("event", { ...(message as Omit<BaresipEvent, "receivedAt">), receivedAt: Date.now() });
      return;
    }
    if (message.response === true && typeof message.token === "string") {
      const pending = this.pending.get(message.token);
      if (!pending) {
        return;
      }
      this.pending.delete(message.token);
      const data = typeof message.data === "string" ? message.data : "";
      if (message.ok === true) {
        pending.resolve(data);
      } else {
        pending.reject(new Error(`baresip rejected ${pending.command}: ${data.trim() || "no reason given"}`));
      }
    }
  }

  private handleClose(): void {
    this.closed = true;
    for (const pending of this.pending.values()) {
      pending.reject(new Error(`ctrl_tcp connection closed before baresip responded to ${pending.command}`));
    }
    this.pending.clear();
    this.emit("close");
  }
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}
