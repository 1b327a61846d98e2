/**
 * A corpus of hostile requests, each refused with a clear error, while an honest client keeps
 * being served the whole time. Run against the development gateway (limits on, introspection on)
 * and a production gateway (introspection and suggestions off, trusted documents).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
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

/**
 * Where a hostile request is refused, first layer first. Every one is refused before any
 * legacy call, except a case id, which only the case index can judge: it travels escaped.
 */
type Layer =
  | 'HTTP body limit (runtime/httpServer.ts)'
  | 'HTTP JSON parsing (runtime/httpServer.ts)'
  | 'Apollo Server: batching off'
  | 'Apollo Server: CSRF prevention'
  | 'Apollo Server: request shape'
  | 'Apollo Server: persisted queries'
  | 'Apollo Server: introspection off in production'
  | 'Apollo Server: operation resolution'
  | 'graphql-js parser: maxTokens'
  | 'graphql-js parser'
  | 'graphql-js validation'
  | 'graphql-js validation, suggestions removed in production'
  | 'graphql-armor max-depth'
  | 'graphql-armor max-aliases'
  | 'graphql-armor max-directives'
  | 'graphql-armor max-directives and graphql-js UniqueDirectivesPerLocation'
  | 'cost limit (gateway/plugins/costLimit.ts) and graphql-armor max-depth'
  | 'cost limit (gateway/plugins/costLimit.ts)'
  | 'CPR validation (gateway/plugins/validateCprArguments.ts)'
  | 'trusted documents (gateway/plugins/trustedDocuments.ts)'
  | 'case index adapter escapes it; the case index has no such case';

interface HostileRequest {
  name: string;
  refusedBy: Layer;
  request: () => Promise<Attempt>;
  status: number;
  /** Every error, in order: its `extensions.code` (none given: not checked) and its whole message. */
  errors: { code?: string; message: RegExp }[];
  /** @default null */
  data?: unknown;
  /** Legacy operations the simulators record, as `system operation`. @default none */
  legacyCalls?: string[];
}

const CPR_FORMAT = 'CPR must be written DDMMYY-SSSS \\(day 01–31, or 61–91 for substitute numbers; month 01–12\\)\\.';
const cprArgument = (how: 'literal' | 'variable') =>
  new RegExp(`^${how === 'literal' ? 'Argument "cpr" of Query\\.citizen' : 'Variable "\\$c" \\(argument "cpr" of Query\\.citizen\\)'} has an invalid value: ${CPR_FORMAT}$`);
const CSRF = /^This operation has been blocked as a potential Cross-Site Request Forgery \(CSRF\)\./;
const NOT_TRUSTED = /^This operation is not in the trusted documents manifest; only listed operations run here\.$/;
const directivesLimit = (found: number) => new RegExp(`^Syntax Error: Directives limit of 20 exceeded, found ${found}\\.$`);
/** `n` directives graphql-js accepts: each on its own inline fragment, so none repeats at a location. */
const directiveSpread = (n: number) => `{ citizen(cpr: "${sampleCpr}") { ${'... @include(if: true) { cpr } '.repeat(n)} } }`;
/** @include and @skip side by side on every field of a citizen: 21 directives, each unique at its location. */
const directivesOnEveryField = () => {
  const both = '@include(if: true) @skip(if: false)';
  const leaves = (names: string[]) => names.map((f) => `${f} ${both}`).join(' ');
  return `{ citizen(cpr: "${sampleCpr}") @include(if: true) { ${leaves(['cpr', 'birthDate', 'sex', 'status', 'maritalStatus', 'addressProtected'])} name ${both} { ${leaves(['given', 'family', 'full'])} } } }`;
};
/** XML that would break out of sdi:SagUuid, declare an entity, or end a CDATA section, were it not escaped. */
const SEARCH_INJECTIONS = [
  'x</sdi:SagUuid><sdi:SagUuid>*</sdi:SagUuid><evil/>',
  '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
  ']]><evil/><![CDATA[',
] as const;
const caseById = (id: string) => send(url(), gql('query($id: ID!) { case(id: $id) { number } }', { id }));
const NO_SUCH_CASE = /^case-index: no such case$/;

