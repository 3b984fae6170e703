// Pure functions: time zones, CSV cells, credentials, channel names, cursors, record items.

import { describe, expect, test } from "vitest";
import { checkAuthorization, challenge, secretsEqual } from "../src/auth";
import { csvLine, neutraliseFormula, recordCsvLine } from "../src/csv";
import { channelPeer } from "../src/query/calls";
import { decodeCursor, encodeCursor } from "../src/query/cursor";
import { CDR_COLUMNS, toRecordItem, type CdrTuple } from "../src/query/records";
import { formatInZone, offsetMinutes, offsetSegments, parseZonedTime, sqlToIsoUtc, startOfNextDay, toSqlDateTime, wallClockToUtc } from "../src/time";

const LA = "America/Los_Angeles";

describe("time zones", () => {
  test("offsets of the three sites in March 2024", () => {
    const beforeChange = Date.UTC(2024, 2, 10, 9, 59);
    const afterChange = Date.UTC(2024, 2, 10, 10, 0);
    expect(offsetMinutes("America/Mazatlan", beforeChange)).toBe(-420);
    expect(offsetMinutes("America/Mexico_City", beforeChange)).toBe(-360);
    expect(offsetMinutes(LA, beforeChange)).toBe(-480);
    expect(offsetMinutes(LA, afterChange)).toBe(-420);
  });

  test("change inside a cached day is exact", () => {
    // Adelaide leaves daylight time at 03:00 local on 2024-04-07, which is 16:30 UTC.
    expect(offsetMinutes("Australia/Adelaide", Date.UTC(2024, 3, 6, 16, 30))).toBe(570);
    expect(offsetMinutes("Australia/Adelaide", Date.UTC(2024, 3, 6, 16, 29, 59, 999))).toBe(630);
    expect(offsetMinutes("Australia/Adelaide", Date.UTC(2024, 3, 6, 0, 0))).toBe(630);
    expect(offsetMinutes("Australia/Adelaide", Date.UTC(2024, 3, 6, 23, 59, 59))).toBe(570);
    expect(formatInZone(Date.UTC(2024, 3, 6, 16, 29, 59), "Australia/Adelaide")).toBe("2024-04-07T02:59:59+10:30");
    expect(formatInZone(Date.UTC(2024, 3, 6, 16, 30), "Australia/Adelaide")).toBe("2024-04-07T02:00:00+09:30");
  });

  test("skipped wall time moves past the change", () => {
    // 02:30 does not exist in Los Angeles on 2024-03-10; it resolves to 03:30 PDT.
    expect(wallClockToUtc(LA, Date.UTC(2024, 2, 10, 2, 30))).toBe(Date.UTC(2024, 2, 10, 10, 30));
  });

  test("repeated wall time takes first occurrence", () => {
    // 01:30 happens twice on 2024-11-03; the first is PDT (UTC-7).
    expect(wallClockToUtc(LA, Date.UTC(2024, 10, 3, 1, 30))).toBe(Date.UTC(2024, 10, 3, 8, 30));
  });

  test("Mexico City kept daylight time in 2022", () => {
    expect(wallClockToUtc("America/Mexico_City", Date.UTC(2022, 5, 1, 12, 0))).toBe(Date.UTC(2022, 5, 1, 17, 0));
    expect(wallClockToUtc("America/Mexico_City", Date.UTC(2024, 5, 1, 12, 0))).toBe(Date.UTC(2024, 5, 1, 18, 0));
  });

  test("parses dates, datetimes and offsets", () => {
    expect(parseZonedTime("2024-03-09", "America/Mazatlan")).toEqual({ utcMs: Date.UTC(2024, 2, 9, 7), micros: 0, dateOnly: true });
    expect(parseZonedTime("2024-03-09T10:15", "America/Mexico_City")?.utcMs).toBe(Date.UTC(2024, 2, 9, 16, 15));
    expect(parseZonedTime("2024-03-09T10:15:30.123456Z", LA)).toEqual({ utcMs: Date.UTC(2024, 2, 9, 10, 15, 30, 123), micros: 456, dateOnly: false });
    expect(parseZonedTime("2024-03-09T10:15:00-06:00", LA)?.utcMs).toBe(Date.UTC(2024, 2, 9, 16, 15));
  });

  test("rejects impossible and malformed dates", () => {
    for (const input of ["2024-02-30", "2023-02-29", "2024-13-01", "2024-03-09T24:00", "2024-03-09Z", "yesterday", "2024-3-9", "2024-03-09T10:15+25:00"]) {
      expect(parseZonedTime(input, LA), input).toBeUndefined();
    }
  });

  test("a date-only end covers the 23-hour day", () => {
    const parsed = parseZonedTime("2024-03-10", LA)!;
    expect(parsed.utcMs).toBe(Date.UTC(2024, 2, 10, 8));
    expect(startOfNextDay(parsed, LA)).toBe(Date.UTC(2024, 2, 11, 7));
  });

  test("segments split at the exact change", () => {
    const segments = offsetSegments(LA, Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 20));
    expect(segments).toEqual([
      { untilUtcMs: Date.UTC(2024, 2, 10, 10), offsetMinutes: -480 },
      { untilUtcMs: undefined, offsetMinutes: -420 },
    ]);
    expect(offsetSegments("America/Mazatlan", Date.UTC(2024, 0, 1), Date.UTC(2024, 11, 31))).toHaveLength(1);
  });

  test("formats SQL and ISO times", () => {
    expect(toSqlDateTime(Date.UTC(2024, 2, 10, 10, 30, 0, 5), 7)).toBe("2024-03-10 10:30:00.005007");
    expect(sqlToIsoUtc("2024-03-10 10:30:00.000000")).toBe("2024-03-10T10:30:00Z");
    expect(sqlToIsoUtc("2024-03-10 10:30:00.120000")).toBe("2024-03-10T10:30:00.120000Z");
    expect(formatInZone(Date.UTC(2024, 2, 10, 10, 30), LA)).toBe("2024-03-10T03:30:00-07:00");
  });
});

