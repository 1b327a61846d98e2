/**
 * Failing paths log what operators need, and never a CPR number, raw XML or a stack trace:
 * everything the gateway, subgraphs and adapters print is captured while a seeded CPR number is
 * driven through every failure we can provoke.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { FaultMode } from '../../simulators/core/simulator';
import { noLatency, postGraphQL } from '../support/graphql';

let stack: LocalStack;
const printed: string[] = [];

beforeAll(async () => {
  for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.map((a) => (a instanceof Error ? `${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
  }
  stack = await startLocalStack({ latencyMs: noLatency, legacy: { timeoutMs: 200, resilience: { maxRetries: 0 } }, gateway: { requestBudgetMs: 600 } });
});
afterAll(async () => {
  await stack.close();
  vi.restoreAllMocks();
});

describe('logs on failing paths', () => {
  it('carry no CPR number, no XML and no stack trace', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const variables = { cpr: formatCpr(person.cpr) };
    const modes: FaultMode[] = ['malformed', 'fault', 'http500', 'hang', 'down'];
    for (const simulator of stack.allSimulators()) {
      for (const mode of modes) {
        simulator.setFault(mode);
        await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, variables);
        simulator.setFault('none');
      }
    }
    await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: `${person.cpr.slice(0, 6)}-99999` });
    await postGraphQL(stack.gateway.url, `{ citizen(cpr: "${formatCpr(person.cpr)}") { \u0000 } }`);
    await stack.subgraphs.find((s) => s.name === 'case')!.close();
    await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, variables);

    const all = printed.join('\n');
    expect(all).toContain('SUBGRAPH_UNAVAILABLE'); // the subgraph that is down is reported
    expect(all).toMatch(/circuit breaker for \w[\w-]* is open/); // and so are breakers opening
    expect(all).not.toContain(person.cpr);
    expect(all).not.toContain(formatCpr(person.cpr));
    expect(all).not.toContain(person.cpr.slice(0, 6));
    expect(all).not.toMatch(/<\w+:Envelope|<soap|<\?xml/);
    expect(all).not.toMatch(/\n\s+at [\w$.<>]+ \(/);
  });
});
