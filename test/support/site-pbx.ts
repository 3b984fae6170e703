// A site's PBX for integration tests: the real stack file rendered by the real
// renderers into the real image, on a test-only loopback address, with known
// secrets. Recordings can be replaced by tone files, so a test can tell by
// content which prompt a caller heard.

import * as path from "node:path";
import Docker from "dockerode";

import { peerSitesFromProject, renderSiteConfig, type PeerSite, type RenderOptions } from "../../components/asterisk";
import { deriveAllTrunkPasswords } from "../../components/trunk-passwords";
import { PROMPT_DIRECTORY } from "../../components/asterisk";
import { loadProjectSites, loadSite } from "../../components/model/load";
import type { RawSiteConfig } from "../../components/model/raw";
import type { Recording, SiteModel, SiteSecrets } from "../../components/model/types";
import { renderPromptSources } from "../../components/prompt-sources";
import { readStackConfig } from "./stack-files";
import { AsteriskContainer } from "./phones/asterisk-container";
import { waitFor } from "./phones/wait";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface SitePbxOptions {
  /** Stack name of the site, e.g. `mochis`. */
  readonly code: string;
  /** Loopback address the test PBX binds; keep it off the deployed sites' 127.0.8x.1. */
  readonly address: string;
  /** First port of an RTP range of its own. */
  readonly rtpStart: number;
  /** Ports in the RTP range that starts at `rtpStart`. @default 200 */
  readonly rtpPortCount?: number;
  /** Recording name to a WAV (or other audio) file on the host that replaces it. */
  readonly recordings?: Readonly<Record<string, string>>;
  /** Start Asterisk at this instant (`YYYY-MM-DD hh:mm:ss`, UTC) with libfaketime. */
  readonly clock?: string;
  /** Changes applied to the raw stack config before loading, e.g. a lower ringSeconds. */
  readonly editConfig?: (raw: RawSiteConfig) => void;
  /** Renderer options other than the peers, which come from the project's stack files, e.g. `allowedNetworks`. */
  readonly renderOptions?: Omit<RenderOptions, "peers">;
  /** Container name. @default `phone-test-site-<code>-<pid>` */
  readonly containerName?: string;
  /**
   * Test addresses of the other sites' PBXs, by site code. Each site listed here gets trunks
   * pointed at that address, with the ports of its stack file. Sites left out get no trunk,
   * so calls to them end in the "not available" message and nothing leaves the test PBX.
   * @default {}
   */
  readonly peerAddresses?: Readonly<Record<string, string>>;
  /** Company secret from which the trunk passwords derive. @default TEST_COMPANY_SECRET */
  readonly companySecret?: string;
  /** TLS port of each peer in `peerAddresses` that enables trunk TLS, by site code. @default {} */
  readonly peerTlsPorts?: Readonly<Record<string, number>>;
  /** Trunk TLS of this PBX: its port and PEM texts. @default TLS off */
  readonly trunkTls?: { readonly port: number; readonly ca: string; readonly certificate: string; readonly key: string };
}

/** Company secret of the test PBXs: every site started with it derives the same trunk passwords. */
export const TEST_COMPANY_SECRET = "test-company-secret-for-trunks-0123456789";

/** Carrier trunk password of every test PBX whose model has a carrier. */
export const TEST_CARRIER_PASSWORD = "TestCarrierPass4271";

export class SitePbx {
  private constructor(
    readonly model: SiteModel,
    readonly secrets: SiteSecrets,
    readonly asterisk: AsteriskContainer,
    private readonly hasClock: boolean,
  ) {}

