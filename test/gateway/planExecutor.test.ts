/**
 * gateway/planExecutor.ts against the executor it claims to equal: @apollo/gateway 2.14's own
 * (executeQueryPlan + resultShaping.computeResponse). The same supergraph is loaded twice
 * (gateway/supergraph.ts, `lean` false and true), each served by its own Apollo Server, and every
 * operation here is run through both on the same subgraphs. The client's answers must be the same
 * text (data, errors with their messages, paths and extensions, `extensions.valueCompletion`, the
 * HTTP status), the subgraphs must have been sent the same requests, and the gateway's spans
 * (@apollo/gateway's tracer: request, validate, plan, execute, fetch, post-processing) must be the
 * same: names, parents, attributes, status and recorded exceptions.
 *
 * Equal is not enough: two executors broken the same way agree. Every case also pins down what
 * the answer is (the exact data, the exact error), so a case cannot pass by both failing alike.
 *
 * Four subgraphs are real @apollo/subgraph servers over HTTP (products, inventory, reviews,
 * accounts): entities across them, @requires, @provides, interfaces, unions, lists of lists, a
 * chain of entities. A fifth is scripted: a raw node:http server that answers whatever the case
 * at hand chooses, unchecked by any schema, so the gateway gets what a real subgraph rarely sends
 * (null for a non-null field, invalid leaves, unknown typenames, `_entities` of the wrong length
 * or holding null, errors with paths into `_entities`, a 500, a body that is not JSON).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import { ApolloServer, HeaderMap, type ApolloServerOptionsWithGateway, type BaseContext } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingInternals, planExecutor } from '../../gateway/planExecutor';
import { loadSupergraph, type SupergraphVersion } from '../../gateway/supergraph';
import { startTracing, type RunningTracing } from '../../runtime/tracing';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

const LINK = (imports: string) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [${imports}])`;

// ─── The real subgraphs ──────────────────────────────────────────────────────────────────────────

const productsSdl = `${LINK('"@key", "@shareable"')}
type Query {
  topProducts(first: Int = 5): [Product!]!
  product(upc: ID!): Product
  node(id: ID!): Node
  search(text: String!): [SearchResult!]!
  matrix: [[Product]]
  constructor: String
}
type Mutation { reprice(upc: ID!, price: Int!): Product }
interface Node @key(fields: "id") { id: ID! }
enum Category { FURNITURE BOOKS }
type Product implements Node @key(fields: "upc") @key(fields: "id") { upc: ID! id: ID! name: String! price: Int weight: Int category: Category }
type Book implements Node @key(fields: "isbn") @key(fields: "id") { isbn: ID! id: ID! title: String! }
union SearchResult = Product | Book`;

const inventorySdl = `${LINK('"@key", "@external", "@requires"')}
type Product @key(fields: "upc") {
  upc: ID!
  price: Int @external
  weight: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}
"""Its inStock is not Product's: fetched beside it, the planner aliases one and renames it back (an output rewrite)."""
type Book @key(fields: "isbn") { isbn: ID! inStock: Int }`;

const reviewsSdl = `${LINK('"@key", "@external", "@provides"')}
type Review @key(fields: "id") { id: ID! body: String! author: User @provides(fields: "username") product: Product }
type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
type Product @key(fields: "upc") { upc: ID! reviews: [Review] }`;

const accountsSdl = `${LINK('"@key", "@shareable", "@interfaceObject"')}
type Query { me: User }
type User @key(fields: "id") { id: ID! name: String username: String @shareable }
"""products' entity interface, seen as an object here: its entities are sent as Node (an input rewrite)."""
type Node @key(fields: "id") @interfaceObject { id: ID! createdBy: String }`;

interface ProductRow {
  upc: string;
  name: string;
  price: number;
  weight: number;
  category: string;
}
const PRODUCTS: ProductRow[] = [
  { upc: '1', name: 'Table', price: 899, weight: 100, category: 'FURNITURE' },
  { upc: '2', name: 'Couch', price: 1299, weight: 1000, category: 'FURNITURE' },
  { upc: '3', name: 'Chair', price: 54, weight: 50, category: 'FURNITURE' },
];
const BOOKS = [{ isbn: 'b1', title: 'Dune' }];
const REVIEWS = [
  { id: 'r1', upc: '1', author: 'u1', body: 'Love it!' },
  { id: 'r2', upc: '1', author: 'u2', body: 'Too expensive.' },
  { id: 'r3', upc: '2', author: 'u1', body: 'Could be better.' },
  { id: 'r4', upc: '3', author: 'u2', body: 'Prefer something else.' },
];
const USERS = [
  { id: 'u1', name: 'Ada', username: '@ada' },
  { id: 'u2', name: 'Alan', username: '@alan' },
];

const product = (upc: string) => {
  const row = PRODUCTS.find((p) => p.upc === upc);
  return row ? { __typename: 'Product', ...row, id: `product:${row.upc}` } : null;
};
const book = (isbn: string) => {
  const row = BOOKS.find((b) => b.isbn === isbn);
  return row ? { __typename: 'Book', ...row, id: `book:${row.isbn}` } : null;
};

const productsResolvers = {
  Query: {
    topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first).map((p) => product(p.upc)),
    product: (_: unknown, { upc }: { upc: string }) => product(upc),
    node: (_: unknown, { id }: { id: string }) => {
      const [kind, key] = id.split(':');
      return kind === 'product' ? product(key!) : kind === 'book' ? book(key!) : null;
    },
    search: () => [product('1'), book('b1'), product('3')],
    matrix: () => [[product('1'), null, product('2')], null, [product('3')]],
    constructor: () => 'built',
  },
  Mutation: { reprice: (_: unknown, { upc, price }: { upc: string; price: number }) => ({ ...product(upc), price }) },
  Node: {
    __resolveType: (value: { __typename: string }) => value.__typename,
    __resolveReference: (ref: { id: string }) => productsResolvers.Query.node(undefined, ref),
  },
  SearchResult: { __resolveType: (value: { __typename: string }) => value.__typename },
  Product: { __resolveReference: (ref: { upc?: string; id?: string }) => (ref.upc ? product(ref.upc) : productsResolvers.Query.node(undefined, { id: ref.id! })) },
  Book: { __resolveReference: (ref: { isbn?: string; id?: string }) => (ref.isbn ? book(ref.isbn) : productsResolvers.Query.node(undefined, { id: ref.id! })) },
};

const inventoryResolvers = {
  Product: {
    __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ref,
    inStock: (p: { upc: string }) => p.upc !== '3',
    shippingEstimate: (p: { price: number; weight: number }) => (p.price > 1000 ? 0 : Math.round(p.weight / 2)),
  },
  Book: {
    __resolveReference: (ref: { isbn: string }) => ref,
    inStock: (b: { isbn: string }) => b.isbn.length,
  },
};

const reviewsResolvers = {
  Review: {
    __resolveReference: (ref: { id: string }) => REVIEWS.find((r) => r.id === ref.id),
    author: (r: { author: string }) => ({ __typename: 'User', id: r.author, username: USERS.find((u) => u.id === r.author)!.username }),
    product: (r: { upc: string }) => ({ __typename: 'Product', upc: r.upc }),
  },
  User: {
    __resolveReference: (ref: { id: string }) => ref,
    reviews: (u: { id: string }) => REVIEWS.filter((r) => r.author === u.id),
  },
  Product: {
    __resolveReference: (ref: { upc: string }) => ref,
    reviews: (p: { upc: string }) => REVIEWS.filter((r) => r.upc === p.upc),
  },
};

const accountsResolvers = {
  Query: { me: () => USERS[0] },
  User: { __resolveReference: (ref: { id: string }) => USERS.find((u) => u.id === ref.id) },
  Node: { __resolveReference: (ref: { id: string }) => ({ ...ref, createdBy: `admin of ${ref.id}` }) },
};

// ─── The scripted subgraph ───────────────────────────────────────────────────────────────────────

const scriptedSdl = `${LINK('"@key"')}
type Query {
  gadgets: [Gadget]
  gadget: Gadget
  strictGadgets: [Gadget!]
  rootStrict: Gadget!
  thing: Thing
  sizes: [Int]
  grid: [[Int!]!]
}
type Gadget @key(fields: "id") { id: ID! label: String! size: Int kind: Kind parts: [Part!] product: Product weight: Float ok: Boolean meta: JSON }
scalar JSON
type Part { serial: String! }
enum Kind { SMALL LARGE }
interface Thing { id: ID! }
type Gear implements Thing { id: ID! teeth: Int }
type Product @key(fields: "upc") { upc: ID! rating: Float! note: String }`;

interface SubgraphRequest {
  query: string;
  variables?: Record<string, unknown> & { representations?: Record<string, unknown>[] };
  operationName?: string;
}
interface Reply {
  status?: number;
  contentType?: string;
  /** JSON-encoded unless a string. */
  body: unknown;
}
type Script = (request: SubgraphRequest) => Reply;

