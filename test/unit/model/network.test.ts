import { describe, expect, it } from "vitest";
import type { RawSite } from "../../../components/model/raw";
import { check, validRaw } from "./fixtures";

function withSite(changes: Partial<RawSite>) {
  const raw = validRaw();
  raw.site = { ...raw.site!, ...changes };
  return raw;
}

describe("site address", () => {
  it.each(["127.0.84", "127.0.84.256", "127.0.084.1", "localhost", "::1"])("rejects %s as not IPv4", (address) => {
    expect(check(withSite({ address }))).toEqual([
      {
        path: "inova-pbx:site.address",
        code: "E_ADDRESS_FORMAT",
        message: `address "${address}" is not an IPv4 address; write four numbers from 0 to 255 separated by dots, e.g. 127.0.84.1.`,
      },
    ]);
  });

  it("rejects an address outside loopback", () => {
    expect(check(withSite({ address: "192.0.2.10" }))).toEqual([
      {
        path: "inova-pbx:site.address",
        code: "E_ADDRESS_RANGE",
        message: 'address "192.0.2.10" is outside 127.0.0.0/8; every site binds a loopback address of this host, e.g. 127.0.84.1.',
      },
    ]);
  });

  it.each([
    ["127.0.0.0", "the network address of 127.0.0.0/8"],
    ["127.255.255.255", "the broadcast address of 127.0.0.0/8"],
    ["127.0.0.1", "kept for phones, test clients and other local services"],
    ["127.0.1.1", "where Debian maps the host name"],
  ])("rejects reserved address %s", (address, reason) => {
    expect(check(withSite({ address }))).toEqual([
      {
        path: "inova-pbx:site.address",
        code: "E_ADDRESS_RESERVED",
        message: `address "${address}" is ${reason}; use another one, e.g. 127.0.84.1.`,
      },
    ]);
  });

  it("rejects another site's address", () => {
    expect(check(withSite({ address: "127.0.85.1" }))).toEqual([
      {
        path: "inova-pbx:site.address",
        code: "E_DUPLICATE_ADDRESS",
        message: 'address "127.0.85.1" is already used by site beta (Pulumi.beta.yaml); give each site its own address, e.g. 127.0.84.1.',
      },
    ]);
  });
});

describe("site access code", () => {
  it.each(["8", "084", "08", "8a"])("rejects access code %s", (accessCode) => {
    expect(check(withSite({ accessCode }))).toEqual([
      {
        path: "inova-pbx:site.accessCode",
        code: "E_ACCESS_CODE_FORMAT",
        message: `access code "${accessCode}" is invalid; use two digits, the first not 0, e.g. "84".`,
      },
    ]);
  });

  it("rejects the start of the emergency number", () => {
    expect(check(withSite({ accessCode: "91" }))).toEqual([
      {
        path: "inova-pbx:site.accessCode",
        code: "E_ACCESS_CODE_FORMAT",
        message: 'access code "91" is the start of the emergency number 911; choose another code.',
      },
    ]);
  });

  it("rejects another site's access code", () => {
    expect(check(withSite({ accessCode: "86" }))).toEqual([
      {
        path: "inova-pbx:site.accessCode",
        code: "E_DUPLICATE_ACCESS_CODE",
        message: 'access code "86" is already used by site gamma (Pulumi.gamma.yaml); give each site its own code.',
      },
    ]);
  });
});

describe("site ports", () => {
  it("rejects privileged and too high ports", () => {
    expect(check(withSite({ ports: { sip: 80, ami: 70000 } }))).toEqual([
      {
        path: "inova-pbx:site.ports.sip",
        code: "E_PORT_RANGE",
        message: "port 80 is out of range; use 1024 to 65535, because lower ports are privileged.",
      },
      {
        path: "inova-pbx:site.ports.ami",
        code: "E_PORT_RANGE",
        message: "port 70000 is out of range; use 1024 to 65535, because lower ports are privileged.",
      },
    ]);
  });

  it("rejects two services on one port", () => {
    expect(check(withSite({ ports: { iax: 5060 } }))).toEqual([
      {
        path: "inova-pbx:site.ports.iax",
        code: "E_PORT_CONFLICT",
        message: "port 5060 is already the sip port; give each service its own port.",
      },
    ]);
  });

  it("rejects a SIP port inside the RTP range", () => {
    expect(check(withSite({ ports: { sip: 20100 } }))).toEqual([
      {
        path: "inova-pbx:site.ports.sip",
        code: "E_PORT_CONFLICT",
        message: "port 20100 is inside the RTP range 20000-20199; move it out of the range or change rtpPorts.",
      },
    ]);
  });

  it("allows the AMI port inside the RTP range", () => {
    expect(check(withSite({ ports: { ami: 20100 } }))).toEqual([]);
  });
});

describe("site RTP range", () => {
  it.each([
    [{ start: 20199, end: 20000 }, "20199-20000"],
    [{ start: 500, end: 1500 }, "500-1500"],
    [{ start: 65500, end: 65600 }, "65500-65600"],
  ])("rejects range %j", (rtpPorts, span) => {
    expect(check(withSite({ rtpPorts }))).toEqual([
      {
        path: "inova-pbx:site.rtpPorts",
        code: "E_RTP_RANGE",
        message: `rtpPorts ${span} is invalid; start must be below end, both within 1024 to 65535.`,
      },
    ]);
  });

  it("rejects fewer than 100 ports", () => {
    expect(check(withSite({ rtpPorts: { start: 20000, end: 20049 } }))).toEqual([
      {
        path: "inova-pbx:site.rtpPorts",
        code: "E_RTP_TOO_SMALL",
        message:
          "rtpPorts 20000-20049 has 50 ports but this site needs at least 100: 4 per call its extensions may hold " +
          "at once (6, the sum of maxCalls), and never fewer than 100; raise end to 20099.",
      },
    ]);
  });

  it("sizes the range by the calls extensions may hold", () => {
    const raw = withSite({ rtpPorts: { start: 20000, end: 20099 } });
    raw.extensions = raw.extensions!.map((extension) => ({ ...extension, maxCalls: 10 }));
    expect(check(raw)).toEqual([
      {
        path: "inova-pbx:site.rtpPorts",
        code: "E_RTP_TOO_SMALL",
        message:
          "rtpPorts 20000-20099 has 100 ports but this site needs at least 120: 4 per call its extensions may hold " +
          "at once (30, the sum of maxCalls), and never fewer than 100; raise end to 20119.",
      },
    ]);
  });

  it("rejects a range that overlaps another site's", () => {
    expect(check(withSite({ rtpPorts: { start: 21900, end: 22100 } }))).toEqual([
      {
        path: "inova-pbx:site.rtpPorts",
        code: "E_RTP_OVERLAP",
        message:
          "rtpPorts 21900-22100 overlaps 21000-21999 of site beta (Pulumi.beta.yaml); sites share the host network, " +
          "so give each site a range of its own.",
      },
      {
        path: "inova-pbx:site.rtpPorts",
        code: "E_RTP_OVERLAP",
        message:
          "rtpPorts 21900-22100 overlaps 22000-22999 of site gamma (Pulumi.gamma.yaml); sites share the host network, " +
          "so give each site a range of its own.",
      },
    ]);
  });
});
