// The carrier trunk: its address and credentials, the numbering plan, the outbound dialing
// rule and the extension notified of emergency calls.
//
// Rule for the outbound prefix: a national route must not match a number that another route
// of the site also matches. Routes to other sites match their access code followed by any
// digits, so the prefix and the national patterns together must not start with an access
// code. The prefix must also be unambiguous to people: no local number starts with it and it
// starts with no local number. Feature codes start with "*" and the prefix is digits only,
// so they never collide. 911 is dialed without any prefix.

import { NATIONAL_NUMBER_LENGTH, NATIONAL_PATTERNS } from "../carrier";
import type { ValidationProblem } from "../errors";
import { entryPath } from "../paths";
import { EMERGENCY_NUMBER } from "../reserved";
import type { Carrier, SiteModel } from "../types";
import { describePeer, peerSites, type ValidationContext } from "./context";
import { describeDialable, listDialables } from "./dialables";
import { ACCESS_CODE_PATTERN, parseIpv4 } from "./network";

/** An outbound prefix: up to 3 digits, or empty for none. */
export const OUTBOUND_PREFIX_PATTERN = /^[0-9]{0,3}$/;

/** A SIP user name that needs no escaping in pjsip.conf or in a SIP URI. */
const USERNAME_PATTERN = /^[A-Za-z0-9._+-]{1,64}$/;

/** Printable ASCII without the space and the characters that pjsip.conf treats as syntax. */
const PASSWORD_PATTERN = /^[A-Za-z0-9!#%&()*+\-./:<=>?@^_`{}~[\]|$']{1,128}$/;

const EXAMPLE_ADDRESS = "203.0.113.10";

export function validateCarrier(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const problems = validatePassword(model, context);
  const { carrier } = model;
  if (carrier === undefined) {
    return problems;
  }
  problems.push(
    ...validateAddress(model, carrier, context),
    ...validateCredentials(carrier),
    ...validateNumbering(model, carrier),
    ...validatePrefix(model, carrier, context),
    ...validateInbound(model),
    ...validateNotify(model, carrier),
  );
  return problems;
}

function validatePassword(model: SiteModel, context: ValidationContext): ValidationProblem[] {
  const path = entryPath("carrierPassword");
  const password = context.secrets?.carrierPassword;
  if (model.carrier === undefined) {
    if (password === undefined) {
      return [];
    }
    return [
      {
        path,
        code: "E_CARRIER_PASSWORD",
        message: "a carrier password is set but inova-pbx:carrier is not; add the carrier setting or remove the password.",
      },
    ];
  }
  // Callers that check the model without its secrets cannot tell whether the password is set.
  if (context.secrets === undefined) {
    return [];
  }
  if (password === undefined || password === "") {
    return [
      {
        path,
        code: "E_CARRIER_PASSWORD",
        message:
          "missing carrier password; set the password that the carrier issued with " +
          "`pulumi config set --secret carrierPassword` (it is never written in plain text).",
      },
    ];
  }
  if (!PASSWORD_PATTERN.test(password)) {
    return [
      {
        path,
        code: "E_CARRIER_PASSWORD",
        message:
          "the carrier password is longer than 128 characters or contains a space, quote, comma, semicolon or " +
          "backslash, which pjsip.conf cannot hold; ask the carrier for a password without them.",
      },
    ];
  }
  return [];
}

function validateAddress(model: SiteModel, carrier: Carrier, context: ValidationContext): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const path = entryPath("carrier", "address");
  const octets = parseIpv4(carrier.address);
  if (octets === undefined) {
    problems.push({
      path,
      code: "E_CARRIER_ADDRESS",
      message: `carrier address "${carrier.address}" is not an IPv4 address; write the IPv4 address of the carrier's SIP server, e.g. ${EXAMPLE_ADDRESS}.`,
    });
  } else if (octets[0] === 0 || octets[0] >= 224) {
    problems.push({
      path,
      code: "E_CARRIER_ADDRESS",
      message:
        `carrier address "${carrier.address}" is not a unicast host address (0.0.0.0/8, multicast and 240.0.0.0/4 ` +
        `are not); write the IPv4 address of the carrier's SIP server, e.g. ${EXAMPLE_ADDRESS}.`,
    });
  } else if (carrier.address === model.site.address) {
    problems.push({
      path,
      code: "E_CARRIER_ADDRESS",
      message: `carrier address "${carrier.address}" is this site's own address; write the address of the carrier's SIP server.`,
    });
  } else {
    const owner = peerSites(model, context).find((peer) => peer.address === carrier.address);
    if (owner !== undefined) {
      problems.push({
        path,
        code: "E_CARRIER_ADDRESS",
        message: `carrier address "${carrier.address}" is the address of ${describePeer(owner)}; write the address of the carrier's SIP server.`,
      });
    }
  }

  if (!Number.isInteger(carrier.port) || carrier.port < 1 || carrier.port > 65535) {
    problems.push({
      path: entryPath("carrier", "port"),
      code: "E_CARRIER_PORT",
      message: `carrier port ${carrier.port} is out of range; use 1 to 65535, usually 5060.`,
    });
  }
  return problems;
}

function validateCredentials(carrier: Carrier): ValidationProblem[] {
  if (USERNAME_PATTERN.test(carrier.username)) {
    return [];
  }
  return [
    {
      path: entryPath("carrier", "username"),
      code: "E_CARRIER_USERNAME",
      message: `carrier user name "${carrier.username}" is invalid; use 1 to 64 letters, digits, ".", "_", "+" or "-", as the carrier issued it.`,
    },
  ];
}

