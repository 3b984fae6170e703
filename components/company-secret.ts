// The company secret: one random value that every stack of the project reads, so passwords
// shared by two sites (HQ's replication account at a branch) are derived on each side and no
// stack reads another stack's state.
//
// It is never part of the repository, not even encrypted: it comes from a file outside the
// project, which scripts/setup.sh creates once, or from the secret stack setting
// `inova-pbx:companySecret` when an operator sets one.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Stack configuration key, without the namespace, of an operator-set company secret. */
export const COMPANY_SECRET_KEY = "companySecret";

/** Environment variable naming the file that contains the company secret. */
export const COMPANY_SECRET_FILE_ENV = "INOVA_COMPANY_SECRET_FILE";

/** Minimum length of a company secret. scripts/setup.sh writes 44 characters (32 random bytes in base64). */
export const MIN_COMPANY_SECRET_LENGTH = 32;

/**
 * Returns the path of the company secret file: `INOVA_COMPANY_SECRET_FILE`, else
 * `$INOVA_CACHE_DIR/company-secret`, else `company-secret` in `$XDG_CACHE_HOME/inova-pbx`
 * or `~/.cache/inova-pbx`, the same cache folder that scripts/lib/common.sh uses.
 */
export function companySecretFile(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[COMPANY_SECRET_FILE_ENV];
  if (explicit !== undefined && explicit !== "") {
    return explicit;
  }
  const cacheDir =
    env.INOVA_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache"), "inova-pbx");
  return path.join(cacheDir, "company-secret");
}

/** Company secret with its source, a file path or the stack setting, which messages may name. */
export interface CompanySecret {
  readonly value: string;
  readonly source: string;
}

/**
 * Returns the company secret: the operator-set stack setting when given, else the trimmed
 * content of {@link companySecretFile}. Throws when neither exists or the value is too short.
 */
export function readCompanySecret(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): CompanySecret {
  if (configured !== undefined && configured !== "") {
    checkLength(configured, `the stack setting inova-pbx:${COMPANY_SECRET_KEY}`);
    return { value: configured, source: `inova-pbx:${COMPANY_SECRET_KEY}` };
  }
  const file = companySecretFile(env);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(
        `company secret file ${file} not found; run "bash scripts/setup.sh" to create it, copy the same file from ` +
          `the machine that deploys the other sites, or set it with "pulumi config set --secret inova-pbx:${COMPANY_SECRET_KEY}"`,
      );
    }
    throw new Error(`cannot read the company secret file ${file}: ${(error as Error).message}`);
  }
  const value = text.trim();
  checkLength(value, `the company secret file ${file}`);
  return { value, source: file };
}

function checkLength(value: string, where: string): void {
  if (value.length < MIN_COMPANY_SECRET_LENGTH) {
    throw new Error(
      `${where} has ${value.length} characters, fewer than ${MIN_COMPANY_SECRET_LENGTH}; ` +
        `use 32 random bytes in base64, as "head -c 32 /dev/urandom | base64" prints`,
    );
  }
}

/**
 * Derives the password that two sites share for one purpose with HKDF-SHA256, e.g.
 * `sharedPassword(secret, "replication", "mochis", "tabasco")` with info
 * `replication:mochis:tabasco`. Sites come in the given order, so callers pass HQ first.
 * Returns 48 lower-case hex digits.
 */
export function sharedPassword(companySecret: string, purpose: string, ...sites: string[]): string {
  const crypto: typeof import("crypto") = require("crypto");
  if (sites.length === 0 || [purpose, ...sites].some((part) => part === "" || part.includes(":"))) {
    throw new Error(`invalid derivation label ${JSON.stringify([purpose, ...sites])}: parts must be non-empty and without ":"`);
  }
  const info = [purpose, ...sites].join(":");
  const key = crypto.hkdfSync("sha256", companySecret, "inova-pbx shared password", info, 24);
  return Buffer.from(key).toString("hex");
}
