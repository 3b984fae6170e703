// Port checks before a phone or PBX starts on the host network, so that a
// clash shows up as a clear error and not as a phone that never answers.

import { createSocket } from "node:dgram";
import { createServer } from "node:net";

/**
 * Throws when another process already listens on one of the ports of
 * `address`. `user` names what needs the ports, for the error message.
 */
export async function assertPortsFree(address: string, ports: { readonly tcp?: readonly number[]; readonly udp?: readonly number[] }, user: string): Promise<void> {
  for (const port of ports.tcp ?? []) {
    await new Promise<void>((resolvePromise, reject) => {
      const server = createServer();
      server.once("error", (error) => reject(portError("TCP", address, port, user, error)));
      server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolvePromise()));
    });
  }
  for (const port of ports.udp ?? []) {
    await new Promise<void>((resolvePromise, reject) => {
      const socket = createSocket("udp4");
      socket.once("error", (error) => {
        socket.close();
        reject(portError("UDP", address, port, user, error));
      });
      socket.bind({ address, port, exclusive: true }, () => socket.close(() => resolvePromise()));
    });
  }
}


function portError(protocol: string, address: string, port: number, user: string, error: NodeJS.ErrnoException): Error {
  const hint = error.code === "EADDRINUSE" ? "; another process listens there, so pick another loopback address" : "";
  return new Error(`${protocol} ${address}:${port} cannot be bound for ${user}: ${error.message}${hint}`);
}
