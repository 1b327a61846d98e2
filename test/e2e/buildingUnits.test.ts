/**
 * A building's units are asked of BBR beside the building, not after it: DAR names the building
 * (adgangTilBygning), so both calls can go as soon as DAR has answered. Seen at the BBR simulator
 * with a latency far longer than anything else in the request: side by side, the two calls arrive
 * together; one after the other, a whole latency apart. No call is added: a query that does not
 * ask for units makes no units call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { noLatency, postGraphQL } from '../support/graphql';

const BBR_LATENCY_MS = 400;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ latencyMs: { ...noLatency, bbr: BBR_LATENCY_MS } });
});
afterAll(() => stack.close());

/** A person whose building no test here has asked about yet (BBR's answers are cached). */
const people = () => [...stack.world.persons.values()].filter((p) => !p.addressProtected);

describe('BBR units beside the building', () => {
  it('are asked together with the building for the citizen overview\'s shape', async () => {
    const person = people()[0]!;
    stack.simulators.bbr.resetCalls();
    const { body } = await postGraphQL(stack.gateway.url, 'query($cpr: CPR!) { citizen(cpr: $cpr) { address { building { id units { id area } } } } }', { cpr: formatCpr(person.cpr) });
    expect(body.errors).toBeUndefined();
    const calls = stack.simulators.bbr.calls;
    expect(calls.map((c) => c.operation).sort()).toEqual(['bygning', 'enhed']);
    const [first, second] = calls.map((c) => c.arrivedAt).sort((a, b) => a - b) as [number, number];
    expect(second - first).toBeLessThan(BBR_LATENCY_MS / 2);
  });

  it('are asked together with the building reached from an address', async () => {
    const person = people()[40]!;
    stack.simulators.bbr.resetCalls();
    const { body } = await postGraphQL(stack.gateway.url, 'query($id: ID!) { address(id: $id) { building { ... on Building { units { id } } } } }', { id: person.addressId });
    expect(body.errors).toBeUndefined();
    const arrivals = stack.simulators.bbr.calls.map((c) => c.arrivedAt).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeLessThan(BBR_LATENCY_MS / 2);
  });

  it('are not asked at all when the query does not ask for them', async () => {
    const person = people()[80]!;
    stack.simulators.bbr.resetCalls();
    const { body } = await postGraphQL(stack.gateway.url, 'query($cpr: CPR!) { citizen(cpr: $cpr) { address { building { id yearBuilt } } } }', { cpr: formatCpr(person.cpr) });
    expect(body.errors).toBeUndefined();
    expect(stack.simulators.bbr.calls.map((c) => c.operation)).toEqual(['bygning']);
  });
});
