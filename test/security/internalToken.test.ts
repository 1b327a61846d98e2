/**
 * Subgraphs answer the gateway only, and each gateway token only for what it was made for: a
 * direct call without the gateway's signed internal token, with a forged, expired or replayed
 * one, with one for another subgraph or another request, is refused with 401, `_entities` and
 * `_service` included. Replicas sharing a Redis replay store refuse a token another replica took.
 * What the token grants (personal data or not, one role and its scopes, a write's intent) is
 * enforced by the subgraph itself, field by field, from its own `@access` declarations.
 */
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SignJWT, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInternalTokenSigner,
  createInternalTokenVerifier,
  generateInternalTokenKeys,
  INTERNAL_TOKEN_HEADER,
  subgraphRequestHash,
  type InternalClaims,
  type InternalTokenSigner,
} from '../../runtime/internalToken';
import { memoryReplayStore, redisReplayStore, type ReplayStore } from '../../runtime/replayStore';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import type { Case, Person } from '../../simulators/data/world';
import { startCaseSubgraph } from '../../subgraphs/case';
import type { RunningSubgraph } from '../../subgraphs/shared/subgraphServer';
import { noLatency } from '../support/graphql';

const REDIS_URL = process.env['REPLAY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Keys of this run only: runs in parallel or one after another never see each other's ids. */
const RUN_PREFIX = `kommune-graph-test:${randomUUID()}:`;

const ENTITIES_CITIZEN = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { name { full } } } }';
const ENTITIES_CASE = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Case { number title parties { role } } } }';
const CITIZEN_QUERY = 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }';
const RELATIONS_QUERY = 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } relations { spouse { cpr } } } }';
const ADDRESS_QUERY = 'query($id: ID!) { address(id: $id) { id text } }';
const OPEN_CASE = 'mutation($input: OpenCaseInput!) { openCase(input: $input) { id number } }';

let stack: LocalStack;
let signer: InternalTokenSigner;
let urls: Record<'citizen' | 'case' | 'property', string>;
let sample: Person;
let sampleCase: Case;

beforeAll(async () => {
  stack = await startLocalStack({ latencyMs: noLatency });
  signer = await createInternalTokenSigner(stack.internalTokenKeys.privateJwk);
  const url = (name: string) => stack.subgraphs.find((s) => s.name === name)!.url;
  urls = { citizen: url('citizen'), case: url('case'), property: url('property') };
  sample = sampleCitizens(stack.world).get('0101')!;
  sampleCase = stack.world.casesByParty.get(sample.cpr)!.map((id) => stack.world.cases.get(id)!).find((c) => c.municipalityCode === '0101')!;
});
afterAll(() => stack?.close());

type Variables = Record<string, unknown>;

/** A caseworker of 0101 with a purpose, granted personal data: what the gateway would send for the overview. */
function caseworkerClaims(audience: string, query: string, variables: Variables, overrides: Partial<InternalClaims> = {}): InternalClaims {
  return {
    audience,
    requestHash: subgraphRequestHash(query, variables),
    actor: 'caseworker-1',
    role: 'caseworker',
    scopes: [],
    uses: [],
    tenant: '0101',
    purpose: 'P-27',
    development: false,
    personal: true,
    requestId: `r-${randomUUID()}`,
    intent: null,
    ...overrides,
  };
}

async function post(url: string, query: string, variables: Variables, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { [INTERNAL_TOKEN_HEADER]: token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[] } };
}

/** Signs for `audience` and the very request, then sends that request to `url`. */
async function ask(url: string, audience: string, query: string, variables: Variables, overrides: Partial<InternalClaims> = {}) {
  return post(url, query, variables, await signer.sign(caseworkerClaims(audience, query, variables, overrides)));
}

const citizenReference = () => ({ r: [{ __typename: 'Citizen', cpr: formatCpr(sample.cpr) }] });
const caseReference = () => ({ r: [{ __typename: 'Case', id: sampleCase.id }] });
const codes = (body: { errors?: { extensions?: { code?: string } }[] }) => (body.errors ?? []).map((e) => e.extensions?.code);

