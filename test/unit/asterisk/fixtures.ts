// Site models of the three stacks (Pulumi.{mochis,tabasco,silicon}.yaml) with the loader's
// defaults applied, written out by hand so the renderer tests do not depend on the loader.

import type { PeerSite } from "../../../components/asterisk/options";
import type {
  Extension,
  GreetingBand,
  Ivr,
  IvrOption,
  Protocol,
  Recording,
  RingGroup,
  Site,
  SiteModel,
  SiteSecrets,
} from "../../../components/model/types";

export type SiteCode = "mochis" | "tabasco" | "silicon";

export const SITE_CODES: readonly SiteCode[] = ["mochis", "tabasco", "silicon"];

function site(code: SiteCode, fields: Omit<Site, "code" | "ports" | "language"> & { rtp: [number, number] }): Site {
  const { rtp, ...rest } = fields;
  return {
    code,
    ...rest,
    ports: { sip: 5060, iax: 4569, ami: 5038, rtp: { start: rtp[0], end: rtp[1] } },
    language: "es",
  };
}

function extension(number: string, name: string, protocol: Protocol): Extension {
  return { number, name, protocol, voicemail: true, maxCalls: 2 };
}

function ringGroup(number: string, name: string, strategy: RingGroup["strategy"], members: string[]): RingGroup {
  return { number, name, strategy, members, ringSeconds: 15 };
}

const DEFAULT_BANDS: readonly GreetingBand[] = [
  { from: "06:00", to: "11:59", recording: "ivr-dia" },
  { from: "12:00", to: "18:59", recording: "ivr-tarde" },
  { from: "19:00", to: "05:59", recording: "ivr-noche" },
];

function ivr(number: string, name: string, options: IvrOption[], operator?: string): Ivr {
  return {
    number,
    name,
    greetings: DEFAULT_BANDS,
    options,
    timeoutSeconds: 5,
    maxAttempts: 3,
    timeoutRecording: "agotado",
    invalidRecording: "error",
    unavailableRecording: "no-disponible",
    goodbyeRecording: "despedida",
    ...(operator === undefined ? {} : { operator }),
  };
}

const toExtension = (digit: string, label: string, number: string): IvrOption => ({
  digit,
  label,
  target: { kind: "extension", number },
});
const toRingGroup = (digit: string, label: string, number: string): IvrOption => ({
  digit,
  label,
  target: { kind: "ringGroup", number },
});
const toSite = (digit: string, label: string, code: SiteCode): IvrOption => ({
  digit,
  label,
  target: { kind: "remoteIvr", site: code },
});

/** Recordings the loader generates for a site with one IVR and default prompts. */
const RECORDINGS: readonly Recording[] = ["agotado", "despedida", "error", "ivr-dia", "ivr-noche", "ivr-tarde", "no-disponible"].map(
  (name) => ({ name, source: { kind: "speech", text: `Texto de ${name}.`, voice: "es-419" }, generated: true }),
);

/** Names and protocols of the nine extensions of Los Mochis and of Villahermosa, in number order. */
const MEXICAN_EXTENSIONS: ReadonlyArray<readonly [string, Protocol]> = [
  ["Soporte", "pjsip"],
  ["Quejas", "pjsip"],
  ["Facturación", "pjsip"],
  ["Inventario", "iax2"],
  ["Dudas", "iax2"],
  ["Soporte 2", "pjsip"],
  ["Soporte 3", "pjsip"],
  ["Quejas 2", "iax2"],
  ["Quejas 3", "pjsip"],
];

/**
 * Builds the model of Los Mochis or Villahermosa. Both sites number the same extensions from
 * `firstExtension` (100 or 300) and have the same ring groups and first four IVR options.
 * `remoteOptions` follow option 4 in the IVR.
 */
