import { STATUS_CODES } from "node:http";
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from "fastify";
import cors from "@fastify/cors";
import swagger from "@fastify/swagger";
import type { DestinationStream } from "pino";
import { challenge, checkAuthorization } from "./auth";
import type { Config } from "./config";
import { Databases } from "./db";
import { InvalidRequestError } from "./query/filters";
import { registerApiRoutes } from "./routes/api";
import { registerCallFlowRoute } from "./routes/call-flow";
import { registerHealthRoutes } from "./routes/health";
import { registerWebRoutes } from "./routes/web";

export interface AppOptions {
  /** Destination of the request logs; standard output when absent. */
  logStream?: DestinationStream;
}

function loggerOptions(config: Config, options: AppOptions): FastifyServerOptions["logger"] {
  return {
    level: config.logLevel,
    ...(options.logStream === undefined ? {} : { stream: options.logStream }),
    // Request logs carry method, URL and client address only: no headers, so no credentials.
    serializers: {
      req(request: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) {
        return { method: request.method, url: request.url, remoteAddress: request.ip ?? request.socket?.remoteAddress };
      },
    },
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", "headers.authorization", "authorization", "password", "token", "*.password", "*.token"],
      censor: "[redacted]",
    },
  };
}

/**
 * Logs each request once, when its response is sent: method, URL and client address (the
 * `req` serializer), status and response time in milliseconds. Fastify's default controller
 * also logs a line when the request arrives, which doubles the log volume of every request.
 */
class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) {
      return;
    }
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, "request errored");
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, "request completed");
    }
  }
}

function isDatabaseError(error: unknown): boolean {
  const candidate = error as { sqlState?: unknown; errno?: unknown; code?: unknown };
  return (
    candidate !== null &&
    typeof candidate === "object" &&
    (candidate.sqlState !== undefined || (typeof candidate.code === "string" && candidate.code.startsWith("ER_")))
  );
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config, options),
    logController: new RequestLogController(),
    ajv: { customOptions: { allErrors: true, coerceTypes: "array", removeAdditional: true, useDefaults: true } },
    trustProxy: false,
  });
  const databases = new Databases(config, app.log);
  app.addHook("onClose", async () => databases.close());

  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin === config.allowedOrigin),
    methods: ["GET", "HEAD"],
    allowedHeaders: ["Authorization", "Content-Type"],
    exposedHeaders: ["X-CDR-Source", "Content-Disposition"],
    maxAge: 600,
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Inova call records API",
        version: "0.1.0",
        description: `Call detail records of site ${config.site} (${config.role === "hq" ? "HQ, consolidated" : "branch"}).`,
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer" },
          basicAuth: { type: "http", scheme: "basic" },
        },
      },
    },
  });

  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?")[0];
    // Only /api/ needs credentials; the page, its files, the docs and the probes are public.
    if (request.method === "OPTIONS" || !path.startsWith("/api/")) {
      return;
    }
    const header = request.headers.authorization;
    const result = checkAuthorization(header, config.auth.token, config.auth.basicUser);
    if (result !== "ok") {
      request.log.info({ reason: result }, "request rejected: missing or invalid credentials");
      return reply
        .code(401)
        .header("www-authenticate", challenge(header, result))
        .send({ statusCode: 401, error: "Unauthorized", message: "Missing or invalid credentials: send Authorization: Bearer <token> or Basic credentials" });
    }
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof InvalidRequestError) {
      return reply.code(400).send({ statusCode: 400, error: "Bad Request", message: error.message, fields: error.fields });
    }
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? "Client Error", message: (error as Error).message });
    }
    if (isDatabaseError(error) || /pool|connection|timeout/i.test((error as Error).message ?? "")) {
      request.log.error({ err: error }, "database request failed");
      return reply.code(503).send({ statusCode: 503, error: "Service Unavailable", message: "The call records database is unavailable or timed out; try again shortly." });
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ statusCode: 500, error: "Internal Server Error", message: "Internal error; see the service log." });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ statusCode: 404, error: "Not Found", message: `No route for ${request.method} ${request.url.split("?")[0]}` }),
  );

  registerWebRoutes(app);
  registerHealthRoutes(app, config, databases);
  registerApiRoutes(app, config, databases);
  registerCallFlowRoute(app, config);
  return app;
}
