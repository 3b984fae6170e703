import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

import {
  EdgeLabel,
  escapeLabel,
  extractMermaidBlock,
  FLOWCHART_HEADER,
  NODE_SHAPES,
  NodeId,
  renderCallFlow,
  unescapeLabel,
  type NodeShape,
} from "../../../components/diagrams/call-flow";
import { loadSiteCallFlows, type SiteCallFlowInput } from "../../../components/diagrams/project";
import type { SiteModel } from "../../../components/model/types";
import { renderCallFlowPages } from "../../../scripts/diagrams";

const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");

interface ParsedNode {
  readonly shape: NodeShape;
  readonly label: string;
}

interface ParsedEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly dotted: boolean;
}

interface ParsedFlowchart {
  readonly nodes: Map<string, ParsedNode>;
  readonly edges: ParsedEdge[];
}

const NODE_LINE = /^ {2}([A-Za-z0-9_]+)(\[\/|\(\[|\[\[|\[\(|\{\{|\[)"([^"]*)"(\/\]|\]\)|\]\]|\)\]|\}\}|\])$/;
const EDGE_LINE = /^ {2}([A-Za-z0-9_]+) (-->|-\.->)(?:\|"([^"]*)"\|)? ([A-Za-z0-9_]+)$/;

/** Parses the flowchart subset that the renderer writes; any other line fails the test. */
function parseFlowchart(text: string): ParsedFlowchart {
  const [header, ...lines] = text.trimEnd().split("\n");
  expect(header).toBe(FLOWCHART_HEADER);
  const nodes = new Map<string, ParsedNode>();
  const edges: ParsedEdge[] = [];
  for (const line of lines) {
    if (line.startsWith("  %% ")) {
      continue;
    }
    const node = NODE_LINE.exec(line);
    if (node !== null) {
      const shape = (Object.keys(NODE_SHAPES) as NodeShape[]).find((name) => NODE_SHAPES[name][0] === node[2] && NODE_SHAPES[name][1] === node[4]);
      expect(shape, `shape of line ${line}`).toBeDefined();
      expect(nodes.has(node[1]), `node ${node[1]} defined once`).toBe(false);
      nodes.set(node[1], { shape: shape as NodeShape, label: unescapeLabel(node[3]) });
      continue;
    }
    const edge = EDGE_LINE.exec(line);
    expect(edge, `line is a node, an edge or a comment: ${line}`).not.toBeNull();
    const [, from, arrow, label, to] = edge as RegExpExecArray;
    edges.push({ from, to, dotted: arrow === "-.->", ...(label === undefined ? {} : { label: unescapeLabel(label) }) });
  }
  return { nodes, edges };
}

function edgeKey(edge: ParsedEdge): string {
  return `${edge.from} ${edge.dotted ? "-.->" : "-->"} ${edge.label ?? ""} ${edge.to}`;
}

/** Returns every edge and node the diagram of `site` must have, derived from the model alone. */
function expectedFlowchart(site: SiteCallFlowInput): { edges: string[]; nodes: Map<string, ParsedNode> } {
  const { model, peers } = site;
  const edges: string[] = [];
  const nodes = new Map<string, ParsedNode>();
  const reached = new Set<string>();
  const solid = (from: string, to: string, label?: string) => edges.push(edgeKey({ from, to, label, dotted: false }));
  const dotted = (from: string, to: string, label: string) => edges.push(edgeKey({ from, to, label, dotted: true }));

  for (const ivr of model.ivrs) {
    nodes.set(NodeId.ivr(ivr.number), { shape: "hexagon", label: `IVR ${ivr.number}: ${ivr.name}` });
    for (const band of ivr.greetings) {
      const id = NodeId.greeting(ivr.number, band.from);
      nodes.set(id, { shape: "parallelogram", label: `${band.from}-${band.to} ${band.recording}` });
      solid(id, NodeId.ivr(ivr.number));
    }
    for (const option of ivr.options) {
      const target = option.target;
      const label = `${option.digit}: ${option.label}`;
      if (target.kind === "extension") {
        reached.add(target.number);
        solid(NodeId.ivr(ivr.number), NodeId.extension(target.number), label);
      } else if (target.kind === "ringGroup") {
        solid(NodeId.ivr(ivr.number), NodeId.ringGroup(target.number), label);
      } else if (target.kind === "ivr") {
        solid(NodeId.ivr(ivr.number), NodeId.ivr(target.number), label);
      } else {
        solid(NodeId.ivr(ivr.number), NodeId.site(target.site), label);
      }
    }
    if (ivr.operator !== undefined) {
      reached.add(ivr.operator);
      dotted(NodeId.ivr(ivr.number), NodeId.extension(ivr.operator), "operator");
    }
  }

  for (const group of model.ringGroups) {
    const seconds = group.strategy === "ringall" ? `${group.ringSeconds} s` : `${group.ringSeconds} s each`;
    nodes.set(NodeId.ringGroup(group.number), { shape: "subroutine", label: `Ring group ${group.number}: ${group.name} (${group.strategy}, ${seconds})` });
    group.members.forEach((member, index) => {
      reached.add(member);
      solid(NodeId.ringGroup(group.number), NodeId.extension(member), group.strategy === "ringall" ? "ring" : `hunt ${index + 1}`);
    });
    const first = model.extensions.find((extension) => extension.number === group.members[0]);
    const fallback = first?.voicemail === false ? NodeId.noVoicemail(group.members[0]) : NodeId.voicemail(group.members[0]);
    dotted(NodeId.ringGroup(group.number), fallback, "unanswered");
  }

  for (const extension of model.extensions.filter((candidate) => reached.has(candidate.number))) {
    const protocol = extension.protocol === "pjsip" ? "PJSIP" : "IAX2";
    nodes.set(NodeId.extension(extension.number), { shape: "rectangle", label: `${extension.number}: ${extension.name} (${protocol})` });
    const box = extension.voicemail ? NodeId.voicemail(extension.number) : NodeId.noVoicemail(extension.number);
    nodes.set(
      box,
      extension.voicemail ? { shape: "cylinder", label: `Voicemail ${extension.number}` } : { shape: "stadium", label: "No voicemail: message, hang up" },
    );
    dotted(NodeId.extension(extension.number), box, "unanswered");
  }

  for (const peer of peers) {
    const ivrPart = peer.ivrNumber === undefined ? "" : `, IVR ${peer.ivrNumber}`;
    nodes.set(NodeId.site(peer.code), { shape: "stadium", label: `${peer.name} (${peer.code})${ivrPart}` });
    nodes.set(NodeId.route(peer.accessCode), { shape: "parallelogram", label: `Dial ${peer.accessCode} + number` });
    solid(NodeId.route(peer.accessCode), NodeId.site(peer.code), "dial");
  }
  return { edges, nodes };
}

const sites = loadSiteCallFlows(PROJECT_DIR);

describe("call-flow diagram", () => {
  it("covers the three project sites", () => {
    expect(sites.map((site) => site.code)).toEqual(["mochis", "silicon", "tabasco"]);
  });

  for (const site of sites) {
    describe(`site ${site.code}`, () => {
      const parsed = parseFlowchart(renderCallFlow(site.model, site.peers));
      const expected = expectedFlowchart(site);

      it("has every IVR option and nothing else", () => {
        const optionEdges = (flowchart: string[]) =>
          flowchart.filter((key) => site.model.ivrs.some((ivr) => key.startsWith(`${NodeId.ivr(ivr.number)} --> `))).sort();
        expect(optionEdges(parsed.edges.map(edgeKey))).toEqual(optionEdges(expected.edges));
        const optionCount = site.model.ivrs.reduce((count, ivr) => count + ivr.options.length, 0);
        expect(optionEdges(parsed.edges.map(edgeKey))).toHaveLength(optionCount);
      });

      it("has every greeting band", () => {
        const bands = [...parsed.nodes].filter(([id]) => id.startsWith("greeting_")).map(([, node]) => node.label).sort();
        const modelBands = site.model.ivrs.flatMap((ivr) => ivr.greetings.map((band) => `${band.from}-${band.to} ${band.recording}`)).sort();
        expect(bands).toEqual(modelBands);
      });

      it("lists ring group members in order", () => {
        for (const group of site.model.ringGroups) {
          const members = parsed.edges
            .filter((edge) => edge.from === NodeId.ringGroup(group.number) && !edge.dotted)
            .map((edge) => `${edge.label} ${edge.to}`);
          const labels = group.members.map((member, index) => `${group.strategy === "ringall" ? "ring" : `hunt ${index + 1}`} ${NodeId.extension(member)}`);
          expect(members).toEqual(labels);
        }
      });

      it("routes each peer by access code", () => {
        const routes = parsed.edges.filter((edge) => edge.label === EdgeLabel.dial).map((edge) => `${edge.from} ${edge.to}`);
        expect(routes.sort()).toEqual(site.peers.map((peer) => `${NodeId.route(peer.accessCode)} ${NodeId.site(peer.code)}`).sort());
      });

      it("has no edge or node beyond the model", () => {
        expect(parsed.edges.map(edgeKey).sort()).toEqual([...expected.edges].sort());
        expect(new Map([...parsed.nodes].sort())).toEqual(new Map([...expected.nodes].sort()));
      });
    });
  }

  it("does not depend on stack-file order", () => {
    const site = sites.find((candidate) => candidate.code === "mochis") as SiteCallFlowInput;
    const reversed: SiteModel = {
      ...site.model,
      extensions: [...site.model.extensions].reverse(),
      ringGroups: [...site.model.ringGroups].reverse(),
      ivrs: site.model.ivrs.map((ivr) => ({ ...ivr, options: [...ivr.options].reverse() })),
    };
    expect(renderCallFlow(reversed, [...site.peers].reverse())).toBe(renderCallFlow(site.model, site.peers));
  });

  it("escapes Mermaid syntax in labels", () => {
    const site = sites.find((candidate) => candidate.code === "tabasco") as SiteCallFlowInput;
    const label = 'Ventas "A" & <b>B</b> #1 `x`';
    const model: SiteModel = {
      ...site.model,
      ivrs: site.model.ivrs.map((ivr) => ({ ...ivr, name: label, options: ivr.options.map((option) => ({ ...option, label })) })),
    };
    const text = renderCallFlow(model, site.peers);
    const ivrLine = text.split("\n").find((line) => line.startsWith(`  ${NodeId.ivr("399")}{{`)) as string;
    expect(ivrLine).toBe('  ivr_399{{"IVR 399: Ventas #quot;A#quot; #amp; #lt;b#gt;B#lt;/b#gt; #35;1 #96;x#96;"}}');
    const parsed = parseFlowchart(text);
    expect(parsed.nodes.get(NodeId.ivr("399"))?.label).toBe(`IVR 399: ${label}`);
    expect(parsed.edges.filter((edge) => edge.from === NodeId.ivr("399")).map((edge) => edge.label)).toEqual(
      model.ivrs[0].options.map((option) => `${option.digit}: ${label}`),
    );
  });

  it("round-trips an escaped entity name", () => {
    expect(unescapeLabel(escapeLabel("#quot; and #35;"))).toBe("#quot; and #35;");
  });

  it("rejects an option to an unknown site", () => {
    const site = sites.find((candidate) => candidate.code === "mochis") as SiteCallFlowInput;
    const peers = site.peers.filter((peer) => peer.code !== "silicon");
    expect(() => renderCallFlow(site.model, peers)).toThrow(
      'IVR 199 option 6 targets site "silicon", which is not among the peer sites; add its stack file.',
    );
  });

  it("keeps the generated pages up to date", () => {
    const pages = renderCallFlowPages(PROJECT_DIR);
    expect([...pages.keys()].sort()).toEqual(["docs/call-flows/mochis.md", "docs/call-flows/silicon.md", "docs/call-flows/tabasco.md"]);
    for (const [file, text] of pages) {
      const current = fs.existsSync(path.join(PROJECT_DIR, file)) ? fs.readFileSync(path.join(PROJECT_DIR, file), "utf8") : "";
      expect(current, `${file} is stale: run npm run diagrams`).toBe(text);
      const site = sites.find((candidate) => file.endsWith(`/${candidate.code}.md`)) as SiteCallFlowInput;
      expect(extractMermaidBlock(current)).toBe(renderCallFlow(site.model, site.peers));
    }
  });
});
