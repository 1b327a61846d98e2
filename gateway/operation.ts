/**
 * The one reading of an operation. Every later stage of the request pipeline takes what it needs
 * from it — the cost limit, the CPR check, the authorization decision, the refused fields, the
 * access record — and nothing walks the document again, so no two stages can read it differently.
 *
 * Read once per (schema, document, operation): Apollo keeps parsed documents per query text, so a
 * repeated operation costs a cache hit. The schema is part of the key, and the access policy is
 * the schema's own (`policyOf`): when the gateway takes a new supergraph, a request validated
 * against the new schema is read with the new policy, never with a reading made for the old one. The cost comes first, with each fragment's cost memoized (linear
 * even for a "billion laughs" of fragments spreading fragments); an operation over the cost limit
 * is read no further, so inlining its fragments is bounded by that limit. Fragments are then
 * inlined, so a field reached through a spread or an inline fragment — at the root too — counts
 * like any other; variable defaults are applied when the request's values are read.
 */
import {
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { AccessGrant, AccessPolicy, UseOfData } from '../schema/accessPolicy';
import { parseCpr } from '../schema/scalars';

const CPR_TYPE = 'CPR';
const CPR_FORMAT = 'CPR must be written DDMMYY-SSSS (day 01–31, or 61–91 for substitute numbers; month 01–12)';

/** Estimated list sizes by schema coordinate; any other list counts as `defaultListSize`. */
export const defaultListSizes: Readonly<Record<string, number>> = {
  'Citizen.cases': 20,
  'Case.documents': 10,
  'Case.parties': 5,
  'Relations.children': 4,
  'Relations.custodyHolders': 2,
  'Building.units': 10,
};

/** One step from the root to a field: its response key, its type and its node in the inlined tree. */
export interface Segment {
  key: string;
  type: GraphQLOutputType;
  node: FieldNode;
}

/** A field as the operation selects it (once per place it is selected). */
export interface FieldOccurrence {
  /** The field's schema coordinate on the type it is selected on, e.g. `CaseParty.citizen`. */
  coordinate: string;
  /** Root to this field, inclusive. */
  chain: readonly Segment[];
  /** The grants a caller must all meet to read it (its type's, then its own `@access`). */
  grants: readonly AccessGrant[];
}

/**
 * An argument the operation gives, as written: a literal, a variable, or an input object or list
 * holding either. Its values are read per request, with the request's variables and the defaults.
 */
export interface GivenArgument {
  /** The field's schema coordinate, e.g. `Query.citizen`. */
  coordinate: string;
  argument: string;
  type: GraphQLInputType;
  value: ValueNode;
  /** It can carry a CPR number somewhere (itself, a list item, an input object's field). */
  carriesCpr: boolean;
  /** An ID argument of a personal root field: its ids are search criteria of their own (`case(id:)`). */
  criterion: boolean;
}

export interface OperationReading {
  operation: OperationDefinitionNode;
  /** Estimated cost: 1 per field, multiplied by the estimated sizes of the lists it sits in. */
  cost: number;
  /** False when the cost is over the limit: such an operation is refused and the rest is empty. */
  read: boolean;
  /** The operation with every fragment spread inlined: only fields and inline fragments remain. */
  tree: OperationDefinitionNode;
  /** Every field selected, in document order (a parent before its children). */
  fields: readonly FieldOccurrence[];
  /** Every argument that may carry a CPR number, and the ids given to personal root fields. */
  givenArguments: readonly GivenArgument[];
  /** Whether any selected field reaches personal data. */
  personal: boolean;
  /** Response keys (alias or name) of the root fields that reach personal data. */
  personalRootKeys: readonly string[];
  /** Schema coordinates of the personal root fields selected, e.g. `Query.citizen`. */
  personalRootFields: readonly string[];
  /** The operation's type of use: a write outranks a search, a search a read. */
  typeOfUse: UseOfData;
}

export interface Criterion {
  coordinate: string;
  argument: string;
  value: string;
}

/** What one request's values (variables, defaults, literals) give the reading. */
export interface RequestInputs {
  /** Malformed CPR numbers, each named by where it was given, never by its value. */
  problems: readonly string[];
  /** The CPR numbers (ten digits) the operation names, each with the fields it is given to. */
  subjects: ReadonlyMap<string, ReadonlySet<string>>;
  /** The ids given to personal root fields. */
  criteria: readonly Criterion[];
}

export interface OperationReader {
  /** The cost alone (for the validation rule, before the document is known to be valid). */
  cost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): number;
  /** The whole reading of a validated operation. */
  read(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationReading;
}

export interface OperationReaderOptions {
  /** The access policy of the supergraph version a schema belongs to. */
  policyOf: (schema: GraphQLSchema) => AccessPolicy;
  maxCost: number;
  listSizes?: Readonly<Record<string, number>>;
  /** @default 10 */
  defaultListSize?: number;
}

export function createOperationReader(options: OperationReaderOptions): OperationReader {
  const listSizes = options.listSizes ?? defaultListSizes;
  const defaultListSize = options.defaultListSize ?? 10;
  type Entry = { cost: number; reading?: OperationReading };
  const cache = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<OperationDefinitionNode, Entry>>>();
  const entry = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Entry => {
    let perSchema = cache.get(schema);
    if (!perSchema) cache.set(schema, (perSchema = new WeakMap()));
    let perDocument = perSchema.get(document);
    if (!perDocument) perSchema.set(document, (perDocument = new Map()));
    let found = perDocument.get(operation);
    if (!found) perDocument.set(operation, (found = { cost: costOf(schema, document, operation, listSizes, defaultListSize) }));
    return found;
  };
  return {
    cost: (schema, document, operation) => entry(schema, document, operation).cost,
    read(schema, document, operation) {
      const found = entry(schema, document, operation);
      found.reading ??= readOperation(options.policyOf(schema), schema, document, operation, found.cost, found.cost <= options.maxCost);
      return found.reading;
    },
  };
}

function costOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, listSizes: Readonly<Record<string, number>>, defaultListSize: number): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  // Cost is linear in the multiplier, so each fragment's cost for one occurrence is computed once.
  const fragmentCost = new Map<string, number>();
  const inProgress = new Set<string>();
  /**
   * `slice`: the page size a paged field asked for (its `first`), which the lists directly in its
   * result (a connection's `nodes`) hold at most.
   */
  const unitCost = (parent: GraphQLCompositeType, selectionSet: SelectionSetNode, slice?: number): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        cost += 1;
        if (!field || !selection.selectionSet) continue;
        const size = isList(field.type) ? (listSizes[`${parent.name}.${field.name}`] ?? slice ?? defaultListSize) : 1;
        cost += size * unitCost(getNamedType(field.type) as GraphQLCompositeType, selection.selectionSet, isList(field.type) ? undefined : pageSizeOf(field, selection));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
        cost += unitCost(type ?? parent, selection.selectionSet, slice);
      } else {
        const name = selection.name.value;
        let known = fragmentCost.get(name);
        const fragment = fragments.get(name);
        // An unknown or cyclic fragment is validation's to report; here it just stops the walk.
        if (known === undefined && fragment && !inProgress.has(name)) {
          inProgress.add(name);
          const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
          known = unitCost(type ?? parent, fragment.selectionSet);
          inProgress.delete(name);
          fragmentCost.set(name, known);
        }
        cost += known ?? 0;
      }
      if (cost > Number.MAX_SAFE_INTEGER) return Number.POSITIVE_INFINITY;
    }
    return cost;
  };
  const root = schema.getRootType(operation.operation);
  return root ? unitCost(root, operation.selectionSet) : 0;
}

