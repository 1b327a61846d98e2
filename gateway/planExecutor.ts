/**
 * The gateway's own executor of @apollo/gateway's query plans: the same plans, the same data
 * sources, the same answers, at a fraction of the cost per request.
 *
 * @apollo/gateway stays the engine the supergraph is loaded and planned with. What it does around
 * and after planning was most of the gateway's CPU on a heavy query (the profile of bench:peers
 * workload (c)): for every request it builds the operation again from the document
 * (`operationFromDocument`), allocates usage-reporting protobuf nodes that nothing reads, walks
 * the result with the operation's rich objects (directive look-ups for every field, `isSubtype`
 * for every fragment, a result object for every value), builds `Object.create(null)` objects
 * (dictionary-mode in V8, slow to fill and to serialise) and copies paths at every step.
 *
 * Here the work that depends only on the plan is done once, when a plan is first run, and kept
 * beside it: the operation, and a compiled shape of the answer (each selection's response name,
 * its type as a chain of steps, its leaf check, its skip/include conditions, a memo of which
 * runtime types each fragment applies to). A request then runs the plan's fetches and fills the
 * answer by walking that shape. The semantics are @apollo/gateway 2.14's, step by step
 * (executeQueryPlan.js, resultShaping.js): the same merge of entities, the same null bubbling,
 * the same error messages and paths, the same OpenTelemetry spans. test/gateway/planExecutor.test.ts
 * runs both executors on the same requests and compares their answers.
 *
 * What this executor does not take on, it runs with @apollo/gateway's own `executeQueryPlan`, inside
 * the same request span and after the same plan listener: operations with introspection fields
 * (`__schema`, `__type`), plans with subscriptions or context rewrites, requests whose trace is
 * captured for usage reporting (never here: telemetry is off), and response names that are
 * Object.prototype's own (`constructor`, `__proto__`: the answer is built of plain objects, which
 * would read those as inherited). A request for the plan itself (the Apollo-Query-Plan-Experimental
 * header outside production, or the gateway's `debug`) goes to @apollo/gateway's executor whole.
 * (@defer never reaches an executor: the API schema does not declare it.)
 */
