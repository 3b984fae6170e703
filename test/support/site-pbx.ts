// A site's PBX for integration tests: the real stack file rendered by the real
// renderers into the real image, on a test-only loopback address, with known
// secrets. Recordings can be replaced by tone files, so a test can tell by
// content which prompt a caller heard.

import * as path from "node:path";

import { peerSitesFromProject, renderSiteConfig } from "../../components/asterisk";
import { PROMPT_DIRECTORY } from "../../components/asterisk";
import { loadProjectSites, loadSite } from "../../components/model/load";
import type { RawSiteConfig } from "../../components/model/raw";
import type { Recording, SiteModel, SiteSecrets } from "../../components/model/types";
import { renderPromptSources } from "../../components/prompt-sources";
import { readStackConfig } from "./stack-files";
import { AsteriskContainer } from "./phones/asterisk-container";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface SitePbxOptions {
  /** Stack name of the site, e.g. `mochis`. */
  readonly code: string;
  /** Loopback address the test PBX binds; keep it off the deployed sites' 127.0.8x.1. */
  readonly address: string;
  /** First port of a 200-port RTP range of its own. */
  readonly rtpStart: number;
  /** Recording name to a WAV (or other audio) file on the host that replaces it. */
  readonly recordings?: Readonly<Record<string, string>>;
  /** Start Asterisk at this instant (`YYYY-MM-DD hh:mm:ss`, UTC) with libfaketime. */
  readonly clock?: string;
  /** Changes applied to the raw stack config before loading, e.g. a lower ringSeconds. */
  readonly editConfig?: (raw: RawSiteConfig) => void;
}

export class SitePbx {
  private constructor(
    readonly model: SiteModel,
    readonly secrets: SiteSecrets,
    readonly asterisk: AsteriskContainer,
  ) {}

  /** Renders the site and starts its PBX; resolves once Asterisk has booted and the prompts exist. */
  static async start(options: SitePbxOptions): Promise<SitePbx> {
    const raw = readStackConfig(PROJECT_DIR, options.code);
    options.editConfig?.(raw);
    const loaded = loadSite(options.code, raw, { projectDir: PROJECT_DIR });
    const model = withTestNetwork(withRecordings(loaded, options.recordings ?? {}), options.address, options.rtpStart);
    const secrets = testSecrets(model);
    const peers = peerSitesFromProject(loadProjectSites(PROJECT_DIR), options.code);
    const rendered = renderSiteConfig(model, secrets, { peers });

    const files: Record<string, string> = {};
    for (const [name, text] of Object.entries({ ...rendered.files, ...rendered.secretFiles })) {
      files[`/etc/asterisk/${name}`] = text;
    }
    for (const [name, text] of Object.entries(renderPromptSources(model, PROJECT_DIR))) {
      files[`/var/lib/inova/prompt-sources/${name}`] = text;
    }

    const clockEnv: Record<string, string> = options.clock === undefined
      ? {}
      : { LD_PRELOAD: "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", FAKETIME: `@${options.clock}`, TZ: "UTC" };
    const asterisk = await AsteriskContainer.start({
      name: `phone-test-site-${options.code}-${process.pid}`,
      image: options.clock === undefined ? "inova/asterisk:dev" : "inova/asterisk:faketime",
      files,
      env: clockEnv,
      bootTimeoutMs: 60_000,
    });

    try {
      const built = await asterisk.exec(["inova-build-prompts"]);
      if (built.exitCode !== 0) {
        throw new Error(`inova-build-prompts failed: ${built.stdout}${built.stderr}`);
      }
    } catch (error) {
      await asterisk.remove();
      throw error;
    }
    return new SitePbx(model, secrets, asterisk);
  }

  get address(): string {
    return this.model.site.address;
  }

  /** Password of an extension, for registering a phone as it. */
  password(extension: string): string {
    const value = this.secrets.extensionPasswords[extension];
    if (value === undefined) {
      throw new Error(`site ${this.model.site.code} has no extension ${extension}`);
    }
    return value;
  }

  pin(extension: string): string {
    return this.secrets.voicemailPins[extension];
  }

  /** Runs an Asterisk CLI command. */
  cli(command: string): Promise<string> {
    return this.asterisk.cli(command);
  }

  async stop(): Promise<void> {
    await this.asterisk.remove();
  }
}

/** Known secrets that every test client can use: letters and digits only. */
export function testSecrets(model: SiteModel): SiteSecrets {
  const extensionPasswords: Record<string, string> = {};
  const voicemailPins: Record<string, string> = {};
  for (const extension of model.extensions) {
    extensionPasswords[extension.number] = `Test${model.site.code}Pass${extension.number}x9`;
    voicemailPins[extension.number] = `5${extension.number}8`;
  }
  return { extensionPasswords, voicemailPins, amiPassword: `TestAmi${model.site.code}Pass42` };
}

function withTestNetwork(model: SiteModel, address: string, rtpStart: number): SiteModel {
  return {
    ...model,
    site: { ...model.site, address, ports: { ...model.site.ports, rtp: { start: rtpStart, end: rtpStart + 199 } } },
  };
}

function withRecordings(model: SiteModel, replacements: Readonly<Record<string, string>>): SiteModel {
  const recordings: Recording[] = model.recordings.map((recording) => {
    const file = replacements[recording.name];
    return file === undefined ? recording : { name: recording.name, source: { kind: "file", path: file } };
  });
  return { ...model, recordings };
}

export { PROMPT_DIRECTORY };
