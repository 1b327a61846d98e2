/**
 * Builds and serves one subgraph: federation schema, per-request loaders scoped to the
 * gateway's request id, errors mapped once, and /health.
 */
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import { createRequestScopes, type LoaderRegistry } from '../../adapters/core/loaders';
import { startGraphQLHttpServer, writeJson, type RunningHttpServer } from '../../runtime/httpServer';
import { describeForLog } from '../../runtime/redact';
import { toGraphQLError } from './toGraphQLError';

/** Header the gateway sets to one id per client request; loaders are shared under it. */
export const REQUEST_ID_HEADER = 'x-request-id';

export interface SubgraphContext {
  loaders: LoaderRegistry;
  /** The gateway's request id, when it sent one. */
  requestId: string | undefined;
}

export interface SubgraphDefinition {
  name: string;
  typeDefs: string;
  resolvers: GraphQLResolverMap<SubgraphContext>;
}

export interface SubgraphServerOptions {
  port?: number;
  host?: string;
  /** Log unexpected (non-legacy) errors; they are masked for clients. */
  onUnexpectedError?: (error: unknown) => void;
}

export interface RunningSubgraph extends RunningHttpServer {
  name: string;
}

export async function startSubgraph(definition: SubgraphDefinition, options: SubgraphServerOptions = {}): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(definition.typeDefs), resolvers: definition.resolvers }]);
  const scopes = createRequestScopes();
  const apollo = new ApolloServer<SubgraphContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // The gateway is the client: it has already validated the operation, and it needs `_service`.
    introspection: false,
    csrfPrevention: true,
    // Federated traces would carry timings out to whoever asks; we keep observability in-house.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    formatError: (formatted, error) => {
      const mapped = toGraphQLError(formatted, error);
      if (mapped.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') {
        (options.onUnexpectedError ?? ((e: unknown) => console.error(`[${definition.name}] unexpected error: ${describeForLog(e)}`)))(error);
      }
      return mapped;
    },
  });
  await apollo.start();
  const running = await startGraphQLHttpServer<SubgraphContext>({
    apollo,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    context: async (req: IncomingMessage) => {
      const header = req.headers[REQUEST_ID_HEADER];
      const requestId = typeof header === 'string' && header.length <= 128 ? header : undefined;
      return { loaders: scopes.scope(requestId), requestId };
    },
    routes: { '/health': (_req, res) => writeJson(res, 200, { status: 'ok', subgraph: definition.name }) },
  });
  return {
    ...running,
    name: definition.name,
    close: async () => {
      scopes.close();
      await running.close();
    },
  };
}