const corpus: HostileRequest[] = [
  { name: 'depth bomb', refusedBy: 'graphql-armor max-depth', request: () => send(url(), gql(nest(20).replace('$', sampleCpr))), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Syntax Error: Query depth limit of 12 exceeded, found \d+\.$/ }] },
  { name: 'alias bomb', refusedBy: 'graphql-armor max-aliases', request: () => send(url(), gql(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: citizen(cpr: "${sampleCpr}") { cpr }`).join(' ')} }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Syntax Error: Aliases limit of 15 exceeded, found 60\.$/ }] },
  { name: 'alias flood on a nested field', refusedBy: 'graphql-armor max-aliases', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { ${Array.from({ length: 100 }, (_, i) => `n${i}: name { full }`).join(' ')} } }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Syntax Error: Aliases limit of 15 exceeded, found 100\.$/ }] },
  { name: 'fragment cycle', refusedBy: 'graphql-js validation', request: () => send(url(), gql(`query { citizen(cpr: "${sampleCpr}") { ...A } } fragment A on Citizen { ...B } fragment B on Citizen { ...A }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Cannot spread fragment "A" within itself via "B"\.$/ }] },
  {
    name: 'fragment "billion laughs"', refusedBy: 'cost limit (gateway/plugins/costLimit.ts) and graphql-armor max-depth', request: () => send(url(), gql(laughs(25).replace('SAMPLE', sampleCpr))), status: 400,
    errors: [
      { code: 'GRAPHQL_VALIDATION_FAILED', message: /^Operation is estimated to cost \d+, above the limit of 5000: select fewer fields or fewer nested lists\.$/ },
      { code: 'GRAPHQL_VALIDATION_FAILED', message: /^Syntax Error: Query depth limit of 12 exceeded, found \d+\.$/ },
    ],
  },
  { name: 'nested lists beyond the cost limit', refusedBy: 'cost limit (gateway/plugins/costLimit.ts)', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { cases { parties { citizen { cases { parties { citizen { cases { documents { id title date } } } } } } } } } }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Operation is estimated to cost \d+, above the limit of 5000: select fewer fields or fewer nested lists\.$/ }] },
  { name: 'token bomb', refusedBy: 'graphql-js parser: maxTokens', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { ${'cpr '.repeat(3_000)} } }`)), status: 400, errors: [{ code: 'GRAPHQL_PARSE_FAILED', message: /^Syntax Error: Document contains more that 2000 tokens\. Parsing aborted\.$/ }] },
  // graphql-js accepts both of these (no directive repeats at a location): only the limit refuses them.
  { name: 'directive overload: 60 directives, each on its own inline fragment', refusedBy: 'graphql-armor max-directives', request: () => send(url(), gql(directiveSpread(60))), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: directivesLimit(60) }] },
  { name: 'directive overload: @include and @skip on every field', refusedBy: 'graphql-armor max-directives', request: () => send(url(), gql(directivesOnEveryField())), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: directivesLimit(21) }] },
  {
    name: 'the same directive 60 times at one location', refusedBy: 'graphql-armor max-directives and graphql-js UniqueDirectivesPerLocation', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { cpr ${'@skip(if: false) '.repeat(60)} } }`)), status: 400,
    errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: directivesLimit(60) }, ...Array.from({ length: 59 }, () => ({ code: 'GRAPHQL_VALIDATION_FAILED', message: /^The directive "@skip" can only be used once at this location\.$/ }))],
  },
  { name: 'unknown directive', refusedBy: 'graphql-js validation', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { cpr @explode } }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Unknown directive "@explode"\.$/ }] },
  { name: 'oversized body', refusedBy: 'HTTP body limit (runtime/httpServer.ts)', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { cpr } }`, { padding: 'x'.repeat(200_000) })), status: 413, errors: [{ code: 'PAYLOAD_TOO_LARGE', message: /^Request body exceeds 102400 bytes\.$/ }] },
  { name: 'huge string argument within the body limit', refusedBy: 'CPR validation (gateway/plugins/validateCprArguments.ts)', request: () => send(url(), gql(`{ citizen(cpr: "${'9'.repeat(60_000)}") { cpr } }`)), status: 400, errors: [{ code: 'BAD_USER_INPUT', message: cprArgument('literal') }] },
  { name: 'XML injection in a CPR variable', refusedBy: 'CPR validation (gateway/plugins/validateCprArguments.ts)', request: () => send(url(), gql('query($c: CPR!) { citizen(cpr: $c) { cpr } }', { c: '0101601234</pnr:PNR><x/>' })), status: 400, errors: [{ code: 'BAD_USER_INPUT', message: cprArgument('variable') }] },
  { name: 'XML injection in a CPR literal', refusedBy: 'CPR validation (gateway/plugins/validateCprArguments.ts)', request: () => send(url(), gql('{ citizen(cpr: "010160-1234\\"/><x>") { cpr } }')), status: 400, errors: [{ code: 'BAD_USER_INPUT', message: cprArgument('literal') }] },
  ...SEARCH_INJECTIONS.map((id, i): HostileRequest => ({
    name: `XML injection in the case index's search argument (case id) #${i + 1}`, refusedBy: 'case index adapter escapes it; the case index has no such case',
    request: () => caseById(id), status: 200, errors: [{ code: 'NOT_FOUND', message: NO_SUCH_CASE }], data: { case: null }, legacyCalls: ['case-index fremsoeg'],
  })),
  { name: 'CPR of the wrong JSON type', refusedBy: 'CPR validation (gateway/plugins/validateCprArguments.ts)', request: () => send(url(), gql('query($c: CPR!) { citizen(cpr: $c) { cpr } }', { c: { $ne: null } })), status: 400, errors: [{ code: 'BAD_USER_INPUT', message: cprArgument('variable') }] },
  { name: 'CPR with emoji', refusedBy: 'CPR validation (gateway/plugins/validateCprArguments.ts)', request: () => send(url(), gql('query($c: CPR!) { citizen(cpr: $c) { cpr } }', { c: '0101😀1234' })), status: 400, errors: [{ code: 'BAD_USER_INPUT', message: cprArgument('variable') }] },
  { name: 'batched array of operations', refusedBy: 'Apollo Server: batching off', request: () => send(url(), JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }])), status: 400, errors: [{ code: 'BAD_REQUEST', message: /^Operation batching disabled\.$/ }] },
  { name: 'body that is not JSON', refusedBy: 'HTTP JSON parsing (runtime/httpServer.ts)', request: () => send(url(), '{"query": "{ __typename }"'), status: 400, errors: [{ code: 'BAD_REQUEST', message: /^Request body is not valid JSON\.$/ }] },
  { name: 'no query at all', refusedBy: 'Apollo Server: request shape', request: () => send(url(), JSON.stringify({ variables: {} })), status: 400, errors: [{ code: 'BAD_REQUEST', message: /^GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension\.$/ }] },
  { name: 'syntax garbage with control characters, around a CPR', refusedBy: 'graphql-js parser', request: () => send(url(), gql('{ citizen(cpr: "010160-1234") { \u0000\u0007 } }')), status: 400, errors: [{ code: 'GRAPHQL_PARSE_FAILED', message: /^Syntax Error: Unexpected character: U\+0000\.$/ }] },
  { name: 'unknown operation name', refusedBy: 'Apollo Server: operation resolution', request: () => send(url(), gql('query A { __typename } query B { __typename }', undefined, { operationName: 'C' })), status: 400, errors: [{ code: 'OPERATION_RESOLUTION_FAILURE', message: /^Unknown operation named "C"\.$/ }] },
  { name: 'several operations without a name to pick', refusedBy: 'Apollo Server: operation resolution', request: () => send(url(), gql(Array.from({ length: 50 }, (_, i) => `query q${i} { __typename }`).join(' '))), status: 400, errors: [{ code: 'OPERATION_RESOLUTION_FAILURE', message: /^Must provide operation name if query contains multiple operations\.$/ }] },
  { name: 'field that does not exist', refusedBy: 'graphql-js validation', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { password } }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Cannot query field "password" on type "Citizen"\.$/ }] },
  { name: 'CSRF: a "simple" text/plain POST', refusedBy: 'Apollo Server: CSRF prevention', request: () => send(url(), gql('{ __typename }'), { 'content-type': 'text/plain' }), status: 400, errors: [{ code: 'BAD_REQUEST', message: CSRF }] },
  { name: 'CSRF: a GET without a preflight header', refusedBy: 'Apollo Server: CSRF prevention', request: () => send(`${url()}?query=${encodeURIComponent('{ __typename }')}`, '', {}, 'GET'), status: 400, errors: [{ code: 'BAD_REQUEST', message: CSRF }] },
  { name: 'unknown persisted query hash', refusedBy: 'Apollo Server: persisted queries', request: () => send(url(), JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } })), status: 200, errors: [{ code: 'PERSISTED_QUERY_NOT_FOUND', message: /^PersistedQueryNotFound$/ }] },
  { name: 'the internal CPR address key (@inaccessible)', refusedBy: 'graphql-js validation', request: () => send(url(), gql(`{ citizen(cpr: "${sampleCpr}") { registeredAddress { streetCode } } }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Cannot query field "registeredAddress" on type "Citizen"\.$/ }] },
  { name: 'entity resolution through the gateway (_entities)', refusedBy: 'graphql-js validation', request: () => send(url(), gql(`{ _entities(representations: [{ __typename: "Citizen", cpr: "${sampleCpr}" }]) { __typename } }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Cannot query field "_entities" on type "Query"\.$/ }] },
  { name: 'introspection in production', refusedBy: 'Apollo Server: introspection off in production', request: () => send(prodUrl(), gql('{ __schema { types { name } } }')), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^GraphQL introspection is not allowed by Apollo Server, but the query contained __schema or __type\./ }] },
  // No "Did you mean "name"?": the whole message is the refusal.
  { name: 'field suggestions in production', refusedBy: 'graphql-js validation, suggestions removed in production', request: () => send(prodUrl(), gql(`{ citizen(cpr: "${sampleCpr}") { nam } }`)), status: 400, errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: /^Cannot query field "nam" on type "Citizen"\.$/ }] },
  { name: 'an operation outside the trusted documents', refusedBy: 'trusted documents (gateway/plugins/trustedDocuments.ts)', request: () => send(trustedUrl(), gql(`{ citizen(cpr: "${sampleCpr}") { cpr } }`)), status: 400, errors: [{ code: 'OPERATION_NOT_TRUSTED', message: NOT_TRUSTED }] },
  { name: 'a trusted document with a changed byte', refusedBy: 'trusted documents (gateway/plugins/trustedDocuments.ts)', request: () => send(trustedUrl(), gql(`${CITIZEN_OVERVIEW_QUERY} `, { cpr: sampleCpr })), status: 400, errors: [{ code: 'OPERATION_NOT_TRUSTED', message: NOT_TRUSTED }] },
];

