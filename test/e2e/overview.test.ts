/**
 * The citizen overview query, end to end: client → gateway → subgraphs → adapters → simulators,
 * over real HTTP and real SOAP, checked against the seeded world.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { expectedOverview } from '../support/expectedOverview';
import { noLatency, postGraphQL } from '../support/graphql';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ latencyMs: noLatency });
});
afterAll(() => stack.close());

describe('citizen overview through the gateway', () => {
  for (const code of ['0101', '0751', '0461']) {
    it(`answers correctly for a seeded citizen of municipality ${code}`, async () => {
      const person = sampleCitizens(stack.world).get(code)!;
      const { status, body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data?.citizen).toEqual(expectedOverview(stack.world, person));
    });
  }

  it('answers for citizens without family, cases or children too', async () => {
    const loner = [...stack.world.persons.values()].find(
      (p) => !p.spouseCpr && p.childCprs.length === 0 && !p.addressProtected && !stack.world.casesByParty.has(p.cpr),
    )!;
    const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(loner.cpr) });
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen).toEqual(expectedOverview(stack.world, loner));
  });

  it('withholds the address of a citizen with address protection, without asking DAR', async () => {
    const protectedPerson = [...stack.world.persons.values()].find((p) => p.addressProtected)!;
    for (const s of stack.allSimulators()) s.resetCalls();
    const { body } = await postGraphQL(
      stack.gateway.url,
      'query($cpr: CPR!) { citizen(cpr: $cpr) { addressProtected address { id text } residence { unit { id } } } }',
      { cpr: formatCpr(protectedPerson.cpr) },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen).toEqual({ addressProtected: true, address: null, residence: null });
    expect(stack.simulators.dar.calls).toHaveLength(0);
  });

  it('gives NOT_FOUND at the citizen path for an unknown CPR number, and keeps the number out of the message', async () => {
    const { status, body, text } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: '010101-0000' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ citizen: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({ path: ['citizen'], extensions: { code: 'NOT_FOUND' } });
    expect(text).not.toMatch(/0101010000|010101-0000/);
  });

  it.each([
    ['as a variable', CITIZEN_OVERVIEW_QUERY, { cpr: '12345' }, 'Variable "$cpr" (argument "cpr" of Query.citizen)'],
    ['as a literal', '{ citizen(cpr: "321399-1234") { cpr } }', undefined, 'Argument "cpr" of Query.citizen'],
    ['with a month 13', CITIZEN_OVERVIEW_QUERY, { cpr: '011399-1234' }, 'Variable "$cpr" (argument "cpr" of Query.citizen)'],
  ])('rejects a malformed CPR %s with a validation error naming the argument, before any legacy call', async (_how, query, variables, names) => {
    for (const s of stack.allSimulators()) s.resetCalls();
    const { status, body, text } = await postGraphQL(stack.gateway.url, query, variables);
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain(names);
    expect(body.errors?.[0]?.message).toContain('DDMMYY-SSSS');
    expect(text).not.toMatch(/12345|321399|011399/);
    expect(stack.allSimulators().flatMap((s) => s.calls)).toHaveLength(0);
  });

  it('answers the other systems\' data when the case index fails, with one typed error at cases', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    stack.simulators.caseIndex.setFault('fault');
    try {
      const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
      const expected = expectedOverview(stack.world, person);
      expect(body.data?.citizen).toEqual({ ...expected, cases: null });
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]).toMatchObject({ path: ['citizen', 'cases'], extensions: { code: 'LEGACY_FAULT', system: 'case-index' } });
    } finally {
      stack.simulators.caseIndex.setFault('none');
    }
  });

  it('keeps raw XML and CPR numbers out of the errors when CPR answers garbage', async () => {
    const person = sampleCitizens(stack.world).get('0751')!;
    stack.simulators.cpr.setFault('malformed');
    try {
      const { body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
      expect(body.errors?.length).toBeGreaterThan(0);
      for (const error of body.errors ?? []) {
        expect(error).toMatchObject({ extensions: { code: 'LEGACY_BAD_RESPONSE', system: 'cpr' } });
        expect(error.path?.[0]).toBe('citizen');
      }
      const errors = JSON.stringify(body.errors);
      expect(errors).not.toContain(person.cpr);
      expect(errors).not.toContain(formatCpr(person.cpr));
      expect(errors).not.toMatch(/<\w|Envelope|stack/i);
    } finally {
      stack.simulators.cpr.setFault('none');
    }
  });
});
