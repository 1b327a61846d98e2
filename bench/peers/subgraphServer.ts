/**
 * One benchmark subgraph in its own process (so its CPU time is its own):
 * `node --import tsx bench/peers/subgraphServer.ts NAME PORT`.
 *
 * A plain node:http server executing with graphql-js over @apollo/subgraph's schema; each
 * distinct document is parsed and validated once. It counts the GraphQL requests it answers and
 * tells its parent over IPC (`{ type: 'count' }` → `{ type: 'count', requests }`), which is how
 * the harness counts subgraph fetches per operation. Prints `ready URL` when listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, specifiedRules, validate, type DocumentNode, type GraphQLError } from 'graphql';
import { SUBGRAPH_NAMES, SUBGRAPHS, type SubgraphName } from './subgraphs';

const name = process.argv[2] as SubgraphName;
const port = Number(process.argv[3] ?? 0);
if (!SUBGRAPH_NAMES.includes(name)) {
  console.error(`usage: subgraphServer.ts ${SUBGRAPH_NAMES.join('|')} PORT`);
  process.exit(2);
}

const definition = SUBGRAPHS[name];
const schema = buildSubgraphSchema({ typeDefs: definition.typeDefs, resolvers: definition.resolvers } as Parameters<typeof buildSubgraphSchema>[0]);

/** Parsed and validated documents by source; a gateway sends a handful of distinct ones. */
const documents = new Map<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>();
const DOCUMENT_CACHE_LIMIT = 1_000;
let requests = 0;

function prepared(source: string) {
  let entry = documents.get(source);
  if (!entry) {
    try {
      const document = parse(source);
      const errors = validate(schema, document, specifiedRules);
      entry = errors.length > 0 ? { errors } : { document };
    } catch (error) {
      entry = { errors: [error as GraphQLError] };
    }
    if (documents.size >= DOCUMENT_CACHE_LIMIT) documents.clear();
    documents.set(source, entry);
  }
  return entry;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return reply(res, req.url === '/health' ? 200 : 405, { status: 'ok' });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
  } catch {
    return reply(res, 400, { errors: [{ message: 'the body is not JSON' }] });
  }
  requests += 1;
  if (typeof body.query !== 'string') return reply(res, 400, { errors: [{ message: 'no query' }] });
  const entry = prepared(body.query);
  if ('errors' in entry) return reply(res, 400, { errors: entry.errors.map((e) => ({ message: e.message })) });
  const result = await execute({ schema, document: entry.document, variableValues: body.variables ?? null, operationName: body.operationName ?? null });
  reply(res, 200, result);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    if (!res.headersSent) reply(res, 500, { errors: [{ message: (error as Error).message }] });
  });
});
server.keepAliveTimeout = 60_000; // longer than any gateway's idle pool, so no request races a close

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'count') process.send?.({ type: 'count', requests });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// Started with an IPC channel: when the harness is gone, so is this process.
process.on('disconnect', () => process.exit(0));

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  console.log(`ready http://127.0.0.1:${actual}/graphql`);
});
