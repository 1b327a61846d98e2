import { parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectionAsks } from '../lookahead';

/** The resolve info of the first field named `at` in `query` (the field the resolver runs for). */
function infoAt(query: string, at: string) {
  const document = parse(query);
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]),
  );
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const found: FieldNode[] = [];
  const walk = (node: { selectionSet?: { selections: readonly unknown[] } }) => {
    for (const selection of (node.selectionSet?.selections ?? []) as Array<FieldNode & { kind: string }>) {
      if (selection.kind === 'Field' && selection.name.value === at) found.push(selection);
      walk(selection);
    }
  };
  walk(operation);
  return { fieldNodes: found.slice(0, 1), fragments };
}

describe('selectionAsks', () => {
  it('sees a subfield asked directly, in an inline fragment, or in a named fragment', () => {
    expect(selectionAsks(infoAt('{ address(id: "a") { building { id units { id } } } }', 'building'), 'units')).toBe(true);
    expect(selectionAsks(infoAt('{ address(id: "a") { building { ... on Building { units { area } } } } }', 'building'), 'units')).toBe(true);
    expect(selectionAsks(infoAt('query { address(id: "a") { building { ...B } } } fragment B on Building { id ...U } fragment U on Building { units { id } }', 'building'), 'units')).toBe(true);
  });

  it('sees no subfield that is not asked, however deep the same name appears elsewhere', () => {
    expect(selectionAsks(infoAt('{ address(id: "a") { building { id yearBuilt } unit { id } } }', 'building'), 'units')).toBe(false);
    expect(selectionAsks(infoAt('{ address(id: "a") { building { id } } }', 'building'), 'units')).toBe(false);
  });

  it('ends on fragments that spread each other', () => {
    const info = infoAt('query { address(id: "a") { building { ...A } } } fragment A on Building { ...B } fragment B on Building { ...A }', 'building');
    expect(selectionAsks(info, 'units')).toBe(false);
  });
});
