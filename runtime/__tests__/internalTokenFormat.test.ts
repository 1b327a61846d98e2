/**
 * The internal token as any JOSE implementation reads it: the gateway signs it with node:crypto
 * (runtime/internalToken.ts says why), so it is checked here against jose's own verification, not
 * only against the project's verifier.
 */
import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createInternalTokenSigner, generateInternalTokenKeys, subgraphRequestHash, type InternalClaims } from '../internalToken';

const claims = (actor: string | null): InternalClaims => ({
  audience: 'case',
  requestHash: subgraphRequestHash('{ x }', { a: 1 }),
  actor,
  role: actor ? 'caseworker' : null,
  scopes: ['cases:read'],
  uses: [],
  tenant: '0101',
  purpose: 'P-27',
  personal: true,
  requestId: 'req-1',
  intent: null,
  idempotencyKey: null,
  development: false,
});

describe('the internal token\'s format', () => {
  it('is a compact JWS with header {"alg":"EdDSA"} that jose verifies with the public key, carrying every claim', async () => {
    const keys = await generateInternalTokenKeys();
    const token = await (await createInternalTokenSigner(keys.privateJwk, 10)).sign(claims('kw-1'));
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA' });
    const { payload } = await jwtVerify(token, await importJWK({ ...keys.publicJwk, alg: 'EdDSA' }, 'EdDSA'), {
      issuer: 'kommune-graph-gateway',
      audience: 'kommune-graph-subgraph:case',
      algorithms: ['EdDSA'],
    });
    expect(payload).toMatchObject({ sub: 'kw-1', rh: claims('kw-1').requestHash, role: 'caseworker', scopes: ['cases:read'], tenant: '0101', purpose: 'P-27', personal: true, rid: 'req-1', intent: null, dev: false });
    expect(payload.exp! - payload.iat!).toBe(10);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('has no subject for an anonymous request, and a fresh id each time', async () => {
    const keys = await generateInternalTokenKeys();
    const signer = await createInternalTokenSigner(keys.privateJwk);
    const key = await importJWK({ ...keys.publicJwk, alg: 'EdDSA' }, 'EdDSA');
    const [a, b] = await Promise.all([signer.sign(claims(null)), signer.sign(claims(null))]);
    const [pa, pb] = await Promise.all([jwtVerify(a!, key), jwtVerify(b!, key)]);
    expect('sub' in pa.payload).toBe(false);
    expect(pa.payload.jti).not.toBe(pb.payload.jti);
  });

  it('refuses a key that is not Ed25519', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(createInternalTokenSigner(privateKey.export({ format: 'jwk' }) as never)).rejects.toThrow(/must be an Ed25519 private key/);
  });
});