/** Signs a token by hand, for what the signer would never make (expired, from the future). */
async function handMadeToken(audience: string, times: { iat: number; exp: number }, query: string, variables: Variables): Promise<string> {
  const key = await importJWK({ ...stack.internalTokenKeys.privateJwk, alg: 'EdDSA' }, 'EdDSA');
  const claims = caseworkerClaims(audience, query, variables);
  return new SignJWT({ rh: claims.requestHash, role: claims.role, scopes: [], tenant: claims.tenant, purpose: claims.purpose, personal: true, rid: claims.requestId, intent: null })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer('kommune-graph-gateway')
    .setAudience(`kommune-graph-subgraph:${audience}`)
    .setSubject('caseworker-1')
    .setIssuedAt(times.iat)
    .setNotBefore(times.iat)
    .setExpirationTime(times.exp)
    .setJti(randomUUID())
    .sign(key);
}

describe('direct calls to a subgraph', () => {
  it('without a token: 401 for _entities and _service, and no CPR call is made', async () => {
    stack.simulators.cpr.resetCalls();
    for (const [query, variables] of [[ENTITIES_CITIZEN, citizenReference()], ['{ _service { sdl } }', {}]] as const) {
      const { status, text } = await post(urls.citizen, query, variables);
      expect(status).toBe(401);
      expect(text).toContain('UNAUTHENTICATED');
      expect(text).not.toContain('Citizen @key');
    }
    expect(stack.simulators.cpr.calls).toHaveLength(0);
  });

  it('with a token signed by another key: 401', async () => {
    const stranger = await createInternalTokenSigner((await generateInternalTokenKeys()).privateJwk);
    const token = await stranger.sign(caseworkerClaims('citizen', ENTITIES_CITIZEN, citizenReference()));
    const { status, text } = await post(urls.citizen, ENTITIES_CITIZEN, citizenReference(), token);
    expect(status).toBe(401);
    expect(text).toContain('not signed by the gateway');
  });

  it('with an expired token: 401, and the message says so without repeating the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await handMadeToken('citizen', { iat: now - 70, exp: now - 60 }, ENTITIES_CITIZEN, citizenReference());
    const { status, text } = await post(urls.citizen, ENTITIES_CITIZEN, citizenReference(), token);
    expect(status).toBe(401);
    expect(text).toContain('has expired');
    expect(text).not.toContain(token);
  });

  it('with a token issued in the future: 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await handMadeToken('citizen', { iat: now + 60, exp: now + 70 }, ENTITIES_CITIZEN, citizenReference());
    const { status, text } = await post(urls.citizen, ENTITIES_CITIZEN, citizenReference(), token);
    expect(status).toBe(401);
    expect(text).toContain('not valid yet');
  });

  it('with a valid token: answered once, and the same token replayed: 401', async () => {
    const token = await signer.sign(caseworkerClaims('citizen', ENTITIES_CITIZEN, citizenReference()));
    const first = await post(urls.citizen, ENTITIES_CITIZEN, citizenReference(), token);
    expect(first.status).toBe(200);
    expect(first.text).toContain('"full"');
    const replay = await post(urls.citizen, ENTITIES_CITIZEN, citizenReference(), token);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('already used');
  });

  it('keeps /health open: it holds no data', async () => {
    expect((await fetch(urls.citizen.replace('/graphql', '/health'))).status).toBe(200);
  });
});

