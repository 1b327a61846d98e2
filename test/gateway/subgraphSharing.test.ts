/**
 * Identical subgraph reads in flight for identical decisions share one fetch; each caller still
 * gets its own answer and its own access record; callers whose decisions differ never share; and
 * SHARE_SUBGRAPH_FETCHES=false turns it off. Through the real stack: gateway, subgraphs, simulators.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash } from '../../audit';
import { loadGatewayConfig } from '../../gateway/config';
import { sharingKey, type SharingDecision } from '../../gateway/subgraphDedup';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { noLatency, postGraphQL } from '../support/graphql';

const QUERY = 'query Overview($cpr: CPR!) { citizen(cpr: $cpr) { name { full } cases { number } } }';
const decision: SharingDecision = { actor: 'kw-1', role: 'caseworker', scopes: [], tenant: '0101', purpose: 'P-1', personal: true, development: false };

describe('the sharing key', () => {
  it('is one for one decision, scopes in any order, and another for any difference a subgraph answers differently for', () => {
    const key = sharingKey('query { x }', null, decision);
    expect(key).toBeDefined();
    expect(sharingKey('query { x }', null, { ...decision, scopes: [] })).toBe(key);
    expect(sharingKey('{ x }', null, { ...decision, scopes: ['b', 'a'] })).toBe(sharingKey('{ x }', null, { ...decision, scopes: ['a', 'b'] }));
    for (const other of [{ actor: 'kw-2' }, { role: 'service' }, { scopes: ['cases:read'] }, { tenant: '0751' }, { purpose: 'P-2' }, { personal: false }, { development: true }]) {
      expect(sharingKey('query { x }', null, { ...decision, ...other })).not.toBe(key);
    }
  });

  it('is none for a write', () => {
    expect(sharingKey('mutation { openCase }', null, decision)).toBeUndefined();
    expect(sharingKey('query { x }', 'intent-1', decision)).toBeUndefined();
  });

  it('is on by default, and SHARE_SUBGRAPH_FETCHES=false turns it off; anything else is refused', () => {
    expect(loadGatewayConfig({}).shareSubgraphFetches).toBe(true);
    expect(loadGatewayConfig({ SHARE_SUBGRAPH_FETCHES: 'false' }).shareSubgraphFetches).toBe(false);
    expect(() => loadGatewayConfig({ SHARE_SUBGRAPH_FETCHES: 'yes' })).toThrow(/must be true or false \(SHARE_SUBGRAPH_FETCHES\)/);
  });
});

for (const share of [true, false]) {
  describe(`concurrent identical overviews, sharing ${share ? 'on' : 'off'}`, () => {
    let stack: AuthedStack;
    const subjectKey = randomBytes(32);
    beforeAll(async () => {
      // CPR slow enough that the requests are in flight together.
      stack = await startAuthedStack({ audit: { subjectKey }, latencyMs: { ...noLatency, cpr: 150 }, gateway: { shareSubgraphFetches: share } });
    });
    afterAll(() => stack?.close());

    it(share ? 'share the citizen fetch, and each request has its own record' : 'each make their own fetch', async () => {
      const person = sampleCitizens(stack.world).get('0101')!;
      const token = stack.bearer(await stack.mint.caseworker('0101', { purpose: 'P-27' }));
      const cpr = stack.simulators.cpr;
      cpr.resetCalls();
      const answers = await Promise.all(Array.from({ length: 8 }, () => postGraphQL(stack.gateway.url, QUERY, { cpr: formatCpr(person.cpr) }, token)));
      for (const a of answers) {
        expect(a.body.errors).toBeUndefined();
        expect(a.body.data).toEqual(answers[0]!.body.data);
      }
      const lookups = cpr.calls.filter((c) => c.operation === 'PersonLookup').length;
      if (share) expect(lookups).toBe(1);
      else expect(lookups).toBe(8);
      const requestIds = answers.map((a) => a.headers.get('x-request-id'));
      const records = (await stack.trail!.find({ subject: subjectHash(subjectKey, person.cpr) })).filter((r) => requestIds.includes(r.requestId));
      expect(new Set(records.map((r) => r.requestId)).size).toBe(8);
      for (const r of records) expect(r).toMatchObject({ outcome: 'ok', fields: expect.arrayContaining(['Citizen.name', 'Citizen.cases']), systems: expect.arrayContaining(['cpr', 'case-index']) });
    });

    if (share) {
      it('never shares between callers whose decisions differ: two municipalities, two purposes', async () => {
        const person = sampleCitizens(stack.world).get('0101')!;
        const callers = await Promise.all([
          stack.mint.caseworker('0101', { purpose: 'P-27' }),
          stack.mint.caseworker('0751', { purpose: 'P-27' }),
          stack.mint.caseworker('0101', { purpose: 'P-32' }),
        ]);
        stack.simulators.cpr.resetCalls();
        const answers = await Promise.all(callers.map((t) => postGraphQL(stack.gateway.url, QUERY, { cpr: formatCpr(person.cpr) }, stack.bearer(t))));
        expect(stack.simulators.cpr.calls.filter((c) => c.operation === 'PersonLookup')).toHaveLength(3);
        // Aarhus sees none of København's cases of this citizen; København sees its own.
        const own = (stack.world.casesByParty.get(person.cpr) ?? []).map((id) => stack.world.cases.get(id)!);
        const numbers = (i: number) => answers[i]!.body.data!.citizen.cases.map((c: { number: string }) => c.number).sort();
        expect(numbers(0)).toEqual(own.filter((c) => c.municipalityCode === '0101').map((c) => c.number).sort());
        expect(numbers(1)).toEqual(own.filter((c) => c.municipalityCode === '0751').map((c) => c.number).sort());
      });
    }
  });
}
