/**
 * Entity fetches made before the plan reaches them, when the request already holds what they
 * need. @apollo/gateway plans `citizen(cpr: $cpr) { name cases { … } }` as: ask the citizen
 * subgraph for the citizen, then ask the case subgraph for the cases of the entity it returned,
 * `{ __typename: "Citizen", cpr }`. That entity is the one the argument named: a root field
 * whose argument is the entity's key returns the entity with that key or null. So the second
 * fetch can go at once, beside the first, instead of after it (on the citizen overview, the case
 * index no longer waits for CPR).
 *
 * Nothing the plan does changes. A fetch made early is kept aside, and when the executor comes
 * to that fetch it is handed the early answer only if its request is the very one predicted
 * (the same subgraph, the same query text, the same variables, representations included);
 * otherwise it fetches as always. An answer nobody took (the citizen was null, the key came
 * back in another form) is dropped with what its subgraph reported: it leaves no access record
 * and reaches no client. What it costs is the subgraph call.
 *
 * Only reads are made early (a write is made once, when the plan says), only for a key argument
 * given as a variable, of a scalar whose form on the wire is known (ID, String, Int, CPR).
 */
import { Kind, getNamedType, isObjectType, isScalarType, parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { trace } from '@opentelemetry/api';
import type { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { cprScalar } from '../schema/scalars';
import { mergeSubjectAccesses, type SubjectAccess } from './access';
import { SubgraphDataSource, type SubgraphDataSourceConfig } from './subgraphDataSource';
import type { PlanListener } from './supergraph';

// ─── The parts of a query plan read here (@apollo/query-planner's shapes) ────────────────────

interface PlanSelection {
  kind: 'Field' | 'InlineFragment';
  name?: string;
  typeCondition?: string;
  selections?: PlanSelection[];
}
export interface PlanFetch {
  kind: 'Fetch';
  serviceName: string;
  variableUsages?: string[];
  requires?: PlanSelection[];
  operation: string;
  operationName: string | undefined;
  operationKind: string;
  operationDocumentNode?: DocumentNode;
  inputRewrites?: unknown[];
}
type PlanNode =
  | PlanFetch
  | { kind: 'Sequence' | 'Parallel'; nodes: PlanNode[] }
  | { kind: 'Flatten'; path: (string | number)[]; node: PlanNode }
  | { kind: string; [other: string]: unknown };
export interface QueryPlanLike {
  node?: PlanNode;
}

/** A fetch of the plan whose one representation follows from a root field's argument. */
export interface PredictedFetch {
  fetch: PlanFetch;
  /** The root field's response key the fetch's entity sits at. */
  path: string;
  typename: string;
  keyField: string;
  /** The operation variable the root field's key argument takes. */
  variable: string;
  /** The key's value as subgraphs write it, or undefined when it cannot be told. */
  wireForm(value: unknown): unknown;
}

// ─── Which fetches can go early (once per plan) ──────────────────────────────────────────────

const predictionsOfPlan = new WeakMap<object, readonly PredictedFetch[]>();

/**
 * The plan's fetches that can go at once: a plan that starts by asking one subgraph for root
 * fields, and then, under a root field's entity, asks another for more of it by its key alone.
 */
export function predictedFetches(plan: QueryPlanLike, schema: GraphQLSchema): readonly PredictedFetch[] {
  const known = predictionsOfPlan.get(plan);
  if (known) return known;
  const found = plan.node ? findPredictions(plan.node, schema) : [];
  predictionsOfPlan.set(plan, found);
  return found;
}

function findPredictions(root: PlanNode, schema: GraphQLSchema): PredictedFetch[] {
  if (root.kind !== 'Sequence') return [];
  const [first, ...rest] = (root as { nodes: PlanNode[] }).nodes;
  if (!first || first.kind !== 'Fetch') return [];
  const rootFetch = first as PlanFetch;
  if (rootFetch.operationKind !== 'query' || rootFetch.requires) return [];
  // The planner keeps the parsed document only when asked to; the text is always there.
  const document = rootFetch.operationDocumentNode ?? parse(rootFetch.operation);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const queryType = schema.getQueryType();
  if (!operation || !queryType) return [];
  const predictions: PredictedFetch[] = [];
  for (const flatten of flattensBelow(rest)) {
    const [path, ...deeper] = flatten.path;
    if (typeof path !== 'string' || deeper.length > 0 || flatten.node.kind !== 'Fetch') continue;
    const fetch = flatten.node as PlanFetch;
    const key = soleKey(fetch);
    if (!key || (fetch.inputRewrites?.length ?? 0) > 0 || fetch.operationKind !== 'query') continue;
    const field = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && (s.alias ?? s.name).value === path);
    if (!field || field.kind !== Kind.FIELD) continue;
    const schemaField = queryType.getFields()[field.name.value];
    if (!schemaField || getNamedType(schemaField.type).name !== key.typename || !isObjectType(getNamedType(schemaField.type))) continue;
    const argument = field.arguments?.find((a) => a.name.value === key.field);
    const argumentType = schemaField.args.find((a) => a.name === key.field)?.type;
    if (!argument || argument.value.kind !== Kind.VARIABLE || !argumentType) continue;
    const wireForm = wireFormOf(getNamedType(argumentType).name);
    if (!wireForm || !isScalarType(getNamedType(argumentType))) continue;
    predictions.push({ fetch, path, typename: key.typename, keyField: key.field, variable: argument.value.name.value, wireForm });
  }
  return predictions;
}

/** The Flatten nodes of these plan nodes, however nested in Sequence and Parallel; not inside another Flatten. */
function flattensBelow(nodes: readonly PlanNode[]): Array<{ path: (string | number)[]; node: PlanNode }> {
  const out: Array<{ path: (string | number)[]; node: PlanNode }> = [];
  for (const node of nodes) {
    if (node.kind === 'Flatten') out.push(node as { path: (string | number)[]; node: PlanNode });
    else if (node.kind === 'Sequence' || node.kind === 'Parallel') out.push(...flattensBelow((node as { nodes: PlanNode[] }).nodes));
  }
  return out;
}

/** `… on T { __typename k }`: the fetch needs nothing of the entity but one key field. */
function soleKey(fetch: PlanFetch): { typename: string; field: string } | undefined {
  const [fragment, ...others] = fetch.requires ?? [];
  if (!fragment || others.length > 0 || fragment.kind !== 'InlineFragment' || !fragment.typeCondition) return undefined;
  const fields = fragment.selections ?? [];
  if (fields.length !== 2 || fields.some((f) => f.kind !== 'Field' || f.selections?.length)) return undefined;
  const names = fields.map((f) => f.name);
  if (names[0] !== '__typename' || !names[1] || names[1] === '__typename') return undefined;
  return { typename: fragment.typeCondition, field: names[1] };
}

/** How a subgraph writes a value of this scalar in its answer, from the value a client sent. */
function wireFormOf(scalar: string): ((value: unknown) => unknown) | undefined {
  switch (scalar) {
    case 'ID':
    case 'String':
      return (value) => (typeof value === 'string' ? value : undefined);
    case 'Int':
      return (value) => (Number.isInteger(value) ? value : undefined);
    case 'CPR':
      return (value) => {
        try {
          return cprScalar.serialize(cprScalar.parseValue(value));
        } catch {
          return undefined;
        }
      };
    default:
      return undefined;
  }
}

// ─── Made early, taken once ──────────────────────────────────────────────────────────────────

/** A subgraph request as the executor hands it to a data source. */
export interface SubgraphRequest {
  query?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** What a prefetch's answer carries back into the request once taken. */
export interface PrefetchSide {
  reported: Map<string, SubjectAccess>;
  stale: Set<string>;
}

interface Prefetch {
  serviceName: string;
  request: Required<Pick<SubgraphRequest, 'query' | 'variables'>>;
  /** The variables as compared: written with sorted keys. */
  variablesText: string;
  answer: Promise<unknown>;
  side: PrefetchSide;
  taken: boolean;
}

/** The request the executor will make for this fetch, given the entity's representation. */
export function predictedRequest(prediction: PredictedFetch, variables: Readonly<Record<string, unknown>>): { query: string; variables: Record<string, unknown> } | undefined {
  const key = prediction.wireForm(variables[prediction.variable]);
  if (key === undefined || key === null) return undefined;
  // As @apollo/gateway's executeFetch builds them: the fetch's own variables, then the representations.
  const sent: Record<string, unknown> = {};
  for (const name of prediction.fetch.variableUsages ?? []) if (variables[name] !== undefined) sent[name] = variables[name];
  if ('representations' in sent) return undefined;
  sent['representations'] = [{ __typename: prediction.typename, [prediction.keyField]: key }];
  return { query: prediction.fetch.operation, variables: sent };
}

/** JSON with every object's keys in order, so two equal variable sets compare equal as text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export interface EntityPrefetcher {
  /**
   * Starts the early fetches of a plan about to run for a request: `send` makes one through the
   * subgraph's data source with the side the answer's reports go to.
   */
  start(
    owner: object,
    plan: QueryPlanLike,
    schema: GraphQLSchema,
    variables: Readonly<Record<string, unknown>>,
    send: (serviceName: string, fetch: PlanFetch, request: { query: string; variables: Record<string, unknown> }, side: PrefetchSide, path: string) => Promise<unknown>,
  ): void;
  /** The early answer to exactly this request, once (its side merged into `into`); undefined: fetch as always. */
  take(owner: object, serviceName: string, request: SubgraphRequest, into: PrefetchSide): Promise<unknown> | undefined;
  /** Early fetches made and taken, since start (metrics, tests). */
  counts(): { made: number; taken: number };
}

export function createEntityPrefetcher(): EntityPrefetcher {
  const byRequest = new WeakMap<object, Prefetch[]>();
  let made = 0;
  let taken = 0;
  return {
    start(owner, plan, schema, variables, send) {
      for (const prediction of predictedFetches(plan, schema)) {
        const request = predictedRequest(prediction, variables);
        if (!request) continue;
        const side: PrefetchSide = { reported: new Map(), stale: new Set() };
        const answer = send(prediction.fetch.serviceName, prediction.fetch, request, side, prediction.path);
        // Not taken, its failure is nobody's: the executor, fetching itself, meets its own.
        answer.catch(() => undefined);
        const list = byRequest.get(owner) ?? [];
        list.push({ serviceName: prediction.fetch.serviceName, request, variablesText: canonicalJson(request.variables), answer, side, taken: false });
        byRequest.set(owner, list);
        made++;
      }
    },
    take(owner, serviceName, request, into) {
      const list = byRequest.get(owner);
      if (!list || request.query === undefined) return undefined;
      const variablesText = canonicalJson(request.variables ?? {});
      const match = list.find((p) => !p.taken && p.serviceName === serviceName && p.request.query === request.query && p.variablesText === variablesText);
      if (!match) return undefined;
      match.taken = true;
      taken++;
      return match.answer.then((answer) => {
        mergeSubjectAccesses(into.reported, match.side.reported);
        for (const system of match.side.stale) into.stale.add(system);
        return answer;
      });
    },
    counts: () => ({ made, taken }),
  };
}

// ─── Wiring into @apollo/gateway ─────────────────────────────────────────────────────────────

const tracer = trace.getTracer('kommune-graph');

/** The kind of a data-source request made for a client's operation (the package exports the enum's type, not its value). */
const INCOMING_OPERATION = 'incoming operation' as GraphQLDataSourceRequestKind.INCOMING_OPERATION;

/** What the early fetches need of a request's context: its own side for the answer's reports. */
interface PrefetchingContext extends PrefetchSide {
  /** Set once the request is decided (pipeline stage 8); without it nothing is made early. */
  decision?: unknown;
}

/**
 * The plan listener (gateway/supergraph.ts `onPlan`) that starts a plan's early fetches: each
 * through the subgraph's own data source, so it is made exactly as the executor would make it
 * (its internal token, budget, sharing), under a context of its own whose reports stay aside
 * until the fetch is taken.
 */
export function prefetchOnPlan(prefetcher: EntityPrefetcher): NonNullable<PlanListener> {
  return ({ queryPlan, serviceMap, requestContext, operationContext }) => {
    const context = requestContext.context as PrefetchingContext;
    if (!context?.decision) return;
    prefetcher.start(context, queryPlan as unknown as QueryPlanLike, operationContext.schema, requestContext.request.variables ?? {}, (serviceName, fetch, request, side, path) => {
      const source = serviceMap[serviceName];
      if (!source) return Promise.reject(new Error(`no data source for subgraph ${serviceName}`));
      // Inherits everything the hooks read (the decision, the budget, the ids); reports go aside.
      const aside = Object.assign(Object.create(context) as PrefetchingContext, { reported: side.reported, stale: side.stale });
      // A span of its own, as Apollo's fetch span for the executor's fetches: the subgraph call is
      // its child in the trace (a no-op while traces are not exported).
      return tracer.startActiveSpan('gateway.prefetch', { attributes: { service: serviceName } }, (span) =>
        source
          .process({
            kind: INCOMING_OPERATION,
            request: { query: request.query, variables: request.variables, ...(fetch.operationName ? { operationName: fetch.operationName } : {}) },
            incomingRequestContext: requestContext,
            context: aside,
            ...(fetch.operationDocumentNode ? { document: fetch.operationDocumentNode } : {}),
            pathInIncomingRequest: [path],
          })
          .finally(() => span.end()),
      );
    });
  };
}

/** A subgraph's data source that hands the executor the early answer to a request it predicted. */
export class PrefetchingDataSource<Context extends Record<string, any>> extends SubgraphDataSource<Context> {
  constructor(
    private readonly subgraph: string,
    private readonly prefetcher: EntityPrefetcher,
    config: SubgraphDataSourceConfig<Context>,
  ) {
    super(config);
  }

  override process(options: Parameters<SubgraphDataSource<Context>['process']>[0]): ReturnType<SubgraphDataSource<Context>['process']> {
    const context = options.context as unknown as PrefetchingContext | undefined;
    if (options.kind === INCOMING_OPERATION && context) {
      const early = this.prefetcher.take(context, this.subgraph, options.request, context);
      if (early) return early as ReturnType<SubgraphDataSource<Context>['process']>;
    }
    return super.process(options);
  }
}
