/**
 * The trail against both stores it supports: embedded PGlite and the PostgreSQL server at
 * 127.0.0.1:5432 (database `test`), each test in a schema of its own: on the server, and in the one
 * PGlite this file boots (a boot costs about two seconds). Each kind of alteration is made directly
 * in the database, as an intruder with SQL access would, and `verify` must name it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { subjectHash, toAccessRecords, type AccessRecord, type RequestAccessInput } from '../accessRecord';
import { createAuditTrail, type AuditFilter, type AuditTrail } from '../auditTrail';
import { sharedPglite } from '../../test/support/auditFixtures';
import { postgresClient, type SqlClient } from '../sql';

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

const pglite = sharedPglite();
afterAll(() => pglite.close());

const stores: { name: string; open: () => Promise<SqlClient> }[] = [
  { name: 'PGlite', open: () => pglite.client() },
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
    expect(report).toEqual({ ok: true, records: 12, checkpoints: 3, problems: [], warnings: [], openIntents: [] });
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

  it('names exactly the checkpoints a rewritten leaf breaks: every one covering it, none before it', async () => {
    await trailWith(17, 4);
    await trail.checkpoint(); // and one of 17, plus the auditor's kept one below
    const kept = await trail.latestCheckpoint();
    const [row] = await db.query<{ payload: Record<string, unknown> }>('select payload from audit_records where idx = 9');
    const { canonicalJson } = await import('../accessRecord');
    const { leafHash } = await import('../merkle');
    const text = canonicalJson({ ...row!.payload, actor: 'someone-else' });
    await db.query('update audit_records set payload = $1::jsonb, leaf_hash = $2 where idx = 9', [text, leafHash(Buffer.from(text))]);
    const mismatched = (await trail.verify(kept)).problems.filter((p) => p.includes('does not match the records'));
    expect(mismatched.map((p) => p.replace(/ does not match.*/, ''))).toEqual(['checkpoint 12', 'checkpoint 16', 'checkpoint 17', 'the kept checkpoint of 17 records']);
  });

  it('signs, at every size it checkpoints, the root of all leaves up to that size', async () => {
    const { rootOf } = await import('../merkle');
    db = await open();
    trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 1_000 });
    // Sizes from a fixed seed: batches of 1–9 records, checkpoints after some of them.
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    let written = 0;
    for (let batch = 0; batch < 40; batch++) {
      const size = 1 + Math.floor(next() * 9);
      await trail.record(records(size, written));
      written += size;
      if (next() < 0.3) await trail.checkpoint();
    }
    const leaves = (await db.query<{ leaf_hash: Uint8Array }>('select leaf_hash from audit_records order by idx')).map((r) => Buffer.from(r.leaf_hash));
    const checkpoints = await db.query<{ tree_size: number; root_hash: Uint8Array }>('select tree_size, root_hash from audit_checkpoints order by tree_size');
    expect(checkpoints.length).toBeGreaterThan(5);
    for (const c of checkpoints) expect(Buffer.from(c.root_hash).toString('hex'), `size ${c.tree_size}`).toBe(rootOf(leaves.slice(0, Number(c.tree_size))).toString('hex'));
    expect((await trail.verify()).ok).toBe(true);
  });

  it('detects a deleted record', async () => {
    await trailWith(6);
    await db.query('delete from audit_records where idx = 3');
    expect((await trail.verify()).problems.join('\n')).toMatch(/missing or out of place/);
  });

  it('detects reordered records', async () => {
    await trailWith(6);
    // Records 1 and 2 trade places, each with its own leaf hash (the table is partitioned by index,
    // so an intruder swaps the rows' contents rather than parking one at an index with no partition).
    await db.query(`update audit_records a set payload = b.payload, leaf_hash = b.leaf_hash
                      from audit_records b where (a.idx, b.idx) in ((1, 2), (2, 1))`);
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
  describe('verifySince: only what was added since a checkpoint the auditor kept', () => {
    /** A trail of `before` records, the auditor's kept checkpoint of it, then `after` more, checkpointed. */
    async function keptThenMore(before: number, after: number) {
      await trailWith(before, 5);
      const kept = (await trail.checkpoint())!;
      for (let i = 0; i < after; i++) {
        await trail.record(records(1, before + i));
        await trail.settled();
      }
      const latest = (await trail.checkpoint())!;
      return { kept, latest };
    }

    it('reads only the records after it and gives the RFC 9162 proof from it to the latest checkpoint', async () => {
      const { kept, latest } = await keptThenMore(11, 14);
      const report = await trail.verifySince(kept);
      expect(report).toMatchObject({ ok: true, from: 11, records: 14, problems: [] });
      expect(report.consistency).toMatchObject({ from: { treeSize: 11, rootHash: kept.rootHash }, to: { treeSize: 25, rootHash: latest.rootHash }, consistent: true });
      // The proof is the one the whole tree gives, and any RFC 9162 verifier accepts it.
      const { consistencyProof, verifyConsistency } = await import('../merkle');
      const leaves = (await db.query<{ leaf_hash: Uint8Array }>('select leaf_hash from audit_records order by idx')).map((r) => Buffer.from(r.leaf_hash));
      expect(report.consistency!.proof).toEqual(consistencyProof(11, leaves).map((h) => h.toString('hex')));
      const proof = report.consistency!.proof.map((h) => Buffer.from(h, 'hex'));
      expect(verifyConsistency(11, 25, Buffer.from(kept.rootHash, 'hex'), Buffer.from(latest.rootHash, 'hex'), proof)).toBe(true);
    });

    it('catches a record altered after the kept checkpoint', async () => {
      const { kept } = await keptThenMore(8, 9);
      const [row] = await db.query<{ payload: Record<string, unknown> }>('select payload from audit_records where idx = 12');
      await db.query('update audit_records set payload = $1::jsonb where idx = 12', [JSON.stringify({ ...row!.payload, actor: 'someone-else' })]);
      const report = await trail.verifySince(kept);
      expect(report.ok).toBe(false);
      expect(report.problems.join('\n')).toMatch(/record 12 was altered/);
    });

    it('for a checkpoint kept before frontiers were stored, folds the stored leaf hashes and catches one rewritten before it', async () => {
      const { kept } = await keptThenMore(8, 4);
      const { canonicalJson } = await import('../accessRecord');
      const { leafHash } = await import('../merkle');
      const [row] = await db.query<{ payload: Record<string, unknown> }>('select payload from audit_records where idx = 3');
      const text = canonicalJson({ ...row!.payload, actor: 'someone-else' });
      await db.query('update audit_records set payload = $1::jsonb, leaf_hash = $2 where idx = 3', [text, leafHash(Buffer.from(text))]);
      // As migration 6 leaves the checkpoints signed before it: no frontier stored.
      await db.query('update audit_checkpoints set subtrees = null');
      const report = await trail.verifySince(kept);
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([expect.stringMatching(/^the kept checkpoint of 8 records does not match the trail/)]);
      expect((await trail.verify(kept)).problems.join('\n')).toMatch(/checkpoint 5 does not match/);
    });

    it('refuses a kept checkpoint that is forged, or covers more than the trail holds', async () => {
      const { kept } = await keptThenMore(6, 2);
      expect((await trail.verifySince({ ...kept, rootHash: '00'.repeat(32) })).problems).toEqual([expect.stringMatching(/not signed by the trail's key/)]);
      await db.query('delete from audit_records where idx >= 5');
      expect((await trail.verifySince(kept)).problems).toEqual([expect.stringMatching(/covers 6 records but the trail holds 5/)]);
    });

    it('answers for a kept checkpoint that is the latest: nothing added, consistent with itself', async () => {
      const { latest } = await keptThenMore(7, 0);
      expect(await trail.verifySince(latest)).toMatchObject({ ok: true, from: 7, records: 0, consistency: { consistent: true, proof: [], to: { treeSize: 7 } } });
    });
  });

  describe('purges by block: whole partitions past retention are dropped, and the tree still verifies', () => {
    const LONG_AGO = new Date('2025-01-01T10:00:00Z');
    const NOW = new Date('2026-11-23T00:00:00Z');
    /**
     * 20 records in blocks of 8 (two full, one not), from long ago, and a checkpoint of all 20.
     * Checkpoints are signed now, so one signed between the records would (rightly) make their
     * old timeIns look backdated: only the refusal test asks for them every 5.
     */
    async function blocksOfEight(checkpointEvery = 1000) {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery, partitionRecords: 8 });
      for (let i = 0; i < 20; i++) {
        await trail.record(records(1, i, LONG_AGO));
        await trail.settled();
      }
      return (await trail.checkpoint())!;
    }
    const blocks = async () =>
      (await db.query<{ name: string }>("select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_records'::regclass order by 1")).map((r) => r.name);

    it('drops the full blocks, purges the rest row by row, and verifies, also against a checkpoint kept before', async () => {
      const kept = await blocksOfEight();
      expect(await blocks()).toEqual(['audit_records_p0', 'audit_records_p1', 'audit_records_p2']);
      expect(await trail.purge({ defaultDays: 183 }, NOW)).toBe(20);
      expect(await blocks()).toEqual(['audit_records_p2']);
      expect((await db.query('select start_idx from audit_sealed order by 1')).map((r) => Number(r['start_idx']))).toEqual([0, 8]);
      expect(await trail.verify(kept, { now: NOW })).toMatchObject({ ok: true, records: 4, problems: [], warnings: [] });
      // Appending goes on after the drop, into the block it was filling.
      await trail.record(records(1, 20));
      await trail.settled();
      const latest = (await trail.checkpoint())!;
      expect(await trail.verify(latest)).toMatchObject({ ok: true, records: 5, problems: [] });
      expect(await trail.verifySince(kept)).toMatchObject({ ok: true, from: 20, records: 1, consistency: { consistent: true, to: { treeSize: 21 } } });
    });

    it('proves a checkpoint kept before a block was dropped consistent with the latest, through the dropped block\'s root', async () => {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 1000, partitionRecords: 8 });
      // Written and signed back then, as a trail that old was: the clock is set to it.
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(new Date(LONG_AGO.getTime() + 3_600_000));
        await trail.record(records(8, 0, LONG_AGO));
        const kept = (await trail.checkpoint())!;
        await trail.record(records(12, 8, LONG_AGO));
        const latest = (await trail.checkpoint())!;
        vi.useRealTimers();
        const { consistencyProof } = await import('../merkle');
        const leaves = (await db.query<{ leaf_hash: Uint8Array }>('select leaf_hash from audit_records order by idx')).map((r) => Buffer.from(r.leaf_hash));
        expect(await trail.purge({ defaultDays: 183 }, NOW)).toBe(20);
        const report = await trail.verifySince(kept, { now: NOW });
        expect(report).toMatchObject({ ok: true, from: 8, consistency: { consistent: true, to: { treeSize: 20, rootHash: latest.rootHash } } });
        expect(report.consistency!.proof).toEqual(consistencyProof(8, leaves).map((h) => h.toString('hex')));
      } finally {
        vi.useRealTimers();
      }
    });

    it('keeps a block that still holds a record within its retention', async () => {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 5, partitionRecords: 8 });
      await trail.record([...records(8, 0, LONG_AGO), ...records(7, 8, LONG_AGO), ...records(1, 15, new Date('2026-11-01T00:00:00Z'))]);
      expect(await trail.purge({ defaultDays: 183 }, NOW)).toBe(15);
      expect(await blocks()).toEqual(['audit_records_p1']);
      expect(await trail.verify(undefined, { now: NOW })).toMatchObject({ ok: true, records: 8 });
    });

    it('catches a dropped block whose stored subtree root was changed: every checkpoint after it breaks', async () => {
      await blocksOfEight();
      await trail.purge({ defaultDays: 183 }, NOW);
      await db.query('update audit_sealed set subtrees = $1 where start_idx = 8', [Buffer.alloc(32, 9)]);
      const problems = (await trail.verify(undefined, { now: NOW })).problems;
      expect(problems.filter((p) => p.includes('does not match the records')).map((p) => p.replace(/ does not match.*/, ''))).toEqual(['checkpoint 20']);
    });

    it('catches a recent block dropped as if it were old, and one dropped below the floor', async () => {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 4, partitionRecords: 8 });
      for (let i = 0; i < 12; i++) {
        await trail.record(records(1, i));
        await trail.settled();
      }
      // As an intruder would: drop block 0 and leave a sealed row claiming it was old.
      const { MerkleFrontier: Frontier } = await import('../merkle');
      const folded = new Frontier();
      for (const r of await db.query<{ leaf_hash: Uint8Array }>('select leaf_hash from audit_records where idx < 8 order by idx')) folded.append(Buffer.from(r.leaf_hash));
      await db.query(
        'insert into audit_sealed (start_idx, end_idx, subtrees, records, purged_at, max_time_in, min_retention_days) values (0, 8, $1, 8, $2, $3, 30)',
        [folded.root(), new Date().toISOString(), LONG_AGO.toISOString()],
      );
      await db.query('drop table audit_records_p0');
      const problems = (await trail.verify()).problems.join('\n');
      expect(problems).toMatch(/the records 0\.\.7 a purge dropped were dropped under a retention of 30 days, below the minimum retention of 183 days/);
      expect(problems).toMatch(/the records 0\.\.7 a purge dropped were dropped as if the latest came in at 2025-01-01.*the kept timeIn was backdated/);
      expect(problems).not.toMatch(/does not match the records/); // the tree itself still holds
    });

    it('refuses --from-checkpoint with a kept checkpoint inside a dropped block, saying what to do', async () => {
      await blocksOfEight(5);
      const [row] = await db.query<Record<string, unknown>>('select * from audit_checkpoints where tree_size = 10');
      const checkpoint = { treeSize: 10, rootHash: Buffer.from(row!['root_hash'] as Uint8Array).toString('hex'), signature: Buffer.from(row!['signature'] as Uint8Array).toString('base64'), signedAt: new Date(row!['signed_at'] as string).toISOString() };
      await trail.purge({ defaultDays: 183 }, NOW);
      expect((await trail.verifySince(checkpoint)).problems).toEqual([expect.stringMatching(/lies inside the records 8\.\.15 a purge dropped: verify the whole trail/)]);
    });

    it('refuses to change the block size of a trail that holds records', async () => {
      await blocksOfEight();
      await expect(createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), partitionRecords: 16 })).rejects.toThrow(/stored in blocks of 8 records; it cannot change to 16/);
      await expect(createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), partitionRecords: 12 })).rejects.toThrow(/power of two/);
    });
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
      expect(await trail.verify()).toEqual({ ok: true, records: 7, checkpoints: 1, problems: [], warnings: [], openIntents: [] });
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

  describe('finds by subject through the blocks that hold the subject (migration 8)', () => {
    const LONG_AGO = new Date('2025-01-01T10:00:00Z');
    const NOW = new Date('2026-11-23T00:00:00Z');
    /** One record per request, subject `cprs[i]`, at `timeIn`. */
    const ofSubjects = (cprs: readonly string[], offset: number, timeIn: Date): AccessRecord[] =>
      cprs.flatMap((cpr, i) =>
        toAccessRecords(
          {
            requestId: `s${offset + i}`,
            timeIn,
            identity: { actor: 'caseworker-1', roles: ['caseworker'], tenant: '0101', purpose: 'P-1' },
            operationName: 'CitizenOverview',
            outcome: 'ok',
            subjects: new Map([[cpr, { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }]]),
          },
          subjectKey,
          new Date(timeIn.getTime() + 40),
        ),
      );
    const EVERYWHERE = '0700000001';
    const LONE = '0700000099';
    /** 40 records in blocks of 8: EVERYWHERE in every block (twice), LONE once, in block 2, the rest one-offs. */
    async function spread(timeIn = new Date('2026-11-23T10:00:00Z')) {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 1000, partitionRecords: 8 });
      const cprs = Array.from({ length: 40 }, (_, i) => (i % 8 === 1 || i % 8 === 5 ? EVERYWHERE : i === 19 ? LONE : `07100000${String(i).padStart(2, '0')}`));
      for (let i = 0; i < 40; i += 4) await trail.record(ofSubjects(cprs.slice(i, i + 4), i, timeIn));
      await trail.settled();
      return cprs;
    }
    const blocksOf = async (cpr: string) =>
      (await db.query<{ block: string }>('select block from audit_subject_blocks where subject = $1 order by block', [subjectHash(subjectKey, cpr)])).map((r) => Number(r.block));

    it('keeps, for each subject, the blocks that hold its records, and finds them all, in order, a page at a time', async () => {
      const cprs = await spread();
      expect(await blocksOf(EVERYWHERE)).toEqual([0, 1, 2, 3, 4]);
      expect(await blocksOf(LONE)).toEqual([2]);
      expect((await trail.find({ subject: subjectHash(subjectKey, LONE) })).map((r) => r.requestId)).toEqual(['s19']);
      const expected = cprs.flatMap((c, i) => (c === EVERYWHERE ? [`s${i}`] : []));
      // Pages of 3 cross the blocks: every record once, oldest first.
      const seen: string[] = [];
      for (let after: string | null = null, pages = 0; pages === 0 || after !== null; pages++) {
        const page: Awaited<ReturnType<AuditTrail['page']>> = await trail.page({ subject: subjectHash(subjectKey, EVERYWHERE) }, { limit: 3, after });
        seen.push(...page.records.map((r) => r.requestId));
        after = page.next;
      }
      expect(seen).toEqual(expected);
      // With another criterion as well.
      expect((await trail.find({ subject: subjectHash(subjectKey, EVERYWHERE), actor: 'caseworker-1' })).map((r) => r.requestId)).toEqual(expected);
      expect(await trail.find({ subject: subjectHash(subjectKey, EVERYWHERE), actor: 'caseworker-2' })).toEqual([]);
      expect(await trail.verify()).toMatchObject({ ok: true, problems: [] });
    });

    it('reads only the blocks it names: a block taken out of it hides that block\'s records from find, and verify names the gap', async () => {
      const cprs = await spread();
      await db.query('delete from audit_subject_blocks where subject = $1 and block = 3', [subjectHash(subjectKey, EVERYWHERE)]);
      const found = (await trail.find({ subject: subjectHash(subjectKey, EVERYWHERE) })).map((r) => r.requestId);
      expect(found).toEqual(cprs.flatMap((c, i) => (c === EVERYWHERE && (i < 24 || i >= 32) ? [`s${i}`] : [])));
      const report = await trail.verify();
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual(['the find index (audit_subject_blocks) lacks the subject of 2 record(s), the first record 25: a find by subject does not show them']);
    });

    it('leaves no trace of a purged record\'s subject: a dropped block\'s rows go with it, a record purged alone takes its subject\'s block when it was the last', async () => {
      await spread(LONG_AGO);
      // Four recent records in the block being filled (block 5): one of EVERYWHERE, three new.
      await trail.record(ofSubjects([EVERYWHERE, '0720000001', '0720000002', '0720000003'], 40, new Date('2026-11-22T10:00:00Z')));
      await trail.settled();
      expect(await blocksOf(EVERYWHERE)).toEqual([0, 1, 2, 3, 4, 5]);
      // Blocks 0-4 are all past retention and dropped; block 5 holds recent records and stays.
      expect(await trail.purge({ defaultDays: 183 }, NOW)).toBe(40);
      expect(await blocksOf(EVERYWHERE)).toEqual([5]);
      expect(await blocksOf(LONE)).toEqual([]);
      expect(Number((await db.query<{ n: string }>('select count(*) as n from audit_subject_blocks where block < 5'))[0]!.n)).toBe(0);
      expect((await trail.find({ subject: subjectHash(subjectKey, EVERYWHERE) })).map((r) => r.requestId)).toEqual(['s40']);
      expect(await trail.verify(undefined, { now: NOW })).toMatchObject({ ok: true, problems: [] });
    });

    it('row by row, keeps a subject\'s block while it still holds a live record of the subject', async () => {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 1000, partitionRecords: 8 });
      // One block, not full: two old records of A, one recent of A, one old of B.
      await trail.record(ofSubjects(['0730000001', '0730000001', '0730000002'], 0, LONG_AGO));
      await trail.record(ofSubjects(['0730000001'], 3, new Date('2026-11-22T10:00:00Z')));
      await trail.settled();
      expect(await trail.purge({ defaultDays: 183 }, NOW)).toBe(3);
      expect(await blocksOf('0730000001')).toEqual([0]);
      expect(await blocksOf('0730000002')).toEqual([]);
      expect((await trail.find({ subject: subjectHash(subjectKey, '0730000001') })).map((r) => r.requestId)).toEqual(['s3']);
    });
  });

  describe('paging (issue "Decide once, record once")', () => {
    const START = Date.parse('2026-11-01T00:00:00Z');
    const cprOf = (i: number) => `07${String(i % 6).padStart(8, '0')}`;

    /** n requests of one subject each, varied in subject, actor, tenant, type of use and role, a minute apart. */
    function varied(n: number): AccessRecord[] {
      return Array.from({ length: n }, (_, i) => {
        const timeIn = new Date(START + i * 60_000);
        return toAccessRecords(
          {
            requestId: `p${i}`,
            timeIn,
            identity: { actor: `cw-${i % 4}`, roles: ['caseworker', 'supervisor'], role: i % 5 === 0 ? 'supervisor' : 'caseworker', tenant: i % 2 ? '0101' : '0147', purpose: 'P-1' },
            operationName: 'CitizenOverview',
            outcome: 'ok',
            typeOfUse: i % 3 === 0 ? 'update' : 'read',
            subjects: new Map([[cprOf(i), { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }]]),
          },
          subjectKey,
          new Date(timeIn.getTime() + 40),
        );
      }).flat();
    }

    /** Every page of `filter`, `limit` at a time, checking each page's size and cursor as it goes. */
    async function allPages(filter: AuditFilter, limit: number): Promise<{ records: AccessRecord[]; pages: number }> {
      const seen: AccessRecord[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: Awaited<ReturnType<AuditTrail['page']>> = await trail.page(filter, { limit, after });
        pages++;
        expect(page.records.length).toBeLessThanOrEqual(limit);
        if (page.next !== null) expect(page.records).toHaveLength(limit); // only the last page is short
        seen.push(...page.records);
        after = page.next;
      } while (after !== null && pages < 1000);
      return { records: seen, pages };
    }

    const ids = (rs: readonly AccessRecord[]) => rs.map((r) => r.requestId);

    it('pages through 250 records with each filter: every match once, oldest first, next null at the end', async () => {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 1000 });
      const all = varied(250);
      await trail.record(all);
      const minutes = (m: number) => new Date(START + m * 60_000).toISOString();
      const cases: [AuditFilter, (r: AccessRecord) => boolean][] = [
        [{}, () => true],
        [{ subject: subjectHash(subjectKey, cprOf(1)) }, (r) => r.subject === subjectHash(subjectKey, cprOf(1))],
        [{ actor: 'cw-2' }, (r) => r.actor === 'cw-2'],
        [{ tenant: '0101', typeOfUse: 'update' }, (r) => r.tenant === '0101' && r.typeOfUse === 'update'],
        [{ role: 'supervisor' }, (r) => r.role === 'supervisor'],
        [{ from: minutes(30), to: minutes(170), actor: 'cw-1' }, (r) => r.timeIn >= minutes(30) && r.timeIn < minutes(170) && r.actor === 'cw-1'],
        [{ tenant: '9999' }, () => false],
      ];
      for (const [filter, matches] of cases) {
        const expected = ids(all.filter(matches));
        for (const limit of [1, 7, 100, 1000]) {
          const { records } = await allPages(filter, limit);
          expect(ids(records), `${JSON.stringify(filter)} by ${limit}`).toEqual(expected);
        }
        expect(ids(await trail.find(filter))).toEqual(expected);
      }
      // A page boundary that falls on the last record: five full pages, the fifth says it is the last.
      expect(await allPages({}, 50)).toMatchObject({ pages: 5 });
      const first = await trail.page({}, { limit: 250 });
      expect(first.next).toBeNull();
      expect(first.records).toHaveLength(250);
    });

    it('shows records appended while paging on a later page, never twice', async () => {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 1000 });
      const thirty = varied(30);
      const [before, after] = [thirty.slice(0, 20), thirty.slice(20)];
      await trail.record(before);
      const first = await trail.page({}, { limit: 15 });
      await trail.record(after);
      const second = await trail.page({}, { limit: 15, after: first.next });
      expect(second.next).toBeNull();
      expect([...ids(first.records), ...ids(second.records)]).toEqual(ids([...before, ...after]));
    });

    it('refuses a limit outside 1..1000 and a cursor it did not give', async () => {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys() });
      for (const limit of [0, 1001, -1, 1.5, Number.NaN]) {
        await expect(trail.page({}, { limit })).rejects.toThrow(RangeError);
      }
      await expect(trail.page({}, { limit: 0 })).rejects.toThrow(/a page holds 1 to 1000 records; limit 0/);
      for (const after of ['', 'abc', '-1', '1e3', '01']) {
        await expect(trail.page({}, { limit: 10, after })).rejects.toThrow(/the page cursor is not one this trail gave/);
      }
      expect(await trail.page({}, { limit: 1000 })).toEqual({ records: [], next: null });
    });
  });

  describe('open intents: a write whose intent was recorded and its outcome never was', () => {
    const hourAgo = () => new Date(Date.now() - 3_600_000);

    /** A write's records: its intent, or its outcome, for the given subjects. */
    function write(requestId: string, outcome: RequestAccessInput['outcome'], timeIn: Date, cprs = ['0700000001']): AccessRecord[] {
      return toAccessRecords(
        {
          requestId,
          timeIn,
          identity: { actor: 'cw-1', roles: ['caseworker'], role: 'caseworker', tenant: '0101', purpose: 'P-1' },
          operationName: 'UpdateCase',
          outcome,
          typeOfUse: 'update',
          subjects: new Map(cprs.map((cpr) => [cpr, { fields: new Set(['Case.status']), systems: new Set(['esdh']) }])),
        },
        subjectKey,
        new Date(timeIn.getTime() + 20),
      );
    }

    async function emptyTrail(): Promise<AuditTrail> {
      db = await open();
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys(), checkpointEvery: 1000 });
      return trail;
    }

    it('reports none when each intent is followed by its outcome, whatever the outcome', async () => {
      await emptyTrail();
      for (const [i, outcome] of (['ok', 'partial', 'error', 'denied'] as const).entries()) {
        await trail.record(write(`w${i}`, 'intent', hourAgo(), ['0700000001', '0700000002']));
        await trail.record(records(1, 100 + i)); // other requests in between
        await trail.record(write(`w${i}`, outcome, hourAgo(), ['0700000001', '0700000002']));
      }
      expect(await trail.verify()).toEqual({ ok: true, records: 20, checkpoints: 0, problems: [], warnings: [], openIntents: [] });
    });

    it('reports an intent with no outcome, once per request, and fails verify without calling it tampering', async () => {
      await emptyTrail();
      const timeIn = hourAgo();
      await trail.record(records(2));
      await trail.record(write('w-lost', 'intent', timeIn, ['0700000001', '0700000002', '0700000003']));
      await trail.record(write('w-done', 'intent', timeIn));
      await trail.record(write('w-done', 'ok', timeIn));
      const report = await trail.verify();
      expect(report.openIntents).toEqual([{ requestId: 'w-lost', index: 2, time: new Date(timeIn.getTime() + 20).toISOString() }]);
      expect(report).toMatchObject({ ok: false, problems: [], warnings: [], records: 7 });
    });

    it('closes an intent only with an outcome recorded after it', async () => {
      await emptyTrail();
      const timeIn = hourAgo();
      await trail.record(write('w-1', 'ok', timeIn)); // before the intent: not its outcome
      await trail.record(write('w-1', 'intent', timeIn));
      await trail.record(write('w-2', 'intent', timeIn));
      await trail.record(write('w-2', 'intent', timeIn)); // another intent is no outcome
      expect((await trail.verify()).openIntents.map((o) => [o.requestId, o.index])).toEqual([['w-1', 1], ['w-2', 2]]);
    });

    it('does not report a write still in flight (recorded within the grace), unless told to', async () => {
      await emptyTrail();
      await trail.record(write('w-now', 'intent', new Date()));
      expect(await trail.verify()).toMatchObject({ ok: true, openIntents: [] });
      expect((await trail.verify(undefined, { intentGraceMs: 0, now: new Date(Date.now() + 1000) })).openIntents).toEqual([expect.objectContaining({ requestId: 'w-now', index: 0 })]);
      expect((await trail.verify(undefined, { now: new Date(Date.now() + 16 * 60_000) })).ok).toBe(false);
    });

    it('skips purged records: their payload is gone', async () => {
      await emptyTrail();
      const old = new Date(Date.now() - 400 * 86_400_000);
      await trail.record(write('w-old', 'intent', old));
      await trail.record(write('w-new', 'intent', hourAgo()));
      expect((await trail.verify()).openIntents.map((o) => o.requestId)).toEqual(['w-old', 'w-new']);
      expect(await trail.purge({ defaultDays: 183 })).toBe(1);
      expect((await trail.verify()).openIntents.map((o) => o.requestId)).toEqual(['w-new']);
    });
  });
});
