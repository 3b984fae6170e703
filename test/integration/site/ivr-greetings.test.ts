// The greeting each site's IVR plays at instants on both sides of every band
// edge, in the site's local time: 06:00-11:59 ivr-dia, 12:00-18:59 ivr-tarde,
// 19:00-05:59 ivr-noche. Asterisk runs under libfaketime, started at the UTC
// instant that matches the local time, on a January and a July date, because
// America/Los_Angeles observes daylight saving time and the Mexican zones have
// not since 2022. Each site has one PBX that restarts at every instant, and the
// three sites run side by side.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";

import { describeAudio } from "../../support/audio";
import type { SipPhone } from "../../support/phones/sip-phone";
import { SitePbx } from "../../support/site-pbx";
import { DialplanTrace, describeHeard, heardTones, PhoneSet, PROMPT_TONES, shortMenuTimeout, TEST_SITES, type TestSite, waitForHeardCount, writePromptTones } from "./ivr-support";

/** Local time of day at which a call starts, and the greeting expected then. */
const INSTANTS = [
  { local: "05:59", greeting: "ivr-noche" },
  { local: "06:00", greeting: "ivr-dia" },
  { local: "11:59", greeting: "ivr-dia" },
  { local: "12:00", greeting: "ivr-tarde" },
  { local: "18:59", greeting: "ivr-tarde" },
  { local: "19:00", greeting: "ivr-noche" },
  { local: "00:30", greeting: "ivr-noche" },
] as const;

const DATES = [
  { month: "January", date: "2025-01-15" },
  { month: "July", date: "2025-07-15" },
] as const;

type Month = (typeof DATES)[number]["month"];

/** Each site's time zone and its UTC offset in hours on the test dates. */
const ZONES: Readonly<Record<TestSite["code"], { readonly name: string; readonly offsetHours: Readonly<Record<Month, number>> }>> = {
  mochis: { name: "America/Mazatlan", offsetHours: { January: -7, July: -7 } },
  tabasco: { name: "America/Mexico_City", offsetHours: { January: -6, July: -6 } },
  silicon: { name: "America/Los_Angeles", offsetHours: { January: -8, July: -7 } },
};

const CASE_TIMEOUT_MS = 240_000;

interface SiteRun {
  readonly pbx: SitePbx;
  readonly caller: SipPhone;
  readonly phones: PhoneSet;
  /** Tail of the chain that runs this site's cases one at a time. */
  queue: Promise<unknown>;
}

let directory: string;
const runs = new Map<TestSite["code"], SiteRun>();

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "ivr-greetings-"));
  const recordings = await writePromptTones(directory);
  await Promise.all(
    TEST_SITES.map(async (site) => {
      const pbx = await SitePbx.start({
        code: site.code,
        address: site.address,
        rtpStart: site.rtpStart,
        recordings,
        clock: utcInstant(site, DATES[0], INSTANTS[0].local),
        editConfig: shortMenuTimeout,
      });
      const phones = new PhoneSet(pbx, site, directory);
      runs.set(site.code, { pbx, phones, caller: await phones.sip(site.caller), queue: Promise.resolve() });
    }),
  );
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([...runs.values()].map(async (run) => {
    await run.phones.stopAll();
    await run.pbx.stop();
  }));
  await rm(directory, { recursive: true, force: true });
});

/** Returns the UTC instant `YYYY-MM-DD hh:mm:00` at which the site's local clock reads `local` on `date`. */
function utcInstant(site: TestSite, date: (typeof DATES)[number], local: string): string {
  const [hours, minutes] = local.split(":").map(Number);
  const [year, month, day] = date.date.split("-").map(Number);
  const utc = new Date(Date.UTC(year, month - 1, day, hours - ZONES[site.code].offsetHours[date.month], minutes));
  return utc.toISOString().slice(0, 19).replace("T", " ");
}

/** Runs `work` after every case queued before it on the same site. */
function inSiteOrder<T>(run: SiteRun, work: () => Promise<T>): Promise<T> {
  const result = run.queue.then(work, work);
  run.queue = result.catch(() => undefined);
  return result;
}

/** Reads the PBX's local time of day, `hh:mm`, in `zone`. */
async function pbxLocalTime(pbx: SitePbx, zone: string): Promise<string> {
  const output = await pbx.cli(`dialplan eval function STRFTIME(,${zone},%H:%M)`);
  const match = /Result: (\d\d:\d\d)/.exec(output);
  if (match === null) {
    throw new Error(`unexpected output of STRFTIME at ${pbx.address}: ${output}`);
  }
  return match[1];
}

// Cases are listed instant by instant, so that the first cases that run at once belong to
// different sites.
describe.concurrent("IVR greeting", () => {
  for (const date of DATES) {
    for (const instant of INSTANTS) {
      for (const site of TEST_SITES) {
        it(`${site.code} plays ${instant.greeting} at ${instant.local} in ${date.month}`, { timeout: CASE_TIMEOUT_MS }, async ({ expect }) => {
          const run = runs.get(site.code);
          if (run === undefined) {
            throw new Error(`PBX of ${site.code} did not start`);
          }
          await inSiteOrder(run, async () => {
            const zone = ZONES[site.code].name;
            await run.pbx.restartAt(utcInstant(site, date, instant.local));
            expect(await pbxLocalTime(run.pbx, zone), `local time of the PBX in ${zone}`).toBe(instant.local);

            const trace = await DialplanTrace.start(run.pbx);
            try {
              await run.caller.dial(site.ivr);
              await run.caller.waitForState("ESTABLISHED");
              await trace.waitForMenu(`PJSIP/${site.caller}-`, 1);
              await waitForHeardCount(run.caller, PROMPT_TONES, 1);
            } finally {
              await run.caller.hangup();
              await run.caller.waitForState("CLOSED");
            }
            // The call ended within the same minute, so the greeting was chosen at `instant`.
            expect(await pbxLocalTime(run.pbx, zone), `local time of the PBX in ${zone} after the call`).toBe(instant.local);

            const recording = await run.caller.recording();
            const heard = await heardTones(recording, PROMPT_TONES);
            const detail = `${describeHeard(heard)}; ${await describeAudio(recording)}`;
            expect(heard.map((tone) => tone.name), detail).toEqual([instant.greeting]);
          });
        });
      }
    }
  }
});
