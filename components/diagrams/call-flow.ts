// Call-flow diagram of a site as a Mermaid flowchart: IVR menus with their greeting bands,
// option digits and targets, ring groups with strategy, members and voicemail fallback, and
// the other sites reached by access code. Pure and deterministic: the same model and peers
// always give the same text, sorted by number and stack name, never by stack-file order.

import { sortByNumber } from "../asterisk/names";
import { comparePeers, type PeerSite } from "../asterisk/options";
import type { Extension, Ivr, IvrOption, RingGroup, SiteModel } from "../model/types";

/** First line of every generated diagram. `LR` lays the flow out from left to right. */
export const FLOWCHART_HEADER = "flowchart LR";

/** Node ids by kind. Each id is derived from the thing's number or stack name, never from a list position. */
export const NodeId = {
  ivr: (number: string) => `ivr_${encodeKey(number)}`,
  /** Bands of one IVR never overlap, so the start time identifies a band. */
  greeting: (ivrNumber: string, from: string) => `greeting_${encodeKey(ivrNumber)}_${encodeKey(from.replace(":", ""))}`,
  ringGroup: (number: string) => `group_${encodeKey(number)}`,
  extension: (number: string) => `extension_${encodeKey(number)}`,
  voicemail: (number: string) => `voicemail_${encodeKey(number)}`,
  noVoicemail: (number: string) => `no_voicemail_${encodeKey(number)}`,
  route: (accessCode: string) => `route_${encodeKey(accessCode)}`,
  site: (code: string) => `site_${encodeKey(code)}`,
} as const;

/** Edge labels that are fixed words rather than data from the model. */
export const EdgeLabel = {
  ring: "ring",
  unanswered: "unanswered",
  operator: "operator",
  dial: "dial",
  hunt: (position: number) => `hunt ${position}`,
  option: (option: IvrOption) => `${option.digit}: ${option.label}`,
} as const;

/**
 * Renders the site's call flow as Mermaid flowchart text. `peers` are the other sites of the
 * project (see `peerSitesFromProject`); each gets a route by access code. Throws when an IVR
 * option or ring group names a number or site that does not exist, because the validated
 * model never does.
 */
export function renderCallFlow(model: SiteModel, peers: readonly PeerSite[]): string {
  const flow = new FlowchartWriter();
  const sortedPeers = [...peers].sort(comparePeers);
  const extensionsShown = new Set<string>();

  for (const ivr of sortByNumber(model.ivrs)) {
    writeIvr(flow, model, ivr, sortedPeers, extensionsShown);
  }
  for (const ringGroup of sortByNumber(model.ringGroups)) {
    writeRingGroup(flow, model, ringGroup, extensionsShown);
  }
  writeExtensions(flow, model, extensionsShown);
  writeRoutes(flow, sortedPeers);
  return flow.text();
}

function writeIvr(flow: FlowchartWriter, model: SiteModel, ivr: Ivr, peers: readonly PeerSite[], extensionsShown: Set<string>): void {
  const ivrId = NodeId.ivr(ivr.number);
  flow.comment(`IVR ${ivr.number}: greeting by local time in ${model.site.timezone}, then the menu`);
  flow.node(ivrId, `IVR ${ivr.number}: ${ivr.name}`, "hexagon");
  for (const band of ivr.greetings) {
    const greetingId = NodeId.greeting(ivr.number, band.from);
    flow.node(greetingId, `${band.from}-${band.to} ${band.recording}`, "parallelogram");
    flow.edge(greetingId, ivrId);
  }

  const options = [...ivr.options].sort((left, right) => (left.digit < right.digit ? -1 : 1));
  for (const option of options) {
    flow.edge(ivrId, optionTargetId(model, ivr, option, peers, extensionsShown), EdgeLabel.option(option));
  }
  if (ivr.operator !== undefined) {
    extensionsShown.add(findExtension(model, ivr.operator, `operator of IVR ${ivr.number}`).number);
    flow.edge(ivrId, NodeId.extension(ivr.operator), EdgeLabel.operator, "dotted");
  }
}

