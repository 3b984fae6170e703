import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The service's folder, the parent of src/ and dist/ alike. */
const SERVICE_ROOT = join(__dirname, "..", "..");

/** The web page's files. */
export const WEB_ROOT = join(SERVICE_ROOT, "web");

/** Mermaid's browser bundle in the image, where stage-context.sh copies it. */
const STAGED_MERMAID_BUNDLE = join(SERVICE_ROOT, "vendor", "mermaid.min.js");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Everything the page loads comes from this service; nothing may be fetched from elsewhere. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface StaticFile {
  /** The content, or the path of a file read from disk on each request. */
  body: Buffer | { path: string; size: number };
  type: string;
  etag: string;
}

function loadFile(name: string): StaticFile {
  const body = readFileSync(join(WEB_ROOT, name));
  const extension = name.slice(name.lastIndexOf("."));
  return {
    body,
    type: CONTENT_TYPES[extension] ?? "application/octet-stream",
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`,
  };
}

/**
 * Returns the path of Mermaid's browser bundle. The image carries only that file, at
 * {@link STAGED_MERMAID_BUNDLE}, and no mermaid package. A development run and the tests
 * take it from the installed mermaid development dependency.
 */
function mermaidBundlePath(): string {
  if (existsSync(STAGED_MERMAID_BUNDLE)) {
    return STAGED_MERMAID_BUNDLE;
  }
  try {
    return require.resolve("mermaid/dist/mermaid.min.js");
  } catch (error) {
    throw new Error(
      `Mermaid's browser bundle not found: neither ${STAGED_MERMAID_BUNDLE} nor the mermaid package exists. ` +
        "Run npm ci in services/cdr-api, or stage the image context with stage-context.sh.",
      { cause: error },
    );
  }
}

/**
 * Describes a large file that is streamed from disk on each request, so the process does
 * not keep it in memory: mermaid.min.js alone (5.5 MB in Mermaid 12.3) would add as much
 * to the service's RSS. The digest is read in 64 KiB pieces for the same reason. The file
 * must not change while the service runs, because the digest and size are read once.
 */
function diskFile(path: string): StaticFile {
  const hash = createHash("sha256");
  const piece = Buffer.allocUnsafe(64 * 1024);
  const fd = openSync(path, "r");
  let size = 0;
  try {
    for (let length = readSync(fd, piece); length > 0; length = readSync(fd, piece)) {
      hash.update(piece.subarray(0, length));
      size += length;
    }
  } finally {
    closeSync(fd);
  }
  return { body: { path, size }, type: CONTENT_TYPES[".js"], etag: `"${hash.digest("base64url").slice(0, 16)}"` };
}

function sendFile(file: StaticFile, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply
    .header("content-type", file.type)
    .header("etag", file.etag)
    .header("cache-control", "no-cache")
    .header("content-security-policy", CONTENT_SECURITY_POLICY)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer");
  if (request.headers["if-none-match"] === file.etag) {
    return reply.code(304).send();
  }
  if (Buffer.isBuffer(file.body)) {
    return reply.send(file.body);
  }
  return reply.header("content-length", file.body.size).send(createReadStream(file.body.path));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: { type?: string; enum?: unknown[]; minimum?: number; maxLength?: number; pattern?: string };
}

interface OpenApiOperation {
  summary?: string;
  description?: string;
  parameters?: OpenApiParameter[];
  responses?: Record<string, { description?: string }>;
}

/** Renders the OpenAPI document as a plain HTML reference page. */
export function renderDocs(document: { info?: { title?: string; version?: string }; paths?: Record<string, Record<string, OpenApiOperation>> }): string {
  const sections: string[] = [];
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = (operation.parameters ?? [])
        .map((parameter) => {
          const schema = parameter.schema ?? {};
          const type = schema.enum !== undefined ? schema.enum.map(String).join(" | ") : (schema.type ?? "");
          return `<tr><th scope="row"><code>${escapeHtml(parameter.name)}</code></th><td>${escapeHtml(parameter.in)}</td><td>${escapeHtml(type)}</td><td>${escapeHtml(parameter.description ?? "")}</td></tr>`;
        })
        .join("");
      const responses = Object.entries(operation.responses ?? {})
        .map(([code, response]) => `<li><code>${escapeHtml(code)}</code> ${escapeHtml(response.description ?? "")}</li>`)
        .join("");
      sections.push(
        `<section><h2><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code></h2>` +
          `<p>${escapeHtml(operation.summary ?? "")}</p>` +
          (operation.description ? `<p>${escapeHtml(operation.description)}</p>` : "") +
          (parameters
            ? `<table><caption>Parameters</caption><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead><tbody>${parameters}</tbody></table>`
            : "") +
          (responses ? `<ul>${responses}</ul>` : "") +
          "</section>",
      );
    }
  }
  const title = escapeHtml(`${document.info?.title ?? "API"} ${document.info?.version ?? ""}`.trim());
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${title}</title><link rel="stylesheet" href="/app.css"></head><body class="docs"><main>` +
    `<h1>${title}</h1><p>Machine-readable document: <a href="/openapi.json">/openapi.json</a>. ` +
    `Every <code>/api</code> route needs <code>Authorization: Bearer &lt;token&gt;</code> or Basic credentials.</p>` +
    `${sections.join("")}</main></body></html>`
  );
}

export function registerWebRoutes(app: FastifyInstance): void {
  const files = new Map<string, StaticFile>([
    ["/", loadFile("index.html")],
    ["/app.js", loadFile("app.js")],
    ["/app.css", loadFile("app.css")],
    ["/favicon.svg", loadFile("favicon.svg")],
    // Mermaid draws the call-flow diagram; served from the service so the page works offline.
    ["/vendor/mermaid.min.js", diskFile(mermaidBundlePath())],
  ]);
  for (const [url, file] of files) {
    app.get(url, { schema: { hide: true } }, (request, reply) => sendFile(file, request, reply));
  }

  let docs: StaticFile | undefined;
  app.get("/docs", { schema: { hide: true } }, (request, reply) => {
    if (docs === undefined) {
      const body = Buffer.from(renderDocs(app.swagger() as Parameters<typeof renderDocs>[0]));
      docs = { body, type: CONTENT_TYPES[".html"], etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"` };
    }
    return sendFile(docs, request, reply);
  });
  app.get("/openapi.json", { schema: { hide: true } }, (_request, reply) => reply.header("cache-control", "no-cache").send(app.swagger()));
}