/** Legacy operations recorded at every simulator since the last reset (WSDL fetches are not operations). */
function legacyCalls(): string[] {
  return stack.allSimulators().flatMap((s) => s.calls.filter((c) => c.operation !== 'wsdl').map((c) => `${s.name} ${c.operation}`));
}

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
  it('has at least 30 distinct ones', () => {
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpus.map((c) => [c.refusedBy, c.name, c] as const))('%s refuses: %s', async (_layer, _name, attempt) => {
    for (const s of stack.allSimulators()) s.resetCalls();
    const result = await attempt.request();
    const shown = result.text.slice(0, 300);
    expect(result.status, shown).toBe(attempt.status);
    const errors = result.json?.errors ?? [];
    expect(errors.map((e) => e.extensions?.code), shown).toHaveLength(attempt.errors.length);
    attempt.errors.forEach((expected, i) => {
      expect(errors[i]?.message, shown).toMatch(expected.message);
      if (expected.code) expect(errors[i]?.extensions?.code, errors[i]?.message).toBe(expected.code);
    });
    expect(result.text).not.toMatch(/"stacktrace"|at [\w.]+ \(|<soap|Did you mean|GraphQL request:|010160-1234/);
    expect(result.json?.data ?? null).toEqual(attempt.data ?? null);
    expect(legacyCalls()).toEqual(attempt.legacyCalls ?? []);
  });

  it('the directive limit is 20: 20 directives graphql-js accepts are served, 21 are refused by the limit alone', async () => {
    const twenty = await send(url(), gql(directiveSpread(20)));
    expect(twenty.status, twenty.text.slice(0, 300)).toBe(200);
    expect(twenty.json).toEqual({ data: { citizen: { cpr: sampleCpr } } });
    const twentyOne = await send(url(), gql(directiveSpread(21)));
    expect(twentyOne.status).toBe(400);
    expect(twentyOne.json?.errors).toEqual([{ message: 'Syntax Error: Directives limit of 20 exceeded, found 21.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
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

  it.each(SEARCH_INJECTIONS)('escapes XML in the case index\'s search argument, so the envelope says exactly %j and nothing more', async (id) => {
    stack.simulators.caseIndex.resetCalls();
    const result = await caseById(id);
    expect(result.json?.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const calls = stack.simulators.caseIndex.callsTo('fremsoeg');
    // The index read one SagUuid, holding the argument verbatim: no element was closed or added.
    expect(calls.map((c) => c.key)).toEqual([`case:${id}`]);
    const sent = calls[0]!.requestBody;
    expect(XMLValidator.validate(sent)).toBe(true);
    expect(sent).toContain(`<sdi:SagUuid>${id.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')}</sdi:SagUuid>`);
    expect(sent.match(/<sdi:SagUuid>/g)).toHaveLength(1);
    expect(sent).not.toMatch(/<evil|<!DOCTYPE|<!ENTITY|<!\[CDATA\[/);
  });

  it('refuses XML in a CPR argument at the gateway, before any SOAP envelope is written', async () => {
    for (const s of stack.allSimulators()) s.resetCalls();
    const result = await send(url(), gql('query($c: CPR!) { citizen(cpr: $c) { cases { id } } }', { c: '010160-1234</pnr:PNR><x/>' }));
    expect(result.status).toBe(400);
    expect(result.json?.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(legacyCalls()).toEqual([]);
    expect(stack.simulators.cpr.calls).toEqual([]);
    expect(stack.simulators.caseIndex.calls).toEqual([]);
  });
});