const unscripted: Script = (request) => ({ body: { errors: [{ message: `unscripted request: ${request.query}` }] } });
let script: Script = unscripted;

function scriptedHandler(req: IncomingMessage, res: ServerResponse): void {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (raw += chunk));
  req.on('end', () => {
    let reply: Reply;
    try {
      reply = script(JSON.parse(raw) as SubgraphRequest);
    } catch (error) {
      reply = { status: 400, body: { errors: [{ message: `the script failed: ${(error as Error).message}` }] } };
    }
    res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
    res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
  });
}

/** Answers a root fetch with `data`, an `_entities` fetch with `entities(representations)`. */
function answering(root: (request: SubgraphRequest) => unknown, entities?: (representations: Record<string, unknown>[], request: SubgraphRequest) => unknown): Script {
  return (request) => {
    const representations = request.variables?.representations;
    if (representations) {
      if (!entities) return unscripted(request);
      return { body: entities(representations, request) };
    }
    return { body: root(request) };
  };
}

// ─── Both executors ──────────────────────────────────────────────────────────────────────────────

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

interface Sent {
  service: string;
  query: string;
  variables: unknown;
}

interface Executor {
  readonly name: 'apollo' | 'lean';
  readonly version: SupergraphVersion;
  readonly server: ApolloServer;
  /** What the data sources were asked to send, since the last take(). */
  readonly sent: Sent[];
  /** The plans announced to onPlan, since the last take(). */
  readonly plans: QueryPlan[];
}

const realServers: ApolloServer[] = [];
let scriptedServer: Server;
const executors: Executor[] = [];

async function serveSubgraph(typeDefs: string, resolvers: Record<string, unknown>): Promise<string> {
  const server = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers: resolvers as never }]) });
  realServers.push(server);
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return url;
}

async function executorOf(name: Executor['name'], sdl: string): Promise<Executor> {
  const sent: Sent[] = [];
  const plans: QueryPlan[] = [];
  class Recording extends RemoteGraphQLDataSource {
    constructor(
      private readonly service: string,
      url: string,
    ) {
      super({ url });
    }
    override willSendRequest({ request }: GraphQLDataSourceProcessOptions): void {
      sent.push({ service: this.service, query: request.query ?? '', variables: request.variables });
    }
  }
  const version = await loadSupergraph(
    sdl,
    ({ name: service, url }) => {
      if (!url) throw new Error(`no URL for ${service}`);
      return { dataSource: new Recording(service, url), url };
    },
    1,
    ({ queryPlan }) => void plans.push(queryPlan),
    name === 'lean',
  );
  const gateway: GatewayInterface = {
    load: async () => ({ schema: version.schema, executor: version.executor }),
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: version.schema, coreSupergraphSdl: version.sdl });
      return () => {};
    },
    stop: async () => {},
  };
  const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
  await server.start();
  return { name, version, server, sent, plans };
}

beforeAll(async () => {
  tracing = await startTracing({ url: 'memory:', headers: {}, sampler: 'always_on', ratio: 1, serviceName: undefined }, 'gateway', spanExporter);
  const urls = {
    products: await serveSubgraph(productsSdl, productsResolvers),
    inventory: await serveSubgraph(inventorySdl, inventoryResolvers),
    reviews: await serveSubgraph(reviewsSdl, reviewsResolvers),
    accounts: await serveSubgraph(accountsSdl, accountsResolvers),
  };
  scriptedServer = createServer(scriptedHandler);
  await new Promise<void>((resolve) => scriptedServer.listen(0, '127.0.0.1', resolve));
  const scriptedUrl = `http://127.0.0.1:${(scriptedServer.address() as AddressInfo).port}/graphql`;
  const composed = composeServices([
    { name: 'products', url: urls.products, typeDefs: parse(productsSdl) },
    { name: 'inventory', url: urls.inventory, typeDefs: parse(inventorySdl) },
    { name: 'reviews', url: urls.reviews, typeDefs: parse(reviewsSdl) },
    { name: 'accounts', url: urls.accounts, typeDefs: parse(accountsSdl) },
    { name: 'scripted', url: scriptedUrl, typeDefs: parse(scriptedSdl) },
  ]);
  expect(composed.errors).toBeUndefined();
  const sdl = composed.supergraphSdl!;
  executors.push(await executorOf('apollo', sdl), await executorOf('lean', sdl));
});

afterAll(async () => {
  await tracing?.close();
  for (const executor of executors) {
    await executor.server.stop();
    await executor.version.stop();
  }
  for (const server of realServers) await server.stop();
  if (scriptedServer) {
    await new Promise<void>((resolve) => {
      scriptedServer.close(() => resolve());
      scriptedServer.closeAllConnections();
    });
  }
});

