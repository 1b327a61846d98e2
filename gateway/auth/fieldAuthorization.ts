/**
 * Field-level authorization, before planning: a field whose `@access` grants the caller does not
 * meet is taken out of the operation, so no subgraph is asked for it; the answer carries null at
 * its place with a FORBIDDEN error at its path, and the rest is answered.
 *
 * A denied field is replaced by `<its response key>: __typename` (its own directives kept), so
 * the answer shows exactly where it would have been — only on objects of the type it was
 * selected on, only when @skip/@include let it be — and that placeholder is then set to null.
 * A denied non-null field nulls its nearest nullable parent instead, as GraphQL's own null
 * propagation would (spec §6.4.4), and that parent is what is taken out.
 */
import { createHash } from 'node:crypto';
import { GraphQLError, isListType, isNonNullType, Kind, print, visit, type DocumentNode, type FieldNode, type GraphQLOutputType } from 'graphql';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { describeGrant, meetsGrant, type Grantee } from '../../schema/accessPolicy';
import type { OperationReading, Segment } from '../operation';

/** One field refused to the caller, and where its null goes. */
export interface FieldDenial {
  /** The refused field's schema coordinate, e.g. `CaseParty.citizen`. */
  coordinate: string;
  message: string;
  /** Response keys from the root to the position that is nulled. */
  path: readonly string[];
  /** 0: the field at the end of `path` is nulled; n: the items n list levels inside it are. */
  itemDepth: number;
  /** With itemDepth > 0: the keys from such an item down to the refused field's placeholder. */
  below: readonly string[];
}

export interface AuthorizedOperation {
  /** The document to plan and execute: the operation with the refused fields taken out. */
  document: DocumentNode;
  /** A hash of that document, for the query-plan cache. */
  queryHash: string;
  denials: readonly FieldDenial[];
  /** Coordinates of the refused fields, for the access trail. */
  deniedFields: readonly string[];
  /** True when the refusal reaches the root: nothing is executed and the answer's data is null. */
  nothingLeft: boolean;
}

/**
 * The operation as this caller may run it, or undefined when every field it selects is granted.
 * Depends only on the reading and the caller's grantee, so it is kept per reading and grantee.
 */
export function createFieldAuthorizer() {
  const cache = new WeakMap<OperationReading, Map<string, AuthorizedOperation | null>>();
  return (reading: OperationReading, who: Grantee): AuthorizedOperation | undefined => {
    const key = `${[...who.roles].sort().join(',')}|${[...who.scopes].sort().join(' ')}`;
    let perReading = cache.get(reading);
    if (!perReading) cache.set(reading, (perReading = new Map()));
    let found = perReading.get(key);
    if (found === undefined) perReading.set(key, (found = authorize(reading, who) ?? null));
    return found ?? undefined;
  };
}

function authorize(reading: OperationReading, who: Grantee): AuthorizedOperation | undefined {
  const denials: FieldDenial[] = [];
  const removed = new Set<FieldNode>();
  // Fields below a refused one go with it: they are neither fetched nor refused on their own.
  const refused = new Set<FieldNode>();
  let nothingLeft = false;
  for (const { coordinate, chain, grants } of reading.fields) {
    if (chain.some((s) => refused.has(s.node))) continue;
    const unmet = grants.find((grant) => !meetsGrant(grant, who));
    if (!unmet) continue;
    const node = chain.at(-1)!.node;
    refused.add(node);
    const message = `Not authorized to read ${coordinate}: it needs ${describeGrant(unmet)}.`;
    const target = nullablePosition(chain);
    if (!target) {
      nothingLeft = true;
      denials.push({ coordinate, message, path: [], itemDepth: 0, below: [] });
      continue;
    }
    const path = chain.slice(0, target.segment + 1).map((s) => s.key);
    const below = target.itemDepth > 0 ? chain.slice(target.segment + 1).map((s) => s.key) : [];
    denials.push({ coordinate, message, path, itemDepth: target.itemDepth, below });
    removed.add(target.itemDepth === 0 ? chain[target.segment]!.node : node);
  }
  if (denials.length === 0) return undefined;

  const operation = visit(reading.tree, {
    Field(node) {
      if (!removed.has(node)) return undefined;
      // The placeholder keeps the field's response key and directives, and selects nothing.
      return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: node.alias?.value ?? node.name.value }, name: { kind: Kind.NAME, value: '__typename' }, arguments: [], directives: node.directives ?? [] };
    },
  });
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation] };
  return {
    document,
    queryHash: createHash('sha256').update(print(document)).digest('hex'),
    denials,
    deniedFields: [...new Set(denials.map((d) => d.coordinate))].sort(),
    nothingLeft,
  };
}

/**
 * Where a null for the last segment lands: that field when it is nullable, else the innermost
 * nullable position above it — a list item or a field — or undefined when none is (the root).
 */
