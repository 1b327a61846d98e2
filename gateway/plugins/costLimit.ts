/**
 * A validation rule that estimates what an operation will cost and refuses it above a limit.
 * Every field selected costs 1, multiplied by the estimated sizes of the lists it sits in, so
 * nested lists (cases → parties → citizen → cases …) grow as they would against the legacy systems.
 * graphql-armor's own cost limit weighs depth, not list sizes, so this one is ours.
 */
import {
  GraphQLError,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

/** Estimated list sizes by schema coordinate; any other list counts as `defaultListSize`. */
export const defaultListSizes: Readonly<Record<string, number>> = {
  'Citizen.cases': 20,
  'Case.documents': 10,
  'Case.parties': 5,
  'Relations.children': 4,
  'Relations.custodyHolders': 2,
  'Building.units': 10,
};

export interface CostLimitOptions {
  maxCost: number;
  listSizes?: Readonly<Record<string, number>>;
  /** @default 10 */
  defaultListSize?: number;
}

export function costLimitRule(options: CostLimitOptions): ValidationRule {
  const listSizes = options.listSizes ?? defaultListSizes;
  const defaultListSize = options.defaultListSize ?? 10;
  return (context) => {
    const schema = context.getSchema();
    const fragments = new Map<string, FragmentDefinitionNode>();
    // Cost is linear in the multiplier, so each fragment's cost for one occurrence is computed
    // once: a "billion laughs" of fragments spreading fragments costs the rule linear time.
    const fragmentCost = new Map<string, number>();
    const inProgress = new Set<string>();

    function unitCost(parent: GraphQLCompositeType, selectionSet: SelectionSetNode): number {
      let cost = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
          const field = fields[selection.name.value];
          cost += 1;
          if (!field || !selection.selectionSet) continue;
          const size = isList(field.type) ? (listSizes[`${parent.name}.${field.name}`] ?? defaultListSize) : 1;
          cost += size * unitCost(getNamedType(field.type) as GraphQLCompositeType, selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
          cost += unitCost(type ?? parent, selection.selectionSet);
        } else {
          cost += spreadCost(selection.name.value, parent);
        }
        if (cost > Number.MAX_SAFE_INTEGER) return Number.POSITIVE_INFINITY;
      }
      return cost;
    }

    function spreadCost(name: string, parent: GraphQLCompositeType): number {
      const known = fragmentCost.get(name);
      if (known !== undefined) return known;
      const fragment = fragments.get(name);
      // A cycle is NoFragmentCyclesRule's to report; here it just stops the walk.
      if (!fragment || inProgress.has(name)) return 0;
      inProgress.add(name);
      const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
      const cost = unitCost(type ?? parent, fragment.selectionSet);
      inProgress.delete(name);
      fragmentCost.set(name, cost);
      return cost;
    }

    return {
      Document(document) {
        for (const definition of document.definitions) {
          if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
        }
        for (const definition of document.definitions) {
          if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
          const root = schema.getRootType(definition.operation);
          if (!root) continue;
          const cost = unitCost(root, definition.selectionSet);
          if (cost > options.maxCost) {
            const shown = Number.isFinite(cost) ? String(Math.round(cost)) : 'beyond measure';
            context.reportError(
              new GraphQLError(
                `Operation${definition.name ? ` "${definition.name.value}"` : ''} is estimated to cost ${shown}, above the limit of ${options.maxCost}: select fewer fields or fewer nested lists.`,
                { nodes: [definition], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
              ),
            );
          }
        }
        return false; // the walk above has seen everything
      },
    };
  };
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}
