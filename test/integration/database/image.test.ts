// Start-up behaviour of the inova/mariadb image: configuration delivery, the
// first-start initialisation of an empty volume, and the data directories it rejects.

import { execFileSync, spawnSync } from "node:child_process";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { databaseSite, renderServerConfig, SERVER_CONFIG_ENV } from "../../../components/database";
import { asRoot, buildImage, docker, IMAGE, sleep, TestServers } from "./support";

const SITE = databaseSite({ code: "image", role: "branch", address: "127.0.96.51", serverId: 9651, gtidDomainId: 9651 });
const servers = new TestServers();
const extraContainers: string[] = [];
const extraVolumes: string[] = [];

/** Runs a container of the image once and returns its exit code and log when it exits within 60 s. */
async function runToExit(name: string, args: string[]): Promise<{ exitCode: number; log: string }> {
  extraContainers.push(name);
  docker("run", "-d", "--name", name, "--network", "host", ...args, IMAGE);
  for (let attempt = 0; attempt < 240; attempt++) {
    const status = docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name).split(" ");
    if (status[0] === "exited") {
      const logs = spawnSync("docker", ["logs", name], { encoding: "utf8" });
      return { exitCode: Number(status[1]), log: `${logs.stdout}${logs.stderr}` };
    }
    await sleep(250);
  }
  throw new Error(`container ${name} did not exit within 60 s`);
}

beforeAll(() => buildImage());
afterAll(() => {
  servers.removeAll();
  for (const name of extraContainers) {
    execFileSync("docker", ["rm", "-f", "-v", name], { stdio: "ignore" });
  }
  for (const name of extraVolumes) {
    execFileSync("docker", ["volume", "rm", "-f", name], { stdio: "ignore" });
  }
});

describe("inova/mariadb image", () => {
  it("declares a healthcheck and the data volume", () => {
    const config = JSON.parse(docker("image", "inspect", "--format", "{{json .Config}}", IMAGE)) as {
      Healthcheck?: { Test: string[] };
      Volumes?: Record<string, unknown>;
    };
    expect(config.Healthcheck?.Test).toEqual(["CMD", "/usr/local/bin/inova-mariadb-healthcheck"]);
    expect(Object.keys(config.Volumes ?? {})).toEqual(["/var/lib/mysql"]);
  });

  it("exits without a site configuration", async () => {
    const { exitCode, log } = await runToExit("db-test-image-noconfig", []);
    expect(exitCode).toBe(64);
    expect(log).toContain("missing site configuration: set INOVA_MARIADB_CONFIG or mount /etc/mysql/inova.d/server.cnf");
  });

  it("rejects a foreign data directory", async () => {
    const volume = "db-test-image-foreign";
    extraVolumes.push(volume);
    execFileSync("docker", ["volume", "rm", "-f", volume], { stdio: "ignore" });
    docker("volume", "create", volume);
    docker("run", "--rm", "-v", `${volume}:/data`, "--entrypoint", "sh", IMAGE, "-c", "echo keep > /data/important.txt");
    const { exitCode, log } = await runToExit("db-test-image-foreign", [
      "-v",
      `${volume}:/var/lib/mysql`,
      "-e",
      `${SERVER_CONFIG_ENV}=${renderServerConfig(SITE)}`,
    ]);
    expect(exitCode).toBe(65);
    expect(log).toContain("is not empty and has no mysql/ system schema, so it is not initialised; mount an empty volume or one with MariaDB data");
    expect(log).toContain("/var/lib/mysql/important.txt");
  });

  it("keeps the data when the container is replaced", async () => {
    const server = await servers.start("image", SITE);
    await asRoot(server, (connection) => connection.query("CREATE DATABASE db_test_persisted"));
    await servers.replace(server);
    const databases = (await asRoot(server, (connection) => connection.query("SHOW DATABASES LIKE 'db_test_persisted'"))) as unknown[];
    expect(databases).toHaveLength(1);
    const logs = spawnSync("docker", ["logs", server.container], { encoding: "utf8" });
    expect(logs.stderr).toContain("starting mariadbd");
    expect(logs.stderr).not.toContain("initialising an empty data directory");
  });
});
