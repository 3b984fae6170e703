// Addresses, ports and access codes, checked against the other sites of the project.
//
// Every site runs on the host network and binds its own loopback address, so addresses
// must differ between sites. Asterisk binds RTP on all addresses, so RTP ranges must not
// overlap either (ports of other services may repeat, since each is bound to its site's address).

import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import { EMERGENCY_NUMBER } from "../reserved";
import type { PortRange, SiteModel } from "../types";
import { describePeer, peerSites, type ValidationContext } from "./context";

/** Lowest port a site may use; lower ports are privileged. */
export const MIN_PORT = 1024;
export const MAX_PORT = 65535;
/** Fewest RTP ports a site gets, whatever its extensions. */
export const MIN_RTP_PORTS = 100;
/** RTP ports per call an extension may hold: an RTP and an RTCP port on each of its two legs. */
export const RTP_PORTS_PER_CALL = 4;

/** An access code: two digits, the first not 0. */
export const ACCESS_CODE_PATTERN = /^[1-9][0-9]$/;

/** Addresses in 127.0.0.0/8 that a site may not bind, with the reason. */
const RESERVED_ADDRESSES: ReadonlyMap<string, string> = new Map([
  ["127.0.0.0", "the network address of 127.0.0.0/8"],
  ["127.255.255.255", "the broadcast address of 127.0.0.0/8"],
  ["127.0.0.1", "kept for phones, test clients and other local services"],
  ["127.0.1.1", "where Debian maps the host name"],
]);

export function validateNetwork(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  return [...validateAddress(model, context), ...validateAccessCode(model, context), ...validatePorts(model, context)];
}

/** Parses a dotted-quad IPv4 address; returns undefined unless it has four decimal octets without leading zeros. */
export function parseIpv4(address: string): number[] | undefined {
  const parts = address.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part))) {
    return undefined;
  }
  const octets = parts.map(Number);
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

function validateAddress(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const { address, accessCode } = model.site;
  const path = entryPath("site", "address");
  const example = ACCESS_CODE_PATTERN.test(accessCode) ? `127.0.${accessCode}.1` : "127.0.84.1";

  const octets = parseIpv4(address);
  if (octets === undefined) {
    return [
      {
        path,
        code: "E_ADDRESS_FORMAT",
        message: `address "${address}" is not an IPv4 address; write four numbers from 0 to 255 separated by dots, e.g. ${example}.`,
      },
    ];
  }
  if (octets[0] !== 127) {
    return [
      {
        path,
        code: "E_ADDRESS_RANGE",
        message: `address "${address}" is outside 127.0.0.0/8; every site binds a loopback address of this host, e.g. ${example}.`,
      },
    ];
  }
  const reserved = RESERVED_ADDRESSES.get(address);
  if (reserved !== undefined) {
    return [{ path, code: "E_ADDRESS_RESERVED", message: `address "${address}" is ${reserved}; use another one, e.g. ${example}.` }];
  }
  const owner = peerSites(model, context).find((peer) => peer.address === address);
  if (owner !== undefined) {
    return [
      {
        path,
        code: "E_DUPLICATE_ADDRESS",
        message: `address "${address}" is already used by ${describePeer(owner)}; give each site its own address, e.g. ${example}.`,
      },
    ];
  }
  return [];
}

function validateAccessCode(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const { accessCode } = model.site;
  const path = entryPath("site", "accessCode");
  if (!ACCESS_CODE_PATTERN.test(accessCode)) {
    return [
      {
        path,
        code: "E_ACCESS_CODE_FORMAT",
        message: `access code "${accessCode}" is invalid; use two digits, the first not 0, e.g. "84".`,
      },
    ];
  }
  if (EMERGENCY_NUMBER.startsWith(accessCode)) {
    return [
      {
        path,
        code: "E_ACCESS_CODE_FORMAT",
        message: `access code "${accessCode}" is the start of the emergency number ${EMERGENCY_NUMBER}; choose another code.`,
      },
    ];
  }
  const owner = peerSites(model, context).find((peer) => peer.accessCode === accessCode);
  if (owner !== undefined) {
    return [
      {
        path,
        code: "E_DUPLICATE_ACCESS_CODE",
        message: `access code "${accessCode}" is already used by ${describePeer(owner)}; give each site its own code.`,
      },
    ];
  }
  return [];
}

function validatePorts(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const { ports } = model.site;
  const services = [
    { key: "sip", port: ports.sip },
    { key: "iax", port: ports.iax },
    { key: "ami", port: ports.ami },
  ] as const;

  for (const [index, service] of services.entries()) {
    const path = entryPath("site", "ports", service.key);
    if (service.port < MIN_PORT || service.port > MAX_PORT) {
      problems.push({
        path,
        code: "E_PORT_RANGE",
        message: `port ${service.port} is out of range; use ${MIN_PORT} to ${MAX_PORT}, because lower ports are privileged.`,
      });
      continue;
    }
    const earlier = services.slice(0, index).find((other) => other.port === service.port);
    if (earlier !== undefined) {
      problems.push({
        path,
        code: "E_PORT_CONFLICT",
        message: `port ${service.port} is already the ${earlier.key} port; give each service its own port.`,
      });
    }
    // AMI listens on TCP and RTP on UDP, so only SIP and IAX2 can collide with RTP.
    if (service.key !== "ami" && service.port >= ports.rtp.start && service.port <= ports.rtp.end) {
      problems.push({
        path,
        code: "E_PORT_CONFLICT",
        message:
          `port ${service.port} is inside the RTP range ${ports.rtp.start}-${ports.rtp.end}; ` +
          "move it out of the range or change rtpPorts.",
      });
    }
  }

  problems.push(...validateRtpRange(model, context));
  return problems;
}

function validateRtpRange(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const { rtp } = model.site.ports;
  const path = entryPath("site", "rtpPorts");
  const span = `${rtp.start}-${rtp.end}`;

  if (rtp.start < MIN_PORT || rtp.end > MAX_PORT || rtp.start >= rtp.end) {
    return [
      {
        path,
        code: "E_RTP_RANGE",
        message: `rtpPorts ${span} is invalid; start must be below end, both within ${MIN_PORT} to ${MAX_PORT}.`,
      },
    ];
  }

  const problems: ValidationProblem[] = [];
  const calls = model.extensions.reduce((sum, extension) => sum + extension.maxCalls, 0);
  const needed = Math.max(MIN_RTP_PORTS, RTP_PORTS_PER_CALL * calls);
  const size = rtp.end - rtp.start + 1;
  if (size < needed) {
    problems.push({
      path,
      code: "E_RTP_TOO_SMALL",
      message:
        `rtpPorts ${span} has ${size} ports but this site needs at least ${needed}: ${RTP_PORTS_PER_CALL} per call ` +
        `its extensions may hold at once (${calls}, the sum of maxCalls), and never fewer than ${MIN_RTP_PORTS}; ` +
        `raise end to ${rtp.start + needed - 1}.`,
    });
  }

  for (const peer of peerSites(model, context)) {
    if (peer.ports.rtp !== undefined && overlaps(rtp, peer.ports.rtp)) {
      problems.push({
        path,
        code: "E_RTP_OVERLAP",
        message:
          `rtpPorts ${span} overlaps ${peer.ports.rtp.start}-${peer.ports.rtp.end} of ${describePeer(peer)}; ` +
          "sites share the host network, so give each site a range of its own.",
      });
    }
  }
  return problems;
}

function overlaps(a: PortRange, b: PortRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}