function optionTargetId(model: SiteModel, ivr: Ivr, option: IvrOption, peers: readonly PeerSite[], extensionsShown: Set<string>): string {
  const target = option.target;
  const context = `IVR ${ivr.number} option ${option.digit}`;
  switch (target.kind) {
    case "extension":
      extensionsShown.add(findExtension(model, target.number, context).number);
      return NodeId.extension(target.number);
    case "ringGroup":
      if (!model.ringGroups.some((group) => group.number === target.number)) {
        throw new Error(`${context} targets ring group ${target.number}, which site ${model.site.code} does not have.`);
      }
      return NodeId.ringGroup(target.number);
    case "ivr":
      if (!model.ivrs.some((candidate) => candidate.number === target.number)) {
        throw new Error(`${context} targets IVR ${target.number}, which site ${model.site.code} does not have.`);
      }
      return NodeId.ivr(target.number);
    case "remoteIvr":
      if (!peers.some((peer) => peer.code === target.site)) {
        throw new Error(`${context} targets site "${target.site}", which is not among the peer sites; add its stack file.`);
      }
      return NodeId.site(target.site);
  }
}

function writeRingGroup(flow: FlowchartWriter, model: SiteModel, ringGroup: RingGroup, extensionsShown: Set<string>): void {
  const groupId = NodeId.ringGroup(ringGroup.number);
  const timing = ringGroup.strategy === "ringall" ? `${ringGroup.ringSeconds} s` : `${ringGroup.ringSeconds} s each`;
  flow.comment(`Ring group ${ringGroup.number}: unanswered calls go to the first member's voicemail`);
  flow.node(groupId, `Ring group ${ringGroup.number}: ${ringGroup.name} (${ringGroup.strategy}, ${timing})`, "subroutine");

  const members = ringGroup.members.map((number) => findExtension(model, number, `ring group ${ringGroup.number}`));
  members.forEach((member, index) => {
    extensionsShown.add(member.number);
    const label = ringGroup.strategy === "ringall" ? EdgeLabel.ring : EdgeLabel.hunt(index + 1);
    flow.edge(groupId, NodeId.extension(member.number), label);
  });

  const first = members[0];
  if (first !== undefined) {
    flow.edge(groupId, first.voicemail ? NodeId.voicemail(first.number) : NodeId.noVoicemail(first.number), EdgeLabel.unanswered, "dotted");
  }
}

/** Writes the extensions that an IVR or ring group reaches, each with where its unanswered calls go. */
function writeExtensions(flow: FlowchartWriter, model: SiteModel, extensionsShown: ReadonlySet<string>): void {
  const shown = sortByNumber(model.extensions.filter((extension) => extensionsShown.has(extension.number)));
  if (shown.length > 0) {
    flow.comment("Extensions: unanswered or unregistered, the call goes to voicemail");
  }
  for (const extension of shown) {
    flow.node(NodeId.extension(extension.number), `${extension.number}: ${extension.name} (${protocolName(extension)})`, "rectangle");
    if (extension.voicemail) {
      flow.node(NodeId.voicemail(extension.number), `Voicemail ${extension.number}`, "cylinder");
      flow.edge(NodeId.extension(extension.number), NodeId.voicemail(extension.number), EdgeLabel.unanswered, "dotted");
    } else {
      flow.node(NodeId.noVoicemail(extension.number), `No voicemail: message, hang up`, "stadium");
      flow.edge(NodeId.extension(extension.number), NodeId.noVoicemail(extension.number), EdgeLabel.unanswered, "dotted");
    }
  }
}

function writeRoutes(flow: FlowchartWriter, peers: readonly PeerSite[]): void {
  if (peers.length > 0) {
    flow.comment("Other sites: access code, then the remote number");
  }
  for (const peer of peers) {
    const siteLabel = peer.ivrNumber === undefined ? `${peer.name} (${peer.code})` : `${peer.name} (${peer.code}), IVR ${peer.ivrNumber}`;
    flow.node(NodeId.site(peer.code), siteLabel, "stadium");
    flow.node(NodeId.route(peer.accessCode), `Dial ${peer.accessCode} + number`, "parallelogram");
    flow.edge(NodeId.route(peer.accessCode), NodeId.site(peer.code), EdgeLabel.dial);
  }
}