import { createHash } from 'node:crypto';
import { buildOperationContext, type GraphQLDataSource, type ApolloGateway } from '@apollo/gateway';
import {
  ERRORS,
  errorCodeDef,
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  operationFromDocument,
  Variable,
  type CompositeType,
  type Directive,
  type NamedType,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import { SpanStatusCode, type Span, type SpanOptions } from '@opentelemetry/api';
import { Kind, GraphQLError, type GraphQLSchema } from 'graphql';
// The same tracer and span names as @apollo/gateway's executor, so a trace looks the same with either.
import { OpenTelemetrySpanNames, operationContextSpanAttributes, recordExceptions, requestContextSpanAttributes, tracer } from '@apollo/gateway/dist/utilities/opentelemetry.js';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge.js';
import { applyRewrites, isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import { executeQueryPlan as apolloExecuteQueryPlan, generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan.js';
import type { PlanListener } from './supergraph';

type Executor = ApolloGateway['executor'];
type RequestContext = Parameters<Executor>[0];
type ExecutionResult = Awaited<ReturnType<Executor>>;
type OperationContext = ReturnType<typeof buildOperationContext>;
type Data = Record<string, unknown>;
type ResponsePath = (string | number)[];

/** The parts of an ApolloGateway read here: set by its load, private in its types. */
interface GatewayInternals {
  readonly schema: GraphQLSchema;
  readonly apiSchema: Schema;
  readonly supergraphSchema: GraphQLSchema;
  readonly serviceMap: Record<string, { dataSource: GraphQLDataSource }>;
  readonly queryPlanStore: { get(key: string): Promise<QueryPlan | undefined>; set(key: string, plan: QueryPlan): Promise<void> };
  readonly queryPlanner: { buildQueryPlan(operation: Operation, options: object): QueryPlan };
  readonly recursiveSelectionsLimitDisabled?: boolean;
  readonly nonLocalSelectionsLimitDisabled?: boolean;
  readonly config: { telemetry?: Parameters<typeof recordExceptions>[2]; debug?: boolean; __exposeQueryPlanExperimental?: boolean };
  readonly logger: { warn(message: string): void };
  validateIncomingRequest(requestContext: RequestContext, operationContext: OperationContext): GraphQLError[];
}

/**
 * The executor for a loaded ApolloGateway: plans with it (its plan cache, its planner), runs the
 * plan here. `apolloExecutor` is the gateway's own, for what this one hands over (see above).
 */
export function planExecutor(gateway: ApolloGateway, apolloExecutor: Executor, onPlan?: PlanListener): Executor {
  const internals = gateway as unknown as GatewayInternals;
  const missing = missingInternals(internals);
  // A newer @apollo/gateway that moved them: refused at load, with what to do, rather than failing per request.
  if (missing.length > 0) {
    throw new Error(`the gateway's plan executor reads @apollo/gateway's ${missing.join(', ')}, which this version of it does not have: set LEAN_PLAN_EXECUTOR=false, or use @apollo/gateway 2.14`);
  }
  const telemetry = internals.config.telemetry;
  // Fixed for the gateway's life: each supergraph version is a gateway of its own (supergraph.ts).
  const serviceMap: Record<string, GraphQLDataSource> = Object.create(null);
  for (const [name, { dataSource }] of Object.entries(internals.serviceMap)) serviceMap[name] = dataSource;
  const compiledPlans = new WeakMap<QueryPlan, CompiledPlan>();

  return (requestContext) => {
    // Outside production, on a request header (or with the gateway's debug), @apollo/gateway's
    // executor answers with the plan itself: that is its executor's to do, spans and all.
    if (asksForPlan(internals, requestContext)) return apolloExecutor(requestContext);
    return traced(OpenTelemetrySpanNames.REQUEST, { attributes: requestContextSpanAttributes(requestContext, telemetry) }, telemetry, async (span) => {
      const { request, document } = requestContext;
      const operationContext = buildOperationContext({ schema: internals.schema, operationDocument: document, operationName: request.operationName });
      span.setAttributes(operationContextSpanAttributes(operationContext));
      const validationErrors = internals.validateIncomingRequest(requestContext, operationContext);
      if (validationErrors.length > 0) return { errors: validationErrors };
      const queryPlan = await planFor(internals, requestContext);
      let compiled = compiledPlans.get(queryPlan);
      if (!compiled) {
        compiled = compilePlan(queryPlan, internals.apiSchema, operationContext);
        compiledPlans.set(queryPlan, compiled);
      }
      onPlan?.({ queryPlan, serviceMap, requestContext, operationContext });
      // What this executor does not take on runs in @apollo/gateway's executeQueryPlan, inside the
      // same request span as its executor would: the spans are the same either way.
      if (compiled.handOver || requestContext.metrics?.captureTraces) {
        return apolloExecuteQueryPlan(queryPlan, serviceMap, requestContext, operationContext, internals.supergraphSchema, internals.apiSchema, telemetry);
      }
      return executePlan(compiled, { requestContext, serviceMap, supergraphSchema: internals.supergraphSchema, errors: [], telemetry });
    });
  };
}

/**
 * `work` in an active span named `name`, ended when it settles: a thrown error, or the errors of
 * a GraphQL result it returns, are recorded on it as @apollo/gateway records them.
 */
function traced<T>(name: string, options: SpanOptions, telemetry: GatewayInternals['config']['telemetry'], work: (span: Span) => T): T {
  return tracer.startActiveSpan(name, options, (span) => {
    const failed = (errors: readonly Error[]) => {
      recordExceptions(span, errors, telemetry);
      span.setStatus({ code: SpanStatusCode.ERROR });
    };
    const settled = (result: unknown) => {
      const errors = (result as { errors?: readonly GraphQLError[] } | undefined)?.errors;
      if (errors && errors.length > 0) failed(errors);
      span.end();
      return result;
    };
    let result: T;
    try {
      result = work(span);
    } catch (error) {
      failed([error as Error]);
      span.end();
      throw error;
    }
    if (!(result instanceof Promise)) return settled(result) as T;
    return result.then(settled, (error: unknown) => {
      failed([error as Error]);
      span.end();
      throw error;
    }) as T;
  });
}

/** The parts of a loaded ApolloGateway this executor reads that are not there (its private fields, by name). */
export function missingInternals(gateway: object): string[] {
  const internals = gateway as Partial<Record<keyof GatewayInternals, unknown>>;
  const missing: string[] = [];
  for (const name of ['schema', 'apiSchema', 'supergraphSchema', 'serviceMap', 'config', 'logger'] as const) if (!internals[name] || typeof internals[name] !== 'object') missing.push(name);
  const store = internals.queryPlanStore as Partial<GatewayInternals['queryPlanStore']> | undefined;
  if (typeof store?.get !== 'function' || typeof store.set !== 'function') missing.push('queryPlanStore');
  if (typeof (internals.queryPlanner as Partial<GatewayInternals['queryPlanner']> | undefined)?.buildQueryPlan !== 'function') missing.push('queryPlanner');
  if (typeof internals.validateIncomingRequest !== 'function') missing.push('validateIncomingRequest');
  return missing;
}

/** Whether @apollo/gateway would answer with the plan itself (outside production, on a request header): its executor does that. */
function asksForPlan(gateway: GatewayInternals, requestContext: RequestContext): boolean {
  if (gateway.config.debug) return true;
  return !!gateway.config.__exposeQueryPlanExperimental && !!requestContext.request.http?.headers.get('Apollo-Query-Plan-Experimental');
}

/** The gateway's own key for a request's plan, so plans are shared with its executor. */
function planKey(requestContext: RequestContext): string {
  const { request, queryHash } = requestContext;
  return request.operationName ? createHash('sha256').update(queryHash).update(request.operationName).digest('hex') : queryHash;
}

/** The request's plan, from the gateway's plan cache, or made by its planner and cached there. */
async function planFor(gateway: GatewayInternals, requestContext: RequestContext): Promise<QueryPlan> {
  const { request, document } = requestContext;
  const key = planKey(requestContext);
  const cached = await gateway.queryPlanStore.get(key);
  if (cached) return cached;
  const attributes = requestContext.operationName ? { attributes: { 'graphql.operation.name': requestContext.operationName } } : {};
  const queryPlan = traced(OpenTelemetrySpanNames.PLAN, attributes, gateway.config.telemetry, () =>
    gateway.queryPlanner.buildQueryPlan(operationFromDocument(gateway.apiSchema, document, request.operationName ? { operationName: request.operationName } : {}), {
      recursiveSelectionsLimitDisabled: gateway.recursiveSelectionsLimitDisabled,
      nonLocalSelectionsLimitDisabled: gateway.nonLocalSelectionsLimitDisabled,
    }),
  );
  try {
    await gateway.queryPlanStore.set(key, queryPlan);
  } catch (error) {
    gateway.logger.warn(`Could not store queryPlan${(error as Error)?.message ?? String(error)}`);
  }
  return queryPlan;
}

// ─── What is kept of a plan ────────────────────────────────────────────────────────────────────

interface CompiledPlan {
  readonly plan: QueryPlan;
  readonly operation: Operation;
  /** The shape of the answer, from the operation's root type. */
  readonly root: CompiledSet;
  readonly rootType: CompositeType;
  /** The operation's variables' defaults, for skip/include; undefined when no selection has a condition. */
  readonly defaults: Data | undefined;
  /** Why @apollo/gateway's executor runs this plan instead; undefined when this one does. */
  readonly handOver: string | undefined;
}

/** @skip(if:) and @include(if:): a constant, or the variable it reads (and the directive as written, for errors). */
type IfArgument = boolean | { variable: string; written: string };
interface Condition {
  readonly skip: IfArgument | undefined;
  readonly include: IfArgument | undefined;
}

interface CompiledSet {
  readonly selections: readonly CompiledSelection[];
}

type CompiledSelection =
  | { readonly kind: 'typename'; readonly responseName: string; readonly condition: Condition | undefined }
  | { readonly kind: 'field'; readonly responseName: string; readonly condition: Condition | undefined; readonly shape: Shape; readonly set: CompiledSet | undefined }
  | {
      readonly kind: 'fragment';
      readonly condition: Condition | undefined;
      readonly typeCondition: CompositeType | undefined;
      readonly set: CompiledSet;
      /** Whether the fragment applies, by `t:` runtime typename or `p:` parent type name. */
      readonly applies: Map<string, boolean>;
    };

/** A field's type, outermost wrapper first. `type` is kept for the messages of errors. */
type Shape =
  | { readonly kind: 'nonNull'; readonly type: Type; readonly of: Shape }
  | { readonly kind: 'list'; readonly type: Type; readonly of: Shape }
  | { readonly kind: 'composite'; readonly type: CompositeType }
  | { readonly kind: 'leaf'; readonly type: Type; readonly valid: (value: unknown) => boolean };

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

function compilePlan(plan: QueryPlan, apiSchema: Schema, operationContext: OperationContext): CompiledPlan {
  // Built as @apollo/gateway's executeQueryPlan builds it for every request.
  const operation = operationFromDocument(
    apiSchema,
    { kind: Kind.DOCUMENT, definitions: [operationContext.operation, ...Object.values(operationContext.fragments)] },
    { validate: false },
  );
  const schema = operation.schema();
  const state = { handOver: undefined as string | undefined, conditions: false };
  const root = compileSet(operation.selectionSet, schema, state);
  const planHandOver = !plan.node ? undefined : plan.node.kind === 'Subscription' ? 'a subscription' : unsupportedNode(plan.node, false);
  return {
    plan,
    operation,
    root,
    rootType: schema.schemaDefinition.rootType(operation.rootKind)!,
    defaults: state.conditions ? operation.collectDefaultedVariableValues() : undefined,
    handOver: state.handOver ?? planHandOver,
  };
}

function compileSet(selectionSet: SelectionSet, schema: Schema, state: { handOver: string | undefined; conditions: boolean }): CompiledSet {
  const selections: CompiledSelection[] = [];
  for (const selection of selectionSet.selections()) {
    const condition = conditionOf(selection.element.appliedDirectivesOf(schema.skipDirective())[0], selection.element.appliedDirectivesOf(schema.includeDirective())[0]);
    if (condition) state.conditions = true;
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const responseName = field.responseName();
      if (PROTOTYPE_NAMES.has(responseName)) state.handOver ??= `the response name ${responseName}`;
      if (field.definition.isSchemaIntrospectionField()) {
        state.handOver ??= `the introspection field ${field.name}`;
        continue;
      }
      if (field.name === '__typename') {
        selections.push({ kind: 'typename', responseName, condition });
        continue;
      }
      const set = selection.selectionSet ? compileSet(selection.selectionSet, schema, state) : undefined;
      selections.push({ kind: 'field', responseName, condition, shape: shapeOf(field.definition.type!, schema), set });
    } else {
      const fragment = selection.element;
      selections.push({
        kind: 'fragment',
        condition,
        typeCondition: fragment.typeCondition,
        set: compileSet(selection.selectionSet, schema, state),
        applies: new Map(),
      });
    }
  }
  return { selections };
}

function conditionOf(skip: Directive<any> | undefined, include: Directive<any> | undefined): Condition | undefined {
  if (!skip && !include) return undefined;
  return { skip: skip ? ifArgument(skip) : undefined, include: include ? ifArgument(include) : undefined };
}

function ifArgument(directive: Directive<any>): IfArgument {
  const value = (directive.arguments() as { if: unknown }).if;
  if (typeof value === 'boolean') return value;
  // Anything else must be a variable of the operation; a Variable of another copy of
  // federation-internals would not pass instanceof, and must not pass as a constant either.
  if (value instanceof Variable) return { variable: value.name, written: String(directive) };
  throw new Error(`the plan executor cannot read ${String(directive)}: its argument is neither a boolean nor a variable`);
}

function shapeOf(type: Type, schema: Schema): Shape {
  if (isNonNullType(type)) return { kind: 'nonNull', type, of: shapeOf(type.ofType, schema) };
  if (isListType(type)) return { kind: 'list', type, of: shapeOf(type.ofType, schema) };
  if (isCompositeType(type)) return { kind: 'composite', type };
  return { kind: 'leaf', type, valid: leafCheck(type as NamedType, schema) };
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/** federation-internals' isValidLeafValue for one type, decided once. */
function leafCheck(type: NamedType, schema: Schema): (value: unknown) => boolean {
  if (isCustomScalarType(type)) return () => true;
  const isBoolean = type === schema.booleanType();
  const isInt = type === schema.intType();
  const isFloat = type === schema.floatType();
  const integral = isInt || type === schema.idType();
  const enumType = isEnumType(type) ? type : undefined;
  return (value) => {
    if (typeof value === 'boolean') return isBoolean;
    if (typeof value === 'number' && Number.isFinite(value)) return integral ? INTEGER.test(String(value)) : isFloat;
    if (typeof value === 'string') return enumType ? enumType.value(value) !== undefined : !isBoolean && !isInt && !isFloat;
    return false;
  };
}

/** Why a plan's node is one this executor does not run, or undefined. */
function unsupportedNode(node: PlanNode, inFlatten: boolean): string | undefined {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      for (const child of node.nodes) {
        const why = unsupportedNode(child, inFlatten);
        if (why) return why;
      }
      return undefined;
    case 'Flatten':
      return inFlatten ? 'a flatten inside a flatten' : unsupportedNode(node.node, true);
    case 'Fetch':
      return node.contextRewrites?.length ? 'context rewrites' : undefined;
    case 'Condition':
      return (node.ifClause && unsupportedNode(node.ifClause, inFlatten)) || (node.elseClause && unsupportedNode(node.elseClause, inFlatten)) || undefined;
    default:
      return `a ${node.kind} node`;
  }
}

// ─── Running a plan ────────────────────────────────────────────────────────────────────────────

interface Run {
  readonly requestContext: RequestContext;
  readonly serviceMap: Record<string, GraphQLDataSource>;
  readonly supergraphSchema: GraphQLSchema;
  readonly errors: GraphQLError[];
  readonly telemetry: GatewayInternals['config']['telemetry'];
}

interface Cursor {
  readonly path: ResponsePath;
  readonly data: unknown;
  readonly fullResult: Data;
}

async function executePlan(compiled: CompiledPlan, run: Run): Promise<ExecutionResult> {
  return traced(OpenTelemetrySpanNames.EXECUTE, {}, run.telemetry, async () => {
    const unfiltered: Data = {};
    if (compiled.plan.node) await executeNode(run, compiled, compiled.plan.node as PlanNode, { path: [], data: unfiltered, fullResult: unfiltered });
    // Its own span, whose failures become the answer (as executeQueryPlan's post-processing does).
    return tracer.startActiveSpan(OpenTelemetrySpanNames.POST_PROCESSING, (post): ExecutionResult => {
      try {
        const { data, errors: completionErrors } = shapeResponse(compiled, unfiltered, run.requestContext.request.variables);
        if (run.errors.length === 0 && completionErrors.length > 0) {
          recordExceptions(post, completionErrors, run.telemetry);
          post.setStatus({ code: SpanStatusCode.ERROR });
          return { extensions: { valueCompletion: completionErrors }, data };
        }
        return run.errors.length === 0 ? { data } : { errors: run.errors, data };
      } catch (error) {
        recordExceptions(post, [error as Error], run.telemetry);
        post.setStatus({ code: SpanStatusCode.ERROR });
        if (error instanceof GraphQLError) return { errors: [error] };
        if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
        return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
      } finally {
        post.end();
      }
    });
  });
}

async function executeNode(run: Run, compiled: CompiledPlan, node: PlanNode, cursor: Cursor): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(run, compiled, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(run, compiled, child, cursor)));
      return;
    case 'Flatten': {
      const data = flattenAt(cursor.data, node.path, 0);
      if (data) await executeNode(run, compiled, node.node, { path: cursor.path.concat(node.path), data, fullResult: cursor.fullResult });
      return;
    }
    case 'Fetch':
      try {
        await executeFetch(run, node, cursor);
      } catch (error) {
        run.errors.push(error as GraphQLError);
      }
      return;
    case 'Condition': {
      const branch = conditionHolds(node.condition, compiled.operation, run.requestContext.request.variables) ? node.ifClause : node.elseClause;
      if (branch) await executeNode(run, compiled, branch, cursor);
      return;
    }
    default:
      throw new Error(`the plan executor cannot run a ${node.kind} node`);
  }
}

