// Logical resource names are the resources' identity in the state, so they
// come from stable keys (site code, extension number) and never from list
// positions. Reordering the stack file's lists changes no name and no file.

import { beforeAll, describe, expect, it } from "vitest";

import type { RawSiteConfig } from "../../../components/model/load";
import { installMocks, loadComponents, recordSite, type RegisteredResource, type SiteRun } from "./engine-mock";
import { named, readRawStack, siteArgsFromRaw, STACKS, TYPES } from "./fixtures";

let components: Awaited<ReturnType<typeof loadComponents>>;

beforeAll(async () => {
  await installMocks("test");
  components = await loadComponents();
});

/** Reverses the extensions and the ring groups. */
function reorderEntries(raw: RawSiteConfig): RawSiteConfig {
  const reordered = structuredClone(raw);
  reordered.extensions = [...(reordered.extensions ?? [])].reverse();
  reordered.ringGroups = [...(reordered.ringGroups ?? [])].reverse();
  return reordered;
}

/**
 * Reverses the extensions, the ring groups and the options of each IVR. The
 * IVR order stays, because other sites reach the first IVR.
 */
function reorderLists(raw: RawSiteConfig): RawSiteConfig {
  const reordered = reorderEntries(raw);
  reordered.ivrs = (reordered.ivrs ?? []).map((ivr) => ({ ...ivr, options: [...ivr.options].reverse() }));
  return reordered;
}

function resourceKeys(resources: readonly RegisteredResource[]): string[] {
  return resources.map((resource) => `${resource.type} ${resource.name}`).sort();
}

function inputsByName(resources: readonly RegisteredResource[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(resources.map((resource) => [resource.name, resource.inputs]));
}

describe.each(STACKS)("%s resource names", (code) => {
  let original: SiteRun;
  let entriesReordered: SiteRun;
  let listsReordered: SiteRun;

  beforeAll(async () => {
    const raw = readRawStack(code);
    original = await recordSite(components, code, siteArgsFromRaw(code, raw));
    entriesReordered = await recordSite(components, code, siteArgsFromRaw(code, reorderEntries(raw)));
    listsReordered = await recordSite(components, code, siteArgsFromRaw(code, reorderLists(raw)));
  });

  it("reordering changes the list order", () => {
    const raw = readRawStack(code);
    const reordered = reorderLists(raw);
    expect(reordered.extensions?.[0].number).not.toBe(raw.extensions?.[0].number);
    expect(reordered.ringGroups?.[0].number).not.toBe(raw.ringGroups?.[0].number);
    expect(reordered.ivrs?.[0].options[0].digit).not.toBe(raw.ivrs?.[0].options[0].digit);
  });

  it("survive reordered lists", () => {
    expect(resourceKeys(listsReordered.resources)).toEqual(resourceKeys(original.resources));
  });

  it("reordered lists render the same config", () => {
    const before = named(original.resources, `${code}-pbx-config`);
    const after = named(listsReordered.resources, `${code}-pbx-config`);
    expect(after.inputs.files).toEqual(before.inputs.files);
    expect(after.inputs.secretFiles).toEqual(before.inputs.secretFiles);
  });

  // The generated IVR greetings read the options in list order, so only
  // reordered extensions and ring groups leave the prompt sources unchanged.
  it("reordered entries render the same prompts", () => {
    const before = named(original.resources, `${code}-pbx-prompts`);
    const after = named(entriesReordered.resources, `${code}-pbx-prompts`);
    expect(after.inputs.files).toEqual(before.inputs.files);
  });

  it("reordered entries send the same inputs", () => {
    expect(inputsByName(entriesReordered.resources)).toEqual(inputsByName(original.resources));
  });

  it("start with the site code", () => {
    for (const resource of original.resources) {
      expect(resource.name, resource.type).toMatch(new RegExp(`^${code}(-|$)`));
    }
  });
});

describe("resource names after an inserted extension", () => {
  it.each(STACKS)("%s keeps every existing name", async (code) => {
    const raw = readRawStack(code);
    const numbers = (raw.extensions ?? []).map((extension) => Number(extension.number));
    const added = String(Math.max(...numbers) + 1);
    const inserted = structuredClone(raw);
    inserted.extensions = [{ number: added, name: "Recepción", protocol: "pjsip" }, ...(inserted.extensions ?? [])];

    const before = await recordSite(components, code, siteArgsFromRaw(code, raw));
    const after = await recordSite(components, code, siteArgsFromRaw(code, inserted));

    const beforeKeys = resourceKeys(before.resources);
    const afterKeys = resourceKeys(after.resources);
    expect(afterKeys.filter((key) => !beforeKeys.includes(key))).toEqual([
      `${TYPES.generatedSecret} ${code}-secrets-password-${added}`,
      `${TYPES.generatedSecret} ${code}-secrets-pin-${added}`,
    ]);
    expect(beforeKeys.filter((key) => !afterKeys.includes(key))).toEqual([]);
  });
});