/** The most a paged field's `first` may ask for; a `first` given as a variable is counted at this. */
export const MAX_PAGE_SIZE = 100;

/**
 * The page size a paged field (one taking an Int `first`, returning a connection) asks for: the
 * literal, else the argument's default, else the most a page may hold (a variable is not known
 * when the document's cost is counted once for all its requests). Undefined: not a paged field.
 */
function pageSizeOf(field: GraphQLField<unknown, unknown>, selection: FieldNode): number | undefined {
  const argument = field.args.find((a) => a.name === 'first');
  if (!argument) return undefined;
  const given = selection.arguments?.find((a) => a.name.value === 'first')?.value;
  if (given?.kind === Kind.INT) return Math.min(Math.max(Number(given.value), 0), MAX_PAGE_SIZE);
  if (!given && typeof argument.defaultValue === 'number') return Math.min(argument.defaultValue, MAX_PAGE_SIZE);
  return MAX_PAGE_SIZE;
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** The operation with its fragment spreads replaced by inline fragments (cycles are a validation error before this). */
function inlineFragments(document: DocumentNode, operation: OperationDefinitionNode): OperationDefinitionNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const inline = (selectionSet: SelectionSetNode, seen: ReadonlySet<string>): SelectionSetNode => ({
    ...selectionSet,
    selections: selectionSet.selections.map((selection) => {
      if (selection.kind === Kind.FIELD) return selection.selectionSet ? { ...selection, selectionSet: inline(selection.selectionSet, seen) } : selection;
      if (selection.kind === Kind.INLINE_FRAGMENT) return { ...selection, selectionSet: inline(selection.selectionSet, seen) };
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) throw new Error(`fragment ${selection.name.value} is unknown or cyclic`);
      return {
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: fragment.typeCondition,
        directives: selection.directives ?? [],
        selectionSet: inline(fragment.selectionSet, new Set([...seen, fragment.name.value])),
      };
    }),
  });
  return { ...operation, selectionSet: inline(operation.selectionSet, new Set()) };
}

