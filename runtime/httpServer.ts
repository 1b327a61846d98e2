/**
 * Serves an ApolloServer over node:http, shared by the gateway and the subgraphs: the GraphQL
 * endpoint, extra plain routes (health, readiness), a request body limit, and a close that
 * drains in-flight requests before it drops idle connections.
 *
 * Why not `startStandaloneServer`: it owns its http.Server and offers no other routes or limits.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { withLogContext } from './log';
import { servedInSpan } from './requestTrace';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface GraphQLHttpServerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /**
   * Builds the per-request context from the HTTP request and the GraphQL request it carries (as
   * Apollo will read it: the JSON body of a POST, the search params of a GET), and when it arrived
   * (`performance.now()`, before its body was read). Throwing a GraphQLError rejects the request.
   */
  context: (req: IncomingMessage, request: GraphQLRequestFields, arrivedAt: number) => Promise<TContext>;
  port?: number;
  host?: string;
  /** @default '/graphql' */
  path?: string;
  /** Plain routes by path, e.g. `{ '/health': … }`. */
  routes?: Readonly<Record<string, Route>>;
  /**
   * Answers a browser opening the GraphQL path (a GET asking for HTML, with no operation in its
   * search params) instead of Apollo: the gateway's explorer, or its refusal of one. Absent: such
   * a GET goes to Apollo like any other.
   */
  browserPage?: Route;
  /** Largest accepted request body. @default 102400 (bytes) */
  maxBodyBytes?: number;
  /**
   * The part serving (`gateway`, `subgraph:<name>`): when its traces are exported, each request to
   * the GraphQL path is served within a server span of it (runtime/requestTrace.ts).
   */
  tracedAs?: string;
  /**
   * Looks at the request and its operation text before Apollo parses it; a returned refusal is
   * sent as is (trusted documents mode, authentication).
   */
  guard?: (req: IncomingMessage, query: string | undefined) => Promise<Refusal | undefined> | Refusal | undefined;
  /**
   * Told of every request to the GraphQL path this server answers itself, without Apollo: a body
   * too large or not JSON, a guard's refusal (for metrics). `request` is undefined when the body
   * was not read; `seconds` counts from arrival.
   */
  onRefused?: (refused: { status: number; code: string; request: GraphQLRequestFields | undefined; seconds: number; req: IncomingMessage }) => void;
}

/** The GraphQL request's own fields, for a context that must know exactly what is asked. */
export interface GraphQLRequestFields {
  query?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface Refusal {
  status: number;
  headers?: Record<string, string>;
  errors: { message: string; extensions: { code: string } }[];
}

export interface RunningHttpServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startGraphQLHttpServer<TContext extends BaseContext>(
  options: GraphQLHttpServerOptions<TContext>,
): Promise<RunningHttpServer> {
  const path = options.path ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 102_400;
  const host = options.host ?? '127.0.0.1';

  // Each request has a log context of its own: the lines written while it is served carry its ids.
  const server = createServer((req, res) => withLogContext(() => {
    void servedInSpan(options.tracedAs, path, req, res, () => handle(req, res)).catch(() => {
      if (!res.headersSent) writeJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  }));
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = options.routes?.[url.pathname];
    if (route) return route(req, res);
    if (url.pathname !== path) return writeJson(res, 404, { errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
    if (options.browserPage && opensPage(req, url)) return options.browserPage(req, res);

    const arrivedAt = performance.now();
    const refused = (status: number, code: string, request: GraphQLRequestFields | undefined) =>
      options.onRefused?.({ status, code, request, seconds: (performance.now() - arrivedAt) / 1_000, req });
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      refused(413, 'PAYLOAD_TOO_LARGE', undefined);
      return writeJson(res, 413, { errors: [{ message: `Request body exceeds ${maxBodyBytes} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let parsedBody: unknown;
    if (req.method === 'POST' && body.length > 0) {
      try {
        parsedBody = JSON.parse(body) as unknown;
      } catch {
        refused(400, 'BAD_REQUEST', undefined);
        return writeJson(res, 400, { errors: [{ message: 'Request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
      }
    }
    const request = req.method === 'GET' ? requestFromSearch(url.searchParams) : requestFromBody(parsedBody);
    if (options.guard) {
      const refusal = await options.guard(req, request.query);
      if (refusal) {
        refused(refusal.status, refusal.errors[0]?.extensions.code ?? 'BAD_REQUEST', request);
        for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
        return writeJson(res, refusal.status, { errors: refusal.errors });
      }
    }
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsedBody },
      context: () => options.context(req, request, arrivedAt),
    });
    for (const [name, value] of result.headers) res.setHeader(name, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  // Once: a second close (a shutdown racing a test's own close) gets the first one's promise.
  // Apollo's stop() must never run twice: a second call while the first runs can wait forever.
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${port}${path}`,
    server,
    close: () => (closing ??= drainAndStop(server, options.apollo)),
  };
}

/** Stops accepting, lets in-flight requests finish, drops idle keep-alive sockets, then stops Apollo. */
async function drainAndStop(server: Server, apollo: { stop(): Promise<void> }): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // A keep-alive socket goes idle when its last response is sent: close those as they appear.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  const forced = setTimeout(() => server.closeAllConnections(), 10_000);
  forced.unref();
  await closed;
  clearInterval(sweeper);
  clearTimeout(forced);
  await apollo.stop();
}

/**
 * Memory of this process in MiB, for /health: what a soak test or an operator watches. With
 * `collect` and a process started with --expose-gc (soak runs only), a full collection runs
 * first, so the heap figure is what is really retained.
 */
export function memoryReport(collect = false): { rssMb: number; heapUsedMb: number; externalMb: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc) gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;
  // external: Buffers and other memory outside the V8 heap that JavaScript objects hold.
  return { rssMb: mb(rss), heapUsedMb: mb(heapUsed), externalMb: mb(external) };
}

/**
 * A field Apollo would not accept (a POST's variables as a string, a GET's that are not JSON) is
 * left out here; Apollo then refuses the request itself.
 */
function requestFromBody(body: unknown): GraphQLRequestFields {
  if (!isRecord(body)) return {};
  return withFields(body['query'], body['variables'], body['operationName']);
}

function requestFromSearch(params: URLSearchParams): GraphQLRequestFields {
  const variables = params.get('variables');
  let parsed: unknown;
  try {
    parsed = variables === null ? undefined : (JSON.parse(variables) as unknown);
  } catch {
    parsed = undefined;
  }
  return withFields(params.get('query') ?? undefined, parsed, params.get('operationName') ?? undefined);
}

function withFields(query: unknown, variables: unknown, operationName: unknown): GraphQLRequestFields {
  return {
    ...(typeof query === 'string' ? { query } : {}),
    ...(isRecord(variables) ? { variables } : {}),
    ...(typeof operationName === 'string' ? { operationName } : {}),
  };
}

/** A browser's navigation to the URL, not a GraphQL GET: those name their operation in `query`. */
function opensPage(req: IncomingMessage, url: URL): boolean {
  return req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    // An oversized body may still be arriving: end the connection rather than read it all.
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let overflowed = false;
    req.on('data', (chunk: Buffer) => {
      if (overflowed) return; // keep draining, keep nothing
      size += chunk.length;
      if (size > limit) {
        overflowed = true;
        chunks.length = 0;
        resolve('too-large');
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
