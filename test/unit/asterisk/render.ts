// Renders the fixture sites the way the deployment does, for the tests of this folder.

import { renderSiteConfig, type RenderedSiteConfig } from "../../../components/asterisk";
import { MODELS, peersOf, secretsOf, type SiteCode } from "./fixtures";

export function renderFixture(code: SiteCode): RenderedSiteConfig {
  const model = MODELS[code];
  return renderSiteConfig(model, secretsOf(model), { peers: peersOf(code) });
}

/** Returns every rendered file, secret or not, keyed by name. */
export function allFiles(rendered: RenderedSiteConfig): Record<string, string> {
  return { ...rendered.files, ...rendered.secretFiles };
}