/** The fields of a selection set, through its inline fragments, each with the type it is selected on. */
function fieldsOf(
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  schema: GraphQLSchema,
): { node: FieldNode; parentType: GraphQLCompositeType; definition: GraphQLField<unknown, unknown> | undefined }[] {
  const found: ReturnType<typeof fieldsOf> = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const definition = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[selection.name.value] : undefined;
      found.push({ node: selection, parentType, definition });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : parentType;
      found.push(...fieldsOf(selection.selectionSet, condition ?? parentType, schema));
    }
  }
  return found;
}

function readOperation(
  policy: AccessPolicy,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  cost: number,
  withinLimit: boolean,
): OperationReading {
  const empty: OperationReading = {
    operation, cost, read: false, tree: operation, fields: [], givenArguments: [], personal: false, personalRootKeys: [], personalRootFields: [], typeOfUse: 'read',
  };
  if (!withinLimit) return empty;
  const tree = inlineFragments(document, operation);
  const root = schema.getRootType(operation.operation);
  if (!root) return { ...empty, read: true, tree };
  const fields: FieldOccurrence[] = [];
  const givenArguments: GivenArgument[] = [];
  const personalRootKeys: string[] = [];
  const personalRootFields = new Set<string>();
  /** Uses declared below the root: a search a type offers (an address's cases) is a search wherever it is asked. */
  const nestedUses = new Set<UseOfData>();

  /** Reads one field and what is below it; whether any of it reaches personal data. */
  const walk = (node: FieldNode, parentType: GraphQLCompositeType, definition: GraphQLField<unknown, unknown> | undefined, ancestors: readonly Segment[], atRoot: boolean): boolean => {
    if (!definition || node.name.value.startsWith('__')) return false;
    const coordinate = `${parentType.name}.${node.name.value}`;
    const chain = [...ancestors, { key: node.alias?.value ?? node.name.value, type: definition.type, node }];
    fields.push({ coordinate, chain, grants: policy.grantsFor(parentType.name, node.name.value) });
    const argumentsAt = givenArguments.length;
    for (const arg of node.arguments ?? []) {
      const argDef = definition.args.find((a) => a.name === arg.name.value);
      if (argDef && carries(argDef.type, CPR_TYPE)) givenArguments.push({ coordinate, argument: arg.name.value, type: argDef.type, value: arg.value, carriesCpr: true, criterion: false });
    }
    let personal = policy.isPersonal(parentType.name, node.name.value);
    const use = !atRoot && personal ? policy.useOf(parentType.name, node.name.value) : undefined;
    if (use) nestedUses.add(use);
    if (node.selectionSet) {
      const type = getNamedType(definition.type) as GraphQLCompositeType;
      for (const child of fieldsOf(node.selectionSet, type, schema)) if (walk(child.node, child.parentType, child.definition, chain, false)) personal = true;
    }
    if (atRoot && personal) {
      const key = chain[0]!.key;
      if (!personalRootKeys.includes(key)) personalRootKeys.push(key);
      personalRootFields.add(coordinate);
      // Ids given to a personal root field are what was searched for: criteria of their own.
      for (const arg of node.arguments ?? []) {
        const argDef = definition.args.find((a) => a.name === arg.name.value);
        if (!argDef || !carries(argDef.type, 'ID')) continue;
        const existing = givenArguments.findIndex((g, i) => i >= argumentsAt && g.coordinate === coordinate && g.argument === arg.name.value);
        if (existing >= 0) givenArguments[existing] = { ...givenArguments[existing]!, criterion: true };
        else givenArguments.push({ coordinate, argument: arg.name.value, type: argDef.type, value: arg.value, carriesCpr: false, criterion: true });
      }
    }
    return personal;
  };
  for (const { node, parentType, definition } of fieldsOf(tree.selectionSet, root, schema)) walk(node, parentType, definition, [], true);

  const declared = [...[...personalRootFields].map((c) => policy.useOf(c.slice(0, c.indexOf('.')), c.slice(c.indexOf('.') + 1))), ...nestedUses];
  const typeOfUse = (['create', 'update', 'search', 'read'] as const).find((u) => declared.includes(u)) ?? (operation.operation === 'mutation' ? 'update' : 'read');
  return { operation, cost, read: true, tree, fields, givenArguments, personal: personalRootKeys.length > 0, personalRootKeys, personalRootFields: [...personalRootFields], typeOfUse };
}

