// Inputs of the renderers beyond the site model: other sites and network limits.

import type { ProjectSite } from "../model/project";
import type { SiteCode } from "../model/types";
import { DEFAULT_ALLOWED_NETWORKS } from "./names";
import { ConfigSyntaxError } from "./writer";

/** Another site that this site's dialplan can reach by access code. */
export interface PeerSite {
  readonly code: SiteCode;
  /** Display name, used in comments. */
  readonly name: string;
  /** Prefix dialed before the remote number, e.g. `82`. */
  readonly accessCode: string;
  /** Number of the IVR that callers of other sites reach; absent when the site has none. */
  readonly ivrNumber?: string;
  /** Address and ports of the peer for this site's trunks; absent when its stack file lacks the address or a port. */
  readonly trunk?: PeerTrunk;
}

/** Non-secret data of a peer site that the trunks to it need. */
export interface PeerTrunk {
  /** Address that the peer's PBX binds, e.g. `127.0.82.1`; the trunks accept calls only from it. */
  readonly address: string;
  /** The peer's PJSIP UDP port. */
  readonly sipPort: number;
  /** The peer's IAX2 port. */
  readonly iaxPort: number;
  /** The peer's trunk TLS port; absent when the peer does not enable trunk TLS. */
  readonly tlsPort?: number;
}

export interface RenderOptions {
  /** Other sites of the project. Needed when an IVR option targets another site. @default [] */
  readonly peers?: readonly PeerSite[];
  /** IPv4 networks (CIDR) allowed to reach SIP, IAX2 and the manager. @default ["127.0.0.0/8"] */
  readonly allowedNetworks?: readonly string[];
  /**
   * Load the call record modules (res_odbc, cdr_adaptive_odbc, cdr_custom). Set it only when
   * their configuration files are delivered too, or each module fails to load. @default false
   */
  readonly callRecords?: boolean;
  /**
   * TLS on the trunks to other sites: the transport's port and the CA certificate (PEM) that
   * signed every site's certificate. A trunk uses TLS and SRTP only when its peer enables them too.
   * @default TLS off
   */
  readonly trunkTls?: { readonly port: number; readonly ca: string };
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Builds the peer list from the project's stack files, leaving out `selfCode` and sites whose
 * stack file lacks an access code. The IVR that other sites reach is the site's first one.
 */
export function peerSitesFromProject(sites: readonly ProjectSite[], selfCode: SiteCode): PeerSite[] {
  const peers: PeerSite[] = [];
  for (const site of sites) {
    if (site.code === selfCode || site.accessCode === undefined) {
      continue;
    }
    const ivrNumber = site.ivrNumbers[0];
    const { sip, iax } = site.ports;
    const tls = site.trunkTlsPort === undefined ? {} : { tlsPort: site.trunkTlsPort };
    const trunk = site.address === undefined || sip === undefined || iax === undefined ? undefined : { address: site.address, sipPort: sip, iaxPort: iax, ...tls };
    peers.push({
      code: site.code,
      name: site.name ?? site.code,
      accessCode: site.accessCode,
      ...(ivrNumber === undefined ? {} : { ivrNumber }),
      ...(trunk === undefined ? {} : { trunk }),
    });
  }
  return peers.sort(comparePeers);
}

/** Returns the allowed networks, checked, in the given order. */
export function allowedNetworks(options: RenderOptions | undefined): readonly string[] {
  const networks = options?.allowedNetworks ?? DEFAULT_ALLOWED_NETWORKS;
  if (networks.length === 0) {
    throw new ConfigSyntaxError("allowedNetworks is empty: at least one network must reach the site's services.");
  }
  for (const network of networks) {
    const match = CIDR.exec(network);
    const octetsValid = match !== null && match.slice(1, 5).every((octet) => Number(octet) <= 255);
    if (match === null || !octetsValid || Number(match[5]) > 32) {
      throw new ConfigSyntaxError(`allowed network "${network}" is invalid: expected IPv4 CIDR notation such as 127.0.0.0/8.`);
    }
  }
  return networks;
}

/** Orders peer sites by stack name. */
export function comparePeers(left: PeerSite, right: PeerSite): number {
  if (left.code === right.code) {
    return 0;
  }
  return left.code < right.code ? -1 : 1;
}
