/**
 * Each legacy system down, slow past the deadline, answering faults, answering garbage: the
 * overview query comes back, not held by the failing system, with every other system's data
 * exactly as seeded and typed errors at the failing system's paths. Counted and switched at the
 * simulators.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { FaultMode, RunningSimulator } from '../../simulators/core/simulator';
import type { Person, World } from '../../simulators/data/world';
import { cprFailurePaths, expectErrorsExactlyAt, expectServedAsSeeded, expectedOverview, withoutCpr } from '../support/expectedOverview';
import { noLatency, postGraphQL, type GraphQLResponse } from '../support/graphql';

/**
 * Long beside the attempts (300 ms, one retry), so what ends a hung system's calls is their own
 * deadline, and the rest of the overview (the cases, the parties' names) still has time on a busy
 * machine: with 800 ms, a slow first fetch left the parties' names none (SUBGRAPH_TIMEOUT).
 */
const BUDGET_MS = 2_000;
/**
 * How long a request may take and still count as not held by the failing system: generous, so a
 * busy machine does not fail it, and still far short of a request that waits for a system that
 * never answers (it would wait out the test's timeout). How fast the answer comes is bench/'s to
 * measure; what shows which deadline cut the call is the outcome: the codes at exact paths.
 */
const notHeld = (budgetMs: number) => budgetMs + 2_000;
const CODES: Record<Exclude<FaultMode, 'none'>, string[]> = {
  down: ['LEGACY_UNAVAILABLE'],
  http500: ['LEGACY_UNAVAILABLE'],
  hang: ['LEGACY_TIMEOUT'],
  fault: ['LEGACY_FAULT'],
  malformed: ['LEGACY_BAD_RESPONSE'],
};
const DOCUMENT_KINDS_QUERY = 'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { number documents { id title date kind } } } }';

type GraphQLErrors = GraphQLResponse['body']['errors'];

let stack: LocalStack;
let person: Person;

beforeAll(async () => {
  stack = await startLocalStack({
    latencyMs: noLatency,
    gateway: { requestBudgetMs: BUDGET_MS },
    // One retry, short attempts; breakers effectively off here (breaker.test covers them).
    legacy: { timeoutMs: 300, resilience: { maxRetries: 1, initialBackoffMs: 5, breakerThreshold: 10_000 } },
  });
  person = sampleCitizens(stack.world).get('0751')!;
  seenRoads.add(roadOf(stack.world, person));
  seenBuildings.add(buildingOf(stack.world, person));
  await warmUp(stack, person);
});
afterEach(() => {
  for (const s of stack.allSimulators()) s.setFault('none');
});
afterAll(() => stack.close());

async function overviewWith(simulator: RunningSimulator, mode: FaultMode, who: Person = person, query = CITIZEN_OVERVIEW_QUERY) {
  simulator.setFault(mode);
  const started = performance.now();
  const response = await postGraphQL(stack.gateway.url, query, { cpr: formatCpr(who.cpr) });
  return { ...response, elapsedMs: performance.now() - started };
}

function expectTypedErrors(errors: GraphQLErrors, system: string, mode: Exclude<FaultMode, 'none'>, pathPrefix: string[]) {
  expect(errors?.length).toBeGreaterThan(0);
  for (const error of errors ?? []) {
    expect(error.extensions?.['system']).toBe(system);
    expect(CODES[mode]).toContain(error.extensions?.['code']);
    expect(error.path?.slice(0, pathPrefix.length)).toEqual(pathPrefix);
  }
}

/**
 * A stack's first overview loads both WSDLs and plans the query, which can take longer than this
 * file's budget; the deadlines shown here are those of legacy operations (a SOAP system
 * hanging before its WSDL was loaded: test/e2e/soapColdStart.test.ts). Then, with nothing
 * failing, the stack must answer as seeded: what "intact" below is measured against.
 */
async function warmUp(on: LocalStack, who: Person) {
  await postGraphQL(on.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(who.cpr) });
  await expectServedAsSeeded(on, who);
}