// ─── Running an operation through both ───────────────────────────────────────────────────────────

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
}

interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}
interface Body {
  data?: Record<string, any> | null;
  errors?: GraphQLErrorJson[];
  extensions?: { valueCompletion?: GraphQLErrorJson[]; [key: string]: unknown };
}
interface Answer {
  status: number | undefined;
  body: Body;
}
// Every span the gateway's tracer makes in this file, kept in memory, through the gateway's own
// tracing (runtime/tracing.ts: its global router, its context manager), started and stopped
// around this file's tests: test files share their worker, and a provider of this file's own
// would be kept by @apollo/gateway's tracer for every file after it.
const spanExporter = new InMemorySpanExporter();
let tracing: RunningTracing | undefined;

/** The gateway's spans since the last call, each as name < parent's name, attributes, status, exceptions; in a stable order. */
function takeSpans(): string[] {
  const spans = spanExporter.getFinishedSpans().filter((span) => span.name.startsWith('gateway.'));
  spanExporter.reset();
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  const parentName = (span: ReadableSpan) => {
    const parent = span.parentSpanContext?.spanId;
    return parent ? (byId.get(parent)?.name ?? 'outside') : 'root';
  };
  return spans
    .map((span) => JSON.stringify([span.name, parentName(span), span.attributes, span.status.code, span.events.map((event) => event.name)]))
    .sort();
}

interface Outcome {
  /** The client's answer, as text. */
  text: string;
  /** The gateway's spans (takeSpans). */
  spans: string[];
  answer: Answer;
  /** The subgraph requests, in a stable order (parallel fetches finish in any order). */
  sent: string[];
  plans: QueryPlan[];
}

async function runOn(executor: Executor, operation: Operation): Promise<Outcome> {
  executor.sent.length = 0;
  executor.plans.length = 0;
  const http = operation.headers
    ? { method: 'POST', headers: new HeaderMap(Object.entries(operation.headers)), search: '', body: {} }
    : undefined;
  const response = await executor.server.executeOperation({
    query: operation.query,
    ...(operation.variables ? { variables: operation.variables } : {}),
    ...(operation.operationName ? { operationName: operation.operationName } : {}),
    ...(http ? { http } : {}),
  });
  if (response.body.kind !== 'single') throw new Error(`${executor.name}: an incremental answer`);
  const answer: Answer = { status: response.http.status, body: JSON.parse(JSON.stringify(response.body.singleResult)) as Body };
  return {
    text: JSON.stringify(answer),
    spans: takeSpans(),
    answer,
    sent: executor.sent.map((s) => JSON.stringify(s)).sort(),
    plans: [...executor.plans],
  };
}

/**
 * The operation through @apollo/gateway's executor, then through the gateway's own; both must
 * give the same answer, having sent the same subgraph requests. Apollo's answer is returned.
 */
async function both(operation: Operation, scripted: Script = unscripted): Promise<Outcome> {
  script = scripted;
  try {
    const [apollo, lean] = executors as [Executor, Executor];
    const reference = await runOn(apollo, operation);
    const candidate = await runOn(lean, operation);
    expect(candidate.text, 'the lean executor answers as @apollo/gateway does').toBe(reference.text);
    expect(candidate.sent, 'the lean executor sends the subgraphs what @apollo/gateway sends').toEqual(reference.sent);
    expect(candidate.spans, 'the lean executor makes the spans @apollo/gateway makes').toEqual(reference.spans);
    expect(reference.spans.length, 'spans are recorded at all').toBeGreaterThan(0);
    return reference;
  } finally {
    script = unscripted;
  }
}

/** The kinds of the nodes of a plan, depth first. */
function kindsOf(node: PlanNode | SubscriptionNode | undefined, into: string[] = []): string[] {
  if (!node) return into;
  into.push(node.kind);
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      for (const child of node.nodes) kindsOf(child, into);
      break;
    case 'Flatten':
      kindsOf(node.node, into);
      break;
    case 'Condition':
      kindsOf(node.ifClause, into);
      kindsOf(node.elseClause, into);
      break;
    default:
      break;
  }
  return into;
}

/** The one error of an answer's `errors`, or of its `extensions.valueCompletion`. */
function only(errors: GraphQLErrorJson[] | undefined): GraphQLErrorJson {
  expect(errors).toHaveLength(1);
  return errors![0]!;
}

// ─── The cases ───────────────────────────────────────────────────────────────────────────────────

describe('what the lean plan executor reads of @apollo/gateway', () => {
  it('is all there in the @apollo/gateway installed, once loaded', async () => {
    const gateway = new ApolloGateway({ supergraphSdl: executors[0]!.version.sdl });
    await gateway.load();
    try {
      expect(missingInternals(gateway)).toEqual([]);
    } finally {
      await gateway.stop();
    }
  });

  it('refuses, naming what is missing and what to do, a gateway without it', () => {
    expect(missingInternals({})).toEqual(['schema', 'apiSchema', 'supergraphSchema', 'serviceMap', 'config', 'logger', 'queryPlanStore', 'queryPlanner', 'validateIncomingRequest']);
    expect(() => planExecutor({ schema: {}, apiSchema: {}, supergraphSchema: {}, serviceMap: {}, config: {}, logger: {}, queryPlanner: { buildQueryPlan: () => undefined }, validateIncomingRequest: () => [] } as never, async () => ({}))).toThrow(
      "the gateway's plan executor reads @apollo/gateway's queryPlanStore, which this version of it does not have: set LEAN_PLAN_EXECUTOR=false, or use @apollo/gateway 2.14",
    );
  });
});