function mexicanSiteModel(site: Site, firstExtension: number, ivrNumber: string, remoteOptions: IvrOption[] = []): SiteModel {
  const number = (offset: number) => String(firstExtension + offset);
  return {
    site,
    extensions: MEXICAN_EXTENSIONS.map(([name, protocol], offset) => extension(number(offset), name, protocol)),
    ringGroups: [
      ringGroup("601", "Soporte", "ringall", [number(0), number(5), number(6)]),
      ringGroup("602", "Quejas", "hunt", [number(1), number(7), number(8)]),
    ],
    ivrs: [
      ivr(ivrNumber, "IVR", [
        toRingGroup("1", "Soporte", "601"),
        toRingGroup("2", "Quejas", "602"),
        toExtension("3", "Facturación", number(2)),
        toExtension("4", "Inventario", number(3)),
        ...remoteOptions,
      ]),
    ],
    recordings: RECORDINGS,
  };
}

export const MODELS: Readonly<Record<SiteCode, SiteModel>> = {
  mochis: mexicanSiteModel(
    site("mochis", {
      name: "Los Mochis",
      role: "hq",
      timezone: "America/Mazatlan",
      address: "127.0.81.1",
      publicNumber: "6688197328",
      accessCode: "81",
      rtp: [10000, 10999],
    }),
    100,
    "199",
    [toSite("5", "Villahermosa", "tabasco"), toSite("6", "Silicon Valley", "silicon")],
  ),
  tabasco: mexicanSiteModel(
    site("tabasco", {
      name: "Villahermosa",
      role: "branch",
      timezone: "America/Mexico_City",
      address: "127.0.82.1",
      publicNumber: "9132445252",
      accessCode: "82",
      rtp: [11000, 11999],
    }),
    300,
    "399",
  ),
  silicon: {
    site: site("silicon", {
      name: "Silicon Valley",
      role: "branch",
      timezone: "America/Los_Angeles",
      address: "127.0.83.1",
      publicNumber: "2135553890",
      accessCode: "83",
      rtp: [12000, 12999],
    }),
    extensions: [
      extension("1000", "Inventario", "pjsip"),
      extension("1001", "Inventario 2", "iax2"),
      extension("1002", "Inventario 3", "iax2"),
      extension("2000", "Dudas", "pjsip"),
      extension("2001", "Dudas 2", "pjsip"),
      extension("2002", "Dudas 3", "pjsip"),
      extension("3000", "Reclamos", "pjsip"),
      extension("3001", "Reclamos 2", "pjsip"),
      extension("3002", "Reclamos 3", "pjsip"),
      extension("401", "Agente 1", "pjsip"),
      extension("402", "Agente 2", "pjsip"),
      extension("403", "Agente 3", "pjsip"),
    ],
    ringGroups: [
      ringGroup("601", "Dudas", "ringall", ["2000", "2001", "2002"]),
      ringGroup("602", "Inventario", "hunt", ["1000", "1001", "1002"]),
      ringGroup("603", "Reclamos", "ringall", ["3000", "3001", "3002"]),
    ],
    ivrs: [
      ivr(
        "400",
        "Contestadora",
        [toRingGroup("1", "Dudas", "601"), toRingGroup("2", "Reclamos", "603"), toRingGroup("3", "Inventario", "602")],
        "401",
      ),
    ],
    recordings: RECORDINGS,
  },
};

const PEER_DIRECTORY: readonly PeerSite[] = [
  { code: "mochis", name: "Los Mochis", accessCode: "81", ivrNumber: "199" },
  { code: "silicon", name: "Silicon Valley", accessCode: "83", ivrNumber: "400" },
  { code: "tabasco", name: "Villahermosa", accessCode: "82", ivrNumber: "399" },
];

/** Returns the other two sites, as `peerSitesFromProject` builds them from the stack files. */
export function peersOf(code: SiteCode): PeerSite[] {
  return PEER_DIRECTORY.filter((peer) => peer.code !== code);
}

/**
 * Deterministic test secrets. Every value carries a marker (`SECRET`, or the PIN prefix 9)
 * so tests can prove no secret leaks into a non-secret file.
 */
export function secretsOf(model: SiteModel): SiteSecrets {
  const extensionPasswords: Record<string, string> = {};
  const voicemailPins: Record<string, string> = {};
  for (const extension of model.extensions) {
    extensionPasswords[extension.number] = `SECRET-pw-${model.site.code}-${extension.number};x`;
    voicemailPins[extension.number] = `9${extension.number}7`;
  }
  return { extensionPasswords, voicemailPins, amiPassword: `SECRET-ami-${model.site.code}` };
}
