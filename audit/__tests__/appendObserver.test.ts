/**
 * The trail's hook for metrics kept outside audit/: each append statement is told as it ends
 * (requests, records, time, committed or not), and the backlog says what waits to be committed
 * at any moment. The statements are held at the store by the test, so what waits is known.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { freshPglite } from '../../test/support/auditFixtures';
import { toAccessRecords, type AccessRecord } from '../accessRecord';
import { createAuditTrail, type AppendStatement, type AuditTrail } from '../auditTrail';
import type { SqlClient } from '../sql';

const subjectKey = randomBytes(32);

function records(n: number, request: string): AccessRecord[] {
  const timeIn = new Date('2026-12-01T10:00:00Z');
  return toAccessRecords(
    {
      requestId: request,
      timeIn,
      identity: { actor: 'caseworker-1', roles: ['caseworker'], tenant: '0101', purpose: 'P-1' },
      operationName: 'CitizenOverview',
      outcome: 'ok',
      subjects: new Map(Array.from({ length: n }, (_, i) => [`07${String(i).padStart(8, '0')}`, { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }])),
    },
    subjectKey,
    new Date(timeIn.getTime() + 40),
  );
}

/** A store whose append statements wait until the test lets them go, or fail when told to. */
function heldStore(db: SqlClient) {
  const held: { release: () => void }[] = [];
  let failing = false;
  const store: SqlClient = {
    singleWriter: db.singleWriter,
    query: async (sql, params) => {
      if (sql.startsWith('select audit_append')) {
        await new Promise<void>((resolve) => held.push({ release: resolve }));
        if (failing) throw new Error('the store is gone');
      }
      return db.query(sql, params);
    },
    transaction: (work) => db.transaction(work),
    close: () => db.close(),
  };
  return {
    store,
    held: () => held.length,
    releaseAll: () => held.splice(0).forEach((h) => h.release()),
    fail: () => (failing = true),
  };
}

/** Resolves once `condition` holds, checked after each turn of the event loop (no clock involved). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const trails: AuditTrail[] = [];
afterAll(async () => {
  for (const trail of trails) await trail.close();
});

describe('the append hook', () => {
  it('tells each statement as it ends, and the backlog what waits meanwhile', async () => {
    const store = heldStore(await freshPglite());
    const trail = await createAuditTrail({ db: store.store, signingKey: await generateInternalTokenKeys(), checkpointEvery: 1_000 });
    trails.push(trail);
    const statements: AppendStatement[] = [];
    trail.onAppend((statement) => statements.push(statement));
    expect(trail.backlog()).toEqual({ queuedRequests: 0, uncommittedRecords: 0 });

    // Two statements in flight at most: the first two requests go at once, the next two wait and then go together.
    const answers = [trail.record(records(2, 'a')), trail.record(records(1, 'b')), trail.record(records(3, 'c')), trail.record(records(1, 'd'))];
    await until(() => store.held() === 2);
    expect(trail.backlog()).toEqual({ queuedRequests: 2, uncommittedRecords: 7 });
    store.releaseAll();
    await until(() => store.held() === 1);
    expect(trail.backlog()).toEqual({ queuedRequests: 0, uncommittedRecords: 4 });
    store.releaseAll();
    await Promise.all(answers);
    expect(trail.backlog()).toEqual({ queuedRequests: 0, uncommittedRecords: 0 });
    expect(statements.map(({ seconds, ...rest }) => rest)).toEqual([
      { requests: 1, records: 2, committed: true },
      { requests: 1, records: 1, committed: true },
      { requests: 2, records: 4, committed: true },
    ]);
    for (const s of statements) expect(s.seconds).toBeGreaterThan(0);
    expect(await trail.find({ tenant: '0101' })).toHaveLength(7);
  });

  it('tells a failed statement as failed, still fails its requests, and stops telling a detached listener', async () => {
    const store = heldStore(await freshPglite());
    const trail = await createAuditTrail({ db: store.store, signingKey: await generateInternalTokenKeys() });
    trails.push(trail);
    const statements: AppendStatement[] = [];
    const detach = trail.onAppend((statement) => statements.push(statement));
    // An observer that throws changes nothing of what the request learns.
    trail.onAppend(() => {
      throw new Error('observer bug');
    });
    store.fail();
    const failed = trail.record(records(2, 'x'));
    await until(() => store.held() === 1);
    store.releaseAll();
    await expect(failed).rejects.toThrow('the store is gone');
    expect(statements.map((s) => [s.records, s.committed])).toEqual([[2, false]]);
    expect(trail.backlog()).toEqual({ queuedRequests: 0, uncommittedRecords: 0 });
    detach();
    const again = trail.record(records(1, 'y'));
    await until(() => store.held() === 1);
    store.releaseAll();
    await expect(again).rejects.toThrow();
    expect(statements).toHaveLength(1);
  });
});