function nullablePosition(chain: readonly Segment[]): { segment: number; itemDepth: number } | undefined {
  if (!isNonNullType(chain.at(-1)!.type)) return { segment: chain.length - 1, itemDepth: 0 };
  for (let i = chain.length - 2; i >= 0; i--) {
    // Positions of this field's value: the field (depth 0), then each list level's items.
    const nullable: boolean[] = [];
    let type: GraphQLOutputType = chain[i]!.type;
    for (;;) {
      nullable.push(!isNonNullType(type));
      const inner: GraphQLOutputType = isNonNullType(type) ? type.ofType : type;
      if (!isListType(inner)) break;
      type = inner.ofType;
    }
    for (let depth = nullable.length - 1; depth >= 0; depth--) if (nullable[depth]) return { segment: i, itemDepth: depth };
  }
  return undefined;
}

/**
 * Sets the refused positions of an answer to null and returns an error for each, at its path.
 * Mutates `data`.
 */
export function applyDenials(data: Record<string, unknown> | null | undefined, denials: readonly FieldDenial[]): GraphQLError[] {
  const errors = new Map<string, GraphQLError>();
  const deny = (denial: FieldDenial, path: (string | number)[]) => {
    const id = JSON.stringify(path);
    if (!errors.has(id)) errors.set(id, new GraphQLError(denial.message, { path, extensions: { code: 'FORBIDDEN' } }));
  };
  for (const denial of denials) {
    if (!data || denial.path.length === 0) continue;
    // Walk to every object that holds the last key of the path.
    const walk = (value: unknown, at: number, path: (string | number)[]) => {
      if (value === null || value === undefined) return;
      if (Array.isArray(value)) return value.forEach((item, i) => walk(item, at, [...path, i]));
      if (typeof value !== 'object') return;
      const object = value as Record<string, unknown>;
      const key = denial.path[at]!;
      if (!(key in object)) return;
      if (at < denial.path.length - 1) return walk(object[key], at + 1, [...path, key]);
      if (denial.itemDepth === 0) {
        object[key] = null;
        return deny(denial, [...path, key]);
      }
      nullItems(object[key], denial.itemDepth, [...path, key], (holder, index, itemPath) => {
        if (!reaches(holder[index], denial.below)) return;
        holder[index] = null;
        deny(denial, itemPath);
      });
    };
    walk(data, 0, []);
  }
  return [...errors.values()];
}

function nullItems(value: unknown, depth: number, path: (string | number)[], onItem: (holder: unknown[], index: number, path: (string | number)[]) => void): void {
  if (!Array.isArray(value)) return;
  value.forEach((item, i) => (depth === 1 ? onItem(value, i, [...path, i]) : nullItems(item, depth - 1, [...path, i], onItem)));
}

/** Whether the refused field's placeholder is somewhere below `value` along `keys`. */
function reaches(value: unknown, keys: readonly string[]): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.some((item) => reaches(item, keys));
  if (keys.length === 0) return true;
  if (typeof value !== 'object') return false;
  const object = value as Record<string, unknown>;
  return keys[0]! in object && (keys.length === 1 || reaches(object[keys[0]!], keys.slice(1)));
}

type GatewayInterface = ApolloServerOptionsWithGateway<never>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;
type GatewayRequestContext = Parameters<GatewayExecutor>[0];

/**
 * Wraps the gateway so every operation is authorized field by field before it is planned: the
 * executor plans and runs the operation as `authorize` gives it (with its own plan-cache key),
 * and the refused positions are set to null with their errors.
 */
export function authorizingGateway(
  inner: GatewayInterface,
  authorize: (requestContext: GatewayRequestContext) => AuthorizedOperation | undefined,
): GatewayInterface {
  const wrap = (executor: GatewayExecutor): GatewayExecutor => async (requestContext) => {
    const authorized = authorize(requestContext);
    if (!authorized) return executor(requestContext);
    if (authorized.nothingLeft) return { data: null, errors: rootDenials(authorized) };
    const result = await executor({ ...requestContext, document: authorized.document, queryHash: authorized.queryHash });
    const data = (result.data ?? null) as Record<string, unknown> | null;
    const errors = applyDenials(data, authorized.denials);
    return { ...result, data, errors: [...errors, ...(result.errors ?? [])] };
  };
  return {
    load: async (options) => {
      const loaded = await inner.load(options);
      return { ...loaded, executor: loaded.executor ? wrap(loaded.executor) : null };
    },
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
  };
}

/** Errors for refusals that leave nothing to run: each names its field, at no path. */
function rootDenials(authorized: AuthorizedOperation): GraphQLError[] {
  return authorized.denials.filter((d) => d.path.length === 0).map((d) => new GraphQLError(d.message, { extensions: { code: 'FORBIDDEN' } }));
}
