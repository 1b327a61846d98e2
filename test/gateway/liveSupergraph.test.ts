/**
 * Issue 12 part 5, live without a restart: the gateway takes a new supergraph when its file
 * changes, validated first; a bad one is refused with the reason logged and the one in force keeps
 * serving; requests under way finish on the version they started on, and every decision follows
 * the version a request was validated against.
 *
 * A small library graph composed in the test (as in foreignSupergraph.test.ts), its subgraphs
 * plain Apollo servers: what is under test is the gateway's handling of its supergraph file.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { devIdentityProvider, type DevIdentityProvider } from '../../gateway/auth/devIdentity';
import { parseGatewayConfig } from '../../gateway/config';
import type { RequestAccess } from '../../gateway/access';
import { startGateway, type RunningGateway } from '../../gateway/server';
import type { SupergraphRefused, SupergraphVersion } from '../../gateway/supergraph';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { withAccessDefinition } from '../../schema/subgraphs';
import { postGraphQL } from '../support/graphql';
import { linesSince, logMark } from '../support/logs';

const ACCESS_LINK = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"])
  @link(url: "https://specs.kommune-graph.dk/access/v1.0", import: ["@access"])
  @composeDirective(name: "@access")`;
/** Books, with a write that reaches personal data; `titleAccess` is what Book.title declares. */
const booksSdl = (titleAccess = '') =>
  withAccessDefinition(`${ACCESS_LINK}
type Query { books: [Book!]! }
type Mutation { lend(isbn: ID!): Loan @access(personal: true, roles: ["caseworker"]) }
type Loan { isbn: ID! by: String! }
type Book @key(fields: "isbn") { isbn: ID! title: String! ${titleAccess} }`);
const reviewsSdl = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Book @key(fields: "isbn") { isbn: ID! stars: Int! }`;

const servers: ApolloServer[] = [];
const urls: Record<'booksA' | 'booksB' | 'reviews', string> = { booksA: '', booksB: '', reviews: '' };
let dir: string;
let idp: DevIdentityProvider;
let caseworker: Record<string, string>;
let keys: Awaited<ReturnType<typeof generateInternalTokenKeys>>;

async function serve(typeDefs: string, resolvers: Record<string, unknown>): Promise<string> {
  const server = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers: resolvers as never }]) });
  servers.push(server);
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return url;
}

/** A books subgraph answering as the server it is (A or B). */
const booksResolvers = (which: string) => ({
  Query: { books: () => [{ isbn: '978-87', title: `Kongens Fald (${which})` }] },
  Mutation: { lend: (_: unknown, { isbn }: { isbn: string }) => ({ isbn, by: which }) },
});

function supergraph(books: { url: string; titleAccess?: string }, withReviews = false): string {
  const composed = composeServices([
    { name: 'books', url: books.url, typeDefs: parse(booksSdl(books.titleAccess)) },
    ...(withReviews ? [{ name: 'reviews', url: urls.reviews, typeDefs: parse(reviewsSdl) }] : []),
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  return composed.supergraphSdl;
}

/** Replaces the file in one step, as `npm run compose` does. */
function deploy(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

interface Live {
  gateway: RunningGateway;
  file: string;
  /** What the gateway logged about its supergraph since it started. */
  readonly logged: string[];
  /** Resolves with the next version taken into force. */
  nextChange(): Promise<SupergraphVersion>;
  /** Resolves with the next refusal. */
  nextRefusal(): Promise<SupergraphRefused>;
}

const running: RunningGateway[] = [];
let files = 0;

async function liveGateway(first: string, onAccess?: (access: RequestAccess) => Promise<void>): Promise<Live> {
  const file = join(dir, `supergraph-${++files}.graphql`);
  writeFileSync(file, first);
  const mark = logMark();
  const gateway = await startGateway(
    parseGatewayConfig({ port: 0, host: '127.0.0.1', supergraphPath: file, auth: { issuer: idp.issuer, audience: idp.audience, jwksPath: idp.jwksPath } }),
    {
      internalTokenKey: keys.privateJwk,
      ...(onAccess ? { onAccess } : {}),
    },
  );
  running.push(gateway);
  return {
    gateway,
    file,
    get logged() {
      return linesSince(mark).filter((line) => line.service === 'gateway' && line.component === 'supergraph').map((line) => line.msg);
    },
    nextChange: () => new Promise((resolve) => { const off = gateway.supergraph.onChange((now) => (off(), resolve(now))); }),
    nextRefusal: () => new Promise((resolve) => { const off = gateway.supergraph.onRefused((error) => (off(), resolve(error))); }),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'live-supergraph-'));
  idp = await devIdentityProvider(join(dir, 'idp'));
  caseworker = { authorization: `Bearer ${await idp.mint({ role: 'caseworker', municipality: '0101', purpose: 'test: udlån' })}` };
  keys = await generateInternalTokenKeys();
  urls.booksA = await serve(booksSdl(), booksResolvers('A'));
  urls.booksB = await serve(booksSdl(), booksResolvers('B'));
  urls.reviews = await serve(reviewsSdl, { Book: { __resolveReference: (b: { isbn: string }) => ({ ...b, stars: 5 }) } });
});

afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.close();
});

afterAll(async () => {
  for (const server of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a running gateway and its supergraph file', () => {
  it('takes a new supergraph when the file changes, with no failed request during the switch', async () => {
    const live = await liveGateway(supergraph({ url: urls.booksA }));
    expect((await postGraphQL(live.gateway.url, '{ books { title stars } }')).status).toBe(400); // no reviews yet

    // Clients keep asking while the file changes; every answer must be whole.
    const answers: { status: number; errors: unknown; data: unknown }[] = [];
    let switched = false;
    let afterSwitch = 0;
    const client = async () => {
      while (!switched || afterSwitch < 30) {
        const { status, body } = await postGraphQL(live.gateway.url, '{ books { isbn title } }');
        answers.push({ status, errors: body.errors, data: body.data });
        if (switched) afterSwitch++;
      }
    };
    const clients = [client(), client(), client(), client()];
    while (answers.length < 20) await new Promise((resolve) => setImmediate(resolve));
    const changed = live.nextChange();
    deploy(live.file, supergraph({ url: urls.booksA }, true));
    const version = await changed;
    switched = true;
    await Promise.all(clients);

    expect(version.version).toBe(2);
    expect(Object.keys(version.subgraphUrls).sort()).toEqual(['books', 'reviews']);
    expect(answers.length).toBeGreaterThan(50);
    expect(answers.filter((a) => a.status !== 200 || a.errors !== undefined)).toEqual([]);
    expect(new Set(answers.map((a) => JSON.stringify(a.data)))).toEqual(new Set([JSON.stringify({ books: [{ isbn: '978-87', title: 'Kongens Fald (A)' }] })]));
    // The new subgraph answers through the gateway, and /ready reports the version in force.
    const { status, body } = await postGraphQL(live.gateway.url, '{ books { title stars } }');
    expect({ status, body }).toEqual({ status: 200, body: { data: { books: [{ title: 'Kongens Fald (A)', stars: 5 }] } } });
    const ready = (await (await fetch(live.gateway.url.replace('/graphql', '/ready'))).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ supergraph: 'loaded', supergraphVersion: 2, subgraphs: { books: {}, reviews: {} } });
    expect(live.logged.join('\n')).toMatch(/supergraph version 2 in force \(was 1\).*subgraphs books, reviews/);
  });

  it.each([
    ['not GraphQL', 'this is { not a supergraph', /it is not GraphQL SDL: Syntax Error/],
    ['a schema that is no supergraph', 'type Query { books: [String] }', /@apollo\/gateway cannot load it: .*/],
    ['bad access rules', () => supergraph({ url: urls.booksA, titleAccess: '@access(use: "browse")' }), /its access rules are invalid: Book\.title: @access\(use:\) must be one of/],
  ] as const)('refuses %s with the reason logged, and the version in force keeps serving', async (_what, text, reason) => {
    const live = await liveGateway(supergraph({ url: urls.booksA }));
    const refused = live.nextRefusal();
    deploy(live.file, typeof text === 'function' ? text() : text);
    expect((await refused).message).toMatch(reason);
    expect(live.gateway.supergraph.current().version).toBe(1);
    expect(live.logged.join('\n')).toMatch(new RegExp(`supergraph change refused; version 1 stays in force\\. ${live.file}: ${reason.source}`));
    const { status, body } = await postGraphQL(live.gateway.url, '{ books { title } }');
    expect({ status, body }).toEqual({ status: 200, body: { data: { books: [{ title: 'Kongens Fald (A)' }] } } });

    // A good file after the bad one is taken.
    const changed = live.nextChange();
    deploy(live.file, supergraph({ url: urls.booksB }));
    expect((await changed).version).toBe(2);
    expect((await postGraphQL(live.gateway.url, '{ books { title } }')).body.data).toEqual({ books: [{ title: 'Kongens Fald (B)' }] });
  });

  it('finishes a request under way on the version it was validated and decided against', async () => {
    // The write's intent is recorded after the decision and before planning: holding it holds
    // the request between the two, while the supergraph moves the books subgraph elsewhere.
    let held!: () => void;
    let reachedIntent!: () => void;
    const intentReached = new Promise<void>((resolve) => (reachedIntent = resolve));
    const release = new Promise<void>((resolve) => (held = resolve));
    const live = await liveGateway(supergraph({ url: urls.booksA }), async (access) => {
      if (access.outcome !== 'intent') return;
      reachedIntent();
      await release;
    });
    const underWay = postGraphQL(live.gateway.url, 'mutation { lend(isbn: "978-87") { by } }', undefined, caseworker);
    await intentReached;
    const changed = live.nextChange();
    deploy(live.file, supergraph({ url: urls.booksB }));
    await changed;
    held();

    // Validated against version 1, so planned and run on version 1: the books subgraph at A.
    expect((await underWay).body).toEqual({ data: { lend: { by: 'A' } } });
    // Started after the switch: version 2, at B.
    const after = postGraphQL(live.gateway.url, 'mutation { lend(isbn: "978-87") { by } }', undefined, caseworker);
    expect((await after).body).toEqual({ data: { lend: { by: 'B' } } });
  });

  it('decides every request against its own version\'s access rules: a field made personal is refused to an anonymous caller from the switch on', async () => {
    const live = await liveGateway(supergraph({ url: urls.booksA }));
    const ask = (headers: Record<string, string> = {}) => postGraphQL(live.gateway.url, '{ books { title } }', undefined, headers);
    expect((await ask()).status).toBe(200);

    let changed = live.nextChange();
    deploy(live.file, supergraph({ url: urls.booksA, titleAccess: '@access(personal: true, roles: ["caseworker"])' }));
    await changed;
    const anonymous = await ask();
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect((await ask(caseworker)).body).toEqual({ data: { books: [{ title: 'Kongens Fald (A)' }] } });

    // And back: the rule is gone with its version.
    changed = live.nextChange();
    deploy(live.file, supergraph({ url: urls.booksA }));
    await changed;
    expect((await ask()).body).toEqual({ data: { books: [{ title: 'Kongens Fald (A)' }] } });
  });
});
