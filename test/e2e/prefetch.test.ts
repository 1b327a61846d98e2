/**
 * Entity fetches made early (gateway/prefetch.ts), through the gateway: the overview asks the
 * case index beside CPR instead of after it, and answers exactly as before; a fetch made early
 * whose entity never came (CPR does not know the person) is dropped, leaving no access record and
 * nothing in the answer; with PREFETCH_ENTITIES off, the case index waits for CPR again (the test
 * of order can fail). Order is seen at the simulators: CPR slower than anything else, so calls
 * made side by side arrive together and calls made one after the other a whole latency apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestAccess } from '../../gateway/server';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { buildWorld, type Person, type World } from '../../simulators/data/world';
import { expectedOverview } from '../support/expectedOverview';
import { noLatency, postGraphQL } from '../support/graphql';

const CPR_LATENCY_MS = 300;
const latencyMs = { ...noLatency, cpr: CPR_LATENCY_MS };

const seeded = buildWorld();
const sample = sampleCitizens(seeded).get('0101')!;
const sampleParties = new Set(seeded.casesByParty.get(sample.cpr)!.flatMap((id) => seeded.cases.get(id)!.parties.map((p) => p.cpr)));
/** A person the case index knows (a party to cases) and CPR does not: gone from the civil registry. */
const ghost: Person = [...seeded.persons.values()].find(
  (p) => !p.spouseCpr && p.childCprs.length === 0 && !p.motherCpr && !p.fatherCpr && (seeded.casesByParty.get(p.cpr)?.length ?? 0) > 0 && !sampleParties.has(p.cpr) && p.cpr !== sample.cpr,
)!;
const world: World = { ...seeded, persons: new Map([...seeded.persons].filter(([cpr]) => cpr !== ghost.cpr)) };

let stack: LocalStack;
const records: RequestAccess[] = [];
beforeAll(async () => {
  stack = await startLocalStack({ latencyMs, world, onAccess: async (access) => void records.push(access) });
});
afterAll(() => stack.close());

/** Calls for data: the WSDL a SOAP client fetches once per process is none. */
const dataCalls = <T extends { operation: string }>(calls: readonly T[]) => calls.filter((c) => c.operation !== 'wsdl');

/** How long after the first CPR call of the request the case index was asked. */
function caseIndexLag(of: LocalStack): number {
  const firstCpr = Math.min(...dataCalls(of.simulators.cpr.calls).map((c) => c.arrivedAt));
  const [index] = dataCalls(of.simulators.caseIndex.calls);
  expect(index).toBeDefined();
  return index!.arrivedAt - firstCpr;
}

describe('entity fetches made early', () => {
  it('ask the case index beside CPR for the overview, and the answer is as before', async () => {
    for (const s of stack.allSimulators()) s.resetCalls();
    const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(sample.cpr) });
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen).toEqual(expectedOverview(stack.world, sample));
    expect(dataCalls(stack.simulators.caseIndex.calls).map((c) => c.key)).toEqual([`party:${sample.cpr}`]);
    // Side by side: within a fraction of CPR's latency (one after the other: two latencies, the person then the relatives).
    expect(caseIndexLag(stack)).toBeLessThan(CPR_LATENCY_MS / 2);
  });

  it('are dropped when the entity never comes: nothing of them in the answer, and no access record', async () => {
    for (const s of stack.allSimulators()) s.resetCalls();
    records.length = 0;
    const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(ghost.cpr) });
    expect(body.data?.citizen).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
    // The early fetch was made (the index was asked) …
    expect(dataCalls(stack.simulators.caseIndex.calls).map((c) => c.key)).toEqual([`party:${ghost.cpr}`]);
    // … and what it read is on no record: the number was asked of CPR, nothing else was read.
    expect(records).toHaveLength(1);
    expect([...records[0]!.subjects.keys()]).toEqual([ghost.cpr]);
    const access = records[0]!.subjects.get(ghost.cpr)!;
    expect([...access.fields]).toEqual(['Query.citizen']);
    expect([...access.systems]).toEqual(['cpr']);
  });

  it('are not made with PREFETCH_ENTITIES off: the case index waits for CPR', async () => {
    const plain = await startLocalStack({ latencyMs, world, gateway: { prefetchEntities: false } });
    try {
      const { body } = await postGraphQL(plain.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(sample.cpr) });
      expect(body.errors).toBeUndefined();
      expect(body.data?.citizen).toEqual(expectedOverview(plain.world, sample));
      expect(caseIndexLag(plain)).toBeGreaterThanOrEqual(CPR_LATENCY_MS);
    } finally {
      await plain.close();
    }
  });
});
