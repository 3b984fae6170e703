// The idle gate against a real container. A new replace digest waits while the
// idle command reports active calls and goes ahead once it prints 0. At its bound
// the wait fails with a message naming the override. Nothing waits when forced,
// when the digest is unchanged or when the container is missing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  idleGateProvider,
  type IdleGateProviderInputs,
  type IdleGateProviderOutputs,
} from "../../../components/providers/docker/idle-gate-provider";
import { BASE_IMAGE, Cleanup, docker, uniqueName } from "./docker-test-support";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

async function checked(news: Record<string, unknown>): Promise<IdleGateProviderInputs> {
  const result = await idleGateProvider.check!({} as IdleGateProviderInputs, news as unknown as IdleGateProviderInputs);
  expect(result.failures).toEqual([]);
  return result.inputs as IdleGateProviderInputs;
}

describe("IdleGate provider", { timeout: 120_000 }, () => {
  const name = cleanup.container(uniqueName("gate"));
  const setCalls = (count: number) => docker("exec", name, "sh", "-c", `echo ${count} > /var/tmp/calls`);

  beforeAll(() => {
    docker(
      "run", "-d", "--name", name, "--network", "none", "--stop-timeout", "2", BASE_IMAGE,
      "sh", "-c", "echo 0 > /var/tmp/calls; trap 'exit 0' TERM; while :; do sleep 0.2; done",
    );
  });

  const inputs = (digest: string, extra: Record<string, unknown> = {}) =>
    checked({
      containerName: name,
      replaceDigest: digest,
      waitIdleCommand: ["cat", "/var/tmp/calls"],
      maxWaitSeconds: 20,
      pollIntervalSeconds: 0.2,
      ...extra,
    });

  it("rejects an empty idle command and a non-positive bound", async () => {
    const result = await idleGateProvider.check!(
      {} as IdleGateProviderInputs,
      { containerName: name, replaceDigest: "a", waitIdleCommand: [], maxWaitSeconds: 0 } as unknown as IdleGateProviderInputs,
    );
    expect(result.failures?.map((failure) => failure.property).sort()).toEqual(["maxWaitSeconds", "waitIdleCommand"]);
  });

  it("reports changed inputs only", async () => {
    const olds = (await inputs("image-1")) as IdleGateProviderOutputs;
    expect((await idleGateProvider.diff!(name, olds, await inputs("image-1"))).changes).toBe(false);
    const diff = await idleGateProvider.diff!(name, olds, await inputs("image-2"));
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);
  });

  it("waits on a new digest until the last call ends", async () => {
    const created = await idleGateProvider.create!(await inputs("image-1"));
    setCalls(2);
    let finished = false;
    const update = idleGateProvider.update!(name, created.outs as IdleGateProviderOutputs, await inputs("image-2")).then((result) => {
      finished = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(finished).toBe(false);
    setCalls(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(finished).toBe(false);
    setCalls(0);
    const result = await update;
    expect(result.outs?.replaceDigest).toBe("image-2");
  });

  it("passes an unchanged digest during calls", async () => {
    setCalls(3);
    const olds = (await inputs("image-2")) as IdleGateProviderOutputs;
    const result = await idleGateProvider.update!(name, olds, await inputs("image-2", { maxWaitSeconds: 30 }));
    expect(result.outs?.maxWaitSeconds).toBe(30);
    setCalls(0);
  });

  it("fails at the bound with the override", async () => {
    setCalls(1);
    const olds = (await inputs("image-2")) as IdleGateProviderOutputs;
    await expect(idleGateProvider.update!(name, olds, await inputs("image-3", { maxWaitSeconds: 1 }))).rejects.toThrow(
      /was not idle within 1 s: \["cat","\/var\/tmp\/calls"\] must print 0 before the container is replaced, and it last printed "1"\. The container was not replaced\..*forceRestart: true/s,
    );
    setCalls(0);
  });

  it("goes ahead at once when forced", async () => {
    setCalls(4);
    const olds = (await inputs("image-3")) as IdleGateProviderOutputs;
    const result = await idleGateProvider.update!(name, olds, await inputs("image-4", { force: true, maxWaitSeconds: 1 }));
    expect(result.outs?.replaceDigest).toBe("image-4");
    setCalls(0);
  });

  it("skips a missing container", async () => {
    const absent = await checked({
      containerName: uniqueName("gate-absent"),
      replaceDigest: "image-1",
      waitIdleCommand: ["cat", "/var/tmp/calls"],
      maxWaitSeconds: 1,
    });
    const created = await idleGateProvider.create!(absent);
    expect(created.id).toBe(absent.containerName);
  });
});