  /** Renders the site and starts its PBX; resolves once Asterisk has booted and the prompts exist. */
  static async start(options: SitePbxOptions): Promise<SitePbx> {
    const raw = readStackConfig(PROJECT_DIR, options.code);
    options.editConfig?.(raw);
    const loaded = loadSite(options.code, raw, { projectDir: PROJECT_DIR });
    const model = withTestNetwork(withRecordings(loaded, options.recordings ?? {}), options.address, options.rtpStart, options.rtpPortCount ?? 200);
    const peers = testPeers(peerSitesFromProject(loadProjectSites(PROJECT_DIR), options.code), options.peerAddresses ?? {}, options.peerTlsPorts ?? {});
    const trunkPeers = peers.filter((peer) => peer.trunk !== undefined).map((peer) => peer.code);
    const tls = options.trunkTls;
    const secrets: SiteSecrets = {
      ...testSecrets(model, trunkPeers, options.companySecret ?? TEST_COMPANY_SECRET),
      ...(tls === undefined ? {} : { trunkTlsCredentials: { certificate: tls.certificate, key: tls.key } }),
    };
    const rendered = renderSiteConfig(model, secrets, {
      ...options.renderOptions,
      peers,
      ...(tls === undefined ? {} : { trunkTls: { port: tls.port, ca: tls.ca } }),
    });

    const files: Record<string, string> = {};
    for (const [name, text] of Object.entries({ ...rendered.files, ...rendered.secretFiles })) {
      files[`/etc/asterisk/${name}`] = text;
    }
    for (const [name, text] of Object.entries(renderPromptSources(model, PROJECT_DIR))) {
      files[`/var/lib/inova/prompt-sources/${name}`] = text;
    }

    // libfaketime reads /etc/faketimerc when FAKETIME is not set in the environment, so
    // restartAt() can change the instant by rewriting the file.
    const clockEnv: Record<string, string> = options.clock === undefined
      ? {}
      : { LD_PRELOAD: "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", TZ: "UTC" };
    if (options.clock !== undefined) {
      files[FAKETIME_FILE] = faketimeSpec(options.clock);
    }
    const asterisk = await AsteriskContainer.start({
      name: options.containerName ?? `phone-test-site-${options.code}-${process.pid}`,
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
    return new SitePbx(model, secrets, asterisk, options.clock !== undefined);
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

  /**
   * Restarts the container so that Asterisk starts again at `clock` (`YYYY-MM-DD hh:mm:ss`, UTC)
   * and the clock runs on from there. Configuration and built prompts stay as they are. Only a
   * PBX started with `clock` has libfaketime loaded.
   */
  async restartAt(clock: string, bootTimeoutMs = 60_000): Promise<void> {
    if (!this.hasClock) {
      throw new Error(`PBX ${this.asterisk.name} was started without a clock; pass clock to SitePbx.start() to use restartAt()`);
    }
    await this.asterisk.putFiles({ [FAKETIME_FILE]: faketimeSpec(clock) });
    // Asterisk is the container's main process, so restarting it means restarting the container.
    await new Docker().getContainer(this.asterisk.name).restart({ t: 2 });
    let lastOutput = "";
    await waitFor(
      async () => {
        const result = await this.asterisk.exec(["asterisk", "-rx", "core waitfullybooted"]).catch((error: Error) => ({ exitCode: -1, stdout: error.message, stderr: "" }));
        lastOutput = (result.stdout + result.stderr).trim();
        return result.exitCode === 0;
      },
      { timeoutMs: bootTimeoutMs, intervalMs: 200, description: () => `${this.asterisk.name} to boot again at ${clock} (last output: ${lastOutput || "none"})` },
    );
  }

  async stop(): Promise<void> {
    await this.asterisk.remove();
  }
}

/**
 * Known secrets that every test client can use: letters and digits only. Trunk passwords to
 * `trunkPeers` derive from `companySecret` as in a deployment.
 */
export function testSecrets(model: SiteModel, trunkPeers: readonly string[] = [], companySecret = TEST_COMPANY_SECRET): SiteSecrets {
  const extensionPasswords: Record<string, string> = {};
  const voicemailPins: Record<string, string> = {};
  for (const extension of model.extensions) {
    extensionPasswords[extension.number] = `Test${model.site.code}Pass${extension.number}x9`;
    voicemailPins[extension.number] = `5${extension.number}8`;
  }
  const trunkPasswords = deriveAllTrunkPasswords(companySecret, model.site.code, trunkPeers);
  const carrier = model.carrier === undefined ? {} : { carrierPassword: TEST_CARRIER_PASSWORD };
  return { extensionPasswords, voicemailPins, amiPassword: `TestAmi${model.site.code}Pass42`, trunkPasswords, ...carrier };
}

/**
 * Points the trunks of the listed peers at their test addresses, with a TLS port where
 * `tlsPorts` gives one, and drops the trunks of the others.
 */
function testPeers(peers: readonly PeerSite[], addresses: Readonly<Record<string, string>>, tlsPorts: Readonly<Record<string, number>>): PeerSite[] {
  return peers.map((peer) => {
    const { trunk, ...rest } = peer;
    const address = addresses[peer.code];
    if (address === undefined || trunk === undefined) {
      return rest;
    }
    const { tlsPort: _stackTlsPort, ...plain } = trunk;
    const tlsPort = tlsPorts[peer.code];
    return { ...rest, trunk: { ...plain, address, ...(tlsPort === undefined ? {} : { tlsPort }) } };
  });
}

/** libfaketime's configuration file, read when the FAKETIME variable is unset. */
const FAKETIME_FILE = "/etc/faketimerc";

function faketimeSpec(clock: string): string {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(clock)) {
    throw new Error(`invalid clock "${clock}"; expected YYYY-MM-DD hh:mm:ss in UTC`);
  }
  // "@" starts the clock at this instant when the process starts and lets it run on.
  return `@${clock}\n`;
}

function withTestNetwork(model: SiteModel, address: string, rtpStart: number, rtpPortCount: number): SiteModel {
  return {
    ...model,
    site: { ...model.site, address, ports: { ...model.site.ports, rtp: { start: rtpStart, end: rtpStart + rtpPortCount - 1 } } },
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