describe('the lean plan executor answers as @apollo/gateway does: real subgraphs', () => {
  it('root fields of one subgraph, with an argument default', async () => {
    const { answer } = await both({ query: '{ topProducts { upc name price category } }' });
    expect(answer).toEqual({
      status: undefined,
      body: {
        data: {
          topProducts: [
            { upc: '1', name: 'Table', price: 899, category: 'FURNITURE' },
            { upc: '2', name: 'Couch', price: 1299, category: 'FURNITURE' },
            { upc: '3', name: 'Chair', price: 54, category: 'FURNITURE' },
          ],
        },
      },
    });
  });

  it('entities joined across three subgraphs', async () => {
    const { answer, plans } = await both({ query: '{ topProducts(first: 2) { name inStock reviews { body author { name } } } }' });
    expect(answer.body).toEqual({
      data: {
        topProducts: [
          {
            name: 'Table',
            inStock: true,
            reviews: [
              { body: 'Love it!', author: { name: 'Ada' } },
              { body: 'Too expensive.', author: { name: 'Alan' } },
            ],
          },
          { name: 'Couch', inStock: true, reviews: [{ body: 'Could be better.', author: { name: 'Ada' } }] },
        ],
      },
    });
    expect(kindsOf(plans[0]?.node).filter((k) => k === 'Fetch')).toHaveLength(4);
  });

  it('@requires: a field computed from fields of another subgraph', async () => {
    const { answer } = await both({ query: '{ topProducts { name shippingEstimate } }' });
    expect(answer.body.data).toEqual({
      topProducts: [
        { name: 'Table', shippingEstimate: 50 },
        { name: 'Couch', shippingEstimate: 0 },
        { name: 'Chair', shippingEstimate: 25 },
      ],
    });
  });

  it('@provides: a field the parent subgraph provides is not fetched again', async () => {
    const { answer, sent } = await both({ query: '{ topProducts(first: 1) { reviews { author { username } } } }' });
    expect(answer.body.data).toEqual({ topProducts: [{ reviews: [{ author: { username: '@ada' } }, { author: { username: '@alan' } }] }] });
    expect(sent.some((s) => s.includes('"service":"accounts"'))).toBe(false);
  });

  it('an interface with type-conditioned fragments, one crossing to another subgraph', async () => {
    const query = 'query($id: ID!) { node(id: $id) { id ... on Product { name inStock } ... on Book { title } } }';
    expect((await both({ query, variables: { id: 'product:3' } })).answer.body).toEqual({ data: { node: { id: 'product:3', name: 'Chair', inStock: false } } });
    expect((await both({ query, variables: { id: 'book:b1' } })).answer.body).toEqual({ data: { node: { id: 'book:b1', title: 'Dune' } } });
    expect((await both({ query, variables: { id: 'none:0' } })).answer.body).toEqual({ data: { node: null } });
  });

  it('a union with fragments, __typename and a named fragment', async () => {
    const { answer } = await both({
      query: `{ search(text: "a") { __typename ...P ... on Book { title } } }
        fragment P on Product { name inStock }`,
    });
    expect(answer.body.data).toEqual({
      search: [
        { __typename: 'Product', name: 'Table', inStock: true },
        { __typename: 'Book', title: 'Dune' },
        { __typename: 'Product', name: 'Chair', inStock: false },
      ],
    });
  });

  it('a list of lists of entities, with null rows and null items', async () => {
    const { answer, plans } = await both({ query: '{ matrix { upc inStock shippingEstimate } }' });
    expect(answer.body.data).toEqual({
      matrix: [
        [{ upc: '1', inStock: true, shippingEstimate: 50 }, null, { upc: '2', inStock: true, shippingEstimate: 0 }],
        null,
        [{ upc: '3', inStock: false, shippingEstimate: 25 }],
      ],
    });
    expect(kindsOf(plans[0]?.node)).toContain('Flatten');
  });

  it('a chain of entities through four subgraphs and back', async () => {
    const { answer } = await both({ query: '{ me { name reviews { body product { name inStock reviews { author { name username } } } } } }' });
    expect(answer.body.data).toEqual({
      me: {
        name: 'Ada',
        reviews: [
          {
            body: 'Love it!',
            product: {
              name: 'Table',
              inStock: true,
              reviews: [
                { author: { name: 'Ada', username: '@ada' } },
                { author: { name: 'Alan', username: '@alan' } },
              ],
            },
          },
          { body: 'Could be better.', product: { name: 'Couch', inStock: true, reviews: [{ author: { name: 'Ada', username: '@ada' } }] } },
        ],
      },
    });
  });

  it('aliases, aliased __typename and the same field under two aliases with different arguments', async () => {
    const { answer } = await both({
      query: '{ a: product(upc: "1") { n: name stock: inStock t: __typename kind: __typename } b: product(upc: "2") { n: name __typename } c: product(upc: "9") { n: name } }',
    });
    expect(answer.body.data).toEqual({
      a: { n: 'Table', stock: true, t: 'Product', kind: 'Product' },
      b: { n: 'Couch', __typename: 'Product' },
      c: null,
    });
  });

  it('__typename at the root, aliased too: no fetch at all', async () => {
    const { answer, sent } = await both({ query: '{ __typename q: __typename }' });
    expect(answer.body).toEqual({ data: { __typename: 'Query', q: 'Query' } });
    expect(sent).toEqual([]);
  });

  it('@include with a variable on a field of another subgraph: a Condition node, both ways', async () => {
    const query = 'query($withReviews: Boolean!) { topProducts(first: 1) { name reviews @include(if: $withReviews) { body } } }';
    const on = await both({ query, variables: { withReviews: true } });
    expect(on.answer.body.data).toEqual({ topProducts: [{ name: 'Table', reviews: [{ body: 'Love it!' }, { body: 'Too expensive.' }] }] });
    expect(kindsOf(on.plans[0]?.node)).toContain('Condition');
    const off = await both({ query, variables: { withReviews: false } });
    expect(off.answer.body.data).toEqual({ topProducts: [{ name: 'Table' }] });
    expect(off.sent.some((s) => s.includes('"service":"reviews"'))).toBe(false);
  });

  it('@skip with a variable default, taken and overridden', async () => {
    const query = 'query($skipStock: Boolean = true, $skipPrice: Boolean = false) { topProducts(first: 2) { name inStock @skip(if: $skipStock) price @skip(if: $skipPrice) } }';
    expect((await both({ query })).answer.body.data).toEqual({ topProducts: [{ name: 'Table', price: 899 }, { name: 'Couch', price: 1299 }] });
    expect((await both({ query, variables: { skipStock: false, skipPrice: true } })).answer.body.data).toEqual({
      topProducts: [
        { name: 'Table', inStock: true },
        { name: 'Couch', inStock: true },
      ],
    });
  });

  it('@include on inline fragments and fragment spreads, literal and variable', async () => {
    const query = `query($v: Boolean!) { product(upc: "1") {
        ... on Product @include(if: $v) { inStock }
        ...Priced @skip(if: $v)
        ... @include(if: true) { name }
        ... @include(if: false) { category }
      } }
      fragment Priced on Product { price shippingEstimate }`;
    expect((await both({ query, variables: { v: true } })).answer.body.data).toEqual({ product: { inStock: true, name: 'Table' } });
    expect((await both({ query, variables: { v: false } })).answer.body.data).toEqual({ product: { price: 899, shippingEstimate: 50, name: 'Table' } });
  });

  it('arguments passed as variables, to the root and through to entity fetches', async () => {
    const { answer, sent } = await both({
      query: 'query($upc: ID!, $first: Int) { product(upc: $upc) { name inStock } topProducts(first: $first) { upc } }',
      variables: { upc: '2', first: 1 },
    });
    expect(answer.body.data).toEqual({ product: { name: 'Couch', inStock: true }, topProducts: [{ upc: '1' }] });
    expect(sent.some((s) => s.includes('"upc":"2"'))).toBe(true);
  });

  it('a variable that fails validation', async () => {
    const { answer } = await both({ query: 'query($upc: ID!) { product(upc: $upc) { name } }' });
    expect(answer.status).toBe(400);
    expect(only(answer.body.errors).message).toBe('Variable "$upc" of required type "ID!" was not provided.');
  });

  it('the same operation, five times: the plan cache answers the same', async () => {
    const operation = { query: 'query Again { topProducts { name inStock reviews { author { name } } } }' };
    const first = await both(operation);
    expect(first.answer.body.data?.topProducts).toHaveLength(3);
    for (let i = 0; i < 4; i++) expect((await both(operation)).text).toBe(first.text);
  });

  it('two operations sharing fragments, as two documents and as one document by operationName', async () => {
    const fragments = `fragment P on Product { name ...Stock }
      fragment Stock on Product { inStock }`;
    const a = await both({ query: `query A { topProducts(first: 1) { ...P } } ${fragments}` });
    expect(a.answer.body.data).toEqual({ topProducts: [{ name: 'Table', inStock: true }] });
    const b = await both({ query: `query B { product(upc: "3") { ...P price } } ${fragments}` });
    expect(b.answer.body.data).toEqual({ product: { name: 'Chair', inStock: false, price: 54 } });
    const document = `query A { topProducts(first: 1) { ...P } } query B { product(upc: "3") { ...P price } } ${fragments}`;
    expect((await both({ query: document, operationName: 'A' })).text).toBe(a.text);
    expect((await both({ query: document, operationName: 'B' })).text).toBe(b.text);
  });

  it('a mutation, with an entity join after it', async () => {
    const { answer } = await both({ query: 'mutation { reprice(upc: "2", price: 999) { name price shippingEstimate inStock } }' });
    expect(answer.body.data).toEqual({ reprice: { name: 'Couch', price: 999, shippingEstimate: 500, inStock: true } });
  });

  it('introspection is handed over, and answers the same, planned and from the plan cache', async () => {
    for (let i = 0; i < 2; i++) {
      const { answer, spans } = await both({ query: '{ __schema { queryType { name } } }' });
      expect(answer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
      // Planned the first time only; one request span either way.
      expect(spans.filter((span) => span.startsWith('["gateway.plan"'))).toHaveLength(i === 0 ? 1 : 0);
      expect(spans.filter((span) => span.startsWith('["gateway.request"'))).toHaveLength(1);
    }
    const mixed = await both({ query: '{ __type(name: "Product") { name } topProducts(first: 1) { name } }' });
    expect(mixed.answer.body).toEqual({ data: { __type: { name: 'Product' }, topProducts: [{ name: 'Table' }] } });
  });

  it('a field named constructor, and a response name of Object.prototype, are handed over and answer the same', async () => {
    expect((await both({ query: '{ constructor }' })).answer.body).toEqual({ data: { constructor: 'built' } });
    // Aliased, the field is the lean executor's own.
    expect((await both({ query: '{ c: constructor }' })).answer.body).toEqual({ data: { c: 'built' } });
    expect((await both({ query: '{ topProducts(first: 1) { toString: name valueOf: inStock } }' })).answer.body).toEqual({
      data: { topProducts: [{ toString: 'Table', valueOf: true }] },
    });
  });

  it('entities of two types in one _entities fetch, a field of the same name and another type on each', async () => {
    const { answer, sent } = await both({ query: '{ search(text: "a") { ... on Product { upc inStock } ... on Book { isbn stock: inStock } } }' });
    expect(answer.body.data).toEqual({ search: [{ upc: '1', inStock: true }, { isbn: 'b1', stock: 2 }, { upc: '3', inStock: false }] });
    const inventory = sent.filter((s) => s.includes('"service":"inventory"'));
    expect(inventory).toHaveLength(1);
    expect(inventory[0]).toContain('{"__typename":"Book","isbn":"b1"}');
  });

  it('an @interfaceObject: entities sent as their interface (an input rewrite)', async () => {
    const { answer, plans } = await both({
      query: '{ node(id: "book:b1") { id createdBy ... on Book { title } } search(text: "a") { ... on Node { id createdBy } } product(upc: "2") { name createdBy } }',
    });
    expect(answer.body.data).toEqual({
      node: { id: 'book:b1', createdBy: 'admin of book:b1', title: 'Dune' },
      search: [
        { id: 'product:1', createdBy: 'admin of product:1' },
        { id: 'book:b1', createdBy: 'admin of book:b1' },
        { id: 'product:3', createdBy: 'admin of product:3' },
      ],
      product: { name: 'Couch', createdBy: 'admin of product:2' },
    });
    expect(JSON.stringify(plans[0])).toContain('ValueSetter');
  });

  it('concurrent requests on one plan answer alike', async () => {
    const operation = { query: '{ search(text: "a") { __typename ... on Product { name shippingEstimate reviews { body } } ... on Book { title } } }' };
    const reference = await both(operation);
    expect(reference.answer.body.data?.search).toHaveLength(3);
    for (const executor of executors) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => runOn(executor, operation)));
      for (const answer of answers) expect(answer.text, executor.name).toBe(reference.text);
    }
  });

  it('a Condition node whose variable is null: the same failure', async () => {
    const { answer } = await both({
      query: 'query($v: Boolean = true) { topProducts(first: 1) { name reviews @include(if: $v) { body } } }',
      variables: { v: null },
    });
    expect(answer.status).toBe(500);
    expect(only(answer.body.errors).message).toBe('Invalid non-boolean value null for Boolean! variable $v');
  });

  it('the query plan asked for with Apollo-Query-Plan-Experimental', async () => {
    const { answer } = await both({ query: '{ topProducts(first: 1) { name inStock } }', headers: { 'apollo-query-plan-experimental': '1' } });
    expect(answer.body.data).toEqual({ topProducts: [{ name: 'Table', inStock: true }] });
    expect(answer.body.extensions?.__queryPlanExperimental).toContain('QueryPlan {');
  });
});