/** The public number is the caller ID of outbound calls, so it must be a national number of the plan. */
function validateNumbering(model: SiteModel, carrier: Carrier): ValidationProblem[] {
  const { publicNumber } = model.site;
  const length = NATIONAL_NUMBER_LENGTH[carrier.numbering];
  const national = NATIONAL_PATTERNS[carrier.numbering].filter((pattern) => patternLength(pattern) === length);
  if (national.some((pattern) => matchesPattern(pattern, publicNumber))) {
    return [];
  }
  return [
    {
      path: entryPath("carrier", "numbering"),
      code: "E_CARRIER_NUMBERING",
      message:
        `public number "${publicNumber}" of this site is not a national number of the ${carrier.numbering} plan ` +
        `(${length} digits, as ${national.map((pattern) => `_${pattern}`).join(" or ")}), so the carrier would reject it as caller ID; ` +
        "correct site.publicNumber or set numbering to the plan of the carrier's country (mexico or nanp).",
    },
  ];
}

function validatePrefix(model: SiteModel, carrier: Carrier, context: ValidationContext): ValidationProblem[] {
  const path = entryPath("carrier", "outboundPrefix");
  const prefix = carrier.outboundPrefix;
  if (!OUTBOUND_PREFIX_PATTERN.test(prefix)) {
    return [
      {
        path,
        code: "E_CARRIER_PREFIX",
        message: `outbound prefix "${prefix}" is invalid; use up to 3 digits, e.g. "0", or "" to dial national numbers without a prefix.`,
      },
    ];
  }

  const problems: ValidationProblem[] = [];
  if (prefix !== "" && prefix.startsWith(EMERGENCY_NUMBER)) {
    problems.push({
      path,
      code: "E_CARRIER_PREFIX",
      message: `outbound prefix "${prefix}" starts with the emergency number ${EMERGENCY_NUMBER}; choose another prefix, e.g. "0".`,
    });
  }

  if (prefix !== "") {
    for (const dialable of listDialables(model)) {
      if (dialable.number.startsWith(prefix) || prefix.startsWith(dialable.number)) {
        problems.push({
          path,
          code: "E_CARRIER_PREFIX",
          message:
            `outbound prefix "${prefix}" collides with number ${dialable.number} of ${describeDialable(dialable)} at ${dialable.path}, ` +
            'because one starts with the other; choose a prefix that no local number starts with, e.g. "0".',
        });
      }
    }
  }

  const routes = NATIONAL_PATTERNS[carrier.numbering].map((pattern) => `${prefix}${pattern}`);
  for (const peer of peerSites(model, context)) {
    const code = peer.accessCode;
    if (code === undefined || !ACCESS_CODE_PATTERN.test(code)) {
      continue;
    }
    const shadowed = routes.find((route) => matchesPattern(route.slice(0, patternPrefixEnd(route, code.length)), code));
    if (shadowed !== undefined) {
      const fix = prefix === "" ? 'dial national numbers with a prefix, e.g. outboundPrefix: "0"' : 'choose another prefix, e.g. "0"';
      problems.push({
        path,
        code: "E_CARRIER_PREFIX",
        message:
          `national numbers dialed as _${shadowed} can start with ${code}, the access code of ${describePeer(peer)}, ` +
          `so the dialplan could not tell them from calls to that site; ${fix}.`,
      });
    }
  }
  return problems;
}

/** Calls from the carrier to the public number go to the site's first IVR, so the site needs one. */
function validateInbound(model: SiteModel): ValidationProblem[] {
  if (model.ivrs.length > 0) {
    return [];
  }
  return [
    {
      path: entryPath("carrier"),
      code: "E_CARRIER_NO_IVR",
      message: `calls to the public number ${model.site.publicNumber} go to the site's first IVR, but the site has none; add an IVR to inova-pbx:ivrs.`,
    },
  ];
}

function validateNotify(model: SiteModel, carrier: Carrier): ValidationProblem[] {
  const notify = carrier.emergencyNotify;
  if (notify === undefined || model.extensions.some((extension) => extension.number === notify)) {
    return [];
  }
  return [
    {
      path: entryPath("carrier", "emergencyNotify"),
      code: "E_EMERGENCY_NOTIFY",
      message: `emergencyNotify "${notify}" is not an extension of this site; name the extension of the front desk, e.g. "${model.extensions[0]?.number ?? "100"}".`,
    },
  ];
}

/** Splits a pattern body such as `0[2-9]XX` into one set of characters per position. */
function patternPositions(pattern: string): string[][] {
  const positions: string[][] = [];
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index];
    if (character === "[") {
      const end = pattern.indexOf("]", index);
      const body = pattern.slice(index + 1, end);
      const digits: string[] = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === "-") {
          for (let digit = Number(body[k]); digit <= Number(body[k + 2]); digit++) {
            digits.push(String(digit));
          }
          k += 2;
        } else {
          digits.push(body[k]);
        }
      }
      positions.push(digits);
      index = end;
    } else if (character === "X") {
      positions.push(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    } else {
      positions.push([character]);
    }
  }
  return positions;
}

function patternLength(pattern: string): number {
  return patternPositions(pattern).length;
}

/** True when `digits` has as many positions as the pattern and each digit is allowed at its position. */
function matchesPattern(pattern: string, digits: string): boolean {
  const positions = patternPositions(pattern);
  return positions.length === digits.length && positions.every((allowed, index) => allowed.includes(digits[index]));
}

/** Returns the end, in characters of `pattern`, of its first `count` positions. */
function patternPrefixEnd(pattern: string, count: number): number {
  let end = 0;
  for (let position = 0; position < count && end < pattern.length; position++) {
    end = pattern[end] === "[" ? pattern.indexOf("]", end) + 1 : end + 1;
  }
  return end;
}
