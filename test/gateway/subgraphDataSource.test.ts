/**
 * The gateway's data source for a subgraph (gateway/subgraphDataSource.ts), through real HTTP with
 * the gateway's own client to its subgraphs: what it sends, what it answers, the errors it makes of
 * a subgraph's failures and the cache hint it takes from one's Cache-Control, each as @apollo/gateway's
 * RemoteGraphQLDataSource does; and, for the answers the error masking reads, side by side with it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BufferedHeaders } from '../../gateway/bufferedResponse';
import { REQUEST_BUDGET_HEADER } from '../../gateway/pipeline';
import { SubgraphDataSource, type SubgraphDataSourceConfig } from '../../gateway/subgraphDataSource';
import { subgraphHttp } from '../../gateway/subgraphHttp';

type Context = Record<string, unknown>;
type Options = GraphQLDataSourceProcessOptions<Context>;

/** What each path of the test subgraph answers: status, headers, body. */
const ANSWERS: Record<string, [number, Record<string, string>, string]> = {
  '/ok': [200, { 'content-type': 'application/json; charset=utf-8', 'x-answer': 'yes', 'cache-control': 'max-age=30, private' }, '{"data":{"a":1},"extensions":{"e":"x"}}'],
  '/public': [200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=soon' }, '{"data":{"a":1}}'],
  '/uncached': [200, { 'content-type': 'application/json' }, '{"data":{"a":1}}'],
  '/401': [401, { 'content-type': 'application/json' }, '{"errors":[{"message":"no token"}]}'],
  '/403': [403, { 'content-type': 'application/graphql-response+json' }, '{"errors":[{"message":"not yours"}]}'],
  '/500': [500, { 'content-type': 'text/plain' }, 'it broke'],
  '/text': [200, { 'content-type': 'text/plain' }, 'hello'],
  '/array': [200, { 'content-type': 'application/json' }, '[1,2]'],
};

describe('the subgraph data source', () => {
  let server: Server;
  let base: string;
  const http = subgraphHttp();
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
  /** The fetcher's arguments, as the data source hands them over. */
  const fetched: Parameters<Fetcher>[] = [];
  const fetcher: Fetcher = (url, init) => {
    fetched.push([url, init]);
    return http.fetcher(url, init);
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        const [status, headers, text] = ANSWERS[req.url ?? ''] ?? [404, { 'content-type': 'text/plain' }, 'no such path'];
        res.writeHead(status, headers);
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await http.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const budget = (options: Options) => options.request.http?.headers.set(REQUEST_BUDGET_HEADER, '5000');
  const source = (path: string, config: Partial<SubgraphDataSourceConfig<Context>> = {}) =>
    new SubgraphDataSource<Context>({ url: `${base}${path}`, fetcher, willSendRequest: budget, ...config });
  const incoming = (overallCachePolicy: unknown, request: Options['request'] = { query: '{ a }' }): Options =>
    ({ kind: 'incoming operation', request, incomingRequestContext: { overallCachePolicy }, context: {}, pathInIncomingRequest: ['a'] }) as unknown as Options;
  const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

  it('sends the request without http, query first, with the incoming headers, its own and Content-Type', async () => {
    const sentHeaders: Array<Record<string, string | null>> = [];
    const data = source('/ok', {
      willSendRequest: (options) => {
        const headers = options.request.http!.headers;
        sentHeaders.push({ contentType: headers.get('CONTENT-TYPE'), trace: headers.get('Apollo-Federation-Include-Trace') });
        headers.set('X-Set-By-Hook', 'hooked');
        headers.set(REQUEST_BUDGET_HEADER, '5000');
      },
    });
    const request = {
      operationName: 'Op',
      variables: { x: 1 },
      query: 'query Op($x: Int) { a(x: $x) }',
      extensions: { e: true },
      http: { method: 'GET', url: 'ignored', headers: new Headers({ 'Apollo-Federation-Include-Trace': 'ftv1' }) },
    };
    fetched.length = 0;
    const before = seen.length;
    await data.process(incoming(undefined, request));

    const [got] = seen.slice(before);
    expect(got?.method).toBe('POST');
    expect(got?.url).toBe('/ok');
    expect(got?.body).toBe('{"query":"query Op($x: Int) { a(x: $x) }","operationName":"Op","variables":{"x":1},"extensions":{"e":true}}');
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-set-by-hook']).toBe('hooked');
    expect(got?.headers['apollo-federation-include-trace']).toBe('ftv1');
    // The hook saw the copied header and Content-Type, by any case of their names.
    expect(sentHeaders).toEqual([{ contentType: 'application/json', trace: 'ftv1' }]);
    // The fetcher gets the headers as a plain object (what subgraphHttp and subgraphDedup read).
    expect(fetched).toHaveLength(1);
    const [url, init] = fetched[0]!;
    expect(url).toBe(`${base}/ok`);
    expect(Object.getPrototypeOf(init?.headers)).toBe(Object.prototype);
    expect(init?.headers).toEqual({ 'apollo-federation-include-trace': 'ftv1', 'content-type': 'application/json', 'x-set-by-hook': 'hooked', [REQUEST_BUDGET_HEADER]: '5000' });
    expect(init?.method).toBe('POST');
    // request.http is replaced: POST to the source's URL.
    expect([request.http.method, request.http.url, request.http.headers instanceof Headers]).toEqual(['POST', `${base}/ok`, false]);
  });

  it('answers with the body and http (status, headers), after didReceiveResponse', async () => {
    const received: unknown[] = [];
    const context = { who: 'me' };
    const data = source('/ok', {
      didReceiveResponse: (got) => {
        received.push(got);
        return { ...got.response, extensions: { replaced: true } };
      },
    });
    const answer = await data.process({ ...incoming(undefined), context } as Options);
    expect(answer.data).toEqual({ a: 1 });
    expect(answer.extensions).toEqual({ replaced: true });
    expect(answer.http?.status).toBe(200);
    expect(answer.http?.headers.get('X-Answer')).toBe('yes');
    expect(received).toHaveLength(1);
    const [got] = received as Array<{ response: Record<string, unknown> & { http: { status: number } }; request: Record<string, unknown>; context: unknown; pathInIncomingRequest: unknown }>;
    expect(got?.response.data).toEqual({ a: 1 });
    expect(got?.response.extensions).toEqual({ e: 'x' });
    expect(got?.response.http.status).toBe(200);
    expect(Object.keys(got?.request ?? {})).toEqual(['query', 'http']);
    expect(got?.request['query']).toBe('{ a }');
    expect(got?.context).toBe(context);
    expect(got?.pathInIncomingRequest).toEqual(['a']);
  });

  it.each([
    ['/401', { code: 'UNAUTHENTICATED', response: { status: 401, statusText: '', body: { errors: [{ message: 'no token' }] } } }],
    ['/403', { code: 'FORBIDDEN', response: { status: 403, statusText: '', body: { errors: [{ message: 'not yours' }] } } }],
    ['/500', { response: { status: 500, statusText: '', body: 'it broke' } }],
  ] as const)('makes a GraphQLError of a %s answer as errorFromResponse does', async (path, expected) => {
    const error = await failureOf(source(path).process(incoming(undefined)));
    expect(error).toBeInstanceOf(GraphQLError);
    // subgraphHttp gives no status text (undici has none), so the message ends at the colon.
    expect((error as GraphQLError).message).toBe(`${path.slice(1)}: `);
    const { response, ...rest } = expected;
    expect((error as GraphQLError).extensions).toEqual({ ...rest, response: { url: `${base}${path}`, ...response } });
  });

  it.each([
    ['/text', 'hello'],
    ['/array', '1,2'],
  ])('refuses a 200 answer from %s that is not a JSON object', async (path, said) => {
    const error = await failureOf(source(path).process(incoming(undefined)));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(GraphQLError);
    expect((error as Error).message).toBe(`Expected JSON response body, but received: ${said}`);
  });

  it('tells didEncounterError of a failure and throws it on, or what the hook throws instead', async () => {
    const told: unknown[][] = [];
    const context = { who: 'me' };
    const options = { ...incoming(undefined), context } as Options;
    const error = await failureOf(source('/500', { didEncounterError: (...args) => void told.push(args) }).process(options));
    expect(error).toBeInstanceOf(GraphQLError);
    expect(told).toHaveLength(1);
    const [seenError, fetchRequest, fetchResponse, seenContext, request] = told[0] as [unknown, unknown, { status: number }, unknown, { query: string }];
    expect(seenError).toBe(error);
    expect(fetchRequest).toBeUndefined();
    expect(fetchResponse.status).toBe(500);
    expect(seenContext).toBe(context);
    expect(request.query).toBe('{ a }');

    const attributed = new Error('the subgraph failed');
    const replaced = await failureOf(
      source('/text', {
        didEncounterError: () => {
          throw attributed;
        },
      }).process(incoming(undefined)),
    );
    expect(replaced).toBe(attributed);
  });

  it('tells didEncounterError of a subgraph it cannot reach, with no answer', async () => {
    const told: unknown[][] = [];
    const unreachable = new SubgraphDataSource<Context>({ url: 'http://127.0.0.1:1/graphql', fetcher, willSendRequest: budget, didEncounterError: (...args) => void told.push(args) });
    const error = await failureOf(unreachable.process(incoming(undefined)));
    expect([(error as Error).name, (error as Error).message]).toEqual(['TypeError', 'fetch failed']);
    expect(told.map(([e, request, response]) => [e, request, response])).toEqual([[error, undefined, undefined]]);
  });

  it.each([
    ['/ok', { maxAge: 30, scope: 'PRIVATE' }],
    ['/public', { maxAge: 0, scope: 'PUBLIC' }],
    ['/uncached', { maxAge: 0 }],
  ])('restricts the operation\'s cache policy by the Cache-Control of %s', async (path, hint) => {
    const restrict = vi.fn();
    await source(path).process(incoming({ restrict }));
    expect(restrict.mock.calls).toEqual([[hint]]);
  });

  it('restricts no cache policy outside a client\'s operation', async () => {
    const restrict = vi.fn();
    const answer = await source('/ok').process({ kind: 'health check', request: { query: '{ a }' }, context: {}, incomingRequestContext: { overallCachePolicy: { restrict } } } as unknown as Options);
    expect(answer.data).toEqual({ a: 1 });
    expect(restrict).not.toHaveBeenCalled();
  });

  it('refuses a request without a query after willSendRequest, sending nothing', async () => {
    const hook = vi.fn(budget);
    const before = seen.length;
    const error = await failureOf(source('/ok', { willSendRequest: hook }).process(incoming(undefined, {})));
    expect(error).toEqual(new Error('Missing query'));
    expect(hook).toHaveBeenCalledTimes(1);
    expect(seen.length).toBe(before);
  });

  it('gives what RemoteGraphQLDataSource gives, for the same answers', async () => {
    const outcome = async (made: { process(options: Options): Promise<unknown> }) => {
      const restrict = vi.fn();
      const before = seen.length;
      const result = await made.process(incoming({ restrict }, { query: '{ a }', variables: { v: [1] }, operationName: 'A' })).then(
        (answer) => ({ answer: { ...(answer as object), http: undefined } }),
        (error: unknown) => ({ error: error instanceof GraphQLError ? { message: error.message, extensions: error.extensions } : String(error) }),
      );
      return { result, restrict: restrict.mock.calls, sent: seen.slice(before).map((s) => [s.method, s.body, s.headers['content-type']]) };
    };
    for (const path of Object.keys(ANSWERS)) {
      const ours = await outcome(source(path));
      const theirs = await outcome(new RemoteGraphQLDataSource<Context>({ url: `${base}${path}`, fetcher, willSendRequest: budget }));
      expect(ours, path).toEqual(theirs);
    }
  });
});

describe('BufferedHeaders as a request\'s headers', () => {
  it('compares names without case and joins a repeated one, in every reading the gateway makes', () => {
    const headers = new BufferedHeaders(new Headers({ 'X-One': '1' }));
    headers.set('Content-Type', 'application/json');
    headers.append('x-one', '2');
    headers.append('X-Two', 'a');
    expect([headers.get('x-ONE'), headers.has('CONTENT-type'), headers.get('missing')]).toEqual(['1, 2', true, null]);
    headers.delete('X-TWO');
    expect(headers.has('x-two')).toBe(false);
    const visited: string[][] = [];
    headers.forEach((value, name, self) => visited.push([name, value, String(self === headers)]));
    expect(visited).toEqual([['x-one', '1, 2', 'true'], ['content-type', 'application/json', 'true']]);
    expect(Object.fromEntries(headers)).toEqual({ 'x-one': '1, 2', 'content-type': 'application/json' });
    expect([...headers.entries()]).toEqual([...headers]);
  });
});
