// Password hashes in the form MariaDB stores for mysql_native_password accounts.

/**
 * Returns the mysql_native_password hash of `password`: `*` followed by the
 * upper-case hex SHA-1 of the binary SHA-1 of the UTF-8 password, as
 * MariaDB's PASSWORD() computes it and `mysql.user.authentication_string` stores it.
 */
export function nativePasswordHash(password: string): string {
  const crypto: typeof import("crypto") = require("crypto");
  const stage1 = crypto.createHash("sha1").update(password, "utf8").digest();
  const stage2 = crypto.createHash("sha1").update(stage1).digest("hex");
  return `*${stage2.toUpperCase()}`;
}

/** Reports whether `text` has the form of a mysql_native_password hash. */
export function isNativePasswordHash(text: string): boolean {
  return /^\*[0-9A-F]{40}$/.test(text);
}
