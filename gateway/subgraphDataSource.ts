/**
 * Each subgraph's data source: what @apollo/gateway's RemoteGraphQLDataSource does for this gateway,
 * without the node-fetch objects it makes on every call. It builds a node-fetch `Headers` for the
 * request, and a node-fetch `Request` that only its error hooks are handed, before it calls our
 * fetcher, which takes the headers as a plain object anyway (subgraphHttp.ts). On the heavy query
 * (17 subgraph calls per operation) those objects and their header handling were ~9% of the
 * gateway's CPU in the profile.
 *
 * Everything the gateway relies on behaves as there: the request's headers (the incoming ones copied,
 * Content-Type set) are on `request.http` for `willSendRequest`; the body is the request without
 * `http`, query first; a non-2xx answer is the GraphQLError `errorFromResponse` makes; the answer
 * carries `http`; the subgraph's Cache-Control restricts the operation's cache policy. What is left
 * out, since this gateway uses none of it: automatic persisted queries (`apq`), turning the
 * Cache-Control off (`honorSubgraphCacheControlHeader`), a default fetcher, overriding
 * `parseBody`/`errorFromResponse`; and the error hooks get `undefined` where a node-fetch Request was.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { BufferedHeaders } from './bufferedResponse';

type SubgraphRequest<Context extends Record<string, any>> = GraphQLDataSourceProcessOptions<Context>['request'];
type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;
type IncomingOperation<Context extends Record<string, any>> = Extract<GraphQLDataSourceProcessOptions<Context>, { kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION }>;
type ResponsePath = IncomingOperation<Record<string, any>>['pathInIncomingRequest'];

/** The package exports the enum's type, not its value. */
const INCOMING_OPERATION = 'incoming operation' as GraphQLDataSourceRequestKind.INCOMING_OPERATION;

/** RemoteGraphQLDataSource's config as this gateway fills it in (gateway/server.ts). */
export interface SubgraphDataSourceConfig<Context extends Record<string, any>> {
  url: string;
  fetcher: Fetcher;
  willSendRequest?(options: GraphQLDataSourceProcessOptions<Context>): void | Promise<void>;
  didReceiveResponse?(received: {
    request: SubgraphRequest<Context>;
    response: SubgraphResponse;
    context: Context;
    pathInIncomingRequest?: ResponsePath;
  }): SubgraphResponse | Promise<SubgraphResponse>;
  /**
   * Told of a failed fetch or answer; the failure is thrown on after it (unless it throws its own).
   * The second argument is where RemoteGraphQLDataSource passes its node-fetch Request.
   */
  didEncounterError?(error: Error, fetchRequest: undefined, fetchResponse: FetcherResponse | undefined, context: Context, request: SubgraphRequest<Context>): void;
}

export class SubgraphDataSource<Context extends Record<string, any> = Record<string, any>> implements GraphQLDataSource<Context> {
  constructor(private readonly config: SubgraphDataSourceConfig<Context>) {}

  async process(options: GraphQLDataSourceProcessOptions<Context>): Promise<SubgraphResponse> {
    const { request } = options;
    const context = options.context as Context;
    const incoming = options.kind === INCOMING_OPERATION ? options : undefined;
    const headers = new BufferedHeaders(request.http?.headers);
    headers.set('Content-Type', 'application/json');
    request.http = { method: 'POST', url: this.config.url, headers };
    await this.config.willSendRequest?.(options);
    if (!request.query) throw new Error('Missing query');
    const policy = incoming?.incomingRequestContext.overallCachePolicy;
    const overallCachePolicy = policy && 'restrict' in policy ? policy : undefined;

    // The request the hooks are given, and whose JSON is sent: query first, as RemoteGraphQLDataSource writes it.
    const { query, ...withoutQuery } = request;
    const sent = { query, ...withoutQuery };
    const { http, ...body } = sent;
    // willSendRequest may have replaced `http`; what it left is what is sent.
    if (!http) throw new Error("Internal error: Only 'http' requests are supported.");
    let fetchResponse: FetcherResponse | undefined;
    let response: SubgraphResponse;
    try {
      fetchResponse = await this.config.fetcher(http.url, { method: http.method, headers: Object.fromEntries(http.headers), body: JSON.stringify(body) });
      if (!fetchResponse.ok) throw await errorFromResponse(fetchResponse);
      const parsed = await parseBody(fetchResponse);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`Expected JSON response body, but received: ${String(parsed)}`);
      response = { ...parsed, http: fetchResponse };
    } catch (error) {
      this.config.didEncounterError?.(error as Error, undefined, fetchResponse, context, sent);
      throw error;
    }

    const processed = this.config.didReceiveResponse
      ? await this.config.didReceiveResponse({ response, request: sent, context, pathInIncomingRequest: incoming?.pathInIncomingRequest })
      : response;
    if (overallCachePolicy) overallCachePolicy.restrict(cacheHintOf(response.http?.headers.get('cache-control')));
    return processed;
  }
}

/** JSON when the answer says it is, else its text: RemoteGraphQLDataSource's parseBody. */
function parseBody(response: FetcherResponse): Promise<unknown> {
  const contentType = response.headers.get('Content-Type');
  return contentType && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json')) ? response.json() : response.text();
}

/** RemoteGraphQLDataSource's errorFromResponse: plugins/maskErrors.ts reads `extensions.response`. */
async function errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
  const body = await parseBody(response);
  const extensions: Record<string, unknown> = {
    response: { url: response.url, status: response.status, statusText: response.statusText, body },
  };
  if (response.status === 401) extensions['code'] = 'UNAUTHENTICATED';
  else if (response.status === 403) extensions['code'] = 'FORBIDDEN';
  return new GraphQLError(`${response.status}: ${response.statusText}`, { extensions });
}

/**
 * The cache hint a subgraph's Cache-Control gives, read as RemoteGraphQLDataSource reads it with
 * @apollo/gateway's parseCacheControlHeader (written out here rather than imported at run time from
 * the package's dist layout): directives as written, a later one overriding, no max-age meaning 0,
 * public over private.
 */
function cacheHintOf(header: string | null | undefined): { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } {
  const directives = new Map<string, string | true>();
  if (header) {
    for (const part of header.trim().split(/\s*,\s*/)) {
      const [name = '', value] = part.split(/\s*=\s*/, 2);
      directives.set(name, value === undefined ? true : value.replace(/^"|"$/g, ''));
    }
  }
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  const maxAge = directives.get('max-age');
  if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = +maxAge;
  if (directives.get('private') === true) hint.scope = 'PRIVATE';
  if (directives.get('public') === true) hint.scope = 'PUBLIC';
  return hint;
}