/** What the world says each of a citizen's documents is. */
function seededDocuments(world: World, who: Person) {
  return (world.casesByParty.get(who.cpr) ?? []).map((id) => {
    const c = world.cases.get(id)!;
    return { number: c.number, documents: c.documentIds.map((d) => world.documents.get(d)!) };
  });
}

const seenRoads = new Set<string>();
function roadOf(world: World, p: Person): string {
  const address = world.addresses.get(p.addressId)!;
  const access = world.accessAddresses.get(address.accessAddressId)!;
  return `${access.municipalityCode}|${access.streetCode}`;
}
const seenBuildings = new Set<string>();
function buildingOf(world: World, p: Person): string {
  const address = world.addresses.get(p.addressId)!;
  return world.accessAddresses.get(address.accessAddressId)!.buildingId;
}
/** A citizen on a road and in a building nobody asked for yet: DAR's and BBR's caches cannot hide a failure. */
function coldCitizen(where: (p: Person) => boolean): Person {
  const fresh = [...stack.world.persons.values()].find(
    (p) => !p.addressProtected && where(p) && !seenBuildings.has(buildingOf(stack.world, p)) && !seenRoads.has(roadOf(stack.world, p)),
  )!;
  seenBuildings.add(buildingOf(stack.world, fresh));
  seenRoads.add(roadOf(stack.world, fresh));
  return fresh;
}
const inOdense = (p: Person) => p.municipalityCode === '0461';
const elsewhereWithCases = (p: Person) => p.municipalityCode !== person.municipalityCode && (stack.world.casesByParty.get(p.cpr)?.length ?? 0) > 0;

const modes: Exclude<FaultMode, 'none'>[] = ['down', 'hang', 'fault', 'malformed', 'http500'];

describe.each(modes)('legacy system in %s mode', (mode) => {
  it('case index: cases are null with one error; person, family and address are intact', async () => {
    const { body, elapsedMs } = await overviewWith(stack.simulators.caseIndex, mode);
    expect(elapsedMs).toBeLessThan(notHeld(BUDGET_MS));
    expect(body.data?.citizen).toEqual({ ...expectedOverview(stack.world, person), cases: null });
    expect(body.errors).toHaveLength(1);
    expectTypedErrors(body.errors, 'case-index', mode, ['citizen', 'cases']);
    expect(body.errors?.[0]?.path).toEqual(['citizen', 'cases']);
  });

  it('CPR: the citizen\'s and the parties\' CPR fields are null with one typed error each; cases from the index are intact', async () => {
    const { body, elapsedMs } = await overviewWith(stack.simulators.cpr, mode);
    expect(elapsedMs).toBeLessThan(notHeld(BUDGET_MS));
    expect(body.data?.citizen).toEqual(withoutCpr(expectedOverview(stack.world, person)));
    expectTypedErrors(body.errors, 'cpr', mode, ['citizen']);
    expectErrorsExactlyAt(body.errors, 'cpr', CODES[mode][0]!, cprFailurePaths(stack.world, person));
  });

  it('BBR: the building is null with typed errors; the address text, family and cases are intact', async () => {
    const fresh = coldCitizen(inOdense);
    const { body, elapsedMs } = await overviewWith(stack.simulators.bbr, mode, fresh);
    expect(elapsedMs).toBeLessThan(notHeld(BUDGET_MS));
    const expected = expectedOverview(stack.world, fresh);
    expect(body.data?.citizen).toEqual({ ...expected, address: { ...expected.address, building: null } });
    expectTypedErrors(body.errors, 'bbr', mode, ['citizen', 'address', 'building']);
    expectErrorsExactlyAt(body.errors, 'bbr', CODES[mode][0]!, [['citizen', 'address', 'building']]);
  });

  it('DAR: the address is null with a typed error; person, family and cases are intact', async () => {
    const fresh = coldCitizen(elsewhereWithCases);
    const { body, elapsedMs } = await overviewWith(stack.simulators.dar, mode, fresh);
    expect(elapsedMs).toBeLessThan(notHeld(BUDGET_MS));
    expect(body.data?.citizen).toEqual({ ...expectedOverview(stack.world, fresh), address: null });
    expect(body.errors).toHaveLength(1);
    expectTypedErrors(body.errors, 'dar', mode, ['citizen', 'address']);
    expect(body.errors?.[0]?.path).toEqual(['citizen', 'address']);
  });

  it('ESDH: document details are null with typed errors; the index\'s titles and dates are intact', async () => {
    const { body, elapsedMs } = await overviewWith(stack.simulators.esdh.get(person.municipalityCode)!, mode, person, DOCUMENT_KINDS_QUERY);
    expect(elapsedMs).toBeLessThan(notHeld(BUDGET_MS));
    expect(body.data?.citizen.cases).toEqual(
      seededDocuments(stack.world, person).map((c) => ({ number: c.number, documents: c.documents.map((d) => ({ id: d.id, title: d.title, date: d.date, kind: null })) })),
    );
    expectTypedErrors(body.errors, 'esdh', mode, ['citizen', 'cases']);
  });
});

