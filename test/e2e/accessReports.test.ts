/**
 * Subgraphs report which personal data they touched, per data subject; the gateway consolidates
 * the reports for each request before the response leaves, and no client ever sees them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestAccess } from '../../gateway/server';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { noLatency, postGraphQL } from '../support/graphql';

let stack: LocalStack;
const reports: RequestAccess[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ latencyMs: noLatency, onAccess: async (access) => void reports.push(access) });
});
afterAll(() => stack.close());

describe('access reports', () => {
  it('name every subject the overview touched, with the fields read and the systems asked', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    reports.length = 0;
    const { body, text } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) }, {});
    expect(body.errors).toBeUndefined();
    expect(reports).toHaveLength(1);
    const subjects = reports[0]!.subjects;
    const family = [person.spouseCpr!, ...person.childCprs];
    const parties = new Set(stack.world.casesByParty.get(person.cpr)!.flatMap((id) => stack.world.cases.get(id)!.parties.map((p) => p.cpr)));
    expect(new Set(subjects.keys())).toEqual(new Set([person.cpr, ...family, ...parties]));
    // The citizen is a party to each of their cases: what is read of a case is read of them too.
    expect([...subjects.get(person.cpr)!.fields].sort()).toEqual([
      'Case.classification', 'Case.documents', 'Case.number', 'Case.parties', 'Case.status', 'Case.title',
      'Citizen.address', 'Citizen.birthDate', 'Citizen.cases', 'Citizen.name', 'Citizen.relations',
      'Document.date', 'Document.title', 'Query.citizen',
    ]);
    expect([...subjects.get(person.cpr)!.systems].sort()).toEqual(['case-index', 'cpr', 'dar']);
    for (const member of family) expect(subjects.get(member)!.fields.has('Citizen.name')).toBe(true);
    expect(reports[0]!.operationName).toBe('CitizenOverview');
    expect(text).not.toContain('legacyAccess');
    expect(body).not.toHaveProperty('extensions');
  });

  it('report nothing for public registry data', async () => {
    reports.length = 0;
    const address = [...stack.world.addresses.values()][0]!;
    await postGraphQL(stack.gateway.url, 'query($id: ID!) { address(id: $id) { text building { yearBuilt } } }', { id: address.id });
    expect(reports).toHaveLength(0);
  });
});
