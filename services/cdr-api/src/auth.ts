import { createHash, timingSafeEqual } from "node:crypto";

export const REALM = "inova-cdr";

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Digests of the expected secrets (the configured token and Basic user), computed once
 * because every API request is checked against them. Bounded in case a caller passes many.
 */
const expectedDigests = new Map<string, Buffer>();
const EXPECTED_DIGESTS_LIMIT = 16;

function expectedDigest(expected: string): Buffer {
  let digest = expectedDigests.get(expected);
  if (digest === undefined) {
    if (expectedDigests.size >= EXPECTED_DIGESTS_LIMIT) {
      expectedDigests.clear();
    }
    digest = sha256(expected);
    expectedDigests.set(expected, digest);
  }
  return digest;
}

/** Compares two secrets in time independent of where they differ; hashing first equalises lengths. */
export function secretsEqual(provided: string, expected: string): boolean {
  return timingSafeEqual(sha256(provided), expectedDigest(expected));
}

export type AuthResult = "ok" | "missing" | "invalid";

/**
 * Checks an Authorization header: `Bearer <token>`, or `Basic` with the configured user name
 * and the token as password.
 */
export function checkAuthorization(header: string | undefined, token: string, basicUser: string): AuthResult {
  if (header === undefined || header.trim() === "") {
    return "missing";
  }
  const match = /^(\S+)\s+(.+)$/.exec(header.trim());
  if (match === null) {
    return "invalid";
  }
  const scheme = match[1].toLowerCase();
  const credentials = match[2].trim();
  if (scheme === "bearer") {
    return secretsEqual(credentials, token) ? "ok" : "invalid";
  }
  if (scheme === "basic") {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const separator = decoded.indexOf(":");
    if (separator < 0) {
      return "invalid";
    }
    // Both comparisons always run, so the response time does not tell which part was wrong.
    const userMatches = secretsEqual(decoded.slice(0, separator), basicUser);
    const passwordMatches = secretsEqual(decoded.slice(separator + 1), token);
    return userMatches && passwordMatches ? "ok" : "invalid";
  }
  return "invalid";
}

/**
 * Returns the WWW-Authenticate challenge for a 401. A request that tried a bearer token gets
 * only the Bearer challenge, so browsers running the web page do not open a Basic login dialog.
 */
export function challenge(header: string | undefined, result: AuthResult): string {
  const bearer = result === "invalid" ? `Bearer realm="${REALM}", error="invalid_token"` : `Bearer realm="${REALM}"`;
  if (header !== undefined && /^bearer\s/i.test(header.trim())) {
    return bearer;
  }
  return `${bearer}, Basic realm="${REALM}", charset="UTF-8"`;
}