/** @apollo/query-planner's evaluateCondition: the variable's value, or its default. */
function conditionHolds(variable: string, operation: Operation, values: Data | undefined): boolean {
  let value = values && Object.hasOwn(values, variable) ? values[variable] : undefined;
  if (value === undefined) value = operation.variableDefinitions.definition(variable)?.defaultValue;
  if (value === undefined) throw new Error(`Missing value for variable $${variable} (and no default found)`);
  if (typeof value !== 'boolean') throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${variable}`);
  return value;
}

/**
 * executeQueryPlan's flattenResultsAtPath without its copies of the path: the values at `path`,
 * `@` descending into every element of a list (a list of results flattened one level, as flatMap does).
 */
function flattenAt(value: unknown, path: readonly (string | number)[], from: number): unknown {
  let current = value;
  for (let i = from; i < path.length; i++) {
    if (current === undefined || current === null) return current;
    const key = path[i];
    if (key === '@') {
      if (!Array.isArray(current)) throw new TypeError('value.flatMap is not a function');
      const out: unknown[] = [];
      for (const element of current) {
        const found = flattenAt(element, path, i + 1);
        if (Array.isArray(found)) for (const item of found) out.push(item);
        else out.push(found);
      }
      return out;
    }
    if (typeof key !== 'string') throw new Error(`Unexpected ${typeof key} found in path`);
    if (Array.isArray(current)) throw new Error(`Unexpected array in result for path element ${key}`);
    current = Object.hasOwn(current as object, key) ? (current as Data)[key] : undefined;
  }
  return current;
}

async function executeFetch(run: Run, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const service = run.serviceMap[fetch.serviceName];
  return traced(OpenTelemetrySpanNames.FETCH, { attributes: { service: fetch.serviceName } }, run.telemetry, async () => {
    if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
    const entities = Array.isArray(cursor.data) ? (cursor.data as unknown[]).filter((e) => e !== null && e !== undefined) : [cursor.data];
    if (entities.length < 1) return;
    const variables: Data = Object.create(null);
    const provided = run.requestContext.request.variables;
    if (fetch.variableUsages && provided) {
      for (const name of fetch.variableUsages) {
        if (Object.hasOwn(provided, name) && typeof provided[name] !== 'undefined') variables[name] = provided[name];
      }
    }
    if (!fetch.requires) {
      const received = await sendOperation(run, fetch, cursor, variables);
      if (received) applyRewrites(run.supergraphSchema, fetch.outputRewrites, received);
      for (const entity of entities) deepMerge(entity, received);
      return;
    }
    const representations: Data[] = [];
    const representationToEntity: number[] = [];
    for (let index = 0; index < entities.length; index++) {
      const representation = representationOf(run.supergraphSchema, entities[index] as Data | null, fetch.requires);
      if (representation && representation.__typename) {
        applyRewrites(run.supergraphSchema, fetch.inputRewrites, representation);
        representations.push(representation);
        representationToEntity.push(index);
      }
    }
    if (representations.length < 1) return;
    if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');
    const received = await sendOperation(run, fetch, cursor, { ...variables, representations });
    if (!received) return;
    const receivedEntities = received._entities;
    if (!Array.isArray(receivedEntities)) throw new Error('Expected "data._entities" in response to be an array');
    if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
    for (let i = 0; i < receivedEntities.length; i++) {
      const receivedEntity = receivedEntities[i] as Data | null;
      const existing = entities[representationToEntity[i]!] as Data;
      if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existing.__typename;
      applyRewrites(run.supergraphSchema, fetch.outputRewrites, receivedEntity as Data);
      deepMerge(existing, receivedEntity);
    }
  });
}

async function sendOperation(run: Run, fetch: FetchNode, cursor: Cursor, variables: Data): Promise<Data | undefined> {
  const { requestContext } = run;
  const response = await run.serviceMap[fetch.serviceName]!.process({
    kind: 'incoming operation' as never,
    request: { query: fetch.operation, variables, operationName: fetch.operationName, http: undefined },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: cursor.path,
  } as Parameters<GraphQLDataSource['process']>[0]);
  if (response.errors) {
    const pathOf = lazyErrorPaths(fetch, cursor);
    run.errors.push(...response.errors.map((error) => downstreamError(error, fetch.serviceName, pathOf)));
    if (!response.extensions?.ftv1) {
      const errorPaths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
      const metrics = requestContext.metrics as { nonFtv1ErrorPaths?: unknown[] };
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...errorPaths);
      else metrics.nonFtv1ErrorPaths = errorPaths;
    }
  }
  return (response.data ?? undefined) as Data | undefined;
}

/** Where a subgraph's error belongs in the client's answer (executeQueryPlan's makeLazyErrorPathGenerator). */
function lazyErrorPaths(fetch: FetchNode, cursor: Cursor): (errorPath: readonly (string | number)[] | undefined) => ResponsePath | undefined {
  let hydrated: ResponsePath[] | undefined;
  return (errorPath) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult, hydrated);
      }
      return [...(hydrated[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursor.path, ...errorPath.slice()] : undefined;
  };
}

function downstreamError(originalError: { message?: string; path?: readonly (string | number)[]; extensions?: Data }, serviceName: string, pathOf: ReturnType<typeof lazyErrorPaths>): GraphQLError {
  // Written as @apollo/gateway's downstreamServiceError is, down to the destructuring and the
  // conditional: a malformed error entry (null, a code naming an Object.prototype member) fails
  // here with the very TypeError it fails with there, so the two executors answer alike.
  let { message } = originalError;
  const { extensions } = originalError;
  if (!message) message = `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: originalError as Error,
    path: pathOf(originalError.path),
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(originalError as GraphQLError);
  if (!codeDef && extensions?.code) return new GraphQLError(message, options);
  return (codeDef !== null && codeDef !== void 0 ? codeDef : DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

const DOWNSTREAM_SERVICE_ERROR = ERRORS.DOWNSTREAM_SERVICE_ERROR;

/** An entity's representation for `requires` (executeQueryPlan's executeSelectionSet). */
function representationOf(schema: GraphQLSchema, source: Data | null, selections: readonly QueryPlanSelectionNode[]): Data | null {
  if (source === null) return null;
  const result: Data = Object.create(null);
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const responseName = selection.alias ?? selection.name;
      const inner = selection.selections;
      if (!Object.hasOwn(source, responseName) || typeof source[responseName] === 'undefined') return null;
      const value = source[responseName];
      if (Array.isArray(value)) result[responseName] = value.map((element) => (inner ? representationOf(schema, element as Data | null, inner) : element));
      else if (inner) result[responseName] = representationOf(schema, value as Data | null, inner);
      else result[responseName] = value;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!selection.typeCondition || !source) continue;
      if (isObjectOfType(schema, source, selection.typeCondition)) deepMerge(result, representationOf(schema, source, selection.selections));
    }
  }
  return result;
}

