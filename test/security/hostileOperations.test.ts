/**
 * A corpus of hostile requests, each refused with a clear error, while an honest client keeps
 * being served the whole time. Run against the development gateway (limits on, introspection on)
 * and a production gateway (introspection and suggestions off, trusted documents).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config';
import { devIdentityProvider, type DevIdentityProvider } from '../../gateway/auth/devIdentity';
import { documentHash } from '../../gateway/plugins/trustedDocuments';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { noLatency } from '../support/graphql';

let stack: LocalStack;
let production: RunningGateway;
let trustedGateway: RunningGateway;
let identity: DevIdentityProvider;
let sampleCpr: string;
let dir: string;

beforeAll(async () => {
  stack = await startLocalStack({ latencyMs: noLatency });
  sampleCpr = formatCpr(sampleCitizens(stack.world).get('0101')!.cpr);
  dir = mkdtempSync(join(tmpdir(), 'trusted-'));
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ [documentHash(CITIZEN_OVERVIEW_QUERY)]: CITIZEN_OVERVIEW_QUERY }));
  const subgraphUrls = Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.url]));
  const keys = { internalTokenKey: stack.internalTokenKeys.privateJwk };
  identity = await devIdentityProvider(join(dir, 'idp'));
  const auth = { issuer: identity.issuer, audience: identity.audience, jwksPath: identity.jwksPath };
  const audit = { dir: join(dir, 'audit') }; // required in production; this test records nothing
  production = await startGateway(parseGatewayConfig({ port: 0, production: true, auth, audit, subgraphUrls }), keys);
  trustedGateway = await startGateway(parseGatewayConfig({ port: 0, production: true, auth, audit, trustedDocumentsPath: manifest, subgraphUrls }), keys);
});
afterAll(async () => {
  await production?.close();
  await trustedGateway?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Attempt {
  status: number;
  text: string;
  json: { errors?: { message: string; extensions?: { code?: string } }[]; data?: unknown } | undefined;
}

async function send(url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, method = 'POST'): Promise<Attempt> {
  const response = await fetch(url, { method, headers, ...(method === 'POST' ? { body } : {}) });
  const text = await response.text();
  let json: Attempt['json'];
  try {
    json = JSON.parse(text) as Attempt['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}
const gql = (query: string, variables?: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ query, variables, ...extra });

const nest = (depth: number) => `{ citizen(cpr: "${'$'}") { ${'relations { spouse { '.repeat(depth)} cpr ${'} } '.repeat(depth)} } }`;
const laughs = (levels: number) =>
  `query { citizen(cpr: "SAMPLE") { ...f0 } }\n` +
  Array.from({ length: levels }, (_, i) =>
    i === levels - 1
      ? `fragment f${i} on Citizen { cases { id number title } }`
      : `fragment f${i} on Citizen { ...f${i + 1} relations { spouse { ...f${i + 1} } } }`,
  ).join('\n');

/** Each hostile request, what it must get back, and a phrase the error must say. */
const corpus: { name: string; request: () => Promise<Attempt>; status: number[]; code?: string; says?: RegExp }[] = [
  { name: 'depth bomb', request: () => send(url(), gql(nest(20).replace('$', sampleCpr))), status: [400], code: 'GRAPHQL_VALIDATION_FAILED', says: /depth/i },
  { name: 'alias bomb', request: () => send(url(), gql(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: citizen(cpr: "${sampleCpr}") { cpr }`).join(' ')} }`)), status: [400], code: 'GRAPHQL_VALIDATION_FAILED', says: /alias/i },
  { name: 'alias flood on a nested field', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { ${Array.from({ length: 100 }, (_, i) => `n${i}: name { full }`).join(' ')} } }`)), status: [400], says: /alias/i },
  { name: 'fragment cycle', request: () => send(url(), gql(`query { citizen(cpr: "${sampleCpr}") { ...A } } fragment A on Citizen { ...B } fragment B on Citizen { ...A }`)), status: [400], code: 'GRAPHQL_VALIDATION_FAILED', says: /within itself/ },
  { name: 'fragment "billion laughs"', request: () => send(url(), gql(laughs(25).replace('SAMPLE', sampleCpr))), status: [400], says: /cost|depth/i },
  { name: 'nested lists beyond the cost limit', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { cases { parties { citizen { cases { parties { citizen { cases { documents { id title date } } } } } } } } } }`)), status: [400], code: 'GRAPHQL_VALIDATION_FAILED', says: /cost/i },
  { name: 'token bomb', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { ${'cpr '.repeat(3_000)} } }`)), status: [400], code: 'GRAPHQL_PARSE_FAILED', says: /more that 2000 tokens/ },
  { name: 'directive overload', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { cpr ${'@skip(if: false) '.repeat(60)} } }`)), status: [400], says: /directive/i },
  { name: 'unknown directive', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { cpr @explode } }`)), status: [400], code: 'GRAPHQL_VALIDATION_FAILED', says: /Unknown directive/ },
  { name: 'oversized body', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { cpr } }`, { padding: 'x'.repeat(200_000) })), status: [413], says: /exceeds/ },
  { name: 'huge string argument within the body limit', request: () => send(url(), gql(`{ citizen(cpr: "${'9'.repeat(60_000)}") { cpr } }`)), status: [400], code: 'BAD_USER_INPUT', says: /DDMMYY-SSSS/ },
  { name: 'XML injection in a CPR variable', request: () => send(url(), gql('query($c: CPR!) { citizen(cpr: $c) { cpr } }', { c: '0101601234</pnr:PNR><x/>' })), status: [400], code: 'BAD_USER_INPUT', says: /argument "cpr"/ },
  { name: 'XML injection in a CPR literal', request: () => send(url(), gql('{ citizen(cpr: "010160-1234\\"/><x>") { cpr } }')), status: [400], code: 'BAD_USER_INPUT' },
  { name: 'CPR of the wrong JSON type', request: () => send(url(), gql('query($c: CPR!) { citizen(cpr: $c) { cpr } }', { c: { $ne: null } })), status: [400], code: 'BAD_USER_INPUT' },
  { name: 'CPR with emoji', request: () => send(url(), gql('query($c: CPR!) { citizen(cpr: $c) { cpr } }', { c: '0101😀1234' })), status: [400], code: 'BAD_USER_INPUT' },
  { name: 'batched array of operations', request: () => send(url(), JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }])), status: [400], says: /batch/i },
  { name: 'body that is not JSON', request: () => send(url(), '{"query": "{ __typename }"'), status: [400], says: /not valid JSON/ },
  { name: 'no query at all', request: () => send(url(), JSON.stringify({ variables: {} })), status: [400] },
  { name: 'syntax garbage with control characters, around a CPR', request: () => send(url(), gql('{ citizen(cpr: "010160-1234") { \u0000\u0007 } }')), status: [400], code: 'GRAPHQL_PARSE_FAILED', says: /Syntax Error/ },
  { name: 'unknown operation name', request: () => send(url(), gql('query A { __typename } query B { __typename }', undefined, { operationName: 'C' })), status: [400], says: /Unknown operation named/ },
  { name: 'several operations without a name to pick', request: () => send(url(), gql(Array.from({ length: 50 }, (_, i) => `query q${i} { __typename }`).join(' '))), status: [400], says: /operation name/ },
  { name: 'field that does not exist', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { password } }`)), status: [400], code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'CSRF: a "simple" text/plain POST', request: () => send(url(), gql('{ __typename }'), { 'content-type': 'text/plain' }), status: [400], says: /CSRF|content-type/i },
  { name: 'CSRF: a GET without a preflight header', request: () => send(`${url()}?query=${encodeURIComponent('{ __typename }')}`, '', {}, 'GET'), status: [400], says: /CSRF|preflight/i },
  { name: 'unknown persisted query hash', request: () => send(url(), JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } })), status: [200, 400, 404], code: 'PERSISTED_QUERY_NOT_FOUND' },
  { name: 'the internal CPR address key (@inaccessible)', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { registeredAddress { streetCode } } }`)), status: [400], code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'entity resolution through the gateway (_entities)', request: () => send(url(), gql(`{ _entities(representations: [{ __typename: "Citizen", cpr: "${sampleCpr}" }]) { __typename } }`)), status: [400], code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'introspection in production', request: () => send(prodUrl(), gql('{ __schema { types { name } } }')), status: [400], code: 'GRAPHQL_VALIDATION_FAILED', says: /introspection/i },
  { name: 'field suggestions in production', request: () => send(prodUrl(), gql(`{ citizen(cpr: "${sampleCpr}") { nam } }`)), status: [400], code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'an operation outside the trusted documents', request: () => send(trustedUrl(), gql(`{ citizen(cpr: "${sampleCpr}") { cpr } }`)), status: [400], code: 'OPERATION_NOT_TRUSTED' },
  { name: 'a trusted document with a changed byte', request: () => send(trustedUrl(), gql(`${CITIZEN_OVERVIEW_QUERY} `, { cpr: sampleCpr })), status: [400], code: 'OPERATION_NOT_TRUSTED' },
];

