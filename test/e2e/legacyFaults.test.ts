/**
 * Each legacy system down, slow past the deadline, answering faults, answering garbage: the
 * overview query comes back within the request budget + 10%, with every other system's data
 * intact and typed errors at the failing system's paths. Counted and switched at the simulators.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { FaultMode, RunningSimulator } from '../../simulators/core/simulator';
import type { Person } from '../../simulators/data/world';
import { noLatency, postGraphQL } from '../support/graphql';

const BUDGET_MS = 800;
const CODES: Record<Exclude<FaultMode, 'none'>, string[]> = {
  down: ['LEGACY_UNAVAILABLE'],
  http500: ['LEGACY_UNAVAILABLE'],
  hang: ['LEGACY_TIMEOUT'],
  fault: ['LEGACY_FAULT'],
  malformed: ['LEGACY_BAD_RESPONSE'],
};

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
  seenRoads.add(roadOf(person));
  seenBuildings.add(buildingOf(person));
});
afterEach(() => {
  for (const s of stack.allSimulators()) s.setFault('none');
});
afterAll(() => stack.close());

async function overviewWith(simulator: RunningSimulator, mode: FaultMode) {
  simulator.setFault(mode);
  const started = performance.now();
  const response = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
  return { ...response, elapsedMs: performance.now() - started };
}

function expectTypedErrors(errors: { path?: unknown[]; extensions?: Record<string, unknown> }[] | undefined, system: string, mode: Exclude<FaultMode, 'none'>, pathPrefix: string[]) {
  expect(errors?.length).toBeGreaterThan(0);
  for (const error of errors ?? []) {
    expect(error.extensions?.['system']).toBe(system);
    expect(CODES[mode]).toContain(error.extensions?.['code']);
    expect(error.path?.slice(0, pathPrefix.length)).toEqual(pathPrefix);
  }
}

const modes: Exclude<FaultMode, 'none'>[] = ['down', 'hang', 'fault', 'malformed', 'http500'];

describe.each(modes)('legacy system in %s mode', (mode) => {
  it('case index: cases are null with one error; person, family and address are intact', async () => {
    const { body, elapsedMs } = await overviewWith(stack.simulators.caseIndex, mode);
    expect(elapsedMs).toBeLessThan(BUDGET_MS * 1.1);
    const citizen = body.data?.citizen;
    expect(citizen.cases).toBeNull();
    expect(citizen.name.full).toContain(person.familyName);
    expect(citizen.address.building.units.length).toBeGreaterThan(0);
    expect(body.errors).toHaveLength(1);
    expectTypedErrors(body.errors, 'case-index', mode, ['citizen', 'cases']);
  });

  it('CPR: the citizen\'s CPR fields are null with typed errors; cases from the index are intact', async () => {
    const { body, elapsedMs } = await overviewWith(stack.simulators.cpr, mode);
    expect(elapsedMs).toBeLessThan(BUDGET_MS * 1.1);
    const citizen = body.data?.citizen;
    expect(citizen.cpr).toBe(formatCpr(person.cpr));
    expect(citizen.name).toBeNull();
    expect(citizen.cases.map((c: { id: string }) => c.id).sort()).toEqual([...stack.world.casesByParty.get(person.cpr)!].sort());
    expectTypedErrors(body.errors, 'cpr', mode, ['citizen']);
  });

  it('BBR: the building is null with typed errors; the address text, family and cases are intact', async () => {
    // A citizen in a building nobody asked for yet: BBR's cache cannot hide the failure.
    const fresh = [...stack.world.persons.values()].find((p) => !p.addressProtected && p.municipalityCode === '0461' && !seenBuildings.has(buildingOf(p)) && !seenRoads.has(roadOf(p)))!;
    seenBuildings.add(buildingOf(fresh));
    seenRoads.add(roadOf(fresh));
    stack.simulators.bbr.setFault(mode);
    const started = performance.now();
    const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(fresh.cpr) });
    expect(performance.now() - started).toBeLessThan(BUDGET_MS * 1.1);
    const citizen = body.data?.citizen;
    expect(citizen.address.text).toBe(stack.world.addresses.get(fresh.addressId)!.text);
    expect(citizen.address.building).toBeNull();
    expectTypedErrors(body.errors, 'bbr', mode, ['citizen', 'address', 'building']);
  });

  it('DAR: the address is null with a typed error; person, family and cases are intact', async () => {
    // A citizen on a road nobody asked for yet: DAR's cache cannot hide the failure.
    const fresh = [...stack.world.persons.values()].find(
      (p) => !p.addressProtected && p.municipalityCode !== person.municipalityCode && !seenRoads.has(roadOf(p)) && (stack.world.casesByParty.get(p.cpr)?.length ?? 0) > 0,
    )!;
    seenRoads.add(roadOf(fresh));
    seenBuildings.add(buildingOf(fresh));
    stack.simulators.dar.setFault(mode);
    const started = performance.now();
    const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(fresh.cpr) });
    expect(performance.now() - started).toBeLessThan(BUDGET_MS * 1.1);
    const citizen = body.data?.citizen;
    expect(citizen.address).toBeNull();
    expect(citizen.name.family).toBe(fresh.familyName);
    expect(citizen.cases.length).toBe(stack.world.casesByParty.get(fresh.cpr)!.length);
    expect(body.errors).toHaveLength(1);
    expectTypedErrors(body.errors, 'dar', mode, ['citizen', 'address']);
  });

  it('ESDH: document details are null with typed errors; the index\'s titles and dates are intact', async () => {
    const esdh = stack.simulators.esdh.get(person.municipalityCode)!;
    esdh.setFault(mode);
    const started = performance.now();
    const { body } = await postGraphQL(
      stack.gateway.url,
      'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { number documents { id title date kind } } } }',
      { cpr: formatCpr(person.cpr) },
    );
    expect(performance.now() - started).toBeLessThan(BUDGET_MS * 1.1);
    const documents = (body.data?.citizen.cases as { documents: { title: string; date: string; kind: string | null }[] }[]).flatMap((c) => c.documents);
    expect(documents.length).toBeGreaterThan(0);
    for (const d of documents) {
      expect(d.title).toBeTruthy();
      expect(d.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(d.kind).toBeNull();
    }
    expectTypedErrors(body.errors, 'esdh', mode, ['citizen', 'cases']);
  });
});

const seenRoads = new Set<string>();
function roadOf(p: Person): string {
  const address = stack.world.addresses.get(p.addressId)!;
  const access = stack.world.accessAddresses.get(address.accessAddressId)!;
  return `${access.municipalityCode}|${access.streetCode}`;
}
const seenBuildings = new Set<string>();
function buildingOf(p: Person): string {
  const address = stack.world.addresses.get(p.addressId)!;
  return stack.world.accessAddresses.get(address.accessAddressId)!.buildingId;
}

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
      expect(performance.now() - started).toBeLessThan(BUDGET_MS * 1.1);
      expect(body.errors).toBeUndefined();
      const cases = body.data?.citizen.cases as { id: string; classification: { number: string; title: string } }[];
      for (const c of cases) expect(c.classification.title).toBe(fresh.world.cases.get(c.id)!.kle.title);
      expect((body as { extensions?: { stale?: string[] } }).extensions?.stale).toEqual(['kle']);
    } finally {
      fresh.simulators.kle.setFault('none');
    }
  });
});
