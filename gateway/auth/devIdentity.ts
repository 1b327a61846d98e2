/**
 * A development identity provider for `npm start`: an Ed25519 key pair kept under .data/dev-idp
 * (made on first use; nothing is downloaded), its JWKS for the gateway, and tokens for every demo
 * role. Never used unless development configuration points the gateway at it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import type { Role } from './authenticate';

export const DEV_ISSUER = 'https://dev-idp.kommune-graph.localhost';
export const DEV_AUDIENCE = 'kommune-graph';
const KID = 'dev-idp-1';

export interface DevIdentityProvider {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
  jwksPath: string;
  mint(claims: DevTokenClaims): Promise<string>;
}

export interface DevTokenClaims {
  role: Role;
  /** More roles in the same token, as some identity providers issue them (tests of role precedence). */
  extraRoles?: Role[];
  /** The actor; a citizen's is their CPR number (ten digits). @default a demo id per role */
  sub?: string;
  municipality?: string;
  purpose?: string;
  scope?: string;
  /** @default 28800 (seconds: a working day) */
  ttlSeconds?: number;
}

/**
 * What a demo token of each role carries unless told otherwise: what the identity provider of
 * that kind of user would put in it. A caseworker works for a municipality under a processing
 * activity; a citizen signs in to self-service, which is the processing activity of their own
 * data (without one, every personal field is refused, as for anyone). An auditor reads the trail
 * and a service must be given its scope and purpose.
 */
export function demoClaims(role: Role, given: Partial<DevTokenClaims> = {}): DevTokenClaims {
  const defaults: Partial<DevTokenClaims> =
    role === 'caseworker' ? { municipality: '0101', purpose: 'demo: sagsbehandling' } : role === 'citizen' ? { purpose: 'demo: selvbetjening' } : {};
  return { ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)), role };
}

export async function devIdentityProvider(dir: string): Promise<DevIdentityProvider> {
  const privatePath = join(dir, 'private.jwk.json');
  const jwksPath = join(dir, 'jwks.json');
  if (!existsSync(privatePath) || !existsSync(jwksPath)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    writeFileSync(privatePath, JSON.stringify({ ...(await exportJWK(privateKey)), kid: KID, alg: 'EdDSA' }), { mode: 0o600 });
    writeFileSync(jwksPath, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'EdDSA', use: 'sig' }] }));
  }
  const privateJwk = JSON.parse(readFileSync(privatePath, 'utf8')) as JWK;
  const jwks = JSON.parse(readFileSync(jwksPath, 'utf8')) as JSONWebKeySet;
  const key = await importJWK(privateJwk, 'EdDSA');
  return {
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    jwks,
    jwksPath,
    mint: (claims) =>
      new SignJWT({
        roles: [claims.role, ...(claims.extraRoles ?? [])],
        azp: 'kommune-graph-dev-client',
        ...(claims.municipality ? { municipality: claims.municipality } : {}),
        ...(claims.purpose ? { purpose: claims.purpose } : {}),
        ...(claims.scope ? { scope: claims.scope } : {}),
      })
        .setProtectedHeader({ alg: 'EdDSA', kid: KID })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setSubject(claims.sub ?? `demo-${claims.role}`)
        .setIssuedAt()
        .setExpirationTime(`${claims.ttlSeconds ?? 28_800}s`)
        .sign(key),
  };
}
