// Container health check: exits 0 when /readyz of the service named by CDR_API_CONFIG_FILE returns 200.
import { request } from "node:http";
import { readFileSync } from "node:fs";

const TIMEOUT_MS = 3_000;

function main(): void {
  const config = JSON.parse(readFileSync(process.env.CDR_API_CONFIG_FILE ?? "", "utf8")) as { listen: { host: string; port: number } };
  const host = config.listen.host === "0.0.0.0" || config.listen.host === "::" ? "127.0.0.1" : config.listen.host;
  const probe = request({ host, port: config.listen.port, path: "/readyz", timeout: TIMEOUT_MS }, (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  });
  probe.on("timeout", () => probe.destroy(new Error(`timed out after ${TIMEOUT_MS} ms`)));
  probe.on("error", (error) => {
    process.stderr.write(`healthcheck: ${error.message}\n`);
    process.exit(1);
  });
  probe.end();
}

main();