function url() {
  return stack.gateway.url;
}
function prodUrl() {
  return production.url;
}
function trustedUrl() {
  return trustedGateway.url;
}

describe('hostile operations', () => {
  it('has at least 30 of them', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('refuses: %s', async (_name, attempt) => {
    const result = await attempt.request();
    expect(attempt.status, result.text.slice(0, 300)).toContain(result.status);
    const errors = result.json?.errors ?? [];
    expect(errors.length, result.text.slice(0, 300)).toBeGreaterThan(0);
    if (attempt.code) expect(errors.map((e) => e.extensions?.code)).toContain(attempt.code);
    if (attempt.says) expect(errors.map((e) => e.message).join(' ')).toMatch(attempt.says);
    expect(result.text).not.toMatch(/"stacktrace"|at [\w.]+ \(|<soap|Did you mean|GraphQL request:|010160-1234/);
    expect(result.json?.data ?? null).toBeNull();
  });

  it('keeps serving an honest client while the whole corpus is thrown at the gateway', async () => {
    let honest = 0;
    let failures = 0;
    let running = true;
    const client = (async () => {
      while (running) {
        const r = await send(url(), gql(CITIZEN_OVERVIEW_QUERY, { cpr: sampleCpr }));
        if (r.status === 200 && !r.json?.errors) honest++;
        else failures++;
      }
    })();
    await Promise.all(corpus.map((c) => c.request()));
    await Promise.all(corpus.map((c) => c.request()));
    running = false;
    await client;
    expect(failures).toBe(0);
    expect(honest).toBeGreaterThan(0);
  });

  it('runs a trusted document in trusted documents mode', async () => {
    const token = await identity.mint({ role: 'caseworker', municipality: '0101', purpose: 'P-1' });
    const result = await send(trustedUrl(), gql(CITIZEN_OVERVIEW_QUERY, { cpr: sampleCpr }), {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
    });
    expect(result.status).toBe(200);
    expect(result.json?.errors).toBeUndefined();
  });

  it('escapes XML special characters in a case id before it reaches the case index', async () => {
    stack.simulators.caseIndex.resetCalls();
    const result = await send(url(), gql('query($id: ID!) { case(id: $id) { number } }', { id: 'x</sdi:SagUuid><sdi:SagUuid>*</sdi:SagUuid><evil/>' }));
    expect(result.json?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const sent = stack.simulators.caseIndex.callsTo('fremsoeg')[0]!.requestBody;
    expect(sent).toContain('x&lt;/sdi:SagUuid&gt;&lt;sdi:SagUuid&gt;*&lt;/sdi:SagUuid&gt;&lt;evil/&gt;');
    expect(sent).not.toContain('<evil/>');
  });
});