describe('after a malformed answer (XML from the SOAP systems, JSON from the REST ones)', () => {
  const systems: { system: string; simulator: () => RunningSimulator; citizen: () => Person; query?: string }[] = [
    { system: 'cpr', simulator: () => stack.simulators.cpr, citizen: () => person },
    { system: 'case-index', simulator: () => stack.simulators.caseIndex, citizen: () => person },
    { system: 'bbr', simulator: () => stack.simulators.bbr, citizen: () => coldCitizen(inOdense) },
    { system: 'dar', simulator: () => stack.simulators.dar, citizen: () => coldCitizen(elsewhereWithCases) },
    { system: 'esdh', simulator: () => stack.simulators.esdh.get(person.municipalityCode)!, citizen: () => person, query: DOCUMENT_KINDS_QUERY },
  ];

  it.each(systems.map((s) => [s.system, s] as const))('%s: every subgraph is still alive and serves the same overview in full once the system answers well again', async (system, s) => {
    const who = s.citizen();
    const { status, body } = await overviewWith(s.simulator(), 'malformed', who, s.query);
    // The garbage did reach an adapter, and was reported as garbage, not as a crash.
    expect(status).toBe(200);
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const error of body.errors ?? []) expect(error.extensions).toMatchObject({ system, code: 'LEGACY_BAD_RESPONSE' });
    s.simulator().setFault('none');
    await expectServedAsSeeded(stack, who);
    if (s.query) {
      const { body: again } = await postGraphQL(stack.gateway.url, s.query, { cpr: formatCpr(who.cpr) });
      expect(again.errors).toBeUndefined();
      expect(again.data?.citizen.cases).toEqual(seededDocuments(stack.world, who).map((c) => ({ number: c.number, documents: c.documents.map((d) => ({ id: d.id, title: d.title, date: d.date, kind: d.kind })) })));
    }
  });
});