describe('the lean plan executor answers as @apollo/gateway does: what a subgraph rarely sends', () => {
  it('a well-behaved scripted answer, joined with a real subgraph', async () => {
    const { answer } = await both(
      { query: '{ gadgets { id label size kind parts { serial } product { name inStock } } }' },
      answering(() => ({
        data: { gadgets: [{ id: 'g1', label: 'Gizmo', size: 3, kind: 'SMALL', parts: [{ serial: 's1' }], product: { __typename: 'Product', upc: '1' } }, null] },
      })),
    );
    expect(answer.body).toEqual({
      data: { gadgets: [{ id: 'g1', label: 'Gizmo', size: 3, kind: 'SMALL', parts: [{ serial: 's1' }], product: { name: 'Table', inStock: true } }, null] },
    });
  });

  it('null for a non-null field bubbles through a non-null list item to the nullable list', async () => {
    const { answer } = await both(
      { query: '{ strictGadgets { id label } gadget { id } }' },
      answering((request) =>
        request.query.includes('strictGadgets')
          ? { data: { strictGadgets: [{ id: 'g1', label: 'Gizmo' }, { id: 'g2', label: null }], gadget: { id: 'g3' } } }
          : { data: null },
      ),
    );
    expect(answer.body.data).toEqual({ strictGadgets: null, gadget: { id: 'g3' } });
    expect(answer.body.errors).toBeUndefined();
    const error = only(answer.body.extensions?.valueCompletion);
    expect(error.message).toBe('Cannot return null for non-nullable field Gadget.label.');
    expect(error.path).toEqual(['strictGadgets', 1, 'label']);
    expect(error.extensions?.code).toBe('INVALID_GRAPHQL');
  });

  it('null for a non-null item of a list', async () => {
    const { answer } = await both(
      { query: '{ gadget { id parts { serial } } }' },
      answering(() => ({ data: { gadget: { id: 'g1', parts: [{ serial: 's1' }, null] } } })),
    );
    expect(answer.body.data).toEqual({ gadget: { id: 'g1', parts: null } });
    const error = only(answer.body.extensions?.valueCompletion);
    expect(error.message).toBe('Cannot return null for non-nullable array element of type Part at index 1.');
    expect(error.path).toEqual(['gadget', 'parts', 1]);
  });

  it('null bubbling all the way to the root: data is null', async () => {
    const { answer } = await both(
      { query: '{ rootStrict { id label } gadgets { id } }' },
      answering(() => ({ data: { rootStrict: { id: 'g1', label: null }, gadgets: [] } })),
    );
    expect(answer.body.data).toBeNull();
    const error = only(answer.body.extensions?.valueCompletion);
    expect(error.message).toBe('Cannot return null for non-nullable field Gadget.label.');
    expect(error.path).toEqual(['rootStrict', 'label']);
  });

  it('an invalid enum value, an Int holding 1.5, an Int holding a string', async () => {
    const { answer } = await both(
      { query: '{ gadgets { id kind size } sizes }' },
      answering(() => ({
        data: {
          gadgets: [
            { id: 'g1', kind: 'HUGE', size: 1.5 },
            { id: 'g2', kind: 'LARGE', size: '7' },
          ],
          sizes: [1, 2.5, 'three', 4],
        },
      })),
    );
    expect(answer.body.data).toEqual({
      gadgets: [
        { id: 'g1', kind: null, size: null },
        { id: 'g2', kind: 'LARGE', size: null },
      ],
      sizes: [1, null, null, 4],
    });
    expect(answer.body.extensions?.valueCompletion?.map((e) => [e.message, e.path])).toEqual([
      ['Invalid value found for field Gadget.kind.', ['gadgets', 0, 'kind']],
      ['Invalid value found for field Gadget.size.', ['gadgets', 0, 'size']],
      ['Invalid value found for field Gadget.size.', ['gadgets', 1, 'size']],
      ['Invalid value found for array element of type Int at index 1.', ['sizes', 1]],
      ['Invalid value found for array element of type Int at index 2.', ['sizes', 2]],
    ]);
  });

  it('leaves of every kind, valid and not: ID as a number, Float as an integer, Boolean as a string, a custom scalar, ID! as 7.5', async () => {
    const { answer } = await both(
      { query: '{ gadgets { id weight ok meta } }' },
      answering(() => ({
        data: {
          gadgets: [
            { id: 7, weight: 3, ok: 'true', meta: { any: [1, { thing: null }] } },
            { id: 'g2', weight: 'heavy', ok: false, meta: 'text' },
            { id: 7.5, weight: 1, ok: true, meta: null },
          ],
        },
      })),
    );
    expect(answer.body.data).toEqual({
      gadgets: [
        { id: 7, weight: 3, ok: null, meta: { any: [1, { thing: null }] } },
        { id: 'g2', weight: null, ok: false, meta: 'text' },
        null,
      ],
    });
    expect(answer.body.extensions?.valueCompletion?.map((e) => e.path)).toEqual([
      ['gadgets', 0, 'ok'],
      ['gadgets', 1, 'weight'],
      ['gadgets', 2, 'id'],
    ]);
  });

  it('an invalid value for a non-null leaf: one error, and the null bubbles to the root', async () => {
    const { answer } = await both({ query: '{ rootStrict { id label } }' }, answering(() => ({ data: { rootStrict: { id: 'g1', label: 5 } } })));
    expect(answer.body.data).toBeNull();
    const error = only(answer.body.extensions?.valueCompletion);
    expect(error.message).toBe('Invalid value found for field Gadget.label.');
    expect(error.path).toEqual(['rootStrict', 'label']);
  });

  it('a __typename that is not a string', async () => {
    const { answer } = await both({ query: '{ gadget { id } }' }, answering(() => ({ data: { gadget: { __typename: 5, id: 'g1' } } })));
    expect(answer.body.data).toBeUndefined();
    expect(only(answer.body.errors).message).toBe('Invalid non-string value 5 for __typename at gadget');
  });

  it('null in a non-null list of non-null items, inside a list: the whole list is null, one error', async () => {
    const { answer } = await both({ query: '{ grid sizes }' }, answering(() => ({ data: { grid: [[1, null], [2]], sizes: [1] } })));
    expect(answer.body.data).toEqual({ grid: null, sizes: [1] });
    const error = only(answer.body.extensions?.valueCompletion);
    expect(error.message).toBe('Cannot return null for non-nullable array element of type Int at index 1.');
    expect(error.path).toEqual(['grid', 0, 1]);
  });

  it('the same field selected twice, through a fragment: the second pass over a value already nulled', async () => {
    const { answer } = await both(
      { query: '{ gadget { id } ... on Query { gadget { label } } ... on Query { gadget { size } } }' },
      answering(() => ({ data: { gadget: { id: 'g1', label: null, size: 2 } } })),
    );
    expect(answer.body.data).toEqual({ gadget: null });
    expect(answer.body.extensions?.valueCompletion?.map((e) => [e.message, e.path])).toEqual([['Cannot return null for non-nullable field Gadget.label.', ['gadget', 'label']]]);
  });

  it('an interface value without __typename: fragments on its implementations do not apply', async () => {
    const { answer } = await both({ query: '{ thing { id ... on Gear { teeth } } }' }, answering(() => ({ data: { thing: { id: 't1', teeth: 4 } } })));
    expect(answer.body).toEqual({ data: { thing: { id: 't1' } } });
  });

  it('an unknown __typename', async () => {
    const { answer } = await both(
      { query: '{ thing { __typename id ... on Gear { teeth } } gadget { id } }' },
      answering(() => ({ data: { thing: { __typename: 'Sprocket', id: 't1', teeth: 4 }, gadget: { id: 'g1' } } })),
    );
    expect(answer.body.data).toEqual({ thing: null, gadget: { id: 'g1' } });
    const error = only(answer.body.extensions?.valueCompletion);
    expect(error.message).toBe('Invalid __typename found for object at field Query.thing.');
    expect(error.path).toEqual(['thing']);
  });

  it('a __typename that names an interface: the parent is nulled without an error', async () => {
    const { answer } = await both(
      { query: '{ thing { __typename id } }' },
      answering(() => ({ data: { thing: { __typename: 'Thing', id: 't1' } } })),
    );
    expect(answer.body).toEqual({ data: { thing: null } });
  });

  it('_entities holding null: the nullable field of that entity is null', async () => {
    const { answer } = await both(
      { query: '{ topProducts { name note } }' },
      answering(
        () => ({ data: null }),
        (representations) => ({ data: { _entities: representations.map((r, i) => (i === 1 ? null : { note: `note ${String(r.upc)}` })) } }),
      ),
    );
    expect(answer.body).toEqual({ data: { topProducts: [{ name: 'Table', note: 'note 1' }, { name: 'Couch', note: null }, { name: 'Chair', note: 'note 3' }] } });
  });

  it('_entities holding null for a non-null field: null bubbles through [Product!]! to the root', async () => {
    const { answer } = await both(
      { query: '{ topProducts { name rating } }' },
      answering(
        () => ({ data: null }),
        (representations) => ({ data: { _entities: representations.map((_, i) => (i === 1 ? null : { __typename: 'Product', rating: 4.5 })) } }),
      ),
    );
    expect(answer.body.data).toBeNull();
    const error = only(answer.body.extensions?.valueCompletion);
    expect(error.message).toBe('Cannot return null for non-nullable field Product.rating.');
    expect(error.path).toEqual(['topProducts', 1, 'rating']);
  });

  it('_entities holding a string: the fetch fails', async () => {
    const { answer } = await both(
      { query: '{ topProducts(first: 2) { name note } }' },
      answering(
        () => ({ data: null }),
        () => ({ data: { _entities: [{ note: 'fine' }, 'not an entity'] } }),
      ),
    );
    expect(answer.body.data).toEqual({ topProducts: [{ name: 'Table', note: 'fine' }, { name: 'Couch', note: null }] });
    expect(only(answer.body.errors).message).toBe("Cannot create property '__typename' on string 'not an entity'");
  });

  it('_entities answering with another __typename than the representation', async () => {
    const { answer } = await both(
      { query: '{ topProducts(first: 2) { __typename name note } }' },
      answering(
        () => ({ data: null }),
        () => ({ data: { _entities: [{ __typename: 'Gear', note: 'geared' }, { note: 'plain' }] } }),
      ),
    );
    expect(answer.body.data).toEqual({ topProducts: [{ __typename: 'Gear', name: 'Table', note: 'geared' }, { __typename: 'Product', name: 'Couch', note: 'plain' }] });
  });

  it('a list where an entity fetch expects one is an object: the plan fails', async () => {
    const { answer } = await both(
      { query: '{ gadgets { id product { name } } }' },
      answering(() => ({ data: { gadgets: { id: 'g1', product: { __typename: 'Product', upc: '1' } } } })),
    );
    expect(answer.status).toBe(500);
    expect(only(answer.body.errors).message).toBe('value.flatMap is not a function');
  });

  it('_entities of the wrong length', async () => {
    const { answer } = await both(
      { query: '{ topProducts { name note } }' },
      answering(
        () => ({ data: null }),
        () => ({ data: { _entities: [{ note: 'only one' }] } }),
      ),
    );
    expect(answer.body.data).toEqual({ topProducts: [{ name: 'Table', note: null }, { name: 'Couch', note: null }, { name: 'Chair', note: null }] });
    const error = only(answer.body.errors);
    expect(error.message).toBe('Expected "data._entities" to contain 3 elements');
    expect(error.path).toBeUndefined();
    expect(answer.body.extensions).toBeUndefined();
  });

  it('_entities that is not a list', async () => {
    const { answer } = await both(
      { query: '{ product(upc: "1") { name note } }' },
      answering(
        () => ({ data: null }),
        () => ({ data: { _entities: { note: 'x' } } }),
      ),
    );
    expect(answer.body.data).toEqual({ product: { name: 'Table', note: null } });
    expect(only(answer.body.errors).message).toBe('Expected "data._entities" in response to be an array');
  });

  it('errors with paths into _entities are moved to the client paths, with their codes', async () => {
    const { answer } = await both(
      { query: '{ topProducts { name note } }' },
      answering(
        () => ({ data: null }),
        (representations) => ({
          data: { _entities: representations.map((r) => ({ note: r.upc === '2' ? null : `note ${String(r.upc)}` })) },
          errors: [
            { message: 'note store down', path: ['_entities', 1, 'note'], extensions: { code: 'NOTE_STORE_DOWN', retry: 2 } },
            { message: 'no code here', path: ['_entities', 2] },
            { message: 'no path at all', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
            { message: '', path: ['_entities', 0, 'note'] },
            { message: 'the whole list', path: ['_entities'] },
            { message: 'out of range', path: ['_entities', 9, 'note'] },
          ],
        }),
      ),
    );
    expect(answer.body.data).toEqual({ topProducts: [{ name: 'Table', note: 'note 1' }, { name: 'Couch', note: null }, { name: 'Chair', note: 'note 3' }] });
    expect(answer.body.errors?.map((e) => [e.message, e.path, e.extensions])).toEqual([
      ['note store down', ['topProducts', 1, 'note'], { code: 'NOTE_STORE_DOWN', retry: 2, serviceName: 'scripted' }],
      ['no code here', ['topProducts', 2], { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'scripted' }],
      ['no path at all', undefined, { code: 'GRAPHQL_VALIDATION_FAILED', serviceName: 'scripted' }],
      ['Error while fetching subquery from service "scripted"', ['topProducts', 0, 'note'], { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'scripted' }],
      ['the whole list', ['topProducts', '@', '_entities'], { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'scripted' }],
      ['out of range', ['note'], { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'scripted' }],
    ]);
  });

  it('an error with a path into _entities under a list of lists with nulls', async () => {
    const { answer } = await both(
      { query: '{ matrix { upc note } }' },
      answering(
        () => ({ data: null }),
        (representations) => ({
          data: { _entities: representations.map((r) => ({ note: `n${String(r.upc)}` })) },
          errors: [{ message: 'third is odd', path: ['_entities', 2, 'note'], extensions: { code: 'ODD' } }],
        }),
      ),
    );
    expect(answer.body.data).toEqual({ matrix: [[{ upc: '1', note: 'n1' }, null, { upc: '2', note: 'n2' }], null, [{ upc: '3', note: 'n3' }]] });
    const error = only(answer.body.errors);
    expect(error.path).toEqual(['matrix', 2, 0, 'note']);
    expect(error.extensions).toEqual({ code: 'ODD', serviceName: 'scripted' });
  });

  it('errors from a root fetch drop the value completion errors', async () => {
    const { answer } = await both(
      { query: '{ gadgets { id label } }' },
      answering(() => ({
        data: { gadgets: [{ id: 'g1', label: null }] },
        errors: [{ message: 'label lost', path: ['gadgets', 0, 'label'], extensions: { code: 'LOST' } }],
      })),
    );
    expect(answer.body).toEqual({
      data: { gadgets: [null] },
      errors: [{ message: 'label lost', path: ['gadgets', 0, 'label'], extensions: { code: 'LOST', serviceName: 'scripted' } }],
    });
  });

  it('a root fetch answering data null with an error: the error, not the completion errors', async () => {
    const { answer } = await both(
      { query: '{ rootStrict { id } }' },
      answering(() => ({ data: null, errors: [{ message: 'gadget store down', extensions: { code: 'UNAVAILABLE' } }] })),
    );
    expect(answer.body).toEqual({ data: null, errors: [{ message: 'gadget store down', extensions: { code: 'UNAVAILABLE', serviceName: 'scripted' } }] });
  });

  it('a subgraph answering {} (neither data nor errors)', async () => {
    const { answer } = await both({ query: '{ gadget { id } gadgets { id } }' }, answering(() => ({})));
    expect(answer.body).toEqual({ data: { gadget: null, gadgets: null } });
  });

  it('a subgraph whose errors is not a list', async () => {
    const { answer } = await both({ query: '{ gadget { id } }' }, answering(() => ({ data: { gadget: { id: 'g1' } }, errors: 'bad' })));
    expect(answer.body.data).toEqual({ gadget: null });
    expect(only(answer.body.errors).message).toBe('response.errors.map is not a function');
  });

  it('a subgraph error that is a bare string', async () => {
    const { answer } = await both({ query: '{ gadget { id } }' }, answering(() => ({ data: { gadget: { id: 'g1' } }, errors: ['oops'] })));
    expect(answer.body).toEqual({
      data: { gadget: { id: 'g1' } },
      errors: [{ message: 'Error while fetching subquery from service "scripted"', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'scripted' } }],
    });
  });

  it('a subgraph error that is null', async () => {
    const { answer } = await both({ query: '{ gadget { id } }' }, answering(() => ({ data: { gadget: { id: 'g1' } }, errors: [null] })));
    expect(answer.body.data).toEqual({ gadget: null });
    expect(only(answer.body.errors).message).toBe("Cannot destructure property 'message' of 'originalError' as it is null.");
  });

  it('a subgraph error whose path is not a list', async () => {
    const { answer } = await both({ query: '{ gadget { id } }' }, answering(() => ({ data: { gadget: { id: 'g1' } }, errors: [{ message: 'where?', path: 5 }] })));
    expect(answer.body.data).toEqual({ gadget: null });
    expect(only(answer.body.errors).message).toBe('errorPath.slice is not a function or its return value is not iterable');
  });

  it('a subgraph error whose code is a name of Object.prototype', async () => {
    const { answer } = await both({ query: '{ gadget { id } }' }, answering(() => ({ data: { gadget: { id: 'g1' } }, errors: [{ message: 'odd code', extensions: { code: 'toString' } }] })));
    expect(answer.body.data).toEqual({ gadget: null });
    expect(only(answer.body.errors).message).toBe('(intermediate value)(intermediate value)(intermediate value).err is not a function');
  });

  it('a subgraph answering 500 with a body that is not JSON', async () => {
    const { answer } = await both({ query: '{ gadget { id } }' }, () => ({ status: 500, contentType: 'text/plain', body: 'boom' }));
    expect(answer.body.data).toEqual({ gadget: null });
    const error = only(answer.body.errors);
    expect(error.message).toBe('500: Internal Server Error');
    expect((error.extensions?.response as { body: unknown }).body).toBe('boom');
  });

  it('a subgraph answering 200 with a body that is not JSON, in an entity fetch beside another', async () => {
    const { answer, plans } = await both({ query: '{ topProducts(first: 2) { name note inStock } }' }, () => ({ status: 200, contentType: 'text/html', body: '<html>maintenance</html>' }));
    expect(answer.body.data).toEqual({ topProducts: [{ name: 'Table', note: null, inStock: true }, { name: 'Couch', note: null, inStock: true }] });
    expect(kindsOf(plans[0]?.node)).toContain('Parallel');
    expect(only(answer.body.errors).message).toBe('Expected JSON response body, but received: <html>maintenance</html>');
  });

  it('an entity without its key is not fetched: a non-null field of it is null', async () => {
    const { answer, sent } = await both(
      { query: '{ gadgets { id product { name } } }' },
      answering(() => ({ data: { gadgets: [{ id: 'g1', product: { __typename: 'Product' } }, { id: 'g2', product: { __typename: 'Product', upc: '3' } }] } })),
    );
    expect(answer.body.data).toEqual({ gadgets: [{ id: 'g1', product: null }, { id: 'g2', product: { name: 'Chair' } }] });
    const error = only(answer.body.extensions?.valueCompletion);
    expect(error.message).toBe('Cannot return null for non-nullable field Product.name.');
    expect(error.path).toEqual(['gadgets', 0, 'product', 'name']);
    expect(sent.filter((s) => s.includes('"service":"products"'))).toHaveLength(1);
    expect(sent.find((s) => s.includes('"service":"products"'))).toContain('"representations":[{"__typename":"Product","upc":"3"}]');
  });

  it('a value that is not a list for a list field', async () => {
    const { answer } = await both({ query: '{ gadget { id parts { serial } } }' }, answering(() => ({ data: { gadget: { id: 'g1', parts: 'many' } } })));
    expect(answer.body.data).toBeUndefined();
    expect(only(answer.body.errors).message).toBe('Invalid non-list value many returned by subgraph for list type [Part!]');
  });

  it('a value that is not an object for an object field', async () => {
    const { answer } = await both({ query: '{ gadget { id } }' }, answering(() => ({ data: { gadget: 42 } })));
    expect(answer.body.data).toBeUndefined();
    expect(only(answer.body.errors).message).toBe('Invalid non-object value 42 returned by subgraph for composite type Gadget');
  });

  it('@include whose variable is null, on a field the subgraph answers anyway', async () => {
    const { answer } = await both(
      { query: 'query($v: Boolean = true) { gadget { id label @include(if: $v) } }', variables: { v: null } },
      answering(() => ({ data: { gadget: { id: 'g1', label: 'Gizmo' } } })),
    );
    expect(answer.body.data).toBeUndefined();
    expect(only(answer.body.errors).message).toBe('Unexpected value null for variable $v of @include(if: $v)');
  });
});
