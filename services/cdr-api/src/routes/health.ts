import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { Config } from "../config";
import type { Databases } from "../db";
import { ErrorResponse, HealthResponse } from "../schemas";

const PING_TIMEOUT_MS = 2_000;

interface ReplicaStatusRow {
  Connection_name?: string;
  Slave_IO_Running?: string;
  Slave_SQL_Running?: string;
  Seconds_Behind_Master?: number | null;
  Last_IO_Error?: string;
  Last_SQL_Error?: string;
}

async function pingLocal(databases: Databases): Promise<{ ok: boolean; latencyMs?: number; error?: string }> {
  const started = performance.now();
  try {
    await databases.local.query({ sql: "SELECT 1", timeout: PING_TIMEOUT_MS });
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Reads SHOW ALL SLAVES STATUS through the monitor account: one row per branch replicated into HQ. */
async function replicationStatus(databases: Databases, config: Config) {
  let connection;
  try {
    connection = await databases.monitorConnection();
  } catch (error) {
    return { checked: false, error: `monitor connection failed: ${(error as Error).message}`, maxSecondsBehind: null, connections: [] };
  }
  if (connection === undefined) {
    return { checked: false, error: "no monitor account configured", maxSecondsBehind: null, connections: [] };
  }
  try {
    const rows: ReplicaStatusRow[] = await connection.query("SHOW ALL SLAVES STATUS");
    const connections = rows.map((row) => {
      const ioRunning = row.Slave_IO_Running ?? "Unknown";
      const sqlRunning = row.Slave_SQL_Running ?? "Unknown";
      const secondsBehind = row.Seconds_Behind_Master === null || row.Seconds_Behind_Master === undefined ? null : Number(row.Seconds_Behind_Master);
      const lastError = [row.Last_IO_Error, row.Last_SQL_Error].filter((text) => text !== undefined && text !== "").join("; ") || null;
      const ok = ioRunning === "Yes" && sqlRunning === "Yes" && secondsBehind !== null && secondsBehind <= config.replicationLagWarnSeconds;
      return { connection: row.Connection_name ?? "", ioRunning, sqlRunning, secondsBehind, lastError, ok };
    });
    const lags = connections.map((entry) => entry.secondsBehind).filter((lag): lag is number => lag !== null);
    return { checked: true, maxSecondsBehind: lags.length > 0 ? Math.max(...lags) : null, connections };
  } catch (error) {
    return { checked: false, error: `SHOW ALL SLAVES STATUS failed: ${(error as Error).message}`, maxSecondsBehind: null, connections: [] };
  } finally {
    await connection.end().catch(() => undefined);
  }
}

export function registerHealthRoutes(app: FastifyInstance, config: Config, databases: Databases): void {
  const Status = Type.Object({ status: Type.String() });

  app.get("/livez", { schema: { summary: "Process is running", tags: ["health"], response: { 200: Status } } }, async () => ({ status: "ok" }));

  app.get(
    "/readyz",
    { schema: { summary: "Own database answers", tags: ["health"], response: { 200: Status, 503: Status } } },
    async (_request, reply) => {
      const database = await pingLocal(databases);
      if (!database.ok) {
        return reply.code(503).send({ status: "database unavailable" });
      }
      return { status: "ok" };
    },
  );

  app.get(
    "/api/health",
    {
      schema: {
        summary: "Site health: own database, and replication lag at HQ or HQ reachability at a branch",
        tags: ["health"],
        security: [{ bearerAuth: [] }, { basicAuth: [] }],
        response: { 200: HealthResponse, 401: ErrorResponse, 503: HealthResponse },
      },
    },
    async (_request, reply) => {
      const database = await pingLocal(databases);
      const body: Record<string, unknown> = { site: config.site, role: config.role, checkedAt: new Date().toISOString(), database };
      let degraded = false;
      if (config.role === "hq") {
        const replication = await replicationStatus(databases, config);
        body.replication = replication;
        degraded = !replication.checked || replication.connections.some((entry) => !entry.ok);
      } else {
        const hq = await databases.probeHq();
        body.hq = hq;
        degraded = !hq.reachable;
      }
      if (!database.ok) {
        body.status = "down";
      } else {
        body.status = degraded ? "degraded" : "ok";
      }
      return reply.code(database.ok ? 200 : 503).send(body);
    },
  );
}
