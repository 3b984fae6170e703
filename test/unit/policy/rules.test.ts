import { describe, expect, it } from "vitest";

import {
  RESOURCE_TYPES,
  checkContainerEnvironment,
  checkGrantPrivileges,
  checkPlainFiles,
  checkSecretProperties,
  checkSecretStrength,
  findWeaknesses,
} from "../../../policy/rules";

describe("checkGrantPrivileges", () => {
  it("accepts named privileges", () => {
    expect(checkGrantPrivileges({ user: "pbx_writer", host: "localhost", object: "inova_cdr.cdr", privileges: ["INSERT"] })).toEqual([]);
  });

  it("rejects ALL in any spelling", () => {
    for (const privilege of ["ALL", "all privileges", " ALL  PRIVILEGES "]) {
      const problems = checkGrantPrivileges({ user: "app", host: "%", object: "*.*", privileges: [privilege] });
      expect(problems, privilege).toHaveLength(1);
      expect(problems[0]).toContain("to 'app'@'%' includes ALL");
    }
  });

  it("rejects GRANT OPTION as privilege or flag", () => {
    const listed = checkGrantPrivileges({ user: "app", host: "localhost", object: "db.*", privileges: ["SELECT", "GRANT OPTION"] });
    const flagged = checkGrantPrivileges({ user: "app", host: "localhost", object: "db.*", privileges: ["SELECT"], grantOption: true });
    expect(listed).toHaveLength(1);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toContain("includes GRANT OPTION");
  });

  it("allows everything to root@localhost only", () => {
    expect(checkGrantPrivileges({ user: "root", host: "localhost", object: "*.*", privileges: ["ALL"], grantOption: true })).toEqual([]);
    expect(checkGrantPrivileges({ user: "root", host: "%", object: "*.*", privileges: ["ALL"] })).toHaveLength(1);
  });
});

describe("checkSecretProperties", () => {
  it("accepts the declared secret properties", () => {
    const problems = checkSecretProperties(RESOURCE_TYPES.user, { user: "a", password: "x", passwordMatches: true }, ["passwordHash"]);
    expect(problems).toEqual([]);
  });

  it("rejects an undeclared credential property", () => {
    const problems = checkSecretProperties(RESOURCE_TYPES.container, { name: "c", apiToken: "x", secretMode: "0640" }, []);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("property apiToken holds a credential");
  });

  it("rejects a secret output missing from additionalSecretOutputs", () => {
    const problems = checkSecretProperties(RESOURCE_TYPES.generatedSecret, { length: 24, alphabet: "alnum" }, []);
    expect(problems).toEqual([
      "output value of pulumi-nodejs:dynamic/inova:GeneratedSecret is missing from additionalSecretOutputs, so the state would store it in plain text.",
    ]);
  });
});

describe("checkPlainFiles", () => {
  it("names file and line of a password", () => {
    const files = { "pjsip.conf": "[100]\ntype=auth\npassword=abc\n", "iax.conf": "[general]\nsecret => xyz\n" };
    expect(checkPlainFiles({ directory: "/etc/asterisk", files })).toEqual([
      "pjsip.conf line 3 sets password in a non-secret file of /etc/asterisk; move the credential into secretFiles.",
      "iax.conf line 2 sets secret in a non-secret file of /etc/asterisk; move the credential into secretFiles.",
    ]);
  });

  it("ignores comments and other keys", () => {
    expect(checkPlainFiles({ directory: "/etc", files: { "a.conf": "; password=x\nusername=100\n" } })).toEqual([]);
  });
});

describe("checkContainerEnvironment", () => {
  it("rejects credential variables only", () => {
    const env = { ODBCSYSINI: "/etc/asterisk", DB_PASSWORD: "x", API_TOKEN: "y", INOVA_MARIADB_CONFIG: "z" };
    const problems = checkContainerEnvironment({ name: "c", env });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("DB_PASSWORD");
    expect(problems[1]).toContain("API_TOKEN");
  });
});

describe("findWeaknesses", () => {
  it("accepts a strong password", () => {
    expect(findWeaknesses("Tq7-vLm2#Rz9wXk4")).toEqual([]);
  });

  it("accepts 24 generated letters", () => {
    expect(findWeaknesses("qWeRtYuIoPaSdFgHjKlZxCvB")).toEqual([]);
  });

  it("reports each weakness", () => {
    expect(findWeaknesses("Inova2026")).toEqual(["is shorter than 16 characters"]);
    expect(findWeaknesses("abcdefghijklmnopq")).toEqual(["uses 1 of the 4 character classes, fewer than 3"]);
    expect(findWeaknesses("aAaAaAaAaAaAaAaAaAaAaAaA1")).toEqual(["has fewer than 8 different characters"]);
  });
});

describe("checkSecretStrength", () => {
  it("checks a database password and secret-file lines", () => {
    expect(checkSecretStrength(RESOURCE_TYPES.user, { user: "app", password: "short" })).toEqual([
      "the password of database account app is weak: it is shorter than 16 characters, it uses 1 of the 4 character classes, fewer than 3, it has fewer than 8 different characters.",
    ]);
    const secretFiles = { "pjsip_auth.conf": "[100]\npassword = Tq7-vLm2#Rz9wXk4\n[101]\npassword = weak\n" };
    const problems = checkSecretStrength(RESOURCE_TYPES.containerFiles, { secretFiles });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^the password on pjsip_auth.conf line 4 is weak/);
  });

  it("skips values that are not known yet", () => {
    expect(checkSecretStrength(RESOURCE_TYPES.user, { user: "app", password: undefined })).toEqual([]);
  });
});
