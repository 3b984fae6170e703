// A branch's account at HQ matches the branch's own address only, so the branch connects to
// HQ from that address (hq.localAddress). HQ rejects the account from any other address.

import * as mariadb from "mariadb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { API_DB_PASSWORD, BRANCH_DB, HQ_DB } from "./support/environment";
import { ADMIN_PASSWORD, ADMIN_USER } from "./support/mariadb";
import { getJson, startService, type RunningService } from "./support/service";

/** Account at HQ that admits only connections from the branch database's address. */
const BRANCH_ONLY_USER = "api_tabasco_src";

let admin: mariadb.Connection;
const services: RunningService[] = [];

beforeAll(async () => {
  admin = await mariadb.createConnection({ host: HQ_DB.host, port: HQ_DB.port, user: ADMIN_USER, password: ADMIN_PASSWORD });
  await admin.query(`CREATE OR REPLACE USER '${BRANCH_ONLY_USER}'@'${BRANCH_DB.host}' IDENTIFIED BY '${API_DB_PASSWORD}'`);
  await admin.query(`GRANT SELECT ON inova_cdr.* TO '${BRANCH_ONLY_USER}'@'${BRANCH_DB.host}'`);
});

afterAll(async () => {
  await Promise.allSettled(services.map((service) => service.close()));
  await admin?.query(`DROP USER IF EXISTS '${BRANCH_ONLY_USER}'@'${BRANCH_DB.host}'`);
  await admin?.end();
});

describe("branch account at HQ", () => {
  test("reads HQ from the branch address", async () => {
    const service = await startService({ role: "branch", hqUser: BRANCH_ONLY_USER, hqLocalAddress: BRANCH_DB.host });
    services.push(service);
    const { status, body } = await getJson(service.baseUrl, "/api/records?limit=5");
    expect(status).toBe(200);
    expect(body.source).toBe("hq");
  });

  test("falls back from another address", async () => {
    const service = await startService({ role: "branch", hqUser: BRANCH_ONLY_USER });
    services.push(service);
    const { status, body } = await getJson(service.baseUrl, "/api/records?limit=5");
    expect(status).toBe(200);
    expect(body.source).toBe("local");
    expect(service.logs.join("")).toMatch(/Access denied for user '?api_tabasco_src'?@'?127\.0\.0\.1/);
  });
});
