import type { Connection } from "mariadb";
import { performance } from "node:perf_hooks";

const INSERT_CHUNK = 100_000;

/**
 * Generates the rows inside MariaDB from the sequence engine: 3 sites, two legs per call
 * (a ring group's answered and unanswered member), one call every 31 s over about a year.
 */
export async function generateRows(connection: Connection, rows: number): Promise<number> {
  const started = performance.now();
  for (let first = 1; first <= rows; first += INSERT_CHUNK) {
    const last = Math.min(rows, first + INSERT_CHUNK - 1);
    await connection.query(
      `INSERT INTO inova_cdr.cdr
        (site, calldate, clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata,
         duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield, linkedid, peeraccount, sequence)
       SELECT site, calldate,
         CONCAT('"Cliente ', call_id % 997, '" <', src, '>'), src, dst,
         IF(src LIKE '667%', 'from-trunk', 'internal'),
         CONCAT('PJSIP/', src, '-', LPAD(HEX(seq), 8, '0')),
         CONCAT('PJSIP/', dst, '-', LPAD(HEX(seq + 1), 8, '0')),
         'Dial', CONCAT('PJSIP/', dst, ',30'),
         IF(disposition = 'ANSWERED', 10 + seq % 600, 20), IF(disposition = 'ANSWERED', seq % 590, 0),
         disposition, 3, '',
         CONCAT(site, '-', 1704067200 + call_id * 31, '.', seq), '',
         CONCAT(site, '-', 1704067200 + call_id * 31, '.', call_id * 2), '', seq % 2
       FROM (
         SELECT seq, seq DIV 2 AS call_id,
           ELT(1 + (seq DIV 2) % 3, 'mochis', 'tabasco', 'silicon') AS site,
           TIMESTAMP('2024-01-01 00:00:00') + INTERVAL ((seq DIV 2) * 31) SECOND + INTERVAL (((seq DIV 2) * 7919) % 1000000) MICROSECOND AS calldate,
           IF((seq DIV 2) % 4 = 0, CONCAT('667', LPAD((seq DIV 2) % 100000, 7, '0')), CONCAT(1 + (seq DIV 2) % 3, '0', 1 + (seq DIV 2) % 9)) AS src,
           IF((seq DIV 2) % 5 = 0, '600', CONCAT(1 + (seq DIV 2) % 3, '0', 1 + (seq DIV 2 + 3) % 9)) AS dst,
           IF(seq % 2 = 1 AND (seq DIV 2) % 10 < 7, 'ANSWERED', ELT(1 + (seq * 13) % 4, 'NO ANSWER', 'NO ANSWER', 'BUSY', 'FAILED')) AS disposition
         FROM seq_${first}_to_${last}
       ) generated`,
    );
  }
  await connection.query("ANALYZE TABLE inova_cdr.cdr");
  return (performance.now() - started) / 1000;
}

