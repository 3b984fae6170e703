// Small helpers for building dialplan models.

import type { Application, Priority } from "./model";

/** Returns priorities without labels, in order. */
export function steps(...applications: Application[]): Priority[] {
  return applications.map((application) => ({ application }));
}
