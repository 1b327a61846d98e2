/**
 * `npm run bench:trail -- [--store postgres|pglite] [--records N] [--appenders A] [--fill F] [--verify yes|no]`:
 * the access trail's own API under the gateway's write pattern (one `record()` of 8 records per
 * request, a checkpoint every 100 records), with A requests appending at once. `--fill F` first
 * writes F records through the same API in requests of 2,000 records (group commit at its
 * largest), so the measured appends run against a trail of that size. Prints progress while it
 * writes, then: append p50/p99, records a second, one checkpoint's time at the end, verify (unless
 * `--verify no`), a find by subject, and the process's peak RSS. PostgreSQL: the server at AUDIT_BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test), in a schema of its own that is dropped afterwards.
 * PGlite: in memory.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createAuditTrail, pgliteClient, postgresClient, subjectHash, toAccessRecords } from '../audit';
import { generateInternalTokenKeys } from '../runtime/internalToken';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'postgres' },
    records: { type: 'string', default: '10000' },
    appenders: { type: 'string', default: '4' },
    fill: { type: 'string', default: '0' },
    verify: { type: 'string', default: 'yes' },
  },
});
const records = Number(values.records);
const appenders = Number(values.appenders);
const fill = Number(values.fill);
if (
  !['postgres', 'pglite'].includes(values.store!) || !Number.isInteger(records) || records < 8 || !Number.isInteger(appenders) || appenders < 1 ||
  !Number.isInteger(fill) || fill < 0 || !['yes', 'no'].includes(values.verify!)
) {
  console.error('usage: npm run bench:trail -- [--store postgres|pglite] [--records N (≥8)] [--appenders A (≥1)] [--fill F (≥0)] [--verify yes|no]');
  process.exit(2);
}
const url = process.env['AUDIT_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `audit_bench_${randomBytes(4).toString('hex')}`;
const subjectKey = randomBytes(32);
const db = values.store === 'postgres' ? await postgresClient(url, schema) : await pgliteClient();
const trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 100 });

const timeIn = new Date();
const recordsOf = (request: number, count: number) =>
  toAccessRecords(
    {
      requestId: `bench-${request}`,
      timeIn,
      identity: { actor: `caseworker-${request % 50}`, roles: ['caseworker'], tenant: '0101', purpose: 'P-1' },
      operationName: 'CitizenOverview',
      outcome: 'ok',
      subjects: new Map(Array.from({ length: count }, (_, j) => [`07${String((request * 8 + j) % 100_000_000).padStart(8, '0')}`, { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }] as const)),
    },
    subjectKey,
    new Date(timeIn.getTime() + 40),
  );

if (fill > 0) {
  const fillStarted = performance.now();
  for (let written = 0; written < fill; ) {
    const count = Math.min(2_000, fill - written);
    await trail.record(recordsOf(20_000_000 + written, count));
    written += count;
    if (written % 100_000 < count || written === fill) {
      const seconds = (performance.now() - fillStarted) / 1000;
      process.stderr.write(`filled ${written.toLocaleString('en')} of ${fill.toLocaleString('en')} records (${seconds.toFixed(0)} s, ${Math.round(written / seconds)} records/s)\n`);
    }
  }
  await trail.settled();
}

const requests = Math.floor(records / 8);
const latencies: number[] = [];
let next = 0;
let failed = 0;
const started = performance.now();
const appender = async () => {
  while (next < requests) {
    const request = next++;
    const batch = recordsOf(request, 8);
    const t = performance.now();
    try {
      await trail.record(batch);
      latencies.push(performance.now() - t);
    } catch {
      failed++;
    }
    if (request % 1_250 === 1_249) process.stderr.write(`written ${(request + 1) * 8} of ${requests * 8} records (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
};
await Promise.all(Array.from({ length: appenders }, appender));
const writeSeconds = (performance.now() - started) / 1000;
await trail.settled();
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;

let t = performance.now();
await trail.checkpoint();
const checkpointMs = performance.now() - t;
t = performance.now();
let lastShown = 0;
const report =
  values.verify === 'yes'
    ? await trail.verify(undefined, {
        onProgress: ({ read, total }) => {
          if (read - lastShown >= 500_000 || read === total) {
            lastShown = read;
            process.stderr.write(`verified ${read.toLocaleString('en')} of ${total.toLocaleString('en')} records (${((performance.now() - t) / 1000).toFixed(0)} s)\n`);
          }
        },
      })
    : undefined;
const verifyMs = performance.now() - t;
t = performance.now();
const found = await trail.find({ subject: subjectHash(subjectKey, '0700000042') });
const findMs = performance.now() - t;
// A second subject: the first find also pays for reading the indexes from disk and planning.
t = performance.now();
await trail.find({ subject: subjectHash(subjectKey, '0700000043') });
const findAgainMs = performance.now() - t;

const size = fill + requests * 8;
console.log(
  `${values.store}, ${size} records, ${appenders} appender(s): append p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, ` +
    `${Math.round((latencies.length * 8) / writeSeconds)} records/s, ${failed} failed appends; checkpoint ${checkpointMs.toFixed(1)} ms; ` +
    `${report ? `verify ${verifyMs.toFixed(0)} ms (${report.ok ? 'intact' : 'NOT intact'}, ${((verifyMs * 1000) / report.records).toFixed(1)} µs a record)` : 'verify skipped'}; ` +
    `find by subject ${findMs.toFixed(1)} ms (${found.length} records), another subject ${findAgainMs.toFixed(1)} ms; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
);
await trail.close();
if (values.store === 'postgres') {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
