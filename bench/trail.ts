/**
 * `npm run bench:trail -- [--store postgres|pglite] [--records N] [--appenders A] [--processes P] [--fill F] [--rate R] [--verify yes|no]`:
 * the access trail's own API under the gateway's write pattern (one `record()` of 8 records per
 * request, a checkpoint every 100 records), with A requests appending at once in each of P writer
 * processes (PostgreSQL only: each process has its own pool, as gateways on several hosts do).
 * `--fill F` first writes F records through the same API in requests of 2,000 records (group
 * commit at its largest), so the measured appends run against a trail of that size. `--rate R`
 * then writes as many records again arriving at R records a second (an open loop), for the
 * latency at that load rather than at saturation. Prints
 * progress while it writes, then: append p50/p99, records a second, one checkpoint's time at the
 * end, verify (unless `--verify no`) with, for several writers, gaps and how the writers'
 * records interleave, finds by subject (the first, cold, and the p50 and slowest of 50 more), and
 * the peak RSS. PostgreSQL: the server at AUDIT_BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test), in a schema of its own that is dropped afterwards.
 * PGlite: in memory.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createAuditTrail, pgliteClient, postgresClient, subjectHash, toAccessRecords, type AuditTrail } from '../audit';
import { generateInternalTokenKeys, type InternalTokenKeys } from '../runtime/internalToken';

/** The server's WAL position, its WAL files (undefined without the right to list them) and the settings that decide how new ones are made. */
async function walState(db: { query<T>(sql: string, params?: unknown[]): Promise<T[]> }): Promise<{ lsn: string; files: number | undefined; fullPages: number | undefined; settings: string }> {
  const [position] = await db.query<{ lsn: string; settings: string }>(
    `select pg_current_wal_lsn()::text as lsn,
            (select string_agg(name || ' ' || setting || coalesce(unit, ''), ', ' order by name) from pg_settings where name in ('min_wal_size', 'max_wal_size', 'wal_init_zero', 'wal_recycle', 'wal_compression', 'checkpoint_timeout')) as settings`,
  );
  const files = await db.query<{ n: string }>('select count(*) as n from pg_ls_waldir()').then((rows) => Number(rows[0]!.n), () => undefined);
  // Full-page images written (PostgreSQL 14 and later).
  const fullPages = await db.query<{ n: string }>('select wal_fpi as n from pg_stat_wal').then((rows) => Number(rows[0]!.n), () => undefined);
  return { lsn: position!.lsn, files, fullPages, settings: position!.settings };
}

/**
 * The WAL the server wrote while the measured appends ran (all of the server's: on a quiet server,
 * the appends'), its full-page images, and the WAL files it had to create for it. A new
 * file is written whole before use (zeros, with wal_init_zero on), under the head row's lock: the
 * slowest appends are those, unless the server recycles files it already has (min_wal_size).
 */
function walReport(before: Awaited<ReturnType<typeof walState>>, after: Awaited<ReturnType<typeof walState>>, records: number): string {
  const bytes = lsnBytes(after.lsn) - lsnBytes(before.lsn);
  const created = before.files !== undefined && after.files !== undefined ? `, ${Math.max(0, after.files - before.files)} WAL files created` : '';
  const fullPages = before.fullPages !== undefined && after.fullPages !== undefined ? `, ${after.fullPages - before.fullPages} full-page images` : '';
  return `; WAL of the server meanwhile ${(bytes / 1_048_576).toFixed(1)} MB (${Math.round(bytes / records)} bytes a measured record)${fullPages}${created} (${after.settings})`;
}

function lsnBytes(lsn: string): number {
  const [high, low] = lsn.split('/');
  return parseInt(high!, 16) * 2 ** 32 + parseInt(low!, 16);
}

/** What the first process hands each other writer process (in BENCH_TRAIL_WRITER). */
interface WriterTask {
  url: string;
  schema: string;
  subjectKey: string;
  keys: InternalTokenKeys;
  writer: number;
  requests: number;
  appenders: number;
}
/** What a writer process answers when it is done. */
interface WriterResult {
  latencies: number[];
  failed: number;
}

/** The `q` quantile of sorted figures (1: the largest). */
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** A timestamp for every record of the run: the bench measures appends, not clocks. */
const timeIn = new Date();
const recordsOf = (subjectKey: Buffer, writer: number, request: number, count: number) =>
  toAccessRecords(
    {
      requestId: `bench-w${writer}-${request}`,
      timeIn,
      identity: { actor: `caseworker-${request % 50}`, roles: ['caseworker'], tenant: '0101', purpose: 'P-1' },
      operationName: 'CitizenOverview',
      outcome: 'ok',
      subjects: new Map(Array.from({ length: count }, (_, j) => [`07${String((request * 8 + j) % 100_000_000).padStart(8, '0')}`, { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }] as const)),
    },
    subjectKey,
    new Date(timeIn.getTime() + 40),
  );