describe('a token is bound to one subgraph and one exact request', () => {
  it('the incident: the property subgraph\'s token for an anonymous address query is refused by the case and citizen subgraphs', async () => {
    const addressId = stack.world.persons.get(sample.cpr)!.addressId;
    const anonymous = { actor: null, role: null, tenant: null, purpose: null, personal: false } as const;
    const token = await signer.sign(caseworkerClaims('property', ADDRESS_QUERY, { id: addressId }, anonymous));
    stack.simulators.cpr.resetCalls();
    stack.simulators.caseIndex.resetCalls();
    for (const [url, query, variables, subgraph] of [
      [urls.case, ENTITIES_CASE, caseReference(), 'case'],
      [urls.citizen, ENTITIES_CITIZEN, citizenReference(), 'citizen'],
    ] as const) {
      const { status, text } = await post(url, query, variables, token);
      expect(status).toBe(401);
      expect(text).toContain(`for another subgraph, not ${subgraph}`);
      expect(text).not.toContain(sampleCase.number);
      expect(text).not.toContain(sample.familyName);
    }
    expect(stack.simulators.cpr.calls).toHaveLength(0);
    expect(stack.simulators.caseIndex.calls).toHaveLength(0);
    // Where it was meant to go it is still good: public data for an anonymous request.
    const meant = await post(urls.property, ADDRESS_QUERY, { id: addressId }, token);
    expect(meant.status).toBe(200);
    expect(meant.body.data.address.id).toBe(addressId);
  });

  it('the same token with another query, or with other variables: 401, and the token is not used up by them', async () => {
    const token = await signer.sign(caseworkerClaims('citizen', CITIZEN_QUERY, { cpr: formatCpr(sample.cpr) }));
    const otherQuery = await post(urls.citizen, RELATIONS_QUERY, { cpr: formatCpr(sample.cpr) }, token);
    expect(otherQuery.status).toBe(401);
    expect(otherQuery.text).toContain('issued for another request');
    const spouse = formatCpr(stack.world.persons.get(sample.cpr)!.spouseCpr!);
    const otherVariables = await post(urls.citizen, CITIZEN_QUERY, { cpr: spouse }, token);
    expect(otherVariables.status).toBe(401);
    expect(otherVariables.text).toContain('issued for another request');
    const meant = await post(urls.citizen, CITIZEN_QUERY, { cpr: formatCpr(sample.cpr) }, token);
    expect(meant.status).toBe(200);
    expect(meant.body.data.citizen.name.full).toBeTruthy();
  });

  it('a request sent as GET is hashed as Apollo reads it: the same binding holds', async () => {
    const variables = { cpr: formatCpr(sample.cpr) };
    const token = await signer.sign(caseworkerClaims('citizen', CITIZEN_QUERY, variables));
    const get = (vars: Variables) =>
      fetch(`${urls.citizen}?${new URLSearchParams({ query: CITIZEN_QUERY, variables: JSON.stringify(vars) })}`, {
        headers: { [INTERNAL_TOKEN_HEADER]: token, 'apollo-require-preflight': 'true' },
      });
    expect((await get({ cpr: formatCpr(stack.world.persons.get(sample.cpr)!.spouseCpr!) })).status).toBe(401);
    const meant = await get(variables);
    expect(meant.status).toBe(200);
    expect(await meant.text()).toContain('"full"');
  });
});

