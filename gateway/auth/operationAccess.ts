/**
 * What an operation asks of personal data, read once per document against the access policy:
 * whether it reaches personal data at all, which root fields do, and which CPR numbers and other
 * search criteria it names. Fragments are inlined first, so a field reached through a fragment
 * spread or an inline fragment (also at the root) counts like any other.
 */
import {
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import { parseCpr } from '../../schema/scalars';
import type { AccessPolicy, UseOfData } from '../../schema/accessPolicy';

const CPR_TYPE = 'CPR';

/**
 * An argument the operation gives, as written: a literal, a variable, or an input object or list
 * holding either. Read per request, with the request's variables and the operation's defaults.
 */
export interface GivenArgument {
  /** The field's schema coordinate, e.g. `Query.citizen`. */
  coordinate: string;
  argument: string;
  type: GraphQLInputType;
  value: ValueNode;
  /** An argument of a personal root field: its ids are search criteria of their own. */
  ofPersonalRoot: boolean;
}

export interface OperationAccess {
  /** The operation with every fragment spread inlined: only fields and inline fragments remain. */
  tree: OperationDefinitionNode;
  /** Whether any selected field reaches personal data. */
  personal: boolean;
  /** Response keys (alias or name) of the root fields that reach personal data. */
  personalRootKeys: readonly string[];
  /** Schema coordinates of the personal root fields selected, e.g. `Query.citizen`. */
  personalRootFields: readonly string[];
  /** Every argument that may carry a CPR number (anywhere) or a criterion (of a personal root field). */
  givenArguments: readonly GivenArgument[];
  /** The type of use of its personal root fields: declared, else read for queries and update for mutations. */
  typeOfUse: UseOfData;
}

export type OperationAccessReader = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => OperationAccess;

/** Reads operations against one policy; each (document, operation) is read once. */
export function createOperationAccessReader(policy: AccessPolicy): OperationAccessReader {
  const cache = new WeakMap<DocumentNode, Map<OperationDefinitionNode, OperationAccess>>();
  return (schema, document, operation) => {
    let perDocument = cache.get(document);
    if (!perDocument) cache.set(document, (perDocument = new Map()));
    let found = perDocument.get(operation);
    if (!found) perDocument.set(operation, (found = readOperation(policy, schema, document, operation)));
    return found;
  };
}

/** The operation with its fragment spreads replaced by inline fragments (cycles are a validation error before this). */
export function inlineFragments(document: DocumentNode, operation: OperationDefinitionNode): OperationDefinitionNode {
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
export function fieldsOf(
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

function readOperation(policy: AccessPolicy, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationAccess {
  const tree = inlineFragments(document, operation);
  const root = schema.getRootType(operation.operation);
  const givenArguments: GivenArgument[] = [];
  const personalRootKeys: string[] = [];
  const personalRootFields = new Set<string>();

  /** Whether the field (or anything below it) reaches personal data; collects CPR arguments on the way. */
  const walk = (node: FieldNode, parentType: GraphQLCompositeType, definition: GraphQLField<unknown, unknown> | undefined): boolean => {
    if (!definition || node.name.value.startsWith('__')) return false;
    const coordinate = `${parentType.name}.${node.name.value}`;
    for (const arg of node.arguments ?? []) {
      const argDef = definition.args.find((a) => a.name === arg.name.value);
      if (argDef && carries(argDef.type, CPR_TYPE)) givenArguments.push({ coordinate, argument: arg.name.value, type: argDef.type, value: arg.value, ofPersonalRoot: false });
    }
    let personal = policy.isPersonal(parentType.name, node.name.value);
    if (node.selectionSet) {
      const type = getNamedType(definition.type) as GraphQLCompositeType;
      for (const child of fieldsOf(node.selectionSet, type, schema)) if (walk(child.node, child.parentType, child.definition)) personal = true;
    }
    return personal;
  };

  if (root) {
    for (const { node, parentType, definition } of fieldsOf(tree.selectionSet, root, schema)) {
      if (!walk(node, parentType, definition)) continue;
      const key = node.alias?.value ?? node.name.value;
      if (!personalRootKeys.includes(key)) personalRootKeys.push(key);
      const coordinate = `${parentType.name}.${node.name.value}`;
      personalRootFields.add(coordinate);
      for (const arg of node.arguments ?? []) {
        const argDef = definition?.args.find((a) => a.name === arg.name.value);
        if (argDef && carries(argDef.type, 'ID')) givenArguments.push({ coordinate, argument: arg.name.value, type: argDef.type, value: arg.value, ofPersonalRoot: true });
      }
    }
  }
  // One type of use per operation; a write outranks a search, a search a read.
  const declared = [...personalRootFields].map((c) => policy.useOf(c.slice(0, c.indexOf('.')), c.slice(c.indexOf('.') + 1)));
  const typeOfUse = (['create', 'update', 'search', 'read'] as const).find((u) => declared.includes(u)) ?? (operation.operation === 'mutation' ? 'update' : 'read');
  return { tree, personal: personalRootKeys.length > 0, personalRootKeys, personalRootFields: [...personalRootFields], givenArguments, typeOfUse };
}

/** Whether values of `type` can hold a leaf of the named scalar (in lists and input objects too). */
function carries(type: GraphQLInputType, scalar: string, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === scalar) return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => carries(f.type, scalar, seen));
}

/** The request's variables, with the operation's defaults for those it does not give. */
function withDefaults(access: OperationAccess, variables: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const values: Record<string, unknown> = { ...variables };
  for (const definition of access.tree.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (values[name] === undefined && definition.defaultValue) values[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return values;
}

/** Calls `visit` for every leaf of an input value, with its scalar's name and its path. */
function leaves(value: unknown, type: GraphQLInputType, path: string, visit: (scalar: string, value: unknown, path: string) => void): void {
  if (value === null || value === undefined) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    for (const item of Array.isArray(value) ? value : [value]) leaves(item, inner.ofType, path, visit);
  } else if (isInputObjectType(inner)) {
    if (typeof value !== 'object') return;
    for (const [name, field] of Object.entries(inner.getFields())) leaves((value as Record<string, unknown>)[name], field.type, `${path}.${name}`, visit);
  } else {
    visit(getNamedType(inner).name, value, path);
  }
}

function eachLeaf(access: OperationAccess, variables: Readonly<Record<string, unknown>>, visit: (given: GivenArgument, scalar: string, value: unknown, path: string) => void): void {
  const values = withDefaults(access, variables);
  for (const given of access.givenArguments) {
    leaves(valueFromASTUntyped(given.value, values), given.type, given.argument, (scalar, value, path) => visit(given, scalar, value, path));
  }
}

/**
 * The CPR numbers (ten digits) an operation names, anywhere in it (its variables and their
 * defaults read), each with the fields it is given to; malformed ones are the CPR check's to refuse.
 */
export function subjectsAskedAt(access: OperationAccess, variables: Readonly<Record<string, unknown>>): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  eachLeaf(access, variables, (given, scalar, value) => {
    const digits = scalar === CPR_TYPE && typeof value === 'string' ? parseCpr(value) : undefined;
    if (!digits) return;
    let fields = found.get(digits);
    if (!fields) found.set(digits, (fields = new Set()));
    fields.add(given.coordinate);
  });
  return found;
}

/** The CPR numbers (ten digits) an operation names. */
export function subjectsAsked(access: OperationAccess, variables: Readonly<Record<string, unknown>>): string[] {
  return [...subjectsAskedAt(access, variables).keys()];
}

/** The ids given to personal root fields, anywhere in their arguments: `Query.case(id)` → the id. */
export function criteriaAsked(access: OperationAccess, variables: Readonly<Record<string, unknown>>): { coordinate: string; argument: string; value: string }[] {
  const found: { coordinate: string; argument: string; value: string }[] = [];
  eachLeaf(access, variables, (given, scalar, value, path) => {
    if (!given.ofPersonalRoot || scalar !== 'ID' || (typeof value !== 'string' && typeof value !== 'number')) return;
    if (!found.some((c) => c.coordinate === given.coordinate && c.argument === path && c.value === String(value))) found.push({ coordinate: given.coordinate, argument: path, value: String(value) });
  });
  return found;
}

/** A refused request, as the access trail records it: who, why, and what it asked for. */
export interface Denial {
  identity: import('./authenticate').Identity;
  reason: string;
  /** CPR numbers the refused operation gave (its search criteria). */
  subjects: string[];
  /** Its other criteria (e.g. a case id). */
  criteria: { coordinate: string; argument: string; value: string }[];
  /** The personal root fields it asked for, e.g. `Query.citizen`. */
  fields: readonly string[];
  /** The type of use it asked for (a refused write is recorded as one). */
  typeOfUse: UseOfData;
  operationName: string | null;
}

export function denialOf(
  identity: Denial['identity'],
  reason: string,
  access: OperationAccess,
  variables: Readonly<Record<string, unknown>>,
  operation: OperationDefinitionNode,
): Denial {
  return {
    identity,
    reason,
    subjects: subjectsAsked(access, variables),
    criteria: criteriaAsked(access, variables),
    fields: access.personalRootFields,
    typeOfUse: access.typeOfUse,
    operationName: operation.name?.value ?? null,
  };
}
