import { describe, expect, it } from "vitest";

import { describeReplacement, findStatefulReplacements, type PreviewStep } from "../../../scripts/preview/replace-check";

const CONTAINER_URN = "urn:pulumi:mochis::inova-pbx::inova:site:Site$inova:records:CallRecords$pulumi-nodejs:dynamic/docker:Container::mochis-records-db";
const FILES_URN = "urn:pulumi:mochis::inova-pbx::inova:site:Site$inova:pbx:Pbx$pulumi-nodejs:dynamic/docker:ContainerFiles::mochis-pbx-config";
const IMAGE_URN = "urn:pulumi:mochis::inova-pbx::inova:site:Site$inova:pbx:Pbx$pulumi-nodejs:dynamic/docker:Image::mochis-pbx-image";

const replaceDatabase: PreviewStep = {
  op: "replace",
  urn: CONTAINER_URN,
  replaceReasons: ["env"],
  oldState: { inputs: { name: "inova-mochis-cdr-db", env: { A: "1", B: "2" } } },
  newState: { type: "pulumi-nodejs:dynamic/docker:Container", inputs: { name: "inova-mochis-cdr-db", env: { A: "1", B: "3" } } },
};

describe("findStatefulReplacements", () => {
  it("names the container and changed keys", () => {
    const [replacement] = findStatefulReplacements({ steps: [replaceDatabase] });
    expect(replacement.engineName).toBe("inova-mochis-cdr-db");
    expect(replacement.properties).toEqual(["env (B)"]);
    expect(describeReplacement("mochis", replacement)).toBe(
      "stack mochis would replace container inova-mochis-cdr-db (mochis-records-db) because env (B) changed, which drops " +
        "its calls or connections; revert the change, or apply it on purpose with pulumi up in a maintenance window",
    );
  });

  it("reports each resource once", () => {
    const steps = [replaceDatabase, { ...replaceDatabase, op: "create-replacement" }, { ...replaceDatabase, op: "delete-replaced" }];
    expect(findStatefulReplacements({ steps })).toHaveLength(1);
  });

  it("passes updates and stateless replacements", () => {
    const steps: PreviewStep[] = [
      { op: "update", urn: FILES_URN, detailedDiff: { "files.extensions.conf": { kind: "update" } } },
      { op: "update", urn: CONTAINER_URN, detailedDiff: { restartPolicy: { kind: "update" } } },
      { op: "replace", urn: IMAGE_URN, replaceReasons: ["contextHash"] },
      { op: "same", urn: CONTAINER_URN },
    ];
    expect(findStatefulReplacements({ steps })).toEqual([]);
  });

  it("reports a replaced volume", () => {
    const urn = "urn:pulumi:mochis::inova-pbx::inova:site:Site$inova:pbx:Pbx$pulumi-nodejs:dynamic/docker:Volume::mochis-pbx-voicemail";
    const [replacement] = findStatefulReplacements({
      steps: [{ op: "replace", urn, replaceReasons: ["name"], oldState: { inputs: { name: "a" } }, newState: { inputs: { name: "b" } } }],
    });
    expect(describeReplacement("mochis", replacement)).toMatch(/^stack mochis would replace volume b \(mochis-pbx-voicemail\) because name changed, which drops its data;/);
  });
});
