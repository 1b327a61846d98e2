/**
 * Call economy, counted at the simulators: within one client request each distinct
 * (system, key) is fetched once; a second request takes BBR, DAR and KLE from cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { noLatency, postGraphQL } from '../support/graphql';

let stack: LocalStack;
let citizen: Person;

beforeAll(async () => {
  stack = await startLocalStack({ latencyMs: noLatency });
  // A citizen with at least ten cases whose parties repeat (spouse and children on several cases).
  citizen = [...stack.world.persons.values()].find((p) => {
    const cases = (stack.world.casesByParty.get(p.cpr) ?? []).map((id) => stack.world.cases.get(id)!);
    const partyMentions = cases.flatMap((c) => c.parties.map((x) => x.cpr));
    return !p.addressProtected && cases.length >= 10 && new Set(partyMentions).size < partyMentions.length - cases.length;
  })!;
});
afterAll(() => stack.close());

/** Data calls: the WSDL fetch a SOAP client makes once per process is not one. */
const keysOf = (calls: { operation: string; key: string }[]) => calls.filter((c) => c.operation !== 'wsdl').map((c) => `${c.operation} ${c.key}`);
const dataCalls = <T extends { operation: string }>(calls: T[]) => calls.filter((c) => c.operation !== 'wsdl');

describe('call economy of the overview query', () => {
  it('fetches each distinct (system, key) once per request, however often the graph mentions it', async () => {
    for (const s of stack.allSimulators()) s.resetCalls();
    const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(citizen.cpr) });
    expect(body.errors).toBeUndefined();
    const cases = body.data?.citizen.cases as { parties: { citizen: { cpr: string } }[] }[];
    expect(cases.length).toBeGreaterThanOrEqual(10);

    for (const simulator of stack.allSimulators()) {
      const keys = keysOf(simulator.calls);
      expect(keys, simulator.name).toEqual([...new Set(keys)]);
    }
    // CPR: the citizen, spouse, children and every case party, each once.
    const distinctPeople = new Set([
      citizen.cpr,
      ...(citizen.spouseCpr ? [citizen.spouseCpr] : []),
      ...citizen.childCprs,
      ...cases.flatMap((c) => c.parties.map((p) => p.citizen.cpr.replace('-', ''))),
    ]);
    expect(new Set(dataCalls(stack.simulators.cpr.calls).map((c) => c.key))).toEqual(distinctPeople);
    expect(dataCalls(stack.simulators.cpr.calls)).toHaveLength(distinctPeople.size);
    expect(stack.simulators.cpr.callsTo('wsdl').length).toBeLessThanOrEqual(1);
    expect(keysOf(stack.simulators.caseIndex.calls)).toEqual([`fremsoeg party:${citizen.cpr}`]);
    expect(stack.simulators.dar.calls).toHaveLength(1);
    expect(stack.simulators.bbr.calls.map((c) => c.operation).sort()).toEqual(['bygning', 'enhed']);
    expect(stack.simulators.kle.calls).toHaveLength(1);
    // The overview asks nothing the index cannot answer, so no ESDH is called.
    for (const esdh of stack.simulators.esdh.values()) expect(esdh.calls).toHaveLength(0);
  });

  it('serves BBR, DAR and KLE from cache on the second request, and asks CPR and the index again', async () => {
    for (const s of stack.allSimulators()) s.resetCalls();
    const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(citizen.cpr) });
    expect(body.errors).toBeUndefined();
    expect(stack.simulators.bbr.calls).toHaveLength(0);
    expect(stack.simulators.dar.calls).toHaveLength(0);
    expect(stack.simulators.kle.calls).toHaveLength(0);
    expect(dataCalls(stack.simulators.cpr.calls).length).toBeGreaterThan(0);
    expect(stack.simulators.caseIndex.calls).toHaveLength(1);
    expect(stack.simulators.cpr.callsTo('wsdl')).toHaveLength(0);
  });

  it('fetches all documents of a case from its ESDH in one call when document details are asked for', async () => {
    for (const s of stack.allSimulators()) s.resetCalls();
    const { body } = await postGraphQL(
      stack.gateway.url,
      'query($cpr: CPR!) { citizen(cpr: $cpr) { cases { number municipalityCode documents { id kind format } } } }',
      { cpr: formatCpr(citizen.cpr) },
    );
    expect(body.errors).toBeUndefined();
    const cases = body.data?.citizen.cases as { number: string; documents: { kind: string }[] }[];
    const esdh = stack.simulators.esdh.get(citizen.municipalityCode)!;
    expect(new Set(keysOf(esdh.calls))).toEqual(new Set(cases.map((c) => `dokumenter ${c.number}`)));
    expect(esdh.calls).toHaveLength(cases.length);
    const kinds = cases.flatMap((c) => c.documents.map((d) => d.kind));
    expect(kinds.every((k) => ['INCOMING', 'OUTGOING', 'NOTE'].includes(k))).toBe(true);
  });
});