/**
 * `requests` requests of 8 records, `appenders` at a time, the writer's requests numbered from
 * `first` (so two writers never write the same subjects). With `rate` (records a second), request k
 * is due at k × 8 / rate seconds from the start and its latency is counted from then (an open
 * loop: a request that waits for a free appender waits on the clock, as a gateway's would);
 * without, each appender sends its next request when its last is committed (a closed loop, as
 * fast as the trail takes them).
 */
async function appendRequests(trail: AuditTrail, subjectKey: Buffer, writer: number, first: number, requests: number, appenders: number, progress?: (done: number) => void, rate?: number): Promise<WriterResult> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const start = performance.now();
  const appender = async () => {
    while (next < requests) {
      const request = next++;
      const batch = recordsOf(subjectKey, writer, first + request, 8);
      const due = rate ? start + (request * 8 * 1000) / rate : undefined;
      if (due !== undefined && due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
      const t = due ?? performance.now();
      try {
        await trail.record(batch);
        latencies.push(performance.now() - t);
      } catch {
        failed++;
      }
      if (request % 1_250 === 1_249) progress?.(request + 1);
    }
  };
  await Promise.all(Array.from({ length: appenders }, appender));
  await trail.settled();
  return { latencies, failed };
}

// Another writer process: open the trail, say ready, append on "go", answer with the latencies.
const task = process.env['BENCH_TRAIL_WRITER'];
if (task) {
  const t = JSON.parse(task) as WriterTask;
  const trail = await createAuditTrail({ db: await postgresClient(t.url, t.schema), signingKey: t.keys, checkpointEvery: 100 });
  process.send!({ ready: true });
  await new Promise<void>((go) => process.once('message', () => go()));
  const result = await appendRequests(trail, Buffer.from(t.subjectKey, 'hex'), t.writer, t.writer * 10_000_000, t.requests, t.appenders);
  await trail.close();
  process.send!(result, () => process.exit(0));
} else {
  await main();
}

