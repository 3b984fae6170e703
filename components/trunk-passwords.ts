// Passwords of the trunks between two sites. Both sites derive them from the company secret,
// with the two site codes in alphabetical order, so each side computes the same value without
// reading the other's state.

import { sharedPassword } from "./company-secret";
import type { SiteCode, TrunkPasswords } from "./model/types";

/** Derivation purposes of the two trunks of a pair of sites. */
export const SIP_TRUNK_PURPOSE = "sip-trunk";
export const IAX_TRUNK_PURPOSE = "iax-trunk";

/** Derives the PJSIP and IAX2 trunk passwords that `siteCode` and `peerCode` share. */
export function deriveTrunkPasswords(companySecret: string, siteCode: SiteCode, peerCode: SiteCode): TrunkPasswords {
  if (siteCode === peerCode) {
    throw new Error(`site ${siteCode} cannot have a trunk to itself`);
  }
  const pair = [siteCode, peerCode].sort();
  return {
    sip: sharedPassword(companySecret, SIP_TRUNK_PURPOSE, ...pair),
    iax: sharedPassword(companySecret, IAX_TRUNK_PURPOSE, ...pair),
  };
}

/** Derives the trunk passwords of `siteCode` with each of `peerCodes`, keyed by peer code. */
export function deriveAllTrunkPasswords(
  companySecret: string,
  siteCode: SiteCode,
  peerCodes: readonly SiteCode[],
): Record<SiteCode, TrunkPasswords> {
  const passwords: Record<SiteCode, TrunkPasswords> = {};
  for (const peerCode of [...peerCodes].sort()) {
    passwords[peerCode] = deriveTrunkPasswords(companySecret, siteCode, peerCode);
  }
  return passwords;
}
