// Addresses and accounts of the test databases, shared by the global set-up and the tests.

export const HQ_DB = { host: "127.0.97.2", port: 3306, serverId: 81 };
export const BRANCH_DB = { host: "127.0.97.3", port: 3306, serverId: 82 };
/** Nothing listens here: an HQ endpoint that refuses connections at once. */
export const CLOSED_DB = { host: "127.0.97.9", port: 3306 };
/** A listener that accepts connections and never responds: an HQ endpoint that times out. */
export const SILENT_DB = { host: "127.0.97.8", port: 3306 };
/** Address the services under test listen on (ephemeral ports). */
export const SERVICE_HOST = "127.0.97.1";

export const API_DB_USER = "cdr_api";
export const API_DB_PASSWORD = "cdr-api-db-password";
export const MONITOR_USER = "cdr_monitor";
export const MONITOR_PASSWORD = "cdr-monitor-password";
export const REPLICATION_USER = "cdr_repl";
export const REPLICATION_PASSWORD = "cdr-repl-password";
export const API_TOKEN = "test-token-0123456789abcdef";
