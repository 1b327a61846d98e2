/**
 * Registry data (DAR, BBR, KLE) is served stale while its source is down, and the response says
 * so; a circuit breaker opens after repeated failures and closes again after recovery; /ready
 * reports breaker states per system.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { noLatency, postGraphQL } from '../support/graphql';

/**
 * The stack runs in this process, and the two clocks these tests wait on read Date.now(): the
 * registry cache's freshness and cockatiel's half-open time. Date stands still while a test looks
 * and moves only when it says so, so a slow machine cannot let a time pass too early or too late;
 * timers (deadlines, sockets) keep real time.
 */
const clock = {
  stop: () => vi.setSystemTime(Date.now()),
  advance: (ms: number) => vi.setSystemTime(Date.now() + ms),
};
afterEach(() => {
  vi.useRealTimers();
});

describe('stale registry data', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    // Freshness of one second, which the test's clock passes before the sources go down.
    stack = await startLocalStack({ latencyMs: noLatency, legacy: { registryCacheTtlSeconds: 1, resilience: { maxRetries: 0, breakerThreshold: 10_000 } } });
  });
  afterAll(() => stack.close());

  it('serves the last DAR, BBR and KLE answers while those systems are down, and marks them stale', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const variables = { cpr: formatCpr(person.cpr) };
    clock.stop();
    const fresh = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, variables);
    expect(fresh.body.errors).toBeUndefined();
    expect(fresh.body).not.toHaveProperty('extensions.stale');

    clock.advance(1_001); // past the one-second freshness of every entry
    for (const s of [stack.simulators.dar, stack.simulators.bbr, stack.simulators.kle]) s.setFault('http500');
    try {
      const stale = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, variables);
      expect(stale.body.errors).toBeUndefined();
      expect(stale.body.data).toEqual(fresh.body.data);
      expect((stale.body as { extensions?: { stale?: string[] } }).extensions?.stale).toEqual(['bbr', 'dar', 'kle']);
      expect(stale.text).not.toContain('legacyStale');
    } finally {
      for (const s of stack.allSimulators()) s.setFault('none');
    }
  });
});

describe('circuit breakers through the gateway', () => {
  // cockatiel's default; the test's clock passes it, so it need not be short to keep the test fast.
  const HALF_OPEN_AFTER_MS = 10_000;
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      latencyMs: noLatency,
      legacy: { resilience: { maxRetries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: HALF_OPEN_AFTER_MS } },
    });
  });
  afterAll(() => stack.close());

  const casesOf = async (cpr: string) =>
    postGraphQL(stack.gateway.url, 'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { id } } }', { cpr: formatCpr(cpr) });

  it('opens after three failures, stops calling the case index, then closes once it answers again', async () => {
    const person = sampleCitizens(stack.world).get('0461')!;
    clock.stop();
    stack.simulators.caseIndex.setFault('http500');
    for (let i = 0; i < 3; i++) expect((await casesOf(person.cpr)).body.errors?.[0]?.extensions?.['code']).toBe('LEGACY_UNAVAILABLE');
    const ready = async () => (await (await fetch(stack.gateway.url.replace('/graphql', '/ready'))).json()) as { subgraphs: Record<string, { breakers: { system: string; state: string }[] }> };
    expect((await ready()).subgraphs['case']?.breakers).toContainEqual({ system: 'case-index', tenant: null, state: 'open' });

    stack.simulators.caseIndex.resetCalls();
    stack.simulators.caseIndex.setFault('none');
    const refused = await casesOf(person.cpr);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'LEGACY_UNAVAILABLE', system: 'case-index' } });
    expect(stack.simulators.caseIndex.calls).toHaveLength(0);

    clock.advance(HALF_OPEN_AFTER_MS - 1);
    expect((await casesOf(person.cpr)).body.errors?.[0]?.extensions?.['code']).toBe('LEGACY_UNAVAILABLE');
    expect(stack.simulators.caseIndex.calls).toHaveLength(0);
    clock.advance(1); // halfOpenAfter has passed: one trial call goes through
    const recovered = await casesOf(person.cpr);
    expect(recovered.body.errors).toBeUndefined();
    // The trial is the one search; the WSDL, never loaded while the index failed, is loaded for it.
    expect(stack.simulators.caseIndex.callsTo('fremsoeg')).toHaveLength(1);
    expect(recovered.body.data?.citizen.cases.length).toBe(stack.world.casesByParty.get(person.cpr)!.length);
    expect((await ready()).subgraphs['case']?.breakers).toContainEqual({ system: 'case-index', tenant: null, state: 'closed' });
  });
});
