/**
 * A SOAP system that hangs before its subgraph ever loaded its WSDL: a stack started while CPR
 * or the case index was down, which then hangs. The WSDL load is part of the first attempt
 * (docs/design-notes.md, "Resilience: where each piece lives"), so the deadline must cut it as it
 * cuts a hung operation, and once the system answers again it must be served again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { cprFailurePaths, expectErrorsExactlyAt, expectServedAsSeeded, expectedOverview, withoutCpr } from '../support/expectedOverview';
import { noLatency, postGraphQL } from '../support/graphql';

const BUDGET_MS = 800;

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function startStack(): Promise<LocalStack> {
  stack = await startLocalStack({
    latencyMs: noLatency,
    gateway: { requestBudgetMs: BUDGET_MS },
    legacy: { timeoutMs: 300, resilience: { maxRetries: 1, initialBackoffMs: 5, breakerThreshold: 10_000 } },
  });
  return stack;
}

/**
 * Warms everything but the system's WSDL (query planning, every subgraph's first request, the
 * other systems' clients) with one overview while the system is down: its WSDL cannot be loaded,
 * so the hang measured next is the cold WSDL load's alone.
 */
async function warmWhileDown(on: LocalStack, simulator: RunningSimulator, cpr: string) {
  simulator.setFault('down');
  const { status } = await postGraphQL(on.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(cpr) });
  expect(status).toBe(200);
  expect(simulator.callsTo('wsdl')).toHaveLength(0);
}

async function hungOverview(on: LocalStack, simulator: RunningSimulator, cpr: string) {
  simulator.setFault('hang');
  const started = performance.now();
  const response = await postGraphQL(on.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(cpr) });
  return { ...response, elapsedMs: performance.now() - started };
}

describe('a SOAP system hanging before its WSDL was ever loaded', () => {
  it('CPR: CPR fields are null with LEGACY_TIMEOUT within the deadline + 10%, and CPR is served again once it answers', async () => {
    const on = await startStack();
    const person = sampleCitizens(on.world).get('0751')!;
    await warmWhileDown(on, on.simulators.cpr, person.cpr);
    const { body, elapsedMs } = await hungOverview(on, on.simulators.cpr, person.cpr);
    expect(elapsedMs).toBeLessThan(BUDGET_MS * 1.1);
    expect(body.data?.citizen).toEqual(withoutCpr(expectedOverview(on.world, person)));
    expectErrorsExactlyAt(body.errors, 'cpr', 'LEGACY_TIMEOUT', cprFailurePaths(on.world, person));
    on.simulators.cpr.setFault('none');
    await expectServedAsSeeded(on, person);
  });

  it('case index: cases are null with LEGACY_TIMEOUT within the deadline + 10%, and cases are served again once it answers', async () => {
    const on = await startStack();
    const person = sampleCitizens(on.world).get('0751')!;
    await warmWhileDown(on, on.simulators.caseIndex, person.cpr);
    const { body, elapsedMs } = await hungOverview(on, on.simulators.caseIndex, person.cpr);
    expect(elapsedMs).toBeLessThan(BUDGET_MS * 1.1);
    expect(body.data?.citizen).toEqual({ ...expectedOverview(on.world, person), cases: null });
    expectErrorsExactlyAt(body.errors, 'case-index', 'LEGACY_TIMEOUT', [['citizen', 'cases']]);
    on.simulators.caseIndex.setFault('none');
    await expectServedAsSeeded(on, person);
  });
});