/** Whether values of `type` can hold a leaf of the named scalar (in lists and input objects too). */
function carries(type: GraphQLInputType, scalar: string, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === scalar) return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => carries(f.type, scalar, seen));
}

/**
 * Calls `visit` for every leaf of an input value as its declared type shapes it: a list where the
 * type has one (a single value stands for a list of one, as GraphQL coerces it), an object where
 * the type has an input object. A value of the wrong shape is passed to `visit` as it is (an array
 * where a CPR number belongs is a malformed CPR number, not several).
 */
function leaves(value: unknown, type: GraphQLInputType, path: string, visit: (scalar: string, value: unknown, path: string) => void): void {
  if (value === null || value === undefined) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    for (const item of Array.isArray(value) ? value : [value]) leaves(item, inner.ofType, path, visit);
  } else if (isInputObjectType(inner)) {
    if (typeof value !== 'object' || Array.isArray(value)) return visit(inner.name, value, path);
    for (const [name, field] of Object.entries(inner.getFields())) leaves((value as Record<string, unknown>)[name], field.type, `${path}.${name}`, visit);
  } else {
    visit(getNamedType(inner).name, value, path);
  }
}

/** The CPR numbers, criteria and malformed CPR numbers of one request, in one pass over its arguments. */
export function readInputs(reading: OperationReading, variables: Readonly<Record<string, unknown>>): RequestInputs {
  const values: Record<string, unknown> = { ...variables };
  const defaulted = new Set<string>();
  for (const definition of reading.operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (values[name] === undefined && definition.defaultValue) {
      values[name] = valueFromASTUntyped(definition.defaultValue);
      defaulted.add(name);
    }
  }
  const problems = new Set<string>();
  const subjects = new Map<string, Set<string>>();
  const criteria: Criterion[] = [];
  for (const given of reading.givenArguments) {
    const where = `argument "${given.argument}" of ${given.coordinate}`;
    const variable = given.value.kind === Kind.VARIABLE ? given.value.name.value : undefined;
    const described = variable
      ? defaulted.has(variable) ? `The default value of variable "$${variable}" is invalid` : `Variable "$${variable}" (${where}) has an invalid value`
      : `${where.charAt(0).toUpperCase()}${where.slice(1)} has an invalid value`;
    leaves(valueFromASTUntyped(given.value, values), given.type, given.argument, (scalar, value, path) => {
      if (given.carriesCpr && scalar === CPR_TYPE) {
        const digits = typeof value === 'string' ? parseCpr(value) : undefined;
        if (!digits) return void problems.add(`${described}: ${CPR_FORMAT}.`);
        let at = subjects.get(digits);
        if (!at) subjects.set(digits, (at = new Set()));
        at.add(given.coordinate);
      } else if (given.criterion && scalar === 'ID' && (typeof value === 'string' || typeof value === 'number')) {
        if (!criteria.some((c) => c.coordinate === given.coordinate && c.argument === path && c.value === String(value))) {
          criteria.push({ coordinate: given.coordinate, argument: path, value: String(value) });
        }
      }
    });
  }
  return { problems: [...problems], subjects, criteria };
}
