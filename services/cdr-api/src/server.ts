import { buildApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { endpointText } from "./db";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`cdr-api: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const app = await buildApp(config);
  const shutdown = (signal: string) => {
    app.log.info({ signal }, "stopping");
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));

  await app.listen({ host: config.listen.host, port: config.listen.port });
  app.log.info({ site: config.site, role: config.role, hq: config.hq === undefined ? null : endpointText(config.hq) }, "cdr-api started");
}

main().catch((error: unknown) => {
  process.stderr.write(`cdr-api: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
