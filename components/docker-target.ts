import * as pulumi from "@pulumi/pulumi";

import type { DockerSshTarget } from "./model/target";
import type { SshEngine } from "./providers/docker/engine";

/** Modules of the dynamic resources that reach a Docker engine through their `engine` input. */
const ENGINE_MODULES = ["docker", "mariadb"];

/** Returns the engine spec of a `docker-ssh` target: the login, the key file path and the host key, never the key. */
export function sshEngineOf(target: DockerSshTarget): SshEngine {
  return {
    protocol: "ssh",
    host: target.host,
    port: target.port,
    username: target.user,
    ...(target.privateKeyFile === undefined ? {} : { privateKeyFile: target.privateKeyFile }),
    agent: target.agent,
    hostKeyFingerprint: target.hostKeyFingerprint,
  };
}

/**
 * Returns a transformation that points each Docker and MariaDB resource at
 * `engine`, unless the resource sets its own. Set on a component, it applies
 * to every resource created beneath it.
 */
export function dockerEngineTransformation(engine: SshEngine): pulumi.ResourceTransformation {
  const prefixes = ENGINE_MODULES.map((module) => `pulumi-nodejs:dynamic/${module}:`);
  return (args) => {
    if (!prefixes.some((prefix) => args.type.startsWith(prefix)) || args.props.engine !== undefined) {
      return undefined;
    }
    return { props: { ...args.props, engine }, opts: args.opts };
  };
}
