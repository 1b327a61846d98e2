/**
 * The trail against both stores it supports: embedded PGlite and the PostgreSQL server at
 * 127.0.0.1:5432 (database `test`, a schema of its own per run). Each kind of alteration is made
 * directly in the database, as an intruder with SQL access would, and `verify` must name it.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateInternalTokenKeys } from '../../../runtime/internalToken';
import { toAccessRecords, type AccessRecord } from '../accessRecord';
import { createAuditTrail, type AuditTrail } from '../auditTrail';
import { pgliteClient, postgresClient, type SqlClient } from '../sql';

const POSTGRES_URL = process.env['AUDIT_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const subjectKey = randomBytes(32);

function records(n: number, offset = 0, timeIn = new Date('2026-11-23T10:00:00Z')): AccessRecord[] {
  return Array.from({ length: n }, (_, i) =>
    toAccessRecords(
      {
        requestId: `r${offset + i}`,
        timeIn,
        identity: { actor: 'caseworker-1', roles: ['caseworker'], tenant: '0101', purpose: 'P-1' },
        operationName: 'CitizenOverview',
        outcome: 'ok',
        subjects: new Map([[`07${String(offset + i).padStart(8, '0')}`, { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }]]),
      },
      subjectKey,
      new Date(timeIn.getTime() + 40), // answered 40 ms later
    ),
  ).flat();
}

const stores: { name: string; open: () => Promise<SqlClient> }[] = [
  { name: 'PGlite', open: () => pgliteClient() },
  { name: 'PostgreSQL server', open: () => postgresClient(POSTGRES_URL, `audit_test_${randomBytes(4).toString('hex')}`) },
];

describe.each(stores)('audit trail on $name', ({ open }) => {
  let db: SqlClient;
  let trail: AuditTrail;
  afterEach(async () => {
    await trail?.close();
  });

  async function trailWith(count: number, checkpointEvery = 5) {
    db = await open();
    const keys = await generateInternalTokenKeys();
    trail = await createAuditTrail({ db, signingKey: keys, checkpointEvery });
    for (let i = 0; i < count; i++) {
      await trail.record(records(1, i));
      await trail.settled(); // checkpoints are signed in the background
    }
    return trail;
  }

  it('verifies an untouched trail, with signed checkpoints along the way', async () => {
    await trailWith(12);
    await trail.checkpoint();
    const report = await trail.verify(await trail.latestCheckpoint());
    expect(report).toEqual({ ok: true, records: 12, checkpoints: 3, problems: [], warnings: [] });
  });

  it('stores no CPR number, only its keyed hash', async () => {
    await trailWith(2);
    const rows = await db.query<{ payload: unknown }>('select payload from audit_records');
    expect(JSON.stringify(rows)).not.toMatch(/07000000/);
  });

  it('detects an edited record', async () => {
    await trailWith(6);
    await db.query(`update audit_records set payload = jsonb_set(payload, '{purpose}', '"P-99"') where idx = 2`);
    const report = await trail.verify();
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/record 2 was altered/);
  });

  it('detects an edited record whose leaf hash was rewritten to match', async () => {
    await trailWith(6);
    const [row] = await db.query<{ payload: Record<string, unknown> }>('select payload from audit_records where idx = 1');
    const forged = { ...row!.payload, actor: 'someone-else' };
    const { canonicalJson } = await import('../accessRecord');
    const { leafHash } = await import('../merkle');
    const text = canonicalJson(forged);
    await db.query('update audit_records set payload = $1::jsonb, leaf_hash = $2 where idx = 1', [text, leafHash(Buffer.from(text))]);
    const report = await trail.verify();
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/checkpoint 5 does not match/);
  });

  it('detects a deleted record', async () => {
    await trailWith(6);
    await db.query('delete from audit_records where idx = 3');
    expect((await trail.verify()).problems.join('\n')).toMatch(/missing or out of place/);
  });

  it('detects reordered records', async () => {
    await trailWith(6);
    await db.query('update audit_records set idx = -1 where idx = 1');
    await db.query('update audit_records set idx = 1 where idx = 2');
    await db.query('update audit_records set idx = 2 where idx = -1');
    expect((await trail.verify()).problems.join('\n')).toMatch(/checkpoint 5 does not match/);
  });

  it('detects an inserted record', async () => {
    await trailWith(6);
    // Make room at index 2 (in two steps: the primary key is checked row by row).
    await db.query('update audit_records set idx = idx + 1000 where idx >= 2');
    await db.query('update audit_records set idx = idx - 999 where idx >= 1000');
    const [row] = await db.query<{ payload: unknown; leaf_hash: Uint8Array }>('select payload, leaf_hash from audit_records where idx = 1');
    await db.query('insert into audit_records (idx, leaf_hash, payload) values (2, $1, $2::jsonb)', [row!.leaf_hash, JSON.stringify(row!.payload)]);
    expect((await trail.verify()).problems.join('\n')).toMatch(/checkpoint 5 does not match/);
  });

  it('detects a truncated tail against the checkpoint the auditor kept', async () => {
    await trailWith(7);
    const kept = await trail.checkpoint();
    await db.query('delete from audit_records where idx >= 6');
    await db.query('delete from audit_checkpoints where tree_size > 6');
    const report = await trail.verify(kept);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/kept checkpoint of 7 records covers 7 records but the trail holds 6/);
  });

  it('purges payloads past their retention, keeps their hashes, and still verifies', async () => {
    db = await open();
    const keys = await generateInternalTokenKeys();
    trail = await createAuditTrail({ db, signingKey: keys, checkpointEvery: 4 });
    const old = records(3).map((r) => ({ ...r, timeIn: '2025-01-01T10:00:00.000Z' }));
    const oldButKept = records(1, 10).map((r) => ({ ...r, timeIn: '2025-01-01T10:00:00.000Z', purpose: 'P-FOREVER' }));
    await trail.record([...old, ...oldButKept]);
    await trail.record(records(2, 20));
    await trail.settled();
    await trail.checkpoint();
    const purged = await trail.purge({ defaultDays: 183, byPurpose: { 'P-FOREVER': 3650 } }, new Date('2026-11-23T00:00:00Z'));
    expect(purged).toBe(3);
    expect(await trail.verify()).toMatchObject({ ok: true, records: 6 });
    expect(await trail.find({})).toHaveLength(3); // purged records no longer answer searches
    // A purged record's hash is still covered by the signed roots.
    await db.query('update audit_records set leaf_hash = $1 where idx = 0', [Buffer.alloc(32, 1)]);
    expect((await trail.verify()).problems.join('\n')).toMatch(/does not match the records/);
  });

  it('detects a forged checkpoint', async () => {
    await trailWith(5);
    await db.query(`update audit_checkpoints set root_hash = $1`, [Buffer.alloc(32, 7)]);
    expect((await trail.verify()).problems.join('\n')).toMatch(/not signed by the trail's key/);
  });
  describe('retention that verify can check (issue 3: verify trusted purged_at)', () => {
    const DAY = 86_400_000;
    const now = new Date();
    const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

    let signingKey: Awaited<ReturnType<typeof generateInternalTokenKeys>>;

    /** Four records 400 days old, a checkpoint of them, then three from the last hour. */
    async function agedTrail() {
      db = await open();
      signingKey = await generateInternalTokenKeys();
      trail = await createAuditTrail({ db, signingKey, checkpointEvery: 1000 });
      await trail.record(records(4, 0, daysAgo(400)));
      await trail.checkpoint();
      await trail.record(records(3, 10, new Date(now.getTime() - 3_600_000)));
    }

    it('keeps timeIn and retention of what it purges in the clear, and a legitimate purge verifies', async () => {
      await agedTrail();
      expect(await trail.purge({ defaultDays: 183 }, now)).toBe(4);
      const kept = await db.query<{ idx: string | number; kept_time_in: Date; retention_days: number; payload: unknown }>(
        'select idx, kept_time_in, retention_days, payload from audit_records where purged_at is not null order by idx',
      );
      expect(kept.map((r) => [Number(r.idx), new Date(r.kept_time_in).toISOString(), r.retention_days, r.payload])).toEqual(
        [0, 1, 2, 3].map((i) => [i, daysAgo(400).toISOString(), 183, null]),
      );
      expect(await trail.verify()).toEqual({ ok: true, records: 7, checkpoints: 1, problems: [], warnings: [] });
    });

    it('fails a recent record whose payload was nulled and purged_at set, naming it', async () => {
      await agedTrail();
      await db.query('update audit_records set payload = null, purged_at = now() where idx = 5');
      const report = await trail.verify();
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([expect.stringMatching(/^record 5 lost its payload without the timeIn and retention a purge keeps/)]);
    });

    it('fails a recent record purged with its true timeIn before its retention ran out', async () => {
      await agedTrail();
      await db.query(
        `update audit_records set kept_time_in = (payload->>'timeIn')::timestamptz, retention_days = 183, payload = null, purged_at = now() where idx = 4`,
      );
      expect((await trail.verify()).problems).toEqual([expect.stringMatching(/^record 4 was purged at .* before its retention of 183 days from .* ran out/)]);
    });

    it('fails a purge dated in the future to fit the retention', async () => {
      await agedTrail();
      await db.query(
        `update audit_records set kept_time_in = (payload->>'timeIn')::timestamptz, retention_days = 183, payload = null,
           purged_at = (payload->>'timeIn')::timestamptz + interval '184 days' where idx = 4`,
      );
      expect((await trail.verify()).problems).toEqual([expect.stringMatching(/^record 4 claims a purge at .* which has not happened yet/)]);
    });

    it('fails a recent record whose kept timeIn was backdated past the checkpoint signed before it', async () => {
      await agedTrail();
      await db.query(`update audit_records set kept_time_in = $1, retention_days = 183, payload = null, purged_at = now() where idx = 6`, [daysAgo(400).toISOString()]);
      expect((await trail.verify()).problems).toEqual([expect.stringMatching(/^record 6 was purged as if it came in at .* but it was appended after .*: its kept timeIn was backdated/)]);
    });

    it('fails a purge that applied less than the minimum retention, which verify takes as an option', async () => {
      await agedTrail();
      await trail.purge({ defaultDays: 183 }, now);
      await db.query('update audit_records set retention_days = 30 where idx = 1');
      expect((await trail.verify()).problems).toEqual(['record 1 was purged after 30 days, below the minimum retention of 183 days']);
      expect((await trail.verify(undefined, { minRetentionDays: 30 })).ok).toBe(true);
      expect((await trail.verify(undefined, { minRetentionDays: 365 })).problems).toHaveLength(4);
    });

    it('refuses to purge with a retention below the floor, purging nothing', async () => {
      await agedTrail();
      await expect(trail.purge({ defaultDays: 30 }, now)).rejects.toThrow(/at least 183 \(the legal floor\); got 30/);
      await expect(trail.purge({ byPurpose: { 'P-1': 1.5 } }, now)).rejects.toThrow(/retention for P-1 must be a whole number of days/);
      expect(await trail.purge({ defaultDays: 30, minDays: 30 }, now)).toBe(4);
      expect(await db.query('select idx from audit_records where purged_at is not null')).toHaveLength(4);
    });

    it('warns, without failing, about records purged before purges were checkable (migration 3)', async () => {
      await agedTrail();
      // The trail as it was before migration 3, with one record purged the old way.
      await db.query('alter table audit_records drop column kept_time_in');
      await db.query('alter table audit_records drop column retention_days');
      await db.query('alter table audit_records drop column legacy_purge');
      await db.query('delete from audit_schema_migrations where version = 3');
      await db.query('update audit_records set payload = null, purged_at = now() where idx = 2');
      trail = await createAuditTrail({ db, signingKey }); // opening migrates
      expect(await db.query('select idx from audit_records where legacy_purge')).toEqual([{ idx: expect.anything() }]);
      const report = await trail.verify();
      expect(report).toMatchObject({ ok: true, problems: [] });
      expect(report.warnings).toEqual(['record 2 was purged before purges kept its timeIn and retention: that purge cannot be checked']);
    });
  });
});
