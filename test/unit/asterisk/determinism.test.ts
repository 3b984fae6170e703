// The rendered configuration depends only on the model's content, not on list order or
// on how often it is rendered, so deployments do not churn.

import { describe, expect, it } from "vitest";

import { renderPublicFiles, renderSiteConfig } from "../../../components/asterisk";
import type { SiteModel } from "../../../components/model/types";
import { MODELS, SITE_CODES, peersOf, secretsOf } from "./fixtures";

function reversed(model: SiteModel): SiteModel {
  return {
    ...model,
    extensions: [...model.extensions].reverse(),
    ringGroups: [...model.ringGroups].reverse(),
    ivrs: model.ivrs.map((ivr) => ({ ...ivr, options: [...ivr.options].reverse() })).reverse(),
    recordings: [...model.recordings].reverse(),
  };
}

describe.each(SITE_CODES)("rendering %s", (code) => {
  const model = MODELS[code];
  const options = { peers: peersOf(code) };

  it("is the same twice", () => {
    expect(renderSiteConfig(model, secretsOf(model), options)).toEqual(renderSiteConfig(model, secretsOf(model), options));
  });

  it("ignores the order of lists in the model", () => {
    expect(renderSiteConfig(reversed(model), secretsOf(model), { peers: [...options.peers].reverse() })).toEqual(
      renderSiteConfig(model, secretsOf(model), options),
    );
  });

  it("keeps non-secret files identical when secrets change", () => {
    const other = secretsOf(model);
    const changed = {
      extensionPasswords: Object.fromEntries(Object.keys(other.extensionPasswords).map((number) => [number, `changed-${number}`])),
      voicemailPins: Object.fromEntries(Object.keys(other.voicemailPins).map((number) => [number, "4321"])),
      amiPassword: "changed-ami",
    };
    const first = renderSiteConfig(model, other, options);
    const second = renderSiteConfig(model, changed, options);
    expect(second.files).toEqual(first.files);
    expect(second.secretFiles).not.toEqual(first.secretFiles);
  });

  it("renders public files without secrets", () => {
    expect(renderPublicFiles(model, options)).toEqual(renderSiteConfig(model, secretsOf(model), options).files);
  });

  it("keeps hunt order from the model", () => {
    const hunt = model.ringGroups.find((group) => group.strategy === "hunt");
    if (hunt === undefined) {
      throw new Error(`site ${code} has no hunt group in the fixture`);
    }
    const swapped: SiteModel = {
      ...model,
      ringGroups: model.ringGroups.map((group) => (group === hunt ? { ...group, members: [...group.members].reverse() } : group)),
    };
    expect(renderSiteConfig(swapped, secretsOf(model), options).files["extensions.conf"]).not.toBe(
      renderSiteConfig(model, secretsOf(model), options).files["extensions.conf"],
    );
  });
});
