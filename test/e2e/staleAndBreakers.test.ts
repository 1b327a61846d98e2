/**
 * Registry data (DAR, BBR, KLE) is served stale while its source is down, and the response says
 * so; a circuit breaker opens after repeated failures and closes again after recovery; /ready
 * reports breaker states per system.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { noLatency, postGraphQL } from '../support/graphql';

describe('stale registry data', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    // Freshness of one second: every entry is stale by the time the source goes down.
    stack = await startLocalStack({ latencyMs: noLatency, legacy: { registryCacheTtlSeconds: 1, resilience: { maxRetries: 0, breakerThreshold: 10_000 } } });
  });
  afterAll(() => stack.close());

  it('serves the last DAR, BBR and KLE answers while those systems are down, and marks them stale', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const variables = { cpr: formatCpr(person.cpr) };
    const fresh = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, variables);
    expect(fresh.body.errors).toBeUndefined();
    expect(fresh.body).not.toHaveProperty('extensions.stale');

    await new Promise<void>((resolve) => setTimeout(resolve, 1_100)); // let the one-second freshness lapse
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
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      latencyMs: noLatency,
      legacy: { resilience: { maxRetries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 400 } },
    });
  });
  afterAll(() => stack.close());

  const casesOf = async (cpr: string) =>
    postGraphQL(stack.gateway.url, 'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { id } } }', { cpr: formatCpr(cpr) });

  it('opens after three failures, stops calling the case index, then closes once it answers again', async () => {
    const person = sampleCitizens(stack.world).get('0461')!;
    stack.simulators.caseIndex.setFault('http500');
    for (let i = 0; i < 3; i++) expect((await casesOf(person.cpr)).body.errors?.[0]?.extensions?.['code']).toBe('LEGACY_UNAVAILABLE');
    const ready = async () => (await (await fetch(stack.gateway.url.replace('/graphql', '/ready'))).json()) as { subgraphs: Record<string, { breakers: { system: string; state: string }[] }> };
    expect((await ready()).subgraphs['case']?.breakers).toContainEqual({ system: 'case-index', tenant: null, state: 'open' });

    stack.simulators.caseIndex.resetCalls();
    stack.simulators.caseIndex.setFault('none');
    const refused = await casesOf(person.cpr);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'LEGACY_UNAVAILABLE', system: 'case-index' } });
    expect(stack.simulators.caseIndex.calls).toHaveLength(0);

    await new Promise<void>((resolve) => setTimeout(resolve, 450)); // past halfOpenAfter: one trial call goes through
    const recovered = await casesOf(person.cpr);
    expect(recovered.body.errors).toBeUndefined();
    expect(recovered.body.data?.citizen.cases.length).toBe(stack.world.casesByParty.get(person.cpr)!.length);
    expect((await ready()).subgraphs['case']?.breakers).toContainEqual({ system: 'case-index', tenant: null, state: 'closed' });
  });
});
