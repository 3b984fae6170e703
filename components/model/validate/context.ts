// Inputs of validation besides the site model.

import type { ProjectSite } from "../project";
import type { OperatorSecrets, SiteModel } from "../types";

export interface ValidationContext {
  /** Directory of Pulumi.yaml; recording files are relative to it. */
  readonly projectDir: string;
  /** Every stack of the project, as `loadProjectSites` returns them; the entry of the site itself is ignored. */
  readonly sites: readonly ProjectSite[];
  /** Operator-set secrets, as plain text; secrets left unset are generated and need no check. */
  readonly secrets?: OperatorSecrets;
}

/** Returns the other sites of the project. */
export function peerSites(model: SiteModel, context: ValidationContext): ProjectSite[] {
  return context.sites.filter((site) => site.code !== model.site.code);
}

/** Describes a site for a message, e.g. `site tabasco (Pulumi.tabasco.yaml)`. */
export function describePeer(site: ProjectSite): string {
  return `site ${site.code} (${site.stackFile})`;
}
