// Readiness of a container after a start or restart, shared by the Container
// and ContainerFiles providers.

import type Dockerode from "dockerode";
import { demultiplexDockerStream, sleep } from "./common";

/**
 * Waits until the container runs (for at least one second, so a process that
 * exits at once is caught) and, when it has a healthcheck, until it is healthy.
 * `timeoutSetting` names the input that sets the timeout, for the error message.
 */
export async function waitUntilReady(
  docker: Dockerode,
  containerId: string,
  timeoutSeconds: number,
  timeoutSetting: string,
): Promise<Dockerode.ContainerInspectInfo> {
  const container = docker.getContainer(containerId);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let runningSince: number | undefined;
  for (;;) {
    const info = await container.inspect();
    const state = info.State;
    const name = info.Name.replace(/^\//, "");
    const health = state.Health?.Status;
    if (!state.Running && (state.Status === "exited" || state.Status === "dead")) {
      const reason = state.Error ? `: ${state.Error}` : "";
      throw new Error(`container ${name} stopped after its start with exit code ${state.ExitCode}${reason}`);
    }
    if (state.Running && !state.Restarting && !state.Paused) {
      if (health === undefined || health === "none") {
        runningSince = runningSince ?? Date.now();
        if (Date.now() - runningSince >= 1000) {
          return info;
        }
      } else if (health === "healthy") {
        return info;
      } else if (health === "unhealthy") {
        const lastCheck = state.Health?.Log?.slice(-1)[0];
        const output = lastCheck ? ` (last check exited ${lastCheck.ExitCode}: ${lastCheck.Output.trim()})` : "";
        throw new Error(`container ${name} is unhealthy${output}`);
      }
    } else {
      runningSince = undefined;
    }
    if (Date.now() > deadline) {
      const wanted = health === undefined ? "running" : "healthy";
      const healthText = health === undefined ? "" : `, health ${health}`;
      throw new Error(
        `container ${name} was not ${wanted} within ${timeoutSeconds} s (status ${state.Status}${healthText}); raise ${timeoutSetting} if the service needs longer to start`,
      );
    }
    await sleep(250);
  }
}


/** Returns the last lines of the container's log, formatted for an error message. */
export async function containerLogTail(docker: Dockerode, containerId: string, lines: number): Promise<string> {
  try {
    const raw = (await docker
      .getContainer(containerId)
      .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    const { stdout, stderr } = demultiplexDockerStream(raw);
    const text = `${stdout}${stderr}`.trim();
    return text === "" ? "" : `\nlast container output:\n${text}`;
  } catch {
    return "";
  }
}

