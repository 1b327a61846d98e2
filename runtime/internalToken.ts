/**
 * Gateway-to-subgraph trust: on every subgraph call the gateway sends a short-lived token it
 * signs (Ed25519), naming the actor, tenant, purpose and request; subgraphs accept no call
 * without a valid one, so `_entities` and `_service` are not open to whoever reaches the network.
 * Each token is good for one call: a replayed token is refused.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
const ISSUER = 'kommune-graph-gateway';
const AUDIENCE = 'kommune-graph-subgraph';
const ALGORITHM = 'EdDSA';

/** What the gateway vouches for on a subgraph call. */
export interface InternalClaims {
  /** The authenticated actor (the token's `sub`), or null for an anonymous request. */
  actor: string | null;
  roles: string[];
  /** Municipality code of the actor's tenant. */
  tenant: string | null;
  /** Processing activity the request is made for. */
  purpose: string | null;
  /** The gateway's id of the client request (shared by all its subgraph calls). */
  requestId: string;
}

export interface InternalTokenKeys {
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A fresh Ed25519 key pair, e.g. for `npm start` and tests; deployments load theirs from files. */
export async function generateInternalTokenKeys(): Promise<InternalTokenKeys> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

export interface InternalTokenSigner {
  sign(claims: InternalClaims): Promise<string>;
}

/** @param ttlSeconds how long a token is valid. @default 30 */
export async function createInternalTokenSigner(privateJwk: JWK, ttlSeconds = 30): Promise<InternalTokenSigner> {
  const key = await importJWK({ ...privateJwk, alg: ALGORITHM }, ALGORITHM);
  return {
    sign: (claims) =>
      new SignJWT({ roles: claims.roles, tenant: claims.tenant, purpose: claims.purpose, rid: claims.requestId })
        .setProtectedHeader({ alg: ALGORITHM })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setJti(randomUUID())
        .setSubject(claims.actor ?? 'anonymous')
        .sign(key),
  };
}

export class InternalTokenRejected extends Error {
  readonly code = 'UNAUTHENTICATED' as const;
  override readonly name = 'InternalTokenRejected';
}

export interface InternalTokenVerifier {
  /** The claims of a valid, unexpired, unused token; throws InternalTokenRejected otherwise. */
  verify(token: string | undefined): Promise<InternalClaims>;
}

export async function createInternalTokenVerifier(publicJwk: JWK): Promise<InternalTokenVerifier> {
  const key = await importJWK({ ...publicJwk, alg: ALGORITHM }, ALGORITHM);
  // Token ids seen, with when each may be forgotten (its expiry): a replay within its life is refused.
  const seen = new Map<string, number>();
  const forgetExpired = () => {
    const now = Date.now() / 1000;
    for (const [jti, exp] of seen) if (exp < now) seen.delete(jti);
  };
  // Forget ids once their tokens have expired: a replay after that fails on expiry anyway, and
  // the map stays the size of half a minute of traffic instead of growing until a purge.
  setInterval(forgetExpired, 15_000).unref();
  return {
    async verify(token) {
      if (!token) throw new InternalTokenRejected('subgraphs answer the gateway only: no internal token');
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: [ALGORITHM], maxTokenAge: '120s' }));
      } catch {
        throw new InternalTokenRejected('the internal token is not valid (signature, issuer, audience or expiry)');
      }
      if (!payload.jti || typeof payload.exp !== 'number') throw new InternalTokenRejected('the internal token has no id or expiry');
      if (seen.has(payload.jti)) throw new InternalTokenRejected('the internal token was already used');
      seen.set(payload.jti, payload.exp);
      const text = (v: unknown) => (typeof v === 'string' ? v : null);
      return {
        actor: payload.sub && payload.sub !== 'anonymous' ? payload.sub : null,
        roles: Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [],
        tenant: text(payload['tenant']),
        purpose: text(payload['purpose']),
        requestId: text(payload['rid']) ?? '',
      };
    },
  };
}
