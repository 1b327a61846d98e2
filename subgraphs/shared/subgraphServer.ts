/**
 * Builds and serves one subgraph: federation schema, per-request loaders scoped to the
 * gateway's request id, the request's deadline as an AbortSignal, errors mapped once,
 * stale-data reporting back to the gateway, /health and /ready.
 */
import { setMaxListeners } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, parse } from 'graphql';
import { createRequestScopes, type LoaderRegistry } from '../../adapters/core/loaders';
import { memoryReport, startGraphQLHttpServer, writeJson, type RunningHttpServer } from '../../runtime/httpServer';
import { INTERNAL_TOKEN_HEADER, InternalTokenRejected, type InternalClaims, type InternalTokenVerifier } from '../../runtime/internalToken';
import { describeForLog } from '../../runtime/redact';
import { createResponseExtensionPlugin } from '../../runtime/responseExtension';
import { ACCESS_EXTENSION, AccessLog } from './accessLog';
import { toGraphQLError } from './toGraphQLError';

/** Header the gateway sets to the milliseconds left of the client request's budget. */
export const REQUEST_BUDGET_HEADER = 'x-request-budget-ms';
/** Response extension listing legacy systems whose cached data was served stale. */
export const STALE_EXTENSION = 'legacyStale';

export interface SubgraphContext {
  loaders: LoaderRegistry;
  /** The gateway's id for the client request, from its signed internal token. */
  requestId: string;
  /** Who the gateway says is asking, on whose behalf and why. */
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
  resolvers: GraphQLResolverMap<SubgraphContext>;
}

export interface SubgraphServerOptions {
  /** Verifies the gateway's internal token on every call; calls without a valid one are refused. */
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
  const schema = buildSubgraphSchema([{ typeDefs: parse(definition.typeDefs), resolvers: definition.resolvers }]);
  const scopes = createRequestScopes();
  const defaultBudgetMs = options.requestBudgetMs ?? 3_000;
  const onUnexpectedError =
    options.onUnexpectedError ?? ((e: unknown) => console.error(`[${definition.name}] unexpected error: ${describeForLog(e)}`));
  let draining = false;

  const apollo = new ApolloServer<SubgraphContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // The gateway is the client: it has already validated the operation, and it needs `_service`.
    introspection: false,
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
    context: async (req: IncomingMessage) => {
      const token = req.headers[INTERNAL_TOKEN_HEADER];
      let caller: InternalClaims;
      try {
        caller = await options.internalTokens.verify(typeof token === 'string' ? token : undefined);
      } catch (error) {
        const message = error instanceof InternalTokenRejected ? error.message : 'the internal token could not be checked';
        throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      }
      // The request id comes from the signed token, so nobody can join another request's loaders.
      const requestId = caller.requestId;
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
  return {
    ...running,
    name: definition.name,
    close: async () => {
      draining = true;
      if (options.shutdownDelayMs) await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
      await running.close();
      scopes.close();
      await options.onClose?.();
    },
  };
}