// ─── Shaping the answer (resultShaping.js's computeResponse, over the compiled shape) ──────────

interface Shaping {
  readonly schema: Schema;
  readonly variables: Data | undefined;
  readonly errors: GraphQLError[];
  /** Set by every `complete`: the value it returned makes its parent null (a non-null field was null). */
  invalid: boolean;
  /** Set by every `complete`: an error was recorded at or below it. */
  errored: boolean;
}

function shapeResponse(compiled: CompiledPlan, input: Data, requestVariables: Data | undefined): { data: Data | null; errors: GraphQLError[] } {
  const shaping: Shaping = {
    schema: compiled.operation.schema(),
    variables: compiled.defaults ? { __proto__: null, ...compiled.defaults, ...requestVariables } : undefined,
    errors: [],
    invalid: false,
    errored: false,
  };
  const data: Data = {};
  const nulled = applySet(input, compiled.root, data, shaping, [], compiled.rootType);
  return { data: nulled ? null : data, errors: shaping.errors };
}

function skipped(condition: Condition, variables: Data | undefined): boolean {
  return (condition.skip !== undefined && ifValue(condition.skip, variables)) || (condition.include !== undefined && !ifValue(condition.include, variables));
}

function ifValue(argument: IfArgument, variables: Data | undefined): boolean {
  if (typeof argument === 'boolean') return argument;
  const value = variables?.[argument.variable];
  if (value === undefined || typeof value !== 'boolean') throw new Error(`Unexpected value ${String(value)} for variable $${argument.variable} of ${argument.written}`);
  return value;
}