describe('the subgraph enforces what the token grants', () => {
  it('personal=false: _entities of Citizen and of Case, and Query.citizen, are FORBIDDEN and ask no legacy system', async () => {
    stack.simulators.cpr.resetCalls();
    stack.simulators.caseIndex.resetCalls();
    const notPersonal = { personal: false } as const;
    const citizen = await ask(urls.citizen, 'citizen', ENTITIES_CITIZEN, citizenReference(), notPersonal);
    const aCase = await ask(urls.case, 'case', ENTITIES_CASE, caseReference(), notPersonal);
    const root = await ask(urls.citizen, 'citizen', CITIZEN_QUERY, { cpr: formatCpr(sample.cpr) }, notPersonal);
    for (const { status, body, text } of [citizen, aCase, root]) {
      expect(status).toBe(200);
      expect(codes(body)).toEqual(['FORBIDDEN']);
      expect(body.errors![0]!.message).toMatch(/personal data/);
      expect(text).not.toContain(sample.familyName);
      expect(text).not.toContain(sampleCase.number);
    }
    expect(citizen.body.data._entities).toEqual([null]);
    expect(citizen.body.errors![0]!.path).toEqual(['_entities', 0]);
    expect(aCase.body.data._entities).toEqual([null]);
    expect(root.body.data.citizen).toBeNull();
    expect(root.body.errors![0]!.path).toEqual(['citizen']);
    expect(stack.simulators.cpr.calls).toHaveLength(0);
    expect(stack.simulators.caseIndex.calls).toHaveLength(0);
  });

  it('a refused entity does not take the others of the same call with it', async () => {
    const person = stack.world.persons.get(sample.cpr)!;
    const address = stack.world.addresses.get(person.addressId)!;
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { address { id } } ... on Address { id text } } }';
    const variables = {
      r: [
        { __typename: 'Citizen', cpr: formatCpr(sample.cpr), registeredAddress: { municipalityCode: person.municipalityCode, streetCode: null, houseNumber: null, floor: null, door: null, failure: null } },
        { __typename: 'Address', id: address.id },
      ],
    };
    const { status, body } = await ask(urls.property, 'property', query, variables, { actor: null, role: null, tenant: null, purpose: null, personal: false });
    expect(status).toBe(200);
    expect(codes(body)).toEqual(['FORBIDDEN']);
    expect(body.errors![0]!.path).toEqual(['_entities', 0]);
    expect(body.data._entities[0]).toBeNull();
    expect(body.data._entities[1]).toEqual({ id: address.id, text: address.text });
  });

  it('role service without the scope cpr:relations: FORBIDDEN at Citizen.relations, the rest answered', async () => {
    const variables = { cpr: formatCpr(sample.cpr) };
    const service: Partial<InternalClaims> = { actor: 'system-x', role: 'service', scopes: ['personal-data:read'], tenant: null };
    const { status, body } = await ask(urls.citizen, 'citizen', RELATIONS_QUERY, variables, service);
    expect(status).toBe(200);
    expect(codes(body)).toEqual(['FORBIDDEN']);
    expect(body.errors![0]!.path).toEqual(['citizen', 'relations']);
    expect(body.errors![0]!.message).toMatch(/cpr:relations/);
    expect(body.data.citizen.relations).toBeNull();
    expect(body.data.citizen.name.full).toBeTruthy();
    // With the scope it is answered: the refusal is the grant.
    const granted = await ask(urls.citizen, 'citizen', RELATIONS_QUERY, variables, { ...service, scopes: ['personal-data:read', 'cpr:relations'] });
    expect(granted.body.errors).toBeUndefined();
    expect(granted.body.data.citizen.relations.spouse.cpr).toBe(formatCpr(stack.world.persons.get(sample.cpr)!.spouseCpr!));
  });

  it('the one role decides: role auditor gets no case by id (it needs caseworker or cases:read)', async () => {
    const { body } = await ask(urls.case, 'case', 'query($id: ID!) { case(id: $id) { number } }', { id: sampleCase.id }, { role: 'auditor' });
    expect(codes(body)).toEqual(['FORBIDDEN']);
    expect(body.data.case).toBeNull();
  });

  it('a mutation without intent: FORBIDDEN, and nothing is written', async () => {
    const input = { title: 'Ansøgning om rollator', classification: '32.18.04', parties: [{ cpr: formatCpr(sample.cpr), role: 'PRIMARY' }] };
    const esdh = stack.simulators.esdh.get('0101')!;
    esdh.resetCalls();
    const refused = await ask(urls.case, 'case', OPEN_CASE, { input });
    expect(refused.status).toBe(200);
    expect(codes(refused.body)).toEqual(['FORBIDDEN']);
    expect(refused.body.errors![0]!.message).toBe('a write needs its intent recorded first');
    expect(refused.body.data.openCase).toBeNull();
    expect(esdh.calls).toHaveLength(0);
    // With the intent recorded it is made: the refusal is the missing intent.
    const made = await ask(urls.case, 'case', OPEN_CASE, { input }, { intent: randomUUID() });
    expect(made.body.errors).toBeUndefined();
    expect(made.body.data.openCase.number).toBeTruthy();
  });
});

