/**
 * A caseworker sees their own municipality's cases only: asking for another municipality's case,
 * by id, through a citizen, or under an alias, gives NOT_FOUND or nothing, never data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startAuthedStack();
  for (const code of ['0101', '0751']) tokens[code] = await stack.devIdentity.mint({ role: 'caseworker', municipality: code, purpose: 'P-1' });
});
afterAll(() => stack?.close());

const ask = (code: string, query: string, variables: Record<string, unknown>) =>
  postGraphQL(stack.gateway.url, query, variables, { authorization: `Bearer ${tokens[code]}` });

describe('tenancy of cases', () => {
  it('a caseworker of 0751 gets the case of an Aarhus citizen; one of 0101 gets NOT_FOUND for it', async () => {
    const aarhus = sampleCitizens(stack.world).get('0751')!;
    const caseId = stack.world.casesByParty.get(aarhus.cpr)![0]!;
    const query = 'query($id: ID!) { case(id: $id) { number title parties { citizen { cpr } } } }';
    const own = await ask('0751', query, { id: caseId });
    expect(own.body.data?.case.number).toBe(stack.world.cases.get(caseId)!.number);
    const foreign = await ask('0101', query, { id: caseId });
    expect(foreign.body.data).toEqual({ case: null });
    expect(foreign.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(foreign.text).not.toContain(stack.world.cases.get(caseId)!.number);
  });

  it('lists an Aarhus citizen\'s cases to Aarhus, and none to København, also under aliases', async () => {
    const aarhus = sampleCitizens(stack.world).get('0751')!;
    const query = 'query($cpr: CPR!) { a: citizen(cpr: $cpr) { cases { id } } b: citizen(cpr: $cpr) { x: cases { number } } }';
    const own = await ask('0751', query, { cpr: formatCpr(aarhus.cpr) });
    expect(own.body.data?.a.cases).toHaveLength(stack.world.casesByParty.get(aarhus.cpr)!.length);
    const foreign = await ask('0101', query, { cpr: formatCpr(aarhus.cpr) });
    expect(foreign.body.data?.a.cases).toEqual([]);
    expect(foreign.body.data?.b.x).toEqual([]);
  });
});
