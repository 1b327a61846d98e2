/**
 * Who is asking: an OIDC/JWT bearer token verified with jose against the configured JWKS —
 * signature, issuer, audience, expiry and an allow-list of asymmetric algorithms, so "alg: none"
 * and algorithm confusion (an HMAC "signed" with a public key) are refused by construction.
 *
 * Claims: `sub` (the actor; a citizen's is their CPR number), `roles` (array) and/or `scope`
 * (space-separated), `municipality` (kommunekode of the actor's tenant), `purpose` (processing
 * activity; the `x-purpose` header may give it instead).
 */
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';

export const PURPOSE_HEADER = 'x-purpose';

export type Role = 'caseworker' | 'citizen' | 'auditor' | 'service';
const ROLES: ReadonlySet<string> = new Set<Role>(['caseworker', 'citizen', 'auditor', 'service']);

export interface Identity {
  actor: string;
  roles: Role[];
  scopes: string[];
  /** Municipality code (kommunekode) of the actor's tenant, when the token names one. */
  tenant: string | null;
  /** Processing activity the request is made for. */
  purpose: string | null;
  /** The client system the token was issued to (`azp` or `client_id`). */
  clientSystem: string | null;
  /** Whom the actor acts for (`act.sub`, or `on_behalf_of`). */
  onBehalfOf: string | null;
  /** The case the access is for (`case_reference` claim or x-case-reference header). */
  caseReference: string | null;
}

export interface AuthenticatorOptions {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
  /** @default ['EdDSA', 'ES256', 'RS256'] */
  algorithms?: string[];
  /** Tolerated clock difference. @default 30 (seconds) */
  clockToleranceSeconds?: number;
}

export class AuthenticationFailed extends Error {
  readonly code = 'UNAUTHENTICATED' as const;
  override readonly name = 'AuthenticationFailed';
}

export interface Authenticator {
  /** The identity behind an Authorization header, null when there is none; throws AuthenticationFailed. */
  authenticate(authorization: string | undefined, purposeHeader: string | undefined, caseReferenceHeader?: string): Promise<Identity | null>;
  /** Whether this header's token verified before and has not expired: it is not verified again. */
  knows(authorization: string): boolean;
}

/** How many verified tokens are remembered (the oldest are forgotten first). */
const VERIFIED_CACHE_SIZE = 10_000;

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$/;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const algorithms = options.algorithms ?? ['EdDSA', 'ES256', 'RS256'];
  const unsafe = algorithms.filter((a) => !ASYMMETRIC.test(a));
  if (unsafe.length > 0) throw new Error(`authentication: only asymmetric algorithms may be allowed, not ${unsafe.join(', ')}`);
  const keys = createLocalJWKSet(options.jwks);
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  // Verified tokens by their text, with their payload, until they expire: a client sending the
  // same token again costs a map look-up, not a signature check, and is never held back by a
  // limit on failed authentications that others behind its address ran into.
  const verified = new Map<string, JWTPayload>();
  const known = (token: string): JWTPayload | undefined => {
    const payload = verified.get(token);
    if (!payload) return undefined;
    if ((payload.exp ?? 0) + clockTolerance < Date.now() / 1000) {
      verified.delete(token);
      return undefined;
    }
    return payload;
  };
  const tokenOf = (authorization: string) => /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(authorization.trim())?.[1];

  return {
    knows: (authorization) => {
      const token = tokenOf(authorization);
      return token !== undefined && known(token) !== undefined;
    },
    async authenticate(authorization, purposeHeader, caseReferenceHeader) {
      if (authorization === undefined || authorization === '') return null;
      const token = tokenOf(authorization);
      if (!token) throw new AuthenticationFailed('The Authorization header must be "Bearer <JWT>".');
      let payload = known(token);
      if (!payload) {
        try {
          ({ payload } = await jwtVerify(token, keys, { issuer: options.issuer, audience: options.audience, algorithms, clockTolerance, requiredClaims: ['sub', 'exp'] }));
        } catch (error) {
          throw new AuthenticationFailed(reason(error));
        }
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, payload);
      }
      const roles = (Array.isArray(payload['roles']) ? payload['roles'] : []).filter((r): r is Role => typeof r === 'string' && ROLES.has(r));
      const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : [];
      const municipality = payload['municipality'];
      const claimedPurpose = payload['purpose'];
      const purpose = typeof claimedPurpose === 'string' && claimedPurpose ? claimedPurpose : purposeHeader?.trim() || null;
      const text = (v: unknown) => (typeof v === 'string' && v ? v.slice(0, 200) : null);
      const act = payload['act'] as { sub?: unknown } | undefined;
      return {
        actor: payload.sub!,
        roles,
        scopes,
        tenant: typeof municipality === 'string' && /^\d{4}$/.test(municipality) ? municipality : null,
        purpose: purpose ? purpose.slice(0, 200) : null,
        clientSystem: text(payload['azp']) ?? text(payload['client_id']),
        onBehalfOf: text(act?.sub) ?? text(payload['on_behalf_of']),
        caseReference: text(payload['case_reference']) ?? text(caseReferenceHeader?.trim()),
      };
    },
  };
}

/** Why a token was refused, in words a client developer can act on (nothing of the token itself). */
function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'The token was not issued by the expected issuer.';
    if (error.claim === 'aud') return 'The token is not meant for this API (audience).';
    if (error.claim === 'nbf') return 'The token is not valid yet.';
    return `The token's "${error.claim}" claim is missing or invalid.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm this API does not accept (unsigned tokens are refused).';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return 'The token\'s signature does not verify against the trusted keys.';
  return 'The token is not a valid signed JWT.';
}
