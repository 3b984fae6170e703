// Writes docs/call-flows/<stack>.md, the call-flow diagram of every stack of the project.
//
//   npm run diagrams              write the pages
//   npm run diagrams -- --check   write nothing; exit 1 when a page differs from its stack file

import * as fs from "node:fs";
import * as path from "node:path";

import { renderCallFlowPage } from "../components/diagrams/call-flow";
import { loadSiteCallFlows } from "../components/diagrams/project";

const PROJECT_DIR = path.resolve(__dirname, "..");

/** Directory of the generated pages, relative to the project directory. */
export const CALL_FLOW_DIRECTORY = path.join("docs", "call-flows");

/** Returns each generated page's path relative to the project directory, and its text. */
export function renderCallFlowPages(projectDir: string): Map<string, string> {
  const pages = new Map<string, string>();
  for (const site of loadSiteCallFlows(projectDir)) {
    pages.set(path.join(CALL_FLOW_DIRECTORY, `${site.code}.md`), renderCallFlowPage(site.model, site.peers, site.stackFile));
  }
  return pages;
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((argument) => argument !== "--check");
  if (unknown.length > 0) {
    console.error(`diagrams: unknown argument "${unknown[0]}"; the only option is --check.`);
    return 2;
  }
  const check = argv.includes("--check");

  let pages: Map<string, string>;
  try {
    pages = renderCallFlowPages(PROJECT_DIR);
  } catch (error) {
    console.error(`diagrams: ${(error as Error).message}`);
    return 1;
  }

  let stale = 0;
  for (const [file, text] of pages) {
    const fullPath = path.join(PROJECT_DIR, file);
    const current = fs.existsSync(fullPath) ? fs.readFileSync(fullPath, "utf8") : undefined;
    if (current === text) {
      console.log(`${file}: up to date`);
      continue;
    }
    if (check) {
      stale += 1;
      console.error(`${file}: out of date; run \`npm run diagrams\` and commit the result.`);
      continue;
    }
    fs.mkdirSync(path.dirname(fullPath), { recursive: true });
    fs.writeFileSync(fullPath, text);
    console.log(`${file}: written`);
  }
  return stale === 0 ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