describe('replicas of the case subgraph sharing a Redis replay store', () => {
  const replicas: RunningSubgraph[] = [];
  const start = async (replay: ReplayStore) => {
    const replica = await startCaseSubgraph(stack.legacyConfig, {
      internalTokens: await createInternalTokenVerifier(stack.internalTokenKeys.publicJwk, { subgraph: 'case', replay }),
    });
    replicas.push(replica);
    return replica;
  };
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
  });

  it('a token used on replica 1 is refused on replica 2', async () => {
    const prefix = `${RUN_PREFIX}replicas:`;
    const [one, two] = [await start(redisReplayStore(REDIS_URL, { keyPrefix: prefix })), await start(redisReplayStore(REDIS_URL, { keyPrefix: prefix }))];
    const token = await signer.sign(caseworkerClaims('case', ENTITIES_CASE, caseReference()));
    const first = await post(one!.url, ENTITIES_CASE, caseReference(), token);
    expect(first.status).toBe(200);
    expect(first.body.data._entities[0].number).toBe(sampleCase.number);
    const replay = await post(two!.url, ENTITIES_CASE, caseReference(), token);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('already used');
    expect(replay.text).not.toContain(sampleCase.number);
    // Replica 2 itself answers a fresh token: the refusal was the replay.
    const fresh = await ask(two!.url, 'case', ENTITIES_CASE, caseReference());
    expect(fresh.body.data._entities[0].number).toBe(sampleCase.number);
  });

  it('a replica whose Redis cannot be reached refuses with 503 rather than accept unchecked', async () => {
    const unreachable = redisReplayStore(`redis://127.0.0.1:${await closedPort()}`, { keyPrefix: RUN_PREFIX, onUnavailable: () => undefined });
    const replica = await start(unreachable);
    stack.simulators.caseIndex.resetCalls();
    const { status, text } = await ask(replica.url, 'case', ENTITIES_CASE, caseReference());
    expect(status).toBe(503);
    expect(text).toContain('replay store cannot be reached');
    expect(text).not.toContain(sampleCase.number);
    expect(stack.simulators.caseIndex.calls).toHaveLength(0);
  });
});

describe('replay stores', () => {
  it('memory: an id is claimed once, and forgotten when its token has expired', async () => {
    const store = memoryReplayStore({ sweepEveryMs: 10 });
    try {
      expect(await store.claim('a', Date.now() + 60_000)).toBe(true);
      expect(await store.claim('a', Date.now() + 60_000)).toBe(false);
      expect(await store.claim('b', Date.now() + 60_000)).toBe(true);
      expect(await store.claim('short', Date.now() + 20)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(await store.claim('short', Date.now() + 60_000)).toBe(true);
      expect(await store.claim('a', Date.now() + 60_000)).toBe(false);
    } finally {
      await store.close();
    }
  });

  describe('redis', () => {
    const prefix = `${RUN_PREFIX}unit:`;
    const raw = new Redis(REDIS_URL);
    const stores: ReplayStore[] = [];
    const store = () => {
      const made = redisReplayStore(REDIS_URL, { keyPrefix: prefix });
      stores.push(made);
      return made;
    };
    afterAll(async () => {
      for (const made of stores) await made.close();
      const keys = await raw.keys(`${prefix}*`);
      if (keys.length > 0) await raw.del(...keys);
      await raw.quit();
    });

    it('claims an id once, keeps it only until the expiry asked for, and shares it between stores', async () => {
      const [one, two] = [store(), store()];
      expect(await one.claim('t1', Date.now() + 5_000)).toBe(true);
      expect(await one.claim('t1', Date.now() + 5_000)).toBe(false);
      expect(await two.claim('t1', Date.now() + 5_000)).toBe(false);
      const ttl = await raw.pttl(`${prefix}t1`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5_000);
      expect(await two.claim('t2', Date.now() + 50)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await one.claim('t2', Date.now() + 5_000)).toBe(true);
    });

    it('of many claims at once across stores, exactly one wins', async () => {
      const [one, two] = [store(), store()];
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).claim('race', Date.now() + 5_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('a Redis that cannot be reached makes claim throw promptly', async () => {
      const unreachable = redisReplayStore(`redis://127.0.0.1:${await closedPort()}`, { keyPrefix: prefix, onUnavailable: () => undefined });
      try {
        const started = Date.now();
        await expect(unreachable.claim('t3', Date.now() + 5_000)).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await unreachable.close();
      }
    });

    it('refuses a URL that is not redis://', () => {
      expect(() => redisReplayStore('http://127.0.0.1:6379')).toThrow(/redis:\/\//);
    });
  });
});

/** A port nothing listens on (one the OS just gave and took back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
