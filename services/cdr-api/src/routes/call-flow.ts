// The site's call-flow diagram, read from the non-secret file named by `callFlowFile`. The
// file is read on every request, so a redeployed diagram shows without a restart.

import { readFile } from "node:fs/promises";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config";

const CallFlowResponse = Type.Object({
  site: Type.String(),
  mermaid: Type.String({ description: "Mermaid flowchart text" }),
});

const ErrorResponse = Type.Object({ statusCode: Type.Integer(), error: Type.String(), message: Type.String() });

/** Returns the text of the first `mermaid` block of a Markdown page, or the whole text when it has none. */
export function mermaidText(fileText: string): string {
  const match = /^```mermaid\r?\n([\s\S]*?)^```\s*$/m.exec(fileText);
  return match === null ? fileText : match[1];
}

export function registerCallFlowRoute(app: FastifyInstance, config: Config): void {
  app.get(
    "/api/call-flow",
    {
      schema: {
        summary: "Call-flow diagram of the serving site",
        description: "IVR menus, greeting bands, ring groups and routes to other sites, as Mermaid flowchart text.",
        tags: ["site"],
        security: [{ bearerAuth: [] }, { basicAuth: [] }],
        response: { 200: CallFlowResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      if (config.callFlowFile === undefined) {
        return reply.code(404).send({ statusCode: 404, error: "Not Found", message: "This service has no call-flow diagram: callFlowFile is not set." });
      }
      let text: string;
      try {
        text = await readFile(config.callFlowFile, "utf8");
      } catch (error) {
        request.log.error({ err: error, file: config.callFlowFile }, "reading the call-flow diagram failed");
        return reply.code(404).send({ statusCode: 404, error: "Not Found", message: `Reading the call-flow diagram file failed (${(error as NodeJS.ErrnoException).code ?? "error"}); check callFlowFile in the configuration.` });
      }
      return { site: config.site, mermaid: mermaidText(text) };
    },
  );
}