async function main(): Promise<void> {

  const { values } = parseArgs({
    options: {
      store: { type: 'string', default: 'postgres' },
      records: { type: 'string', default: '10000' },
      appenders: { type: 'string', default: '4' },
      processes: { type: 'string', default: '1' },
      fill: { type: 'string', default: '0' },
      rate: { type: 'string', default: '0' },
      verify: { type: 'string', default: 'yes' },
    },
  });
  const records = Number(values.records);
  const appenders = Number(values.appenders);
  const processes = Number(values.processes);
  const fill = Number(values.fill);
  const rate = Number(values.rate);
  if (
    !['postgres', 'pglite'].includes(values.store!) || !Number.isInteger(records) || records < 8 || !Number.isInteger(appenders) || appenders < 1 ||
    !Number.isInteger(processes) || processes < 1 || processes > 16 || (processes > 1 && values.store !== 'postgres') ||
    !Number.isInteger(fill) || fill < 0 || !['yes', 'no'].includes(values.verify!) || !Number.isFinite(rate) || rate < 0 || (rate > 0 && processes > 1)
  ) {
    console.error('usage: npm run bench:trail -- [--store postgres|pglite] [--records N (≥8)] [--appenders A (≥1)] [--processes P (1-16, postgres only)] [--fill F (≥0)] [--rate R (records/s, one process)] [--verify yes|no]');
    process.exit(2);
  }
  const url = process.env['AUDIT_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `audit_bench_${randomBytes(4).toString('hex')}`;
  const subjectKey = randomBytes(32);
  const keys = await generateInternalTokenKeys();
  const db = values.store === 'postgres' ? await postgresClient(url, schema) : await pgliteClient();
  const trail = await createAuditTrail({ db, signingKey: keys, checkpointEvery: 100 });

  if (fill > 0) {
    const fillStarted = performance.now();
    for (let written = 0; written < fill; ) {
      const count = Math.min(2_000, fill - written);
      await trail.record(recordsOf(subjectKey, 0, 200_000_000 + written, count));
      written += count;
      if (written % 100_000 < count || written === fill) {
        const seconds = (performance.now() - fillStarted) / 1000;
        process.stderr.write(`filled ${written.toLocaleString('en')} of ${fill.toLocaleString('en')} records (${seconds.toFixed(0)} s, ${Math.round(written / seconds)} records/s)\n`);
      }
    }
    await trail.settled();
    if (values.store === 'postgres') {
      // The fill is set-up, not measurement: the vacuum its inserts would start (PostgreSQL 13 and
      // later) runs now, and its pages go to disk now, not in a checkpoint the measured appends would
      // queue behind (its sync phase stalls commits for tens of milliseconds).
      const flushStarted = performance.now();
      await db.query('vacuum (analyze) audit_records');
      await db.query('checkpoint');
      process.stderr.write(`vacuum and checkpoint after the fill: ${((performance.now() - flushStarted) / 1000).toFixed(1)} s\n`);
    }
  }

  const walBefore = values.store === 'postgres' ? await walState(db) : undefined;
  const requests = Math.floor(records / 8);
  // The requests split among the writer processes; this one is writer 0.
  const share = (writer: number) => Math.floor(requests / processes) + (writer < requests % processes ? 1 : 0);
  const children: ChildProcess[] = [];
  const results: Promise<WriterResult>[] = [];
  for (let writer = 1; writer < processes; writer++) {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, BENCH_TRAIL_WRITER: JSON.stringify({ url, schema, subjectKey: subjectKey.toString('hex'), keys, writer, requests: share(writer), appenders } satisfies WriterTask) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    await new Promise<void>((ready, fail) => {
      child.once('message', () => ready());
      child.once('exit', (code) => fail(new Error(`writer process ${writer} exited with code ${code} before it was ready`)));
    });
    child.removeAllListeners('exit');
    results.push(
      new Promise<WriterResult>((done, fail) => {
        child.once('message', (result) => done(result as WriterResult));
        child.once('exit', (code) => fail(new Error(`writer process ${writer} exited with code ${code}`)));
      }),
    );
  }
  if (processes > 1) process.stderr.write(`${processes} writer processes, ${appenders} appender(s) each\n`);
  const started = performance.now();
  for (const child of children) child.send('go');
  const own = await appendRequests(trail, subjectKey, 0, 0, share(0), appenders, (done) =>
    process.stderr.write(`written about ${(done * 8 * processes).toLocaleString('en')} of ${(requests * 8).toLocaleString('en')} records (${((performance.now() - started) / 1000).toFixed(1)} s)\n`),
  );
  const all = [own, ...(await Promise.all(results))];
  const writeSeconds = (performance.now() - started) / 1000;
  const latencies = all.flatMap((r) => r.latencies);
  const failed = all.reduce((sum, r) => sum + r.failed, 0);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => quantile(latencies, q);

  // The same number of requests again, arriving at the given rate.
  let atRate = '';
  if (rate > 0) {
    process.stderr.write(`at ${rate} records/s: ${(requests * 8).toLocaleString('en')} records more\n`);
    const paced = await appendRequests(trail, subjectKey, 0, 50_000_000, requests, appenders, undefined, rate);
    const sorted = paced.latencies.sort((a, b) => a - b);
    atRate = `; at ${rate} records/s arriving: append p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms, slowest ${quantile(sorted, 1).toFixed(1)} ms, ${paced.failed} failed`;
  }

  const wal = walBefore ? walReport(walBefore, await walState(db), requests * 8 * (rate > 0 ? 2 : 1)) : '';

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

  // The writers' records after the fill: every index once, and how often the writer changes from one record to the next.
  let interleaving = '';
  if (processes > 1) {
    const [r] = await db.query<{ n: string; first: string; last: string; switches: string; writers: string }>(
      `select count(*) as n, min(idx) as first, max(idx) as last, count(distinct w) as writers, count(*) filter (where w <> prev) as switches
         from (select idx, split_part(payload->>'requestId', '-', 2) as w, lag(split_part(payload->>'requestId', '-', 2)) over (order by idx) as prev
                 from audit_records where idx >= $1) r`,
      [fill],
    );
    const gaps = Number(r!.last) - Number(r!.first) + 1 - Number(r!.n);
    interleaving = `; ${r!.n} records from ${r!.writers} writers at ${r!.first}..${r!.last}, ${gaps} gaps, the writer changed ${r!.switches} times`;
  }

  // Written pages reach the disk before the finds: a find must not queue behind the fill's writes.
  if (values.store === 'postgres') await db.query('checkpoint');
  const findTimes: number[] = [];
  let found = 0;
  for (let i = 0; i <= 50; i++) {
    // Subjects of writer 0's measured appends, spread over them.
    const subject = subjectHash(subjectKey, `07${String((i * 7_919) % Math.max(1, share(0) * 8)).padStart(8, '0')}`);
    t = performance.now();
    found += (await trail.find({ subject })).length;
    findTimes.push(performance.now() - t);
  }
  const firstFind = findTimes.shift()!;
  findTimes.sort((a, b) => a - b);

  const size = fill + requests * 8 * (rate > 0 ? 2 : 1);
  console.log(
    `${values.store}, ${size} records, ${processes > 1 ? `${processes} processes × ` : ''}${appenders} appender(s): append p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, ` +
      `${Math.round((latencies.length * 8) / writeSeconds)} records/s, ${failed} failed appends${atRate}; checkpoint ${checkpointMs.toFixed(1)} ms; ` +
      `${report ? `verify ${verifyMs.toFixed(0)} ms (${report.ok ? 'intact' : `NOT intact: ${report.problems.slice(0, 3).join('; ')}`}, ${((verifyMs * 1000) / report.records).toFixed(1)} µs a record)` : 'verify skipped'}${interleaving}; ` +
      `find by subject: first ${firstFind.toFixed(1)} ms, 50 more p50 ${findTimes[25]!.toFixed(1)} ms, slowest ${findTimes.at(-1)!.toFixed(1)} ms (${found} records found); ` +
      `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB${wal}`,
  );
  await trail.close();
  if (values.store === 'postgres') {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}
