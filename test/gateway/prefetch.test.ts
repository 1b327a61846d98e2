/**
 * Entity fetches made early (gateway/prefetch.ts): which fetches of a plan can go before the plan
 * reaches them, planned by @apollo/query-planner on the project's own supergraph, and that an
 * early answer is handed over only for exactly the request predicted, once.
 */
import { readFileSync } from 'node:fs';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { canonicalJson, createEntityPrefetcher, predictedFetches, predictedRequest, type PlanFetch, type PrefetchSide, type QueryPlanLike } from '../../gateway/prefetch';
import { supergraphPath } from '../../schema/subgraphs';
import { CITIZEN_OVERVIEW_QUERY } from '../../simulators/data/samples';

const supergraph = Supergraph.build(readFileSync(supergraphPath, 'utf8'));
const planner = new QueryPlanner(supergraph);
const apiSchema = supergraph.apiSchema().toGraphQLJSSchema();
const plan = (query: string): QueryPlanLike => planner.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(query))) as unknown as QueryPlanLike;

describe('predictedFetches', () => {
  it('finds the overview\'s case fetch, which needs only the CPR number the query names', () => {
    const predictions = predictedFetches(plan(CITIZEN_OVERVIEW_QUERY), apiSchema);
    expect(predictions.map((p) => ({ service: p.fetch.serviceName, path: p.path, typename: p.typename, key: p.keyField, variable: p.variable }))).toEqual([
      { service: 'case', path: 'citizen', typename: 'Citizen', key: 'cpr', variable: 'cpr' },
    ]);
  });

  it('leaves a fetch that needs more of the entity than its key (the address needs CPR\'s address key)', () => {
    const predictions = predictedFetches(plan('query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } address { text } } }'), apiSchema);
    expect(predictions).toEqual([]);
  });

  it('follows an alias, and takes nothing from a key given as a literal', () => {
    const aliased = predictedFetches(plan('query($cpr: CPR!) { person: citizen(cpr: $cpr) { name { full } cases { number } } }'), apiSchema);
    expect(aliased.map((p) => p.path)).toEqual(['person']);
    expect(predictedFetches(plan('{ citizen(cpr: "010160-1234") { name { full } cases { number } } }'), apiSchema)).toEqual([]);
  });

  it('finds nothing in a plan of one fetch, or in a mutation\'s', () => {
    expect(predictedFetches(plan('query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }'), apiSchema)).toEqual([]);
    expect(predictedFetches(plan('mutation($cpr: CPR!) { reportSickness(input: { citizen: $cpr, reporter: EMPLOYER, firstDayOfAbsence: "2026-12-01" }) { openedCase case { number parties { citizen { name { full } } } } } }'), apiSchema)).toEqual([]);
  });

  it('is worked out once per plan', () => {
    const planned = plan(CITIZEN_OVERVIEW_QUERY);
    expect(predictedFetches(planned, apiSchema)).toBe(predictedFetches(planned, apiSchema));
  });
});

describe('predictedRequest', () => {
  const [prediction] = predictedFetches(plan(CITIZEN_OVERVIEW_QUERY), apiSchema);

  it('is the request the executor makes: the fetch\'s query, and the entity as the citizen subgraph writes its key', () => {
    for (const given of ['0101601234', '010160-1234']) {
      expect(predictedRequest(prediction!, { cpr: given })).toEqual({
        query: prediction!.fetch.operation,
        variables: { representations: [{ __typename: 'Citizen', cpr: '010160-1234' }] },
      });
    }
  });

  it('is none for a value that is no CPR number (the request is refused before it runs anyway)', () => {
    expect(predictedRequest(prediction!, { cpr: '3201601234' })).toBeUndefined();
    expect(predictedRequest(prediction!, {})).toBeUndefined();
  });
});

describe('an early answer', () => {
  const [prediction] = predictedFetches(plan(CITIZEN_OVERVIEW_QUERY), apiSchema);
  const overview = plan(CITIZEN_OVERVIEW_QUERY);
  const start = () => {
    const prefetcher = createEntityPrefetcher();
    const owner = {};
    const sent: Array<{ serviceName: string; request: { query: string; variables: Record<string, unknown> } }> = [];
    prefetcher.start(owner, overview, apiSchema, { cpr: '0101601234' }, (serviceName, _fetch: PlanFetch, request, side) => {
      sent.push({ serviceName, request });
      side.reported.set('0101601234', { fields: new Set(['Citizen.cases']), systems: new Set(['case-index']), cached: new Set() });
      side.stale.add('kle');
      return Promise.resolve({ data: { _entities: [{ cases: [] }] } });
    });
    return { prefetcher, owner, sent };
  };
  const into = (): PrefetchSide => ({ reported: new Map(), stale: new Set() });

  it('is made at once for each predicted fetch', () => {
    const { sent, prefetcher } = start();
    expect(sent).toEqual([{ serviceName: 'case', request: predictedRequest(prediction!, { cpr: '0101601234' }) }]);
    expect(prefetcher.counts()).toEqual({ made: 1, taken: 0 });
  });

  it('is handed over for exactly that request, with what its subgraph reported, and only once', async () => {
    const { prefetcher, owner } = start();
    const side = into();
    // The executor's variables in its own key order: compared as values, not as text.
    const request = { query: prediction!.fetch.operation, variables: { representations: [{ cpr: '010160-1234', __typename: 'Citizen' }] } };
    const answer = prefetcher.take(owner, 'case', request, side);
    expect(await answer).toEqual({ data: { _entities: [{ cases: [] }] } });
    expect([...side.reported.keys()]).toEqual(['0101601234']);
    expect([...side.reported.get('0101601234')!.systems]).toEqual(['case-index']);
    expect([...side.stale]).toEqual(['kle']);
    expect(prefetcher.take(owner, 'case', request, into())).toBeUndefined();
    expect(prefetcher.counts()).toEqual({ made: 1, taken: 1 });
  });

  it('is not handed over for another entity, another subgraph, another query or another request', () => {
    const { prefetcher, owner } = start();
    const query = prediction!.fetch.operation;
    expect(prefetcher.take(owner, 'case', { query, variables: { representations: [{ __typename: 'Citizen', cpr: '020260-1234' }] } }, into())).toBeUndefined();
    expect(prefetcher.take(owner, 'citizen', { query, variables: { representations: [{ __typename: 'Citizen', cpr: '010160-1234' }] } }, into())).toBeUndefined();
    expect(prefetcher.take(owner, 'case', { query: `${query} `, variables: { representations: [{ __typename: 'Citizen', cpr: '010160-1234' }] } }, into())).toBeUndefined();
    expect(prefetcher.take({}, 'case', { query, variables: { representations: [{ __typename: 'Citizen', cpr: '010160-1234' }] } }, into())).toBeUndefined();
    expect(prefetcher.counts().taken).toBe(0);
  });
});

describe('canonicalJson', () => {
  it('writes equal values equally, whatever their keys\' order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe(canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
});
