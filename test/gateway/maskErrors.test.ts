import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributedToSubgraph, formatGatewayError, maskError, withoutEchoedValue } from '../../gateway/plugins/maskErrors';
import { describeForLog } from '../../runtime/redact';

describe('maskError', () => {
  it('turns an error without a public code into "Unexpected error." and keeps its path', () => {
    expect(maskError({ message: 'TypeError: x is undefined at <soap:Envelope>', path: ['citizen'], extensions: { stacktrace: ['…'] } })).toEqual({
      message: 'Unexpected error.',
      path: ['citizen'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps a legacy error\'s message, code and system, and drops every other extension', () => {
    expect(
      maskError({ message: 'cpr: not found', path: ['citizen'], extensions: { code: 'NOT_FOUND', system: 'cpr', serviceName: 'citizen', response: { body: '<xml/>' } } }),
    ).toEqual({ message: 'cpr: not found', path: ['citizen'], extensions: { code: 'NOT_FOUND', system: 'cpr', serviceName: 'citizen' } });
  });

  it('removes values graphql-js repeats in its messages', () => {
    expect(withoutEchoedValue('Variable "$cpr" got invalid value "010101-1234"; CPR must be written DDMMYY-SSSS')).toBe(
      'Variable "$cpr" got an invalid value.',
    );
    expect(withoutEchoedValue('Expected value of type "CPR!", found "0101011234"; CPR must be written DDMMYY-SSSS')).toBe(
      'Expected value of type "CPR!", found an invalid value.',
    );
    // graphql-js repeats the value after the semicolon too, and a value may itself hold "; ".
    const repeated = withoutEchoedValue('Variable "$x" got invalid value "a; 010160-1234"; Boolean cannot represent a non boolean value: "a; 010160-1234"');
    expect(repeated).toBe('Variable "$x" got an invalid value.');
    expect(withoutEchoedValue('Syntax Error: Unexpected character: U+0000.\n\nGraphQL request:1:23\n1 | { citizen(cpr: "010160-1234") { \u0000 } }')).toBe(
      'Syntax Error: Unexpected character: U+0000.',
    );
  });
});

/**
 * formatGatewayError on errors as @apollo/gateway and Apollo Server really hand them to
 * formatError: a two-subgraph gateway whose data sources are RemoteGraphQLDataSource with a
 * fetcher standing in for the network, so each subgraph answer is exactly what we say.
 */
describe('formatGatewayError', () => {
  const citizenSdl = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { citizen(cpr: String!): Citizen }
type Citizen @key(fields: "cpr") { cpr: String! name: String }`;
  const caseSdl = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Citizen @key(fields: "cpr") { cpr: String! cases: [Case!] }
type Case { id: ID! }`;
  const QUERY = '{ citizen(cpr: "x") { name cases { id } } }';

  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  /** What the case subgraph does with the gateway's entity fetch. */
  let caseAnswers: () => Promise<Response>;
  /** The case subgraph answers its entity fetch with these errors, its field null. */
  const caseErrors = (...errors: object[]) => {
    caseAnswers = async () => json({ data: { _entities: [{ __typename: 'Citizen', cases: null }] }, errors: errors.map((e) => ({ path: ['_entities', 0, 'cases'], ...e })) });
  };
  const logged: { warn: string[]; error: string[] } = { warn: [], error: [] };
  /** Each line's message; its fields must name the code, and the subgraph when the message does. */
  const withFields = (fields: { code: string; subgraph?: string }, m: string) => {
    expect(m).toContain(fields.subgraph === undefined ? (fields.code === 'INTERNAL_SERVER_ERROR' ? 'unexpected error' : fields.code) : `subgraph ${fields.subgraph}`);
    return m;
  };
  const log = { warn: (f: { code: string; subgraph?: string }, m: string) => void logged.warn.push(withFields(f, m)), error: (f: { code: string; subgraph?: string }, m: string) => void logged.error.push(withFields(f, m)) };
  const servers: ApolloServer[] = [];
  let closedPort: number;

  /** A gateway over the two subgraphs; `named`: its data sources throw failures through attributedToSubgraph. */
  async function gatewayServer(named: boolean): Promise<ApolloServer> {
    const composed = composeServices([
      { name: 'citizen', url: 'http://citizen.invalid/graphql', typeDefs: parse(citizenSdl) },
      { name: 'case', url: 'http://case.invalid/graphql', typeDefs: parse(caseSdl) },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    const gateway = new ApolloGateway({
      supergraphSdl: composed.supergraphSdl,
      buildService: ({ name, url }) =>
        new RemoteGraphQLDataSource({
          url: url!,
          fetcher: (async () =>
            name === 'citizen' ? json({ data: { citizen: { __typename: 'Citizen', cpr: 'x', name: 'Jens' } } }) : caseAnswers()) as unknown as Fetcher,
          ...(named
            ? {
                didEncounterError: (error: Error) => {
                  throw attributedToSubgraph(name, error);
                },
              }
            : {}),
        }),
    });
    const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false, formatError: (formatted, error) => formatGatewayError(formatted, error, log) });
    await server.start();
    servers.push(server);
    return server;
  }
  let plain: ApolloServer;
  let named: ApolloServer;

  async function errorsOf(server: ApolloServer) {
    logged.warn.length = 0;
    logged.error.length = 0;
    const response = await server.executeOperation({ query: QUERY });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult.data).toEqual({ citizen: { name: 'Jens', cases: null } });
    return response.body.singleResult.errors;
  }

  beforeAll(async () => {
    plain = await gatewayServer(false);
    named = await gatewayServer(true);
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });

  it('shows an error a subgraph answered without a code as SUBGRAPH_ERROR naming it, never its message', async () => {
    caseErrors({ message: 'connection to esdh-db.internal:5432 lost while reading 010160-1234' });
    expect(await errorsOf(plain)).toEqual([
      { message: 'The case subgraph failed.', path: ['citizen', 'cases'], extensions: { code: 'SUBGRAPH_ERROR', serviceName: 'case' } },
    ]);
    expect(logged.error).toEqual([]);
    expect(logged.warn).toEqual([
      'SUBGRAPH_ERROR from subgraph case: it answered without a code: GraphQLError: connection to esdh-db.internal:5432 lost while reading [cpr] (at citizen.cases)',
    ]);
  });

  it('shows an error with a code the registry does not know as SUBGRAPH_ERROR, and logs the code', async () => {
    caseErrors({ message: 'ESDH said <fault>no</fault>', extensions: { code: 'ESDH_QUIRK', detail: { table: 'sager' } } });
    expect(await errorsOf(plain)).toEqual([
      { message: 'The case subgraph failed.', path: ['citizen', 'cases'], extensions: { code: 'SUBGRAPH_ERROR', serviceName: 'case' } },
    ]);
    expect(logged.warn).toEqual(['SUBGRAPH_ERROR from subgraph case: it answered code ESDH_QUIRK: GraphQLError: ESDH said  (at citizen.cases)']);
  });

  it('keeps a registry code\'s message, system and the subgraph\'s name, and logs nothing', async () => {
    caseErrors({ message: 'esdh: no answer within 2000 ms', extensions: { code: 'LEGACY_TIMEOUT', system: 'esdh' } });
    expect(await errorsOf(plain)).toEqual([
      { message: 'esdh: no answer within 2000 ms', path: ['citizen', 'cases'], extensions: { code: 'LEGACY_TIMEOUT', system: 'esdh', serviceName: 'case' } },
    ]);
    expect(logged).toEqual({ warn: [], error: [] });
  });

  it('keeps the subgraph\'s name on an unexpected error, and logs it with the name', async () => {
    caseErrors({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(await errorsOf(plain)).toEqual([
      { message: 'Unexpected error.', path: ['citizen', 'cases'], extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'case' } },
    ]);
    expect(logged.error).toEqual(['unexpected error from subgraph case: GraphQLError: Unexpected error. (at citizen.cases)']);
  });

  it('never logs [object Object] for what a subgraph answered (its error is a plain object)', async () => {
    caseErrors({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, { message: 'odd', extensions: { code: 'ODD' } }, { extensions: {} });
    await errorsOf(plain);
    const all = [...logged.warn, ...logged.error];
    expect(all).toHaveLength(3);
    for (const line of all) expect(line).not.toContain('[object Object]');
  });

  it('does not pass a subgraph\'s 401 off as the client\'s: SUBGRAPH_ERROR, with the why in the log', async () => {
    caseAnswers = async () => json({ errors: [{ message: 'the internal token was already used', extensions: { code: 'UNAUTHENTICATED' } }] }, 401);
    expect(await errorsOf(plain)).toEqual([{ message: 'A subgraph failed.', extensions: { code: 'SUBGRAPH_ERROR' } }]);
    expect(logged.warn).toEqual([
      'SUBGRAPH_ERROR from a subgraph (its name is not known here): it answered HTTP 401: UNAUTHENTICATED: the internal token was already used',
    ]);
    expect(await errorsOf(named)).toEqual([{ message: 'The case subgraph failed.', extensions: { code: 'SUBGRAPH_ERROR', serviceName: 'case' } }]);
    expect(logged.warn).toEqual(['SUBGRAPH_ERROR from subgraph case: it answered HTTP 401: UNAUTHENTICATED: the internal token was already used']);
  });

  it('takes a 503 from in front of a subgraph for SUBGRAPH_UNAVAILABLE, repeating no body', async () => {
    caseAnswers = async () => new Response('<html>503 Service Unavailable</html>', { status: 503, headers: { 'content-type': 'text/html' } });
    expect(await errorsOf(named)).toEqual([{ message: 'The case subgraph could not be reached.', extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'case' } }]);
    expect(logged.warn).toEqual(['SUBGRAPH_UNAVAILABLE from subgraph case: it answered HTTP 503']);
  });

  it('names a subgraph that cannot be reached, with the socket\'s reason, when the data source attributes its failures', async () => {
    caseAnswers = async () => fetch(`http://127.0.0.1:${closedPort}/graphql`, { method: 'POST' });
    expect(await errorsOf(named)).toEqual([{ message: 'The case subgraph could not be reached.', extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'case' } }]);
    expect(logged.warn).toEqual([`SUBGRAPH_UNAVAILABLE from subgraph case: TypeError: fetch failed (cause: Error: connect ECONNREFUSED 127.0.0.1:${closedPort})`]);
  });

  it('still classifies and explains an unreachable subgraph whose failure comes unnamed', async () => {
    caseAnswers = async () => fetch(`http://127.0.0.1:${closedPort}/graphql`, { method: 'POST' });
    expect(await errorsOf(plain)).toEqual([{ message: 'A subgraph could not be reached.', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }]);
    expect(logged.warn).toEqual([
      `SUBGRAPH_UNAVAILABLE from a subgraph (its name is not known here): TypeError: fetch failed (cause: Error: connect ECONNREFUSED 127.0.0.1:${closedPort})`,
    ]);
  });

  it('gives a subgraph that did not answer within the budget SUBGRAPH_TIMEOUT', async () => {
    caseAnswers = async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    expect(await errorsOf(named)).toEqual([
      { message: "The case subgraph did not answer within the request's budget.", extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName: 'case' } },
    ]);
    expect(logged.warn).toEqual(['SUBGRAPH_TIMEOUT from subgraph case: TimeoutError: The operation was aborted due to timeout']);
  });

  it('logs the gateway\'s own unexpected errors without a subgraph, and the known ones not at all', () => {
    const thrown = new GraphQLError('x is undefined', { path: ['citizen'], originalError: new TypeError('x is undefined for 0101601234') });
    expect(formatGatewayError({ message: 'x is undefined', path: ['citizen'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, thrown, log)).toEqual({
      message: 'Unexpected error.',
      path: ['citizen'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(logged.error.at(-1)).toBe('unexpected error: TypeError: x is undefined for [cpr] (at citizen)');
    const before = [...logged.warn, ...logged.error].length;
    const refused = new GraphQLError('cpr must be written DDMMYY-SSSS', { extensions: { code: 'BAD_USER_INPUT' } });
    expect(formatGatewayError({ message: refused.message, extensions: { code: 'BAD_USER_INPUT' } }, refused, log)).toEqual({
      message: 'cpr must be written DDMMYY-SSSS',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect([...logged.warn, ...logged.error]).toHaveLength(before);
  });
});

describe('describeForLog', () => {
  it('describes a GraphQLError whose originalError is a plain object by its message, not [object Object]', () => {
    // As @apollo/gateway's downstreamServiceError builds it from a subgraph's JSON error.
    const fromSubgraph = new GraphQLError('case index down', { originalError: { message: 'case index down', path: ['cases'] } as unknown as Error, extensions: { serviceName: 'case' } });
    expect(describeForLog(fromSubgraph)).toBe('GraphQLError: case index down');
    expect(describeForLog({ path: ['x'] })).toBe('Object without a message (keys: path)');
    expect(describeForLog({ message: 'plain' })).toBe('Object: plain');
    for (const value of [fromSubgraph, {}, { message: 1 }, Object.create(null)]) expect(describeForLog(value)).not.toContain('[object Object]');
  });

  it('follows causes, and says what a socket error says only in its code', () => {
    const socket = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(describeForLog(new TypeError('fetch failed', { cause: socket }))).toBe('TypeError: fetch failed (cause: AggregateError: ECONNREFUSED)');
  });

  it('masks CPR numbers glued to letters and mistyped ones, and cuts markup', () => {
    expect(describeForLog(new Error('PNR0101601234 and 010160-99999 and 010160-1234 <soap:Envelope>0101601234'))).toBe('Error: PNR[cpr] and [cpr] and [cpr] ');
    // Ports, short counts and years stay readable.
    expect(describeForLog(new Error('connect ECONNREFUSED 127.0.0.1:54321 after 3 tries in 2024'))).toBe('Error: connect ECONNREFUSED 127.0.0.1:54321 after 3 tries in 2024');
  });
});
