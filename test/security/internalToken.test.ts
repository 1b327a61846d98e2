/**
 * Subgraphs answer the gateway only: a direct call without the gateway's signed internal token,
 * with a forged, expired or replayed one, is refused with 401, `_entities` and `_service` included.
 */
import { SignJWT, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalTokenSigner, generateInternalTokenKeys, INTERNAL_TOKEN_HEADER } from '../../runtime/internalToken';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import { noLatency } from '../support/graphql';

let stack: LocalStack;
let citizenUrl: string;
let entitiesQuery: string;

beforeAll(async () => {
  stack = await startLocalStack({ latencyMs: noLatency });
  citizenUrl = stack.subgraphs.find((s) => s.name === 'citizen')!.url;
  const cpr = formatCpr(sampleCitizens(stack.world).get('0101')!.cpr);
  entitiesQuery = JSON.stringify({
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { name { full } } } }',
    variables: { r: [{ __typename: 'Citizen', cpr }] },
  });
});
afterAll(() => stack.close());

async function direct(body: string, token?: string) {
  const response = await fetch(citizenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { [INTERNAL_TOKEN_HEADER]: token } : {}) },
    body,
  });
  return { status: response.status, text: await response.text() };
}

const claims = { actor: 'caseworker-1', roles: ['caseworker'], tenant: '0101', purpose: 'P1', requestId: 'r1' };

describe('direct calls to a subgraph', () => {
  it('without a token: 401 for _entities and _service, and no CPR call is made', async () => {
    stack.simulators.cpr.resetCalls();
    for (const body of [entitiesQuery, JSON.stringify({ query: '{ _service { sdl } }' })]) {
      const { status, text } = await direct(body);
      expect(status).toBe(401);
      expect(text).toContain('UNAUTHENTICATED');
      expect(text).not.toContain('Citizen @key');
    }
    expect(stack.simulators.cpr.calls).toHaveLength(0);
  });

  it('with a token signed by another key: 401', async () => {
    const stranger = await createInternalTokenSigner((await generateInternalTokenKeys()).privateJwk);
    expect((await direct(entitiesQuery, await stranger.sign(claims))).status).toBe(401);
  });

  it('with an expired token: 401', async () => {
    const key = await importJWK({ ...stack.internalTokenKeys.privateJwk, alg: 'EdDSA' }, 'EdDSA');
    const expired = await new SignJWT({ rid: 'r2' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('kommune-graph-gateway')
      .setAudience('kommune-graph-subgraph')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .setJti('expired-1')
      .sign(key);
    expect((await direct(entitiesQuery, expired)).status).toBe(401);
  });

  it('with a valid token: answered once, and the same token replayed: 401', async () => {
    const signer = await createInternalTokenSigner(stack.internalTokenKeys.privateJwk);
    const token = await signer.sign(claims);
    const first = await direct(entitiesQuery, token);
    expect(first.status).toBe(200);
    expect(first.text).toContain('"full"');
    const replay = await direct(entitiesQuery, token);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('already used');
  });

  it('keeps /health open: it holds no data', async () => {
    expect((await fetch(citizenUrl.replace('/graphql', '/health'))).status).toBe(200);
  });
});