describe("CSV formula neutralisation", () => {
  test("prefixes formula starters", () => {
    for (const value of ["=1+2", "+52", "-2", "@SUM(A1)", "\tx", "\rx"]) {
      expect(neutraliseFormula(value)).toBe(`'${value}`);
    }
  });

  test("leaves ordinary text alone", () => {
    for (const value of ["101", "José Pérez", "", " =x", "a=b"]) {
      expect(neutraliseFormula(value)).toBe(value);
    }
  });
});

describe("CSV lines", () => {
  test("quotes delimiters, quotes and line breaks", () => {
    expect(csvLine(['José "Pepe" Pérez, Ñúñez', "a\nb", "'\rb", "=1", "plain"])).toBe('"José ""Pepe"" Pérez, Ñúñez","a\nb","\'\rb",\'=1,plain\r\n');
  });

  test("numbers, null and booleans", () => {
    expect(csvLine([-2, 0, null, undefined, true, ""])).toBe("-2,0,,,true,\r\n");
  });

  test("record line carries UTC and local time", () => {
    const row = CDR_COLUMNS.map((column, index) => (column === "calldate" ? "2024-03-10 10:30:00.120000" : `${column}-${index}`)) as unknown as CdrTuple;
    const cells = recordCsvLine(row, () => LA).replace(/\r\n$/, "").split(",");
    expect(cells).toHaveLength(CDR_COLUMNS.length + 1);
    expect(cells.slice(0, 4)).toEqual(["site-0", "2024-03-10T10:30:00.120000Z", "2024-03-10T03:30:00-07:00", "clid-2"]);
    expect(cells[cells.length - 1]).toBe("sequence-19");
  });
});

describe("credentials", () => {
  const token = "s3cret-token-value-123";

  test("bearer and basic accepted", () => {
    expect(checkAuthorization(`Bearer ${token}`, token, "cdr")).toBe("ok");
    expect(checkAuthorization(`bearer ${token}`, token, "cdr")).toBe("ok");
    const basic = Buffer.from(`cdr:${token}`).toString("base64");
    expect(checkAuthorization(`Basic ${basic}`, token, "cdr")).toBe("ok");
  });

  test("wrong or missing credentials rejected", () => {
    expect(checkAuthorization(undefined, token, "cdr")).toBe("missing");
    expect(checkAuthorization("", token, "cdr")).toBe("missing");
    expect(checkAuthorization(`Bearer ${token}x`, token, "cdr")).toBe("invalid");
    expect(checkAuthorization(`Basic ${Buffer.from(`admin:${token}`).toString("base64")}`, token, "cdr")).toBe("invalid");
    expect(checkAuthorization(`Basic ${Buffer.from("cdr").toString("base64")}`, token, "cdr")).toBe("invalid");
    expect(checkAuthorization(`Token ${token}`, token, "cdr")).toBe("invalid");
  });

  test("secret comparison handles different lengths", () => {
    expect(secretsEqual("a", "a")).toBe(true);
    expect(secretsEqual("a", "ab")).toBe(false);
  });

  test("challenge omits Basic after a bearer attempt", () => {
    expect(challenge(undefined, "missing")).toContain("Basic");
    expect(challenge("Bearer nope", "invalid")).not.toContain("Basic");
    expect(challenge("Bearer nope", "invalid")).toContain('error="invalid_token"');
  });
});

describe("calls and cursors", () => {
  test("channel peers", () => {
    expect(channelPeer("PJSIP/102-0000001a")).toBe("102");
    expect(channelPeer("IAX2/tabasco-00000123")).toBe("tabasco");
    expect(channelPeer("")).toBeNull();
  });

  test("cursor round trip and rejection", () => {
    const cursor = { direction: "next" as const, key: ["2024-03-10 10:30:00.000000", "silicon", "silicon-1.2", 0] as [string, string, string, number], inclusive: false, digest: "abc" };
    const text = encodeCursor(cursor);
    expect(decodeCursor(text, "abc", [])).toEqual(cursor);

    const wrongFilters: { field: string; message: string }[] = [];
    expect(decodeCursor(text, "other", wrongFilters)).toBeUndefined();
    expect(wrongFilters.map((problem) => problem.field)).toEqual(["cursor"]);

    const garbage: { field: string; message: string }[] = [];
    const forged = Buffer.from(JSON.stringify({ d: "n", k: ["1 OR 1=1", "x", "y", 0], i: 0, f: "abc" })).toString("base64url");
    expect(decodeCursor(forged, "abc", garbage)).toBeUndefined();
    expect(decodeCursor("bm90LWpzb24", "abc", garbage)).toBeUndefined();
    expect(garbage).toHaveLength(2);
  });
});

describe("record items", () => {
  test("array row maps to named fields", () => {
    const row = CDR_COLUMNS.map((column, index) => (column === "calldate" ? "2024-03-10 10:30:00.000000" : `${column}-${index}`)) as unknown as CdrTuple;
    const item = toRecordItem(row, () => LA) as unknown as Record<string, unknown>;
    for (const [index, column] of CDR_COLUMNS.entries()) {
      if (column !== "calldate") {
        expect(item[column], column).toBe(row[index]);
      }
    }
    expect(item.calldate).toBe("2024-03-10T10:30:00Z");
    expect(item.calldateLocal).toBe("2024-03-10T03:30:00-07:00");
    expect(Object.keys(item)).toHaveLength(CDR_COLUMNS.length + 1);
  });
});