describe('a SOAP system hanging when the request budget is shorter than the attempt timeout', () => {
  // Attempts may take 5 s, the request only 1.5 s: only the budget can cut the hung call. A
  // hung CPR holds Query.citizen until the citizen subgraph stops legacy work (150 ms before the
  // budget ends); the cases and the parties' names are fetched in what is left, so the budget is
  // long enough for those 150 ms to be the subgraph's margin rather than its clamp minimum.
  const ATTEMPT_TIMEOUT_MS = 5_000;
  const BUDGET_BOUND_MS = 1_500;
  // The bound must end before any attempt could have timed out, or it would not show that only
  // the budget ended the hung call.
  if (notHeld(BUDGET_BOUND_MS) >= ATTEMPT_TIMEOUT_MS) throw new Error('the bound must be shorter than an attempt');
  let budgetBound: LocalStack;
  let citizen: Person;
  beforeAll(async () => {
    budgetBound = await startLocalStack({
      latencyMs: noLatency,
      gateway: { requestBudgetMs: BUDGET_BOUND_MS },
      legacy: { timeoutMs: ATTEMPT_TIMEOUT_MS, resilience: { maxRetries: 2, initialBackoffMs: 5, breakerThreshold: 10_000 } },
    });
    citizen = sampleCitizens(budgetBound.world).get('0101')!;
    await warmUp(budgetBound, citizen);
  });
  afterEach(() => {
    for (const s of budgetBound.allSimulators()) s.setFault('none');
  });
  afterAll(() => budgetBound.close());

  async function hungOverview(simulator: RunningSimulator) {
    simulator.resetCalls();
    simulator.setFault('hang');
    const started = performance.now();
    const response = await postGraphQL(budgetBound.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(citizen.cpr) });
    return { ...response, elapsedMs: performance.now() - started };
  }

  it('CPR: the budget cuts the look-up, once tried; CPR fields are null with LEGACY_TIMEOUT, cases intact', async () => {
    const { body, elapsedMs } = await hungOverview(budgetBound.simulators.cpr);
    expect(elapsedMs).toBeLessThan(notHeld(BUDGET_BOUND_MS));
    expect(body.data?.citizen).toEqual(withoutCpr(expectedOverview(budgetBound.world, citizen)));
    // The parties' names are asked of the same hung CPR after the citizen's look-up gave up, in the
    // budget's last 150 ms. Either that fetch was made, and each name is LEGACY_TIMEOUT at its path,
    // or (a busy machine) the budget was spent first, the gateway did not ask, and says so once,
    // SUBGRAPH_TIMEOUT with no path: both are exact outcomes, and which one is the machine's doing.
    const spent = (body.errors ?? []).filter((e) => e.path === undefined);
    if (spent.length > 0) {
      expect(spent).toHaveLength(1);
      expect(spent[0]!.extensions).toMatchObject({ code: 'SUBGRAPH_TIMEOUT' });
      const ownPaths = cprFailurePaths(budgetBound.world, citizen).filter((path) => path[1] !== 'cases');
      expectErrorsExactlyAt(body.errors?.filter((e) => e.path !== undefined), 'cpr', 'LEGACY_TIMEOUT', ownPaths);
    } else {
      expectErrorsExactlyAt(body.errors, 'cpr', 'LEGACY_TIMEOUT', cprFailurePaths(budgetBound.world, citizen));
    }
    // No retry once the budget is spent.
    expect(budgetBound.simulators.cpr.callsTo('PersonLookup', citizen.cpr)).toHaveLength(1);
  });

  it('case index: the budget cuts the search, once tried; cases are null with LEGACY_TIMEOUT, person and address intact', async () => {
    const { body, elapsedMs } = await hungOverview(budgetBound.simulators.caseIndex);
    expect(elapsedMs).toBeLessThan(notHeld(BUDGET_BOUND_MS));
    expect(body.data?.citizen).toEqual({ ...expectedOverview(budgetBound.world, citizen), cases: null });
    expectErrorsExactlyAt(body.errors, 'case-index', 'LEGACY_TIMEOUT', [['citizen', 'cases']]);
    expect(budgetBound.simulators.caseIndex.callsTo('fremsoeg', `party:${citizen.cpr}`)).toHaveLength(1);
  });
});

describe('KLE failing before its subject plan was ever cached', () => {
  let fresh: LocalStack;
  beforeAll(async () => {
    fresh = await startLocalStack({ latencyMs: noLatency, gateway: { requestBudgetMs: BUDGET_MS }, legacy: { timeoutMs: 300, resilience: { maxRetries: 1, initialBackoffMs: 5, breakerThreshold: 10_000 } } });
  });
  afterAll(() => fresh.close());

  it.each(modes)('in %s mode: classification titles come from the case index, marked stale, without errors', async (mode) => {
    const citizen = sampleCitizens(fresh.world).get('0101')!;
    fresh.simulators.kle.setFault(mode);
    try {
      const started = performance.now();
      const { body } = await postGraphQL(fresh.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(citizen.cpr) });
      expect(performance.now() - started).toBeLessThan(notHeld(BUDGET_MS));
      expect(body.errors).toBeUndefined();
      const cases = body.data?.citizen.cases as { id: string; classification: { number: string; title: string } }[];
      for (const c of cases) expect(c.classification.title).toBe(fresh.world.cases.get(c.id)!.kle.title);
      expect((body as { extensions?: { stale?: string[] } }).extensions?.stale).toEqual(['kle']);
    } finally {
      fresh.simulators.kle.setFault('none');
    }
  });
});
