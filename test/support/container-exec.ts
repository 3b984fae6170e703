// Runs commands in a Docker container and returns what they print.

import Docker from "dockerode";
import { PassThrough } from "node:stream";

/** Runs `command` in `container` and returns its standard output. Fails with its output when it exits non-zero. */
export async function execInContainer(docker: Docker, container: string, command: string[]): Promise<string> {
  const execution = await docker.getContainer(container).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await execution.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on("end", () => resolve());
    stream.on("error", reject);
  });
  const { ExitCode } = await execution.inspect();
  if (ExitCode !== 0) {
    throw new Error(`${command.join(" ")} in ${container} exited with ${ExitCode}: ${err || out}`);
  }
  return out;
}
