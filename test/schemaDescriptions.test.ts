/**
 * Front-end teams read the graph in an explorer: every type, field, argument, input field and
 * enum value of every subgraph SDL carries a description. Federation's own and inaccessible
 * plumbing types are no exception: a reader of the SDL meets them too.
 */
import { describe, expect, it } from 'vitest';
import { Kind, parse, type DefinitionNode } from 'graphql';
import { loadSubgraphList, subgraphSdl } from '../schema/subgraphs';

function undescribed(sdl: string): string[] {
  const missing: string[] = [];
  const described = (node: { description?: { value: string } | undefined }) => Boolean(node.description?.value.trim());
  for (const definition of parse(sdl).definitions as DefinitionNode[]) {
    if (!('name' in definition) || !definition.name) continue;
    const type = definition.name.value;
    if (definition.kind !== Kind.OBJECT_TYPE_EXTENSION && 'description' in definition && !described(definition)) missing.push(type);
    const fields = 'fields' in definition ? (definition.fields ?? []) : [];
    for (const field of fields) {
      if (!described(field)) missing.push(`${type}.${field.name.value}`);
      for (const arg of 'arguments' in field ? (field.arguments ?? []) : []) if (!described(arg)) missing.push(`${type}.${field.name.value}(${arg.name.value})`);
    }
    for (const value of 'values' in definition ? (definition.values ?? []) : []) if (!described(value)) missing.push(`${type}.${value.name.value}`);
  }
  return missing;
}

describe('the subgraph SDLs', () => {
  for (const name of loadSubgraphList().names) {
    it(`${name}: every type, field, argument and enum value is described`, () => {
      expect(undescribed(subgraphSdl(name))).toEqual([]);
    });
  }

  it('the check is not vacuous: an undescribed field is caught', () => {
    expect(undescribed('"A thing." type Thing { "Named." name: String bare: Int }')).toEqual(['Thing.bare']);
  });
});
