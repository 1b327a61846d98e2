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
} from 'graphql';
import { parseCpr } from '../../schema/scalars';
import type { AccessPolicy, UseOfData } from './accessPolicy';

const CPR_TYPE = 'CPR';

/** Where an operation gives a value: a literal, or a variable read per request. */
export type GivenValue = { literal: string } | { variable: string };

/** A value given to an argument of a personal root field that is not a CPR number, e.g. a case id. */
export interface Criterion {
  /** The root field's schema coordinate, e.g. `Query.case`. */
  coordinate: string;
  argument: string;
  value: GivenValue;
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
  /** Every CPR number the operation gives, anywhere in it, with the field it is given to. */
  cprArguments: readonly { coordinate: string; value: GivenValue }[];
  /** The other arguments of personal root fields. */
  criteria: readonly Criterion[];
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
  const cprArguments: { coordinate: string; value: GivenValue }[] = [];
  const criteria: Criterion[] = [];
  const personalRootKeys: string[] = [];
  const personalRootFields = new Set<string>();

  /** Whether the field (or anything below it) reaches personal data; collects CPR arguments on the way. */
  const walk = (node: FieldNode, parentType: GraphQLCompositeType, definition: GraphQLField<unknown, unknown> | undefined): boolean => {
    if (!definition || node.name.value.startsWith('__')) return false;
    const coordinate = `${parentType.name}.${node.name.value}`;
    for (const arg of node.arguments ?? []) {
      const argDef = definition.args.find((a) => a.name === arg.name.value);
      const given: GivenValue[] = [];
      if (argDef) collectCpr(arg.value, argDef.type, given);
      for (const value of given) cprArguments.push({ coordinate, value });
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
        if (!argDef || getNamedType(argDef.type).name === CPR_TYPE) continue;
        const value = arg.value.kind === Kind.VARIABLE ? { variable: arg.value.name.value } : literalText(arg.value);
        if (value) criteria.push({ coordinate, argument: arg.name.value, value });
      }
    }
  }
  // One type of use per operation; a write outranks a search, a search a read.
  const declared = [...personalRootFields].map((c) => policy.useOf(c.slice(0, c.indexOf('.')), c.slice(c.indexOf('.') + 1)));
  const typeOfUse = (['create', 'update', 'search', 'read'] as const).find((u) => declared.includes(u)) ?? (operation.operation === 'mutation' ? 'update' : 'read');
  return { tree, personal: personalRootKeys.length > 0, personalRootKeys, personalRootFields: [...personalRootFields], cprArguments, criteria, typeOfUse };
}

/** CPR-typed values inside an argument value (also in lists and input objects). */
function collectCpr(value: ValueNode, type: GraphQLInputType, into: GivenValue[]): void {
  if (value.kind === Kind.VARIABLE) {
    if (containsCpr(type)) into.push({ variable: value.name.value });
    return;
  }
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    for (const item of value.kind === Kind.LIST ? value.values : [value]) collectCpr(item, inner.ofType, into);
  } else if (isInputObjectType(inner) && value.kind === Kind.OBJECT) {
    const fields = inner.getFields();
    for (const f of value.fields) {
      const fieldType = fields[f.name.value]?.type;
      if (fieldType) collectCpr(f.value, fieldType, into);
    }
  } else if (getNamedType(inner).name === CPR_TYPE && value.kind === Kind.STRING) {
    into.push({ literal: value.value });
  }
}

function containsCpr(type: GraphQLInputType): boolean {
  return getNamedType(type).name === CPR_TYPE;
}

function literalText(value: ValueNode): GivenValue | undefined {
  if (value.kind === Kind.STRING || value.kind === Kind.INT || value.kind === Kind.ENUM) return { literal: value.value };
  return undefined;
}

/**
 * The CPR numbers (ten digits) an operation names, its variables read, each with the fields it
 * is given to; malformed ones are the CPR check's to refuse.
 */
export function subjectsAskedAt(access: OperationAccess, variables: Readonly<Record<string, unknown>>): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const { coordinate, value: given } of access.cprArguments) {
    const add = (value: unknown) => {
      if (Array.isArray(value)) return value.forEach(add);
      const digits = typeof value === 'string' ? parseCpr(value) : undefined;
      if (!digits) return;
      let fields = found.get(digits);
      if (!fields) found.set(digits, (fields = new Set()));
      fields.add(coordinate);
    };
    add('literal' in given ? given.literal : variables[given.variable]);
  }
  return found;
}

/** The CPR numbers (ten digits) an operation names, its variables read. */
export function subjectsAsked(access: OperationAccess, variables: Readonly<Record<string, unknown>>): string[] {
  return [...subjectsAskedAt(access, variables).keys()];
}

/** The other criteria of the personal root fields, their variables read: `Query.case(id)` → the id. */
export function criteriaAsked(access: OperationAccess, variables: Readonly<Record<string, unknown>>): { coordinate: string; argument: string; value: string }[] {
  return access.criteria.flatMap(({ coordinate, argument, value }) => {
    const text = 'literal' in value ? value.literal : variables[value.variable];
    return typeof text === 'string' || typeof text === 'number' ? [{ coordinate, argument, value: String(text) }] : [];
  });
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
    operationName: operation.name?.value ?? null,
  };
}
