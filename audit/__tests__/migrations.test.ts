/**
 * Migrations: two processes opening a new trail on a PostgreSQL server at once (two gateways
 * started together) both get a working trail, where the second used to fail on PostgreSQL's
 * catalog; and the auditors' queries use the indexes migration 4 makes, on both stores. The PGlite
 * stores share one PGlite (a boot costs about two seconds), a schema each.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { subjectHash, toAccessRecords, type AccessRecord } from '../accessRecord';
import { createAuditTrail, pageQuery, type AuditFilter, type AuditTrail } from '../auditTrail';
import { sharedPglite } from '../../test/support/auditFixtures';
import { postgresClient, type SqlClient } from '../sql';

const POSTGRES_URL = process.env['AUDIT_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const subjectKey = randomBytes(32);
const schemas: string[] = [];
const pglite = sharedPglite();

afterAll(() => pglite.close());
afterAll(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
});

function freshSchema(): string {
  const schema = `audit_migrate_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

function recordsOf(n: number, offset = 0): AccessRecord[] {
  const timeIn = new Date('2026-11-23T10:00:00Z');
  return Array.from({ length: n }, (_, i) =>
    toAccessRecords(
      {
        requestId: `m${offset + i}`,
        timeIn: new Date(timeIn.getTime() + (offset + i) * 1000),
        identity: { actor: `cw-${i % 20}`, roles: ['caseworker'], role: 'caseworker', tenant: `0${100 + (i % 30)}`, purpose: 'P-1' },
        operationName: 'CitizenOverview',
        outcome: 'ok',
        subjects: new Map([[`07${String((offset + i) % 500).padStart(8, '0')}`, { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }]]),
      },
      subjectKey,
      new Date(timeIn.getTime() + (offset + i) * 1000 + 40),
    ),
  ).flat();
}

describe('two processes opening a new trail at once', () => {
  it('both open it, in each of six rounds on a fresh schema, and share one log', async () => {
    const signingKey = await generateInternalTokenKeys();
    const open = async (schema: string) => createAuditTrail({ db: await postgresClient(POSTGRES_URL, schema), signingKey });
    for (let round = 0; round < 6; round++) {
      const schema = freshSchema();
      const opened = await Promise.allSettled([open(schema), open(schema)]);
      const trails = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      try {
        expect(opened.map((o) => (o.status === 'rejected' ? String(o.reason) : 'opened')), `round ${round}`).toEqual(['opened', 'opened']);
        await Promise.all(trails.map((trail, i) => trail.record(recordsOf(3, i * 3))));
        expect(await trails[0]!.verify()).toMatchObject({ ok: true, records: 6, problems: [] });
      } finally {
        await Promise.all(trails.map((trail) => trail.close()));
      }
    }
  });
});

describe('four gateways appending to one trail on the PostgreSQL server at once', () => {
  it('give one log: every index once, in order, their requests interleaved, every checkpoint matching, each block made once', async () => {
    const signingKey = await generateInternalTokenKeys();
    const schema = freshSchema();
    // Each its own pool, as separate gateway processes have: the order comes from the database alone.
    // Blocks of 64 records, so the four race to make 30 of them.
    const gateways = await Promise.all(Array.from({ length: 4 }, async () => createAuditTrail({ db: await postgresClient(POSTGRES_URL, schema), signingKey, checkpointEvery: 40, partitionRecords: 64 })));
    try {
      const perGateway = 60;
      await Promise.all(
        gateways.map(async (trail, g) => {
          // Two requests in flight per gateway, 8 records each.
          const requests = Array.from({ length: perGateway }, (_, r) => recordsOf(8, (g * perGateway + r) * 8));
          const inFlight = async () => {
            for (let batch = requests.shift(); batch; batch = requests.shift()) await trail.record(batch);
          };
          await Promise.all([inFlight(), inFlight()]);
        }),
      );
      await Promise.all(gateways.map((trail) => trail.settled()));
      const report = await gateways[0]!.verify();
      expect(report).toMatchObject({ ok: true, records: 4 * perGateway * 8, problems: [] });
      expect(report.checkpoints).toBeGreaterThan(10);
      // Requests m0…: gateway g wrote offsets g*480 to g*480+479. Interleaved: the log does not
      // hold one gateway's records as one block.
      const rows = await gateways[0]!.page({}, { limit: 1_000 });
      const writers = rows.records.map((r) => Math.floor(Number(r.requestId.slice(1)) / (perGateway * 8)));
      const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
      expect(switches).toBeGreaterThan(4);
      const db = await postgresClient(POSTGRES_URL, schema);
      try {
        const [blocks] = await db.query<{ n: number }>("select count(*)::int as n from pg_inherits where inhparent = 'audit_records'::regclass");
        expect(blocks!.n).toBe((4 * perGateway * 8) / 64);
      } finally {
        await db.close();
      }
    } finally {
      await Promise.all(gateways.map((trail) => trail.close()));
    }
  });
});

const stores: { name: string; open: () => Promise<SqlClient> }[] = [
  { name: 'PGlite', open: () => pglite.client() },
  { name: 'PostgreSQL server', open: () => postgresClient(POSTGRES_URL, freshSchema()) },
];

describe.each(stores)('the auditors\' queries on $name', ({ open }) => {
  let db: SqlClient;
  let trail: AuditTrail;
  beforeAll(async () => {
    db = await open();
    trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 100_000 });
    await trail.record(recordsOf(2000));
    await db.query('analyze audit_records');
  });
  afterAll(async () => {
    await trail?.close();
  });

  /** The plan of a page query, with sequential scans priced out so an available index shows. */
  async function plan(filter: AuditFilter): Promise<string> {
    const query = pageQuery(filter, 101, 250);
    return db.transaction(async (tx) => {
      await tx.query('set local enable_seqscan = off');
      const rows = await tx.query<{ 'QUERY PLAN': string }>(`explain ${query.sql}`, query.values);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it.each([
    [{ subject: subjectHash(subjectKey, '0700000007') }, 'audit_records_p0_subject_idx'],
    [{ actor: 'cw-3' }, 'audit_records_p0_actor_idx'],
    [{ tenant: '0107' }, 'audit_records_p0_tenant_idx'],
    [{ from: '2026-11-23T10:10:00.000Z', to: '2026-11-23T10:11:00.000Z' }, 'audit_records_p0_time_in_idx'],
  ] as const)('finds %j through its index', async (filter, index) => {
    expect(await plan(filter)).toContain(index);
  });
});

describe('migration 4 on a trail made before it', () => {
  it('adds the indexes when a trail at version 3 is opened, and the trail still verifies', async () => {
    const db = await pglite.client();
    const signingKey = await generateInternalTokenKeys();
    let trail = await createAuditTrail({ db, signingKey });
    await trail.record(recordsOf(5));
    for (const name of ['subject', 'actor', 'tenant', 'time_in']) await db.query(`drop index audit_records_${name}_idx`);
    await db.query('delete from audit_schema_migrations where version = 4');
    trail = await createAuditTrail({ db, signingKey }); // opening migrates
    try {
      // This trail's schema only: the PGlite holds other tests' trails too.
      const indexes = await db.query<{ indexname: string }>("select indexname from pg_indexes where tablename = 'audit_records' and schemaname = current_schema() order by indexname");
      expect(indexes.map((r) => r.indexname)).toEqual(['audit_records_actor_idx', 'audit_records_pkey', 'audit_records_subject_idx', 'audit_records_tenant_idx', 'audit_records_time_in_idx']);
      expect((await db.query<{ version: number }>('select version from audit_schema_migrations order by version')).map((r) => Number(r.version))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(await trail.verify()).toMatchObject({ ok: true, records: 5 });
    } finally {
      await trail.close();
    }
  });
});

describe.each([
  { name: 'PGlite', open: () => pglite.client() },
  { name: 'PostgreSQL server', open: () => postgresClient(POSTGRES_URL, `audit_head_${randomBytes(4).toString('hex')}`) },
])('migration 5 (the stored head) on a trail made before it, on $name', ({ open }) => {
  it('builds the head from the leaves once, appends after them, and checkpoints the root of all of them', async () => {
    const { rootOf } = await import('../merkle');
    const db = await open();
    const signingKey = await generateInternalTokenKeys();
    // Written, then taken back to version 4, which had no head: the next opener finds 7 records and no head.
    await (await createAuditTrail({ db, signingKey, checkpointEvery: 1_000 })).record(recordsOf(7));
    await db.query('drop table audit_head');
    await db.query('delete from audit_schema_migrations where version = 5');
    const trail = await createAuditTrail({ db, signingKey, checkpointEvery: 1_000 });
    try {
      await trail.record(recordsOf(3, 7));
      const checkpoint = await trail.checkpoint();
      const leaves = (await db.query<{ idx: number; leaf_hash: Uint8Array }>('select idx, leaf_hash from audit_records order by idx'));
      expect(leaves.map((r) => Number(r.idx))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(checkpoint).toMatchObject({ treeSize: 10, rootHash: rootOf(leaves.map((r) => Buffer.from(r.leaf_hash))).toString('hex') });
      expect(await trail.verify()).toMatchObject({ ok: true, records: 10, problems: [] });
    } finally {
      await trail.close();
    }
  });
});

describe.each([
  { name: 'PGlite', open: () => pglite.client() },
  { name: 'PostgreSQL server', open: () => postgresClient(POSTGRES_URL, `audit_blocks_${randomBytes(4).toString('hex')}`) },
])('migration 7 (blocks) on a trail made before it, on $name', ({ open }) => {
  it('keeps the older records as one block, appends after them into it and then into new blocks, and still verifies and finds', async () => {
    const { canonicalJson } = await import('../accessRecord');
    const { leafHash } = await import('../merkle');
    const { migrate } = await import('../sql');
    const db = await open();
    const signingKey = await generateInternalTokenKeys();
    // A trail as version 6 left it: one plain table, 7 records, no head yet.
    await migrate(db, 6);
    const old = recordsOf(7);
    for (const [i, record] of old.entries()) {
      const text = canonicalJson(record);
      await db.query('insert into audit_records (idx, leaf_hash, payload) values ($1, $2, $3::jsonb)', [i, leafHash(Buffer.from(text)), text]);
    }
    const trail = await createAuditTrail({ db, signingKey, checkpointEvery: 1_000 });
    try {
      const blocks = await db.query<{ name: string; bound: string }>(
        "select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_records'::regclass",
      );
      expect(blocks).toEqual([{ name: 'audit_records_unpartitioned', bound: "FOR VALUES FROM ('0') TO ('1048576')" }]);
      await trail.record(recordsOf(3, 7));
      expect((await trail.checkpoint())!.treeSize).toBe(10);
      expect(await trail.verify()).toMatchObject({ ok: true, records: 10, problems: [] });
      expect(await trail.find({ subject: old[2]!.subject })).toEqual([old[2]]);
      // The next block is made when an append first reaches it.
      await db.query('select audit_ensure_partitions(1048576, 1048576)');
      expect((await db.query("select 1 from pg_class where relname = 'audit_records_p1' and relnamespace = current_schema()::regnamespace")).length).toBe(1);
    } finally {
      await trail.close();
    }
  });
});

describe.each([
  { name: 'PGlite', open: () => pglite.client() },
  { name: 'PostgreSQL server', open: () => postgresClient(POSTGRES_URL, `audit_subjects_${randomBytes(4).toString('hex')}`) },
])('migration 8 (the blocks of each subject) on a trail made before it, on $name', ({ open }) => {
  it('fills the subjects\' blocks from the live records, so a find finds what was written before it, and verify has no gap', async () => {
    const { canonicalJson } = await import('../accessRecord');
    const { leafHash } = await import('../merkle');
    const { migrate } = await import('../sql');
    const db = await open();
    const signingKey = await generateInternalTokenKeys();
    // A trail as version 7 left it, written by its own audit_append.
    await migrate(db, 7);
    await db.query('insert into audit_head (id, tree_size, subtrees) values (1, 0, $1)', [Buffer.alloc(0)]);
    const old = recordsOf(7);
    const texts = old.map((r) => canonicalJson(r));
    await db.query('select audit_append($1, $2::jsonb)', [Buffer.concat(texts.map((t) => leafHash(Buffer.from(t)))), `[${texts.join(',')}]`]);
    expect((await db.query("select 1 from pg_tables where tablename = 'audit_subject_blocks' and schemaname = current_schema()")).length).toBe(0);
    const trail = await createAuditTrail({ db, signingKey, checkpointEvery: 1_000 });
    try {
      expect(Number((await db.query<{ n: string }>('select count(*) as n from audit_subject_blocks'))[0]!.n)).toBe(new Set(old.map((r) => r.subject)).size);
      expect(await trail.find({ subject: old[2]!.subject })).toEqual([old[2]]);
      // Appends after it keep the index: the new audit_append.
      const added = recordsOf(3, 7);
      await trail.record(added);
      expect(await trail.find({ subject: added[1]!.subject })).toEqual([added[1]]);
      expect(await trail.verify()).toMatchObject({ ok: true, records: 10, problems: [] });
    } finally {
      await trail.close();
    }
  });
});
