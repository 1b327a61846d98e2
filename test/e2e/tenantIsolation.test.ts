/**
 * One municipality's trouble stays its own: CPR calls run under each caller's municipality, so
 * a breaker opened by 0101's failures does not stop 0751's look-ups; and each municipality has
 * its own request budget at the gateway, so 0101 spending it leaves 0751 served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;

beforeAll(async () => {
  stack = await startAuthedStack({
    legacy: { resilience: { maxRetries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 60_000 } },
    // A small budget, so the test can spend it: 5 at once, then 1 per second.
    gateway: { rateLimit: { perSecond: 1, burst: 5 } },
  });
});
afterAll(() => stack?.close());

const nameOf = async (municipality: string) => {
  const person = sampleCitizens(stack.world).get(municipality)!;
  const token = await stack.devIdentity!.mint({ role: 'caseworker', municipality, purpose: 'P-27' });
  return postGraphQL(stack.gateway.url, 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }', { cpr: formatCpr(person.cpr) }, { authorization: `Bearer ${token}` });
};

describe('isolation between municipalities', () => {
  it('CPR failing for 0101 opens 0101\'s breaker only; 0751 still reaches CPR', async () => {
    stack.simulators.cpr.setFault('http500');
    try {
      for (let i = 0; i < 3; i++) expect((await nameOf('0101')).body.errors?.[0]?.extensions?.['code']).toBe('LEGACY_UNAVAILABLE');
    } finally {
      stack.simulators.cpr.setFault('none');
    }
    stack.simulators.cpr.resetCalls();
    const refused = await nameOf('0101');
    expect(refused.body.errors?.[0]?.message).toMatch(/circuit breaker is open/);
    expect(stack.simulators.cpr.calls).toHaveLength(0);
    const served = await nameOf('0751');
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data?.citizen.name.full).toBeTruthy();
    expect(stack.simulators.cpr.calls.length).toBeGreaterThan(0);
    const ready = (await (await fetch(stack.gateway.url.replace('/graphql', '/ready'))).json()) as { subgraphs: Record<string, { breakers: unknown[] }> };
    expect(ready.subgraphs['citizen']?.breakers).toEqual(
      expect.arrayContaining([{ system: 'cpr', tenant: '0101', state: 'open' }, { system: 'cpr', tenant: '0751', state: 'closed' }]),
    );
  });

  it('0461 spending its request budget gets 429 with Retry-After; 0751 is still served', async () => {
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await nameOf('0461'));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(limited[0]!.body.errors?.[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' }, message: expect.stringMatching(/municipality 0461/) });
    const raw = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await stack.devIdentity!.mint({ role: 'caseworker', municipality: '0461', purpose: 'P' })}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await nameOf('0751')).status).toBe(200);
  });

  it('bad tokens from one address are refused unverified once it has failed too often', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const response = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      statuses.push(response.status);
    }
    // 10 failures at once (a tenth of the burst, at least 10), then 429 until the bucket refills.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toContain(429);
  });
});
