// Expected answers computed from the generated fixture, independent of the service's SQL.

import { generateFixture, type FixtureRow } from "../fixtures/calls";
import { getJson } from "./service";

export const fixture = generateFixture();

export function rowId(row: { site: string; uniqueid: string; sequence: number }): string {
  return `${row.site}|${row.uniqueid}|${row.sequence}`;
}

/** Listing order: calldate, site, uniqueid, sequence, all descending. */
export function compareNewestFirst(a: FixtureRow, b: FixtureRow): number {
  const keys: Array<keyof FixtureRow> = ["calldate", "site", "uniqueid", "sequence"];
  for (const key of keys) {
    if (a[key] < b[key]) return 1;
    if (a[key] > b[key]) return -1;
  }
  return 0;
}

/** Converts fixture calldate text to UTC milliseconds. */
export function utcMs(calldate: string): number {
  return Date.parse(`${calldate.slice(0, 23).replace(" ", "T")}Z`);
}

export function rowsWhere(predicate: (row: FixtureRow) => boolean): FixtureRow[] {
  return fixture.rows.filter(predicate).sort(compareNewestFirst);
}

/** Follows `next` cursors from the first page and returns every item plus the page responses. */
export async function walkPages(baseUrl: string, path: string): Promise<{ items: any[]; pages: any[] }> {
  const items: any[] = [];
  const pages: any[] = [];
  let url = path;
  for (let guard = 0; guard < 1000; guard += 1) {
    const response = await getJson(baseUrl, url);
    if (response.status !== 200) {
      throw new Error(`GET ${url} returned ${response.status}: ${JSON.stringify(response.body)}`);
    }
    pages.push(response.body);
    items.push(...response.body.items);
    if (response.body.page.next === null) {
      return { items, pages };
    }
    const separator = path.includes("?") ? "&" : "?";
    url = `${path}${separator}cursor=${response.body.page.next}`;
  }
  throw new Error("more than 1000 pages");
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        cell += character;
      }
    } else if (character === '"') {
      quoted = true;
    } else if (character === ",") {
      row.push(cell);
      cell = "";
    } else if (character === "\r" && text[index + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      index += 1;
    } else {
      cell += character;
    }
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
