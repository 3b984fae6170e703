// Reads a stack file's `inova-pbx:*` values the way the Pulumi program sees them.

import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

import type { RawSiteConfig } from "../../components/model/raw";

export function readStackConfig(projectDir: string, code: string): RawSiteConfig {
  const file = path.join(projectDir, `Pulumi.${code}.yaml`);
  const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) {
    if (key.startsWith("inova-pbx:")) {
      raw[key.slice("inova-pbx:".length)] = value;
    }
  }
  return raw as RawSiteConfig;
}
