/**
 * Bearer tokens at the gateway: forged, expired, wrong-issuer, wrong-audience, unsigned and
 * algorithm-confused tokens get 401 with a message that says what is wrong; no token gets 401 for
 * personal data (and public registry data still answers); no purpose gets no personal data.
 */
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../gateway/auth/devIdentity';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let cpr: string;

beforeAll(async () => {
  stack = await startAuthedStack();
  cpr = formatCpr(sampleCitizens(stack.world).get('0101')!.cpr);
});
afterAll(() => stack?.close());

const overview = (headers: Record<string, string>) => postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr }, headers);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signed(key: Parameters<SignJWT['sign']>[0] | JWK, alg: string, overrides: { iss?: string; aud?: string; exp?: number } = {}) {
  const signingKey = key instanceof Uint8Array || !('kty' in key) ? key : await importJWK(key, alg);
  return new SignJWT({ roles: ['caseworker'], municipality: '0101', purpose: 'test' })
    .setProtectedHeader({ alg, kid: 'dev-idp-1' })
    .setIssuer(overrides.iss ?? DEV_ISSUER)
    .setAudience(overrides.aud ?? DEV_AUDIENCE)
    .setSubject('caseworker-1')
    .setIssuedAt()
    .setExpirationTime(overrides.exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(signingKey);
}

describe('authentication at the gateway', () => {
  it('answers a valid caseworker token with a purpose', async () => {
    const { status, body } = await overview(bearer(await stack.devIdentity!.mint({ role: 'caseworker', municipality: '0101', purpose: 'P-1' })));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen.cpr).toBe(cpr);
  });

  it.each([
    ['forged (another key)', async () => signed((await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey, 'EdDSA'), /signature/],
    ['expired', async () => stack.devIdentity!.mint({ role: 'caseworker', purpose: 'P', ttlSeconds: -120 }), /expired/],
    ['from another issuer', async () => signed(await devPrivateKey(), 'EdDSA', { iss: 'https://evil.example' }), /issuer/],
    ['for another audience', async () => signed(await devPrivateKey(), 'EdDSA', { aud: 'some-other-api' }), /audience/],
    ['unsigned (alg none)', async () => unsigned(), /algorithm|not a valid/],
    ['HMAC-signed with the public key (algorithm confusion)', async () => signed(new TextEncoder().encode(publicPem()), 'HS256'), /algorithm/],
    ['not a JWT at all', async () => 'hello', /Bearer <JWT>/],
  ])('refuses a token %s with 401 and says why', async (_what, make, says) => {
    stack.simulators.cpr.resetCalls();
    const { status, body } = await overview(bearer(await make()));
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(body.errors?.[0]?.message).toMatch(says);
    expect(stack.simulators.cpr.calls).toHaveLength(0);
  });

  it('gives 401 to a request for personal data without a token, and still answers public registry data', async () => {
    const personal = await overview({});
    expect(personal.status).toBe(401);
    expect(personal.body.errors?.[0]?.message).toMatch(/authenticated caller/);
    const address = [...stack.world.addresses.values()][0]!;
    const registry = await postGraphQL(stack.gateway.url, 'query($id: ID!) { address(id: $id) { text } }', { id: address.id });
    expect(registry.status).toBe(200);
    expect(registry.body.data).toEqual({ address: { text: address.text } });
  });

  it('serves no personal data to a token without a purpose, says why, and takes the purpose from x-purpose', async () => {
    const token = await stack.devIdentity!.mint({ role: 'caseworker', municipality: '0101' });
    const refused = await overview(bearer(token));
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(refused.body.errors?.[0]?.message).toMatch(/purpose/);
    const answered = await overview({ ...bearer(token), 'x-purpose': 'P-7 Sagsbehandling' });
    expect(answered.status).toBe(200);
    expect(answered.body.errors).toBeUndefined();
  });
});

async function devPrivateKey(): Promise<JWK> {
  const { readFileSync } = await import('node:fs');
  return { ...(JSON.parse(readFileSync(join(stack.idpDir, 'private.jwk.json'), 'utf8')) as JWK), alg: 'EdDSA' };
}

function publicPem(): string {
  const jwk = stack.devIdentity!.jwks.keys[0]!;
  return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

function unsigned(): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: DEV_ISSUER, aud: DEV_AUDIENCE, sub: 'x', roles: ['caseworker'], purpose: 'p', iat: now, exp: now + 600 })}.`;
}

