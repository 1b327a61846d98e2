/**
 * Builds and serves one subgraph: federation schema, per-request loaders scoped to the
 * gateway's request id, the request's deadline as an AbortSignal, errors mapped once,
 * stale-data reporting back to the gateway, /health and /ready.
 *
 * The subgraph does not take the gateway's word on faith for what it resolves: the gateway's
 * token must be for this subgraph and this exact request, and the grants it carries (personal
 * data or not, one role, scopes, a write's recorded intent) are enforced on every field against
 * the subgraph's own `@access` declarations. A token that leaks is worth one request, as asked.
 */
import { setMaxListeners } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { defaultFieldResolver, GraphQLError, isObjectType, parse, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { createRequestScopes, type LoaderRegistry } from '../../adapters/core/loaders';
import { memoryReport, startGraphQLHttpServer, writeJson, type GraphQLRequestFields, type RunningHttpServer } from '../../runtime/httpServer';
import {
  INTERNAL_TOKEN_HEADER,
  InternalTokenRejected,
  ReplayCheckUnavailable,
  subgraphRequestHash,
  type InternalClaims,
  type InternalTokenVerifier,
} from '../../runtime/internalToken';
import { bindLogContext, logger } from '../../runtime/log';
import { parseTraceparent, TRACEPARENT_HEADER } from '../../runtime/traceContext';
import { activeTrace, describeActiveSpan } from '../../runtime/requestTrace';
import { describeForLog } from '../../runtime/redact';
import { createResponseExtensionPlugin } from '../../runtime/responseExtension';
import { describeGrant, meetsGrant, readAccessPolicy, type AccessGrant, type AccessPolicy, type Grantee } from '../../schema/accessPolicy';
import { ACCESS_EXTENSION, AccessLog } from './accessLog';
import { logLegacy } from './legacyLog';
import { subgraphProcessMetrics, type LegacyInstruments, type SubgraphMetrics } from './metrics';
import { toGraphQLError } from './toGraphQLError';

/** Header the gateway sets to the milliseconds left of the client request's budget. */
export const REQUEST_BUDGET_HEADER = 'x-request-budget-ms';
/** Response extension listing legacy systems whose cached data was served stale. */
export const STALE_EXTENSION = 'legacyStale';

export interface SubgraphContext {
  loaders: LoaderRegistry;
  /** The gateway's id for the client request, from its signed internal token. */
  requestId: string;
  /** Who the gateway says is asking, on whose behalf and why, and what it granted this call. */
  caller: InternalClaims;
  /** Aborts when the request's budget is spent: every legacy call takes it. */
  signal: AbortSignal;
  /** Legacy systems whose cached answers were served stale in this response. */
  stale: Set<string>;
  /** Personal data touched while answering, reported to the gateway for its access records. */
  access: AccessLog;
}

export interface SubgraphDefinition {
  name: string;
  typeDefs: string;
  /**
   * Its resolver map, typed by the subgraph with its generated `Resolvers` (npm run codegen), which
   * checks every resolver against the SDL. Apollo's own map type cannot say that: it has no
   * signature for `__resolveReference`, so it is taken here as any object of types.
   */
  resolvers: Readonly<Record<string, unknown>>;
}

export interface SubgraphServerOptions {
  /**
   * Verifies the gateway's internal token on every call (made for this subgraph's name: tokens
   * for another are refused); calls without a valid one are refused. Closed with the subgraph.
   */
  internalTokens: InternalTokenVerifier;
  port?: number;
  host?: string;
  /** Budget for a request that does not say its own. @default 3000 (milliseconds) */
  requestBudgetMs?: number;
  /** Details for /ready, e.g. circuit-breaker states per legacy system. */
  readiness?: () => Record<string, unknown>;
  /** Where unexpected errors are reported (they reach the gateway as "Unexpected error."). */
  onUnexpectedError?: (error: unknown) => void;
  /** On shutdown, how long /ready answers "draining" while requests are still taken, before the server stops accepting. @default 0 (milliseconds) */
  shutdownDelayMs?: number;
  /** Called once the server has drained, to release what the subgraph holds. */
  onClose?: () => void | Promise<void>;
  /**
   * The legacy plumbing to measure under this subgraph's name (legacyPlumbing's serverOptions
   * sets it): legacy calls, breakers, registry-cache reads.
   */
  legacy?: LegacyInstruments;
  /** Where those series go. @default the process's subgraph metrics (subgraphs/shared/metrics.ts) */
  metrics?: SubgraphMetrics;
}

export interface RunningSubgraph extends RunningHttpServer {
  name: string;
}

const MAX_BUDGET_MS = 60_000;

/** Tells the gateway whose personal data was touched; the gateway strips it from what clients see. */
const reportAccess = createResponseExtensionPlugin<SubgraphContext>(ACCESS_EXTENSION, (context) => context.access.report());

/** Tells the gateway which legacy systems answered from stale cache; the gateway never forwards this as is. */
const reportStale = createResponseExtensionPlugin<SubgraphContext>(STALE_EXTENSION, (context) =>
  context.stale.size > 0 ? [...context.stale].sort() : undefined,
);

export async function startSubgraph(definition: SubgraphDefinition, options: SubgraphServerOptions): Promise<RunningSubgraph> {
  if (options.internalTokens.subgraph !== definition.name) {
    throw new Error(`the ${definition.name} subgraph needs an internal token verifier made for it, not for ${options.internalTokens.subgraph}`);
  }
  const typeDefs = parse(definition.typeDefs);
  const schema = buildSubgraphSchema([{ typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<SubgraphContext> }]);
  enforceGrants(schema, readAccessPolicy(typeDefs));
  const scopes = createRequestScopes();
  const defaultBudgetMs = options.requestBudgetMs ?? 3_000;
  // Every line this subgraph writes (runtime/log.ts); its legacy calls and breakers get theirs from legacyLog.ts.
  const log = logger({ service: `subgraph:${definition.name}` });
  const onUnexpectedError =
    options.onUnexpectedError ?? ((e: unknown) => log.error({ code: 'INTERNAL_SERVER_ERROR' }, `unexpected error: ${describeForLog(e)}`));
  let draining = false;

  const apollo = new ApolloServer<SubgraphContext>({
    schema,
    // The process has one owner of its signals (runtime/shutdown.ts), which calls close below.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // The gateway is the client: it has already validated the operation, and it needs `_service`.
    introspection: false,
    // A token is bound to the query text it came with; a request that brings only a hash of it
    // would be bound to nothing. The gateway sends the text.
    persistedQueries: false,
    csrfPrevention: true,
    // Federated traces would carry timings out to whoever asks; we keep observability in-house.
    plugins: [ApolloServerPluginInlineTraceDisabled(), reportStale, reportAccess],
    formatError: (formatted, error) => {
      const mapped = toGraphQLError(formatted, error);
      if (mapped.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') onUnexpectedError(error);
      return mapped;
    },
  });
  await apollo.start();
  const running = await startGraphQLHttpServer<SubgraphContext>({
    apollo,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    tracedAs: `subgraph:${definition.name}`,
    context: async (req: IncomingMessage, request: GraphQLRequestFields) => {
      const caller = await verifiedCaller(options.internalTokens, req, request);
      // The request id comes from the signed token, so nobody can join another request's loaders.
      const requestId = caller.requestId;
      // Every line written while the call is served carries the gateway's id for the request (runtime/log.ts).
      // And the trace the gateway's call is part of, so a request is one trace id in every layer's lines.
      // With traces exported, this call's server span is joined to that traceparent already.
      const traced = activeTrace();
      const trace = traced ?? parseTraceparent(req.headers[TRACEPARENT_HEADER]);
      bindLogContext({ requestId, ...(trace ? { traceId: trace.traceId } : {}) });
      if (traced) describeActiveSpan({ 'kommunegraph.request_id': requestId });
      const budget = Number(req.headers[REQUEST_BUDGET_HEADER]);
      const budgetMs = Number.isFinite(budget) && budget > 0 ? Math.min(budget, MAX_BUDGET_MS) : defaultBudgetMs;
      // Stop legacy work a little before the budget ends (10%, between 25 and 150 ms), so the
      // answer still reaches the client in time.
      const workMs = Math.max(1, budgetMs - Math.min(150, Math.max(25, Math.round(budgetMs * 0.1))));
      const signal = AbortSignal.timeout(workMs);
      // Every legacy call of the request listens to this one signal (and stops listening when done).
      setMaxListeners(1_000, signal);
      return {
        loaders: scopes.scope(requestId || undefined),
        requestId,
        caller,
        signal,
        stale: new Set<string>(),
        access: new AccessLog(),
      };
    },
    routes: {
      '/health': (req, res) => writeJson(res, 200, { status: 'ok', subgraph: definition.name, memory: memoryReport(req.url?.includes('gc=1') ?? false) }),
      '/ready': (_req, res) =>
        writeJson(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ready', subgraph: definition.name, ...options.readiness?.() }),
    },
  });
  // Measured from when it listens until it has drained; a closed subgraph's breakers are no longer reported.
  const uninstrument = options.legacy ? (options.metrics ?? subgraphProcessMetrics()).instrument(definition.name, options.legacy) : undefined;
  const unlog = options.legacy ? logLegacy(log, options.legacy) : undefined;
  // Once: a signal's shutdown and a caller's own close share one drain.
  let closing: Promise<void> | undefined;
  const drain = async () => {
    draining = true;
    if (options.shutdownDelayMs) await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
    await running.close();
    uninstrument?.();
    unlog?.();
    scopes.close();
    await options.internalTokens.close();
    await options.onClose?.();
  };
  return {
    ...running,
    name: definition.name,
    close: () => (closing ??= drain()),
  };
}

/** The claims of the gateway's token, checked against this very request; refuses the call otherwise. */
async function verifiedCaller(verifier: InternalTokenVerifier, req: IncomingMessage, request: GraphQLRequestFields): Promise<InternalClaims> {
  const token = req.headers[INTERNAL_TOKEN_HEADER];
  let caller: InternalClaims;
  try {
    caller = await verifier.verify(typeof token === 'string' ? token : undefined, {
      // A request without its text hashes to what no token was issued for: refused as "another request".
      requestHash: subgraphRequestHash(request.query ?? '', request.variables),
    });
  } catch (error) {
    if (error instanceof ReplayCheckUnavailable) {
      // Accepting the token unchecked would reopen replay; refusing says "try again" instead.
      throw new GraphQLError(`${error.message}: the call is refused, try again`, { extensions: { code: 'UNAUTHENTICATED', http: { status: 503 } } });
    }
    const message = error instanceof InternalTokenRejected ? error.message : 'the internal token could not be checked';
    throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  if (caller.development && process.env['NODE_ENV'] === 'production') {
    throw new GraphQLError('the internal token comes from a gateway that authenticates nobody (development); a production subgraph does not answer it', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  return caller;
}

/** What one field (or one entity type's reference) asks of the caller's token. */
interface FieldRule {
  coordinate: string;
  personal: boolean;
  grants: readonly AccessGrant[];
  needsIntent: boolean;
}

/** The error refusing a caller, or undefined when the caller may go on. */
type Check = (caller: InternalClaims) => GraphQLError | undefined;

/**
 * Wraps every resolver the schema's own `@access` declarations constrain, and every entity
 * type's reference resolver, with the check of its rule. Rules are worked out once here; a field
 * nothing constrains keeps its resolver untouched.
 */
function enforceGrants(schema: GraphQLSchema, policy: AccessPolicy): void {
  const mutationType = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const refusal = refusalFor({
        coordinate: `${type.name}.${field.name}`,
        personal: policy.isPersonal(type.name, field.name),
        grants: policy.grantsFor(type.name, field.name),
        needsIntent: type === mutationType,
      });
      if (refusal) field.resolve = guarded(field.resolve ?? defaultFieldResolver, refusal);
    }
  }
  for (const type of entityTypes(schema)) guardReference(type, policy);
}

function refusalFor(rule: FieldRule): Check | undefined {
  if (!rule.personal && rule.grants.length === 0 && !rule.needsIntent) return undefined;
  return (caller) => {
    if (rule.needsIntent && caller.intent === null) return forbidden('a write needs its intent recorded first');
    if (rule.personal && !caller.personal) return forbidden(`${rule.coordinate} is personal data, and this request was not granted personal data`);
    // A development gateway authenticates nobody and says so; production subgraphs refuse its tokens.
    const unmet = caller.development ? undefined : rule.grants.find((grant) => !meetsGrant(grant, granteeOf(caller)));
    return unmet ? forbidden(`Not authorized to read ${rule.coordinate}: it needs ${describeGrant(unmet)}`) : undefined;
  };
}

function guarded<TSource, TArgs>(resolve: GraphQLFieldResolver<TSource, SubgraphContext, TArgs>, refusal: Check): GraphQLFieldResolver<TSource, SubgraphContext, TArgs> {
  return (source, args, context, info) => {
    const refused = refusal(context.caller);
    if (refused) throw refused;
    return resolve(source, args, context, info);
  };
}

/** The object types `_entities` can resolve. */
function entityTypes(schema: GraphQLSchema): readonly GraphQLObjectType[] {
  const entity = schema.getType('_Entity');
  return entity && 'getTypes' in entity ? (entity as { getTypes(): readonly GraphQLObjectType[] }).getTypes() : [];
}

type ResolveReference = (reference: object, context: SubgraphContext, info: unknown) => unknown;

/**
 * `_entities` skips the field resolvers of the type it resolves into and calls the type's
 * reference resolver (or returns the representation itself): the type's own rule is checked
 * there, so a refused entity is null with its error and costs no legacy call.
 */
function guardReference(type: GraphQLObjectType, policy: AccessPolicy): void {
  // A name no field has: what the policy gives for it is the type's own rule.
  const personal = policy.isPersonal(type.name, '__resolveReference');
  const grants = policy.grantsFor(type.name, '__resolveReference');
  const refusal = refusalFor({ coordinate: type.name, personal, grants, needsIntent: false });
  if (!refusal) return;
  const extensions = type.extensions as { apollo?: { subgraph?: { resolveReference?: ResolveReference } } };
  const apollo = (extensions.apollo ??= {});
  const subgraph = (apollo.subgraph ??= {});
  const resolve: ResolveReference = subgraph.resolveReference ?? ((reference) => reference);
  // A rejected promise, not a throw: the other representations of the same call still resolve.
  subgraph.resolveReference = (reference, context, info) => {
    const refused = refusal(context.caller);
    return refused ? Promise.reject(refused) : resolve(reference, context, info);
  };
}

/** The caller as a grant sees it: the one role the gateway decided, and the scopes. */
const grantees = new WeakMap<InternalClaims, Grantee>();
function granteeOf(caller: InternalClaims): Grantee {
  let grantee = grantees.get(caller);
  if (!grantee) {
    grantee = { roles: caller.role ? [caller.role] : [], scopes: caller.scopes, purposeUses: caller.uses };
    grantees.set(caller, grantee);
  }
  return grantee;
}

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}
