/**
 * A subgraph that is down nulls only its own fields; /ready tells a load balancer what it needs;
 * shutting down drains requests in flight instead of cutting them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { noLatency, postGraphQL } from '../support/graphql';

describe('a subgraph that is down', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ latencyMs: noLatency });
  });
  afterAll(() => stack.close());

  it('nulls only the fields it owns, with SUBGRAPH_UNAVAILABLE, and the rest is answered', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    await stack.subgraphs.find((s) => s.name === 'property')!.close();
    const { status, body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
    expect(status).toBe(200);
    expect(body.data?.citizen.address).toBeNull();
    expect(body.data?.citizen.name.family).toBe(person.familyName);
    expect(body.data?.citizen.cases.length).toBe(stack.world.casesByParty.get(person.cpr)!.length);
    expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['SUBGRAPH_UNAVAILABLE']);
    const ready = (await (await fetch(stack.gateway.url.replace('/graphql', '/ready'))).json()) as { subgraphs: Record<string, { status: string }> };
    expect(ready.subgraphs['property']?.status).toBe('unreachable');
    expect(ready.subgraphs['citizen']?.status).toBe('ready');
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, refuses new work, and reports draining on /ready meanwhile', async () => {
    // CPR answers slowly, so the request is surely in flight when shutdown starts.
    const stack = await startLocalStack({ latencyMs: { ...noLatency, cpr: 300 } });
    const person = sampleCitizens(stack.world).get('0461')!;
    const citizen = stack.subgraphs.find((s) => s.name === 'citizen')!;
    const inFlight = postGraphQL(stack.gateway.url, '{ citizen(cpr: "' + formatCpr(person.cpr) + '") { name { full } } }');
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
    const closing = citizen.close();
    const readyWhileDraining = await fetch(citizen.url.replace('/graphql', '/ready')).then(
      (r) => r.status,
      () => 'refused' as const,
    );
    expect([503, 'refused']).toContain(readyWhileDraining);
    const answered = await inFlight;
    expect(answered.body.errors).toBeUndefined();
    expect(answered.body.data?.citizen.name.full).toContain(person.familyName);
    await closing;
    await stack.close();
  });
});
