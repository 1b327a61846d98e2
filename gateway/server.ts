/**
 * The gateway: Apollo Server over @apollo/gateway, serving a supergraph file. It meets the
 * subgraphs only over HTTP and the composed supergraph; it imports none of them.
 *
 * Plugins, in order: CPR argument validation → error masking (formatError).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { startGraphQLHttpServer, writeJson, type RunningHttpServer } from '../runtime/httpServer';
import { describeForLog } from '../runtime/redact';
import { disableApolloTelemetry, type GatewayConfig } from './config';
import { maskError } from './plugins/maskErrors';
import { createValidateCprArgumentsPlugin } from './plugins/validateCprArguments';

/** Header carrying the gateway's id for one client request to every subgraph call it makes. */
export const REQUEST_ID_HEADER = 'x-request-id';

export interface GatewayContext extends BaseContext {
  requestId: string;
}

export interface RunningGateway extends RunningHttpServer {
  /** The subgraph URL each service name resolved to. */
  subgraphUrls: Readonly<Record<string, string>>;
}

export interface GatewayOptions {
  /** Where unexpected errors are reported (they reach clients only as "Unexpected error."). */
  onUnexpectedError?: (error: unknown) => void;
}

const logUnexpected = (error: unknown) => console.error(`[gateway] unexpected error: ${describeForLog(error)}`);

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const onUnexpectedError = options.onUnexpectedError ?? logUnexpected;
  disableApolloTelemetry();
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  } catch {
    throw new Error(`cannot read the supergraph file ${config.supergraphPath}`);
  }
  const resolvedUrls: Record<string, string> = {};
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}: set SUBGRAPH_URL_${name.toUpperCase()}`);
      resolvedUrls[name] = target;
      return new RemoteGraphQLDataSource<GatewayContext>({
        url: target,
        willSendRequest: ({ request, context }) => {
          // Client headers (Authorization included) are not forwarded; only our request id is.
          if (context.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
        },
      });
    },
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.production,
    csrfPrevention: true,
    plugins: [createValidateCprArgumentsPlugin()],
    formatError: (formatted, error) => {
      const masked = maskError(formatted);
      if (masked.extensions?.['code'] === 'INTERNAL_SERVER_ERROR') onUnexpectedError(error);
      return masked;
    },
  });
  await apollo.start();

  const running = await startGraphQLHttpServer<GatewayContext>({
    apollo,
    port: config.port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
    context: async () => ({ requestId: randomUUID() }),
    routes: {
      '/health': (_req, res) => writeJson(res, 200, { status: 'ok' }),
    },
  });
  return { ...running, subgraphUrls: resolvedUrls };
}
