/**
 * What a record says about who asked: a person acting (or on whose behalf one acts) is named by the
 * keyed hash a subject of theirs gets, never their CPR number; a user id is kept as given; the one
 * effective role is recorded beside every role the token listed; an intent is only for writes.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, subjectHash, toAccessRecords, type RequestAccessInput } from '../accessRecord';

const subjectKey = randomBytes(32);
const CITIZEN = '7611501522';
const CHILD = '0101201234';

function recordOf(identity: RequestAccessInput['identity'], more: Partial<RequestAccessInput> = {}) {
  const records = toAccessRecords(
    {
      requestId: 'r-1',
      timeIn: new Date('2026-11-23T10:00:00Z'),
      identity,
      operationName: 'MyOverview',
      outcome: 'ok',
      subjects: new Map([[CITIZEN, { fields: new Set(['Citizen.name']), systems: new Set(['cpr']) }]]),
      ...more,
    },
    subjectKey,
    new Date('2026-11-23T10:00:00.040Z'),
  );
  expect(records).toHaveLength(1);
  return records[0]!;
}

const citizen = { actor: '761150-1522', roles: ['citizen'], tenant: null, purpose: null };

describe('the actor and on-behalf-of in a record', () => {
  it('names a person acting by the subject hash of their CPR number, whatever form the token used', () => {
    const record = recordOf({ ...citizen, actorCpr: CITIZEN });
    expect(record.actor).toBe(subjectHash(subjectKey, CITIZEN));
    expect(record.actor).toBe(record.subject); // acting on their own data: one person, one value
    expect(record.actorType).toBe('person');
    // The token's form of the number does not matter: the caller normalises, the record is the same.
    expect(recordOf({ ...citizen, actor: CITIZEN, actorCpr: CITIZEN }).actor).toBe(record.actor);
    expect(JSON.stringify(record)).not.toMatch(/761150-?1522/);
  });

  it('keeps an employee or system id as given, as actorType user', () => {
    const record = recordOf({ actor: 'cw-17', roles: ['caseworker'], tenant: '0101', purpose: 'P-1' });
    expect(record).toMatchObject({ actor: 'cw-17', actorType: 'user', onBehalfOf: null, onBehalfOfType: null });
  });

  it('has no actor and no actor type for a request without identity', () => {
    expect(recordOf(null)).toMatchObject({ actor: null, actorType: null, role: null, roles: [], onBehalfOf: null, onBehalfOfType: null });
  });

  it('names a person acted for by their subject hash, a user acted for by their id', () => {
    const parent = recordOf({ ...citizen, actorCpr: CITIZEN, onBehalfOf: '010120-1234', onBehalfOfCpr: CHILD });
    expect(parent).toMatchObject({ onBehalfOf: subjectHash(subjectKey, CHILD), onBehalfOfType: 'person', actorType: 'person' });
    expect(JSON.stringify(parent)).not.toMatch(/010120-?1234/);
    expect(recordOf({ actor: 'svc-nexus', roles: ['system'], tenant: '0101', purpose: 'P-1', onBehalfOf: 'cw-3' })).toMatchObject({
      onBehalfOf: 'cw-3',
      onBehalfOfType: 'user',
    });
  });

  it('refuses a CPR number the caller did not normalise to ten digits, without echoing it', () => {
    for (const actorCpr of ['761150-1522', '761150152', ' 7611501522']) {
      expect(() => recordOf({ ...citizen, actorCpr })).toThrow(/identity\.actorCpr must be a CPR number as ten digits.*not shown/);
      try {
        recordOf({ ...citizen, actorCpr });
      } catch (error) {
        expect((error as Error).message).not.toContain(actorCpr.trim());
      }
    }
    expect(() => recordOf({ ...citizen, onBehalfOfCpr: '0101-201234' })).toThrow(/identity\.onBehalfOfCpr must be/);
  });

  it('records the one effective role beside every role the token listed', () => {
    const record = recordOf({ actor: 'cw-17', roles: ['supervisor', 'caseworker'], role: 'caseworker', tenant: '0101', purpose: 'P-1' });
    expect(record).toMatchObject({ role: 'caseworker', roles: ['caseworker', 'supervisor'] });
    expect(recordOf({ actor: 'cw-17', roles: ['caseworker'], tenant: '0101', purpose: 'P-1' }).role).toBeNull();
  });
});

describe('a write\'s intent', () => {
  const caseworker = { actor: 'cw-17', roles: ['caseworker'], role: 'caseworker', tenant: '0101', purpose: 'P-1' };

  it('is recorded with outcome intent for a create or an update', () => {
    expect(recordOf(caseworker, { outcome: 'intent', typeOfUse: 'update' }).outcome).toBe('intent');
    expect(recordOf(caseworker, { outcome: 'intent', typeOfUse: 'create' }).typeOfUse).toBe('create');
  });

  it.each(['read', 'search', 'audit', undefined] as const)('is refused for typeOfUse %s: only writes have one', (typeOfUse) => {
    expect(() => recordOf(caseworker, { outcome: 'intent', ...(typeOfUse ? { typeOfUse } : {}) })).toThrow(
      new RegExp(`an intent is recorded before a write.*not for typeOfUse ${typeOfUse ?? 'read'}`),
    );
  });
});

describe('canonicalJson: the bytes every leaf hash is taken over', () => {
  /** The first version, kept here as it was: every trail written so far was hashed over its output. */
  function firstVersion(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(firstVersion).join(',')}]`;
    if (value !== null && typeof value === 'object') {
      return `{${Object.keys(value)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${firstVersion((value as Record<string, unknown>)[k])}`)
        .join(',')}}`;
    }
    return JSON.stringify(value);
  }

  /** A seeded generator of JSON-like values, with the odd undefined, hole and unicode key. */
  function randomValue(next: () => number, depth: number): unknown {
    const pick = Math.floor(next() * (depth > 3 ? 6 : 9));
    const text = () => ['', 'a', 'Ø', 'æøå "q" \\', '\u2028', '0101201234', 'z'.repeat(40)][Math.floor(next() * 7)];
    switch (pick) {
      case 0: return null;
      case 1: return next() < 0.5;
      case 2: return Math.floor(next() * 1e9) / (next() < 0.5 ? 1 : 7);
      case 3: return text();
      case 4: return undefined;
      case 5: return [-0, NaN, Infinity, new Date(0)][Math.floor(next() * 4)];
      case 6: {
        const list = Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
        if (next() < 0.2) list[list.length + 1] = 'after a hole';
        return list;
      }
      default:
        // Keys sometimes index-like ('7'), which V8 enumerates first whatever their insertion order.
        return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [next() < 0.1 ? String(Math.floor(next() * 12)) : `${text()}${Math.floor(next() * 3)}`, randomValue(next, depth + 1)]));
    }
  }

  it('writes exactly what the first version wrote, for records and for 2,000 seeded random values', () => {
    let seed = 42;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values: unknown[] = [recordOf({ actor: 'cw-1', roles: ['caseworker'], tenant: '0101', purpose: 'P-1' })];
    for (let i = 0; i < 2000; i++) values.push(randomValue(next, 0));
    // And each as PostgreSQL's jsonb gives it back (keys by length, then bytes): what verify reads.
    const asJsonb = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(asJsonb)
      : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, asJsonb(x)]))
      : v;
    values.push(...values.map((v) => asJsonb(JSON.parse(JSON.stringify(v ?? null)))));
    for (const value of values) expect(canonicalJson(value)).toBe(firstVersion(value));
  });
});