/** Fills `output` from `input` by `set`; true when a null must bubble up to the parent. */
function applySet(input: Data, set: CompiledSet, output: Data, shaping: Shaping, path: ResponsePath, parentType: CompositeType): boolean {
  for (const selection of set.selections) {
    if (selection.condition && skipped(selection.condition, shaping.variables)) continue;
    if (selection.kind === 'field') {
      const { responseName } = selection;
      const inputValue = Object.hasOwn(input, responseName) ? (input[responseName] ?? null) : null;
      path.push(responseName);
      output[responseName] = complete(output[responseName], selection.shape, inputValue, selection.set, path, shaping, parentType);
      path.pop();
      if (shaping.invalid) return true;
    } else if (selection.kind === 'typename') {
      const { responseName } = selection;
      if (output[responseName] !== undefined) continue;
      let inputValue = Object.hasOwn(input, responseName) ? (input[responseName] ?? null) : null;
      if (inputValue === null && responseName !== '__typename') inputValue = input.__typename ?? null;
      const type = typeof inputValue === 'string' ? (shaping.schema.type(inputValue) ?? parentType) : parentType;
      if (!isObjectType(type)) return true;
      output[responseName] = type.name;
    } else {
      const typename = input.__typename;
      if (typename && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
      if (fragmentApplies(selection, typename as string | undefined, parentType, shaping.schema)) {
        if (applySet(input, selection.set, output, shaping, path, selection.typeCondition ?? parentType)) return true;
      }
    }
  }
  return false;
}

function fragmentApplies(fragment: Extract<CompiledSelection, { kind: 'fragment' }>, typename: string | undefined, parentType: CompositeType, schema: Schema): boolean {
  const { typeCondition } = fragment;
  if (!typeCondition) return true;
  const key = typename ? `t:${typename}` : `p:${parentType.name}`;
  let applies = fragment.applies.get(key);
  if (applies === undefined) {
    if (typename) {
      const type = schema.type(typename);
      applies = !!type && isSubtype(typeCondition, type);
    } else {
      applies = isSubtype(typeCondition, parentType);
    }
    fragment.applies.set(key, applies);
  }
  return applies;
}

function describeLast(path: ResponsePath, currentType: Type, parentType: CompositeType): string {
  const element = path[path.length - 1];
  return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${currentType} at index ${element}`;
}

/** resultShaping's updateOutputValue: the completed value; sets `shaping.invalid` and `shaping.errored`. */
function complete(outputValue: unknown, shape: Shape, inputValue: unknown, set: CompiledSet | undefined, path: ResponsePath, shaping: Shaping, parentType: CompositeType): unknown {
  if (outputValue === null || (outputValue !== undefined && !set)) {
    shaping.invalid = false;
    shaping.errored = false;
    return outputValue;
  }
  switch (shape.kind) {
    case 'nonNull': {
      const value = complete(outputValue, shape.of, inputValue, set, path, shaping, parentType);
      if (value === null) {
        if (!shaping.errored) shaping.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describeLast(path, shape.of.type, parentType)}.`, { path: Array.from(path) }));
        shaping.invalid = true;
        shaping.errored = true;
        return null;
      }
      shaping.invalid = false;
      shaping.errored = false;
      return value;
    }
    case 'list': {
      if (inputValue === null) return nothing(shaping);
      if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${shape.type}`);
      if (outputValue !== undefined && !Array.isArray(outputValue)) throw new Error(`Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${shape.type}`);
      const before = outputValue as unknown[] | undefined;
      if (before && before.length !== inputValue.length) throw new Error(`[${inputValue}].length (${inputValue.length}) !== [${before}].length (${before.length})`);
      const updated = new Array<unknown>(inputValue.length);
      let nullify = false;
      let errored = false;
      for (let i = 0; i < inputValue.length; i++) {
        path.push(i);
        updated[i] = complete(before ? before[i] : undefined, shape.of, inputValue[i], set, path, shaping, parentType);
        path.pop();
        nullify ||= shaping.invalid;
        errored ||= shaping.errored;
      }
      shaping.invalid = false;
      shaping.errored = errored;
      return nullify ? null : updated;
    }
    case 'composite': {
      if (inputValue === null) return nothing(shaping);
      if (!set) throw new Error(`Invalid empty selection set for composite type ${shape.type}`);
      if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${shape.type}`);
      if (outputValue !== undefined && typeof outputValue !== 'object') throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${shape.type}`);
      const input = inputValue as Data;
      const inputTypename = input.__typename;
      if (inputTypename !== undefined && typeof inputTypename !== 'string') throw new Error(`Invalid non-string value ${String(inputTypename)} for __typename at ${path}`);
      let objectType: CompositeType = shape.type;
      if (inputTypename) {
        const named = shaping.schema.type(inputTypename);
        if (!named || !isCompositeType(named)) {
          shaping.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describeLast(path, shape.type, parentType)}.`, { path: Array.from(path) }));
          shaping.invalid = false;
          shaping.errored = true;
          return null;
        }
        objectType = named;
      }
      const output = (outputValue as Data | undefined) ?? {};
      const nulled = applySet(input, set, output, shaping, path, objectType);
      shaping.invalid = false;
      shaping.errored = nulled;
      return nulled ? null : output;
    }
    case 'leaf': {
      if (inputValue === null) return nothing(shaping);
      if (outputValue !== undefined) throw new Error(`Excepted output to be undefined but got ${shape.type} for type ${shape.type}`);
      const valid = shape.valid(inputValue);
      if (!valid) shaping.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describeLast(path, shape.type, parentType)}.`, { path: Array.from(path) }));
      shaping.invalid = false;
      shaping.errored = !valid;
      return valid ? inputValue : null;
    }
  }
}

function nothing(shaping: Shaping): null {
  shaping.invalid = false;
  shaping.errored = false;
  return null;
}
