import { describe, expect, it } from "vitest";

import { isNativePasswordHash, nativePasswordHash } from "../../../components/database";

describe("nativePasswordHash", () => {
  it("matches the hash MariaDB stores", () => {
    // CREATE USER ... IDENTIFIED BY 'pw1' on MariaDB 11.8.9 stored this authentication_string.
    expect(nativePasswordHash("pw1")).toBe("*2B602296A79E0A8784ACC5C88D92E46588CCA3C3");
  });

  it("hashes UTF-8 text", () => {
    expect(nativePasswordHash("contraseña-larga-1")).toMatch(/^\*[0-9A-F]{40}$/);
    expect(nativePasswordHash("contraseña-larga-1")).not.toBe(nativePasswordHash("contrasena-larga-1"));
  });

  it("recognises the hash form", () => {
    expect(isNativePasswordHash(nativePasswordHash("x"))).toBe(true);
    expect(isNativePasswordHash("invalid")).toBe(false);
  });
});
