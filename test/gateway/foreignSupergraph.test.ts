/**
 * The gateway serves any supergraph given by path, not only ours: here a two-subgraph library
 * graph that has nothing to do with municipalities, composed in the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { postGraphQL } from '../support/graphql';

const books = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { books: [Book!]! }
type Book @key(fields: "isbn") { isbn: ID! title: String! }`;
const reviews = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Book @key(fields: "isbn") { isbn: ID! stars: Int! }`;

const servers: ApolloServer[] = [];
let gateway: RunningGateway;
let dir: string;

async function serve(typeDefs: string, resolvers: Record<string, unknown>): Promise<string> {
  const server = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers: resolvers as never }]) });
  servers.push(server);
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return url;
}

beforeAll(async () => {
  const booksUrl = await serve(books, { Query: { books: () => [{ isbn: '978-87', title: 'Kongens Fald' }] } });
  const reviewsUrl = await serve(reviews, { Book: { __resolveReference: (b: { isbn: string }) => ({ ...b, stars: 5 }) } });
  const composed = composeServices([
    { name: 'books', url: booksUrl, typeDefs: parse(books) },
    { name: 'reviews', url: reviewsUrl, typeDefs: parse(reviews) },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
  const file = join(dir, 'library.graphql');
  writeFileSync(file, composed.supergraphSdl);
  gateway = await startGateway(loadGatewayConfig({ PORT: '0' }, ['--supergraph', file]), {
    internalTokenKey: (await generateInternalTokenKeys()).privateJwk,
  });
});

afterAll(async () => {
  await gateway?.close();
  for (const server of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway on a supergraph that is not ours', () => {
  it('plans and answers across both of its subgraphs', async () => {
    const { status, body } = await postGraphQL(gateway.url, '{ books { title stars } }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { books: [{ title: 'Kongens Fald', stars: 5 }] } });
  });

  it('answers GET /health', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/health'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', memory: { rssMb: expect.any(Number), heapUsedMb: expect.any(Number) } });
  });
});
