/**
 * Whether the selection a field is resolved for asks for a given subfield, fragments included.
 * The property subgraph uses it to ask BBR for a building's units beside the building itself
 * (both follow from DAR's answer), instead of after it: the legacy calls a query makes stay the
 * same, only their order changes.
 */
import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

export function selectionAsks(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, field: string): boolean {
  return info.fieldNodes.some((node) => node.selectionSet !== undefined && asks(node.selectionSet, field, info.fragments, new Set()));
}

function asks(set: SelectionSetNode, field: string, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  return set.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === field;
    if (selection.kind === Kind.INLINE_FRAGMENT) return asks(selection.selectionSet, field, fragments, seen);
    const name = selection.name.value;
    if (seen.has(name)) return false;
    seen.add(name);
    const fragment = fragments[name];
    return fragment !== undefined && asks(fragment.selectionSet, field, fragments, seen);
  });
}