function findExtension(model: SiteModel, number: string, context: string): Extension {
  const extension = model.extensions.find((candidate) => candidate.number === number);
  if (extension === undefined) {
    throw new Error(`${context} names extension ${number}, which site ${model.site.code} does not have.`);
  }
  return extension;
}

function protocolName(extension: Extension): string {
  return extension.protocol === "pjsip" ? "PJSIP" : "IAX2";
}

/** Mermaid node shapes, by the brackets that open and close the label. */
export const NODE_SHAPES = {
  rectangle: ["[", "]"],
  stadium: ["([", "])"],
  subroutine: ["[[", "]]"],
  cylinder: ["[(", ")]"],
  hexagon: ["{{", "}}"],
  parallelogram: ["[/", "/]"],
} as const;

export type NodeShape = keyof typeof NODE_SHAPES;

/** Collects flowchart lines. A node written twice keeps its first label, so shared targets appear once. */
class FlowchartWriter {
  private readonly lines: string[] = [FLOWCHART_HEADER];
  private readonly nodes = new Set<string>();

  comment(text: string): void {
    this.lines.push(`  %% ${text.replace(/[\r\n]+/g, " ")}`);
  }

  node(id: string, label: string, shape: NodeShape): void {
    if (this.nodes.has(id)) {
      return;
    }
    this.nodes.add(id);
    const [open, close] = NODE_SHAPES[shape];
    this.lines.push(`  ${id}${open}"${escapeLabel(label)}"${close}`);
  }

  edge(from: string, to: string, label?: string, style: "solid" | "dotted" = "solid"): void {
    const arrow = style === "solid" ? "-->" : "-.->";
    this.lines.push(label === undefined ? `  ${from} ${arrow} ${to}` : `  ${from} ${arrow}|"${escapeLabel(label)}"| ${to}`);
  }

  text(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

/**
 * Escapes a label for a quoted Mermaid string. Mermaid reads `#name;` and `#code;` as
 * entities, so `#` itself is escaped first. Quotes would end the string, `<`, `>` and `&`
 * would be read as HTML, and a backtick would start a Markdown string. Line breaks become spaces.
 */
export function escapeLabel(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/&/g, "#amp;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/`/g, "#96;");
}

/** Reverses `escapeLabel`. */
export function unescapeLabel(text: string): string {
  return text
    .replace(/#quot;/g, '"')
    .replace(/#amp;/g, "&")
    .replace(/#lt;/g, "<")
    .replace(/#gt;/g, ">")
    .replace(/#96;/g, "`")
    .replace(/#35;/g, "#");
}

/** Encodes a number or stack name for a node id: letters and digits stay, anything else becomes `_<code point>_`. */
function encodeKey(key: string): string {
  return key.replace(/[^A-Za-z0-9]/g, (character) => `_${character.codePointAt(0)}_`);
}

/** Markdown page of a site's call flow: a heading, how to read the diagram, and the Mermaid block. */
export function renderCallFlowPage(model: SiteModel, peers: readonly PeerSite[], stackFile: string): string {
  const { site } = model;
  return [
    `<!-- Generated from ${stackFile} by \`npm run diagrams\`. Edit the stack file, then run that command again. -->`,
    `# Call flow: ${site.name} (${site.code})`,
    "",
    `Role ${site.role}, access code ${site.accessCode}, greetings by local time in ${site.timezone}.`,
    "Slanted boxes are greeting bands and access-code routes, hexagons IVR menus, double-edged",
    "boxes ring groups, cylinders voicemail boxes and rounded boxes other sites. Dotted arrows are",
    "where unanswered calls go, and where an IVR sends callers after their last failed attempt.",
    "",
    "```mermaid",
    renderCallFlow(model, peers).trimEnd(),
    "```",
    "",
  ].join("\n");
}

/** Returns the Mermaid text of the first `mermaid` block of a Markdown page, or undefined when it has none. */
export function extractMermaidBlock(markdown: string): string | undefined {
  const match = /^```mermaid\n([\s\S]*?)^```$/m.exec(markdown);
  return match === null ? undefined : match[1];
}
