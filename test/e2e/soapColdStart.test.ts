/**
 * A SOAP system that hangs before its subgraph ever loaded its WSDL: a stack started while CPR
 * or the case index was down, which then hangs. The WSDL load is part of the first attempt
 * (docs/design-notes.md, "Resilience: where each piece lives"), so the deadline must cut it as it
 * cuts a hung operation, and once the system answers again it must be served again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { cprFailurePaths, expectErrorsExactlyAt, expectServedAsSeeded, expectedOverview, withoutCpr } from '../support/expectedOverview';
import { noLatency, postGraphQL } from '../support/graphql';

/**
 * Long beside the attempts (300 ms, one retry), so what ends a hung system's calls is their own
 * deadline, and the rest of the overview (the cases, the parties' names) still has time on a busy
 * machine: with 800 ms, a slow first fetch left the parties' names none (SUBGRAPH_TIMEOUT).
 */
const BUDGET_MS = 2_000;
/**
 * How long a request may take here and still count as not held by the hang: generous, so a busy
 * machine does not fail it, and still far short of a request that waits for a system that never
 * answers (it would wait out the test's timeout). How fast the answer comes is bench/'s to
 * measure; what shows the deadline cut the call is the outcome, LEGACY_TIMEOUT at exact paths.
 */
const NOT_HELD_MS = BUDGET_MS + 2_000;

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

/** The cold WSDL load reached the system (waited for: it may arrive after the answer). */
async function expectWsdlAsked(simulator: RunningSimulator) {
  await vi.waitFor(() => expect(simulator.callsTo('wsdl').length).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
}

async function hungOverview(on: LocalStack, simulator: RunningSimulator, cpr: string) {
  simulator.setFault('hang');
  const started = performance.now();
  const response = await postGraphQL(on.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(cpr) });
  return { ...response, elapsedMs: performance.now() - started };
}

describe('a SOAP system hanging before its WSDL was ever loaded', () => {
  it('CPR: CPR fields are null with LEGACY_TIMEOUT, the request not held by the hang, and CPR is served again once it answers', async () => {
    const on = await startStack();
    const person = sampleCitizens(on.world).get('0751')!;
    await warmWhileDown(on, on.simulators.cpr, person.cpr);
    const { body, elapsedMs } = await hungOverview(on, on.simulators.cpr, person.cpr);
    expect(elapsedMs).toBeLessThan(NOT_HELD_MS);
    // What hung was the WSDL load: it was asked for, and never answered. On a busy machine the
    // request can reach the simulator after the attempt's deadline has already answered the client.
    await expectWsdlAsked(on.simulators.cpr);
    expect(body.data?.citizen).toEqual(withoutCpr(expectedOverview(on.world, person)));
    expectErrorsExactlyAt(body.errors, 'cpr', 'LEGACY_TIMEOUT', cprFailurePaths(on.world, person));
    on.simulators.cpr.setFault('none');
    await expectServedAsSeeded(on, person);
  });

  it('case index: cases are null with LEGACY_TIMEOUT, the request not held by the hang, and cases are served again once it answers', async () => {
    const on = await startStack();
    const person = sampleCitizens(on.world).get('0751')!;
    await warmWhileDown(on, on.simulators.caseIndex, person.cpr);
    const { body, elapsedMs } = await hungOverview(on, on.simulators.caseIndex, person.cpr);
    expect(elapsedMs).toBeLessThan(NOT_HELD_MS);
    await expectWsdlAsked(on.simulators.caseIndex);
    expect(body.data?.citizen).toEqual({ ...expectedOverview(on.world, person), cases: null });
    expectErrorsExactlyAt(body.errors, 'case-index', 'LEGACY_TIMEOUT', [['citizen', 'cases']]);
    on.simulators.caseIndex.setFault('none');
    await expectServedAsSeeded(on, person);
  });
});
