/**
 * The cost rule counts a paged field's list by the page it asks for: `cases(first: 5)` is five
 * cases, not the ten an unknown list counts; a `first` given as a variable counts at the most a
 * page may hold, since a document's cost is counted once for all its requests.
 */
import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createOperationReader, MAX_PAGE_SIZE } from '../../gateway/operation';
import { readAccessPolicy } from '../../schema/accessPolicy';

const sdl = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
const schema = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
const policy = readAccessPolicy(sdl);
const reader = createOperationReader({ policyOf: () => policy, maxCost: 5_000 });
const cost = (text: string) => {
  const document = parse(text);
  return reader.cost(schema, document, document.definitions[0] as OperationDefinitionNode);
};
// One case costs its field, plus its two scalars: 3.
const page = (args: string) => cost(`query Q($n: Int) { cases${args} { nodes { id number } pageInfo { hasNextPage } } }`);

describe('the cost of a paged field', () => {
  it('follows a literal first', () => {
    // cases 1 + nodes 1 + n × (id 1 + number 1) + pageInfo 1 + hasNextPage 1
    expect(page('(first: 5)')).toBe(1 + 1 + 5 * 2 + 2);
    expect(page('(first: 100)')).toBe(1 + 1 + 100 * 2 + 2);
  });

  it('takes the argument\'s default when first is not given, and the most a page holds for a variable or beyond it', () => {
    expect(page('')).toBe(1 + 1 + 20 * 2 + 2);
    expect(page('(first: $n)')).toBe(1 + 1 + MAX_PAGE_SIZE * 2 + 2);
    expect(page('(first: 100000)')).toBe(1 + 1 + MAX_PAGE_SIZE * 2 + 2);
  });

  it('leaves lists elsewhere as they were: a citizen\'s cases count 20', () => {
    expect(cost('query($c: CPR!) { citizen(cpr: $c) { cases { id } } }')).toBe(1 + 1 + 20 * 1);
  });
});
