/**
 * Gateway-to-subgraph trust: on every subgraph call the gateway sends a short-lived token it
 * signs (Ed25519) for that one call: the subgraph it is for (the audience), the hash of the exact
 * query and variables sent, and what the gateway decided about the caller (one role, scopes,
 * tenant, purpose, whether personal data is granted at all, the intent of a write).
 *
 * A token captured on the wire is therefore good for nothing else: another subgraph refuses it
 * (audience), another query or other variables are refused (request hash), and the same request
 * again is refused (the token id, remembered in a replay store that replicas can share).
 */
import { createHash, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { errors, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { memoryReplayStore, type ReplayStore } from './replayStore';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
const ISSUER = 'kommune-graph-gateway';
const AUDIENCE_PREFIX = 'kommune-graph-subgraph:';
const ALGORITHM = 'EdDSA';
/** Longest lifetime a token may claim: a signer cannot mint long-lived tokens by mistake. */
const MAX_TTL_SECONDS = 60;
/** Clock difference between the gateway's host and a subgraph's that is still accepted. */
const CLOCK_SKEW_SECONDS = 2;
/**
 * How long past its expiry a token id is remembered: a replica whose clock lags the one that
 * recorded it still finds it while it would accept the token.
 */
const REMEMBER_PAST_EXPIRY_MS = 30_000;

export const INTERNAL_ROLES = ['caseworker', 'citizen', 'auditor', 'service'] as const;
export type InternalRole = (typeof INTERNAL_ROLES)[number];

/** What the gateway vouches for on one subgraph call. */
export interface InternalClaims {
  /** The subgraph this call is for (its name, e.g. "case"): the JWT audience. */
  audience: string;
  /** subgraphRequestHash(query, variables) of the exact subgraph request. */
  requestHash: string;
  /** The authenticated actor (the client token's `sub`), or null for an anonymous request. */
  actor: string | null;
  /** The ONE effective role the gateway decided for the request (or null: anonymous). */
  role: InternalRole | null;
  scopes: string[];
  /** The uses the request's purpose allows, as the gateway's purpose catalogue says (`@access(purposes:)`). */
  uses: string[];
  /** Municipality code of the actor's tenant. */
  tenant: string | null;
  /** Processing activity the request is made for. */
  purpose: string | null;
  /** Whether the gateway granted this request personal data at all. */
  personal: boolean;
  /** The gateway's id of the client request (shared by all its subgraph calls). */
  requestId: string;
  /** For a write: the event id of its intent, already committed to the access trail (write-ahead). */
  intent: string | null;
  /** For a write: the client's Idempotency-Key, if it sent one (gateway/idempotency.ts). */
  idempotencyKey?: string | null;
  /**
   * The gateway authenticates nobody (development): every grant counts as met. A subgraph running
   * in production refuses such a token.
   */
  development: boolean;
}

/**
 * The hash binding a token to one subgraph request: SHA-256 (hex) over the query text, a newline
 * and the variables as JSON. Both sides hash what goes over the wire: the gateway what it is about
 * to send, the subgraph what it received (JSON.parse keeps key order, so it serializes the same).
 */
export function subgraphRequestHash(query: string, variables: Readonly<Record<string, unknown>> | null | undefined): string {
  return createHash('sha256')
    .update(query)
    .update('\n')
    .update(JSON.stringify(variables ?? {}))
    .digest('hex');
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

/** The protected header of every internal token, base64url: the same for all of them. */
const PROTECTED_HEADER = Buffer.from(JSON.stringify({ alg: ALGORITHM })).toString('base64url');

/**
 * @param ttlSeconds how long a token is valid (1 to 60). @default 10
 *
 * The token is a compact JWS (RFC 7515) signed with node:crypto's Ed25519 directly: jose signs
 * through WebCrypto, about three times the CPU (178 against 59 µs a token, micro-measured), and the
 * gateway signs one per subgraph call. Subgraphs verify with jose (`createInternalTokenVerifier`),
 * and the tests verify what this signs with it.
 */
export async function createInternalTokenSigner(privateJwk: JWK, ttlSeconds = 10): Promise<InternalTokenSigner> {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    throw new Error(`an internal token lives 1 to ${MAX_TTL_SECONDS} seconds, not ${ttlSeconds}`);
  }
  const key = createPrivateKey({ key: { ...privateJwk, alg: ALGORITHM } as import('node:crypto').JsonWebKey, format: 'jwk' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the internal token key must be an Ed25519 private key (OKP, crv Ed25519), not ${key.asymmetricKeyType ?? key.type}`);
  return {
    sign: async (claims) => {
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        ...payloadOf(claims),
        iss: ISSUER,
        // No subject for an anonymous request: no actor name can be mistaken for "nobody".
        ...(claims.actor === null ? {} : { sub: claims.actor }),
        aud: AUDIENCE_PREFIX + claims.audience,
        iat: now,
        nbf: now,
        exp: now + ttlSeconds,
        jti: randomUUID(),
      };
      const signingInput = `${PROTECTED_HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      return `${signingInput}.${sign(null, Buffer.from(signingInput), key).toString('base64url')}`;
    },
  };
}

function payloadOf(claims: InternalClaims): JWTPayload {
  return {
    rh: claims.requestHash,
    role: claims.role,
    scopes: claims.scopes,
    uses: claims.uses,
    tenant: claims.tenant,
    purpose: claims.purpose,
    personal: claims.personal,
    rid: claims.requestId,
    intent: claims.intent,
    idem: claims.idempotencyKey ?? null,
    dev: claims.development,
  };
}

/** Why a token was refused; the message says it in words and never repeats the token. */
export type InternalTokenRejection = 'missing' | 'invalid' | 'expired' | 'not-yet-valid' | 'audience' | 'request' | 'replayed' | 'claims';

export class InternalTokenRejected extends Error {
  readonly code = 'UNAUTHENTICATED' as const;
  override readonly name = 'InternalTokenRejected';
  constructor(readonly reason: InternalTokenRejection, message: string) {
    super(message);
  }
}

/** The replay store could not say whether a token was used: the call is refused, not let through unchecked. */
export class ReplayCheckUnavailable extends Error {
  override readonly name = 'ReplayCheckUnavailable';
}

export interface InternalTokenVerifierOptions {
  /** The name of the subgraph verifying: tokens for any other are refused. */
  subgraph: string;
  /** Where used token ids are remembered; taken over (closed with the verifier). @default this process's memory */
  replay?: ReplayStore;
}

export interface InternalTokenVerifier {
  readonly subgraph: string;
  /**
   * The claims of a valid, unexpired, unused token issued for this subgraph and for the request
   * with this hash. Throws InternalTokenRejected otherwise, or ReplayCheckUnavailable when the
   * replay store cannot answer.
   */
  verify(token: string | undefined, request: { requestHash: string }): Promise<InternalClaims>;
  /** Releases the replay store. */
  close(): Promise<void>;
}

export async function createInternalTokenVerifier(publicJwk: JWK, options: InternalTokenVerifierOptions): Promise<InternalTokenVerifier> {
  if (!options.subgraph) throw new Error('an internal token verifier needs the name of its subgraph');
  const key = await importJWK({ ...publicJwk, alg: ALGORITHM }, ALGORITHM);
  const replay = options.replay ?? memoryReplayStore();
  const audience = AUDIENCE_PREFIX + options.subgraph;
  return {
    subgraph: options.subgraph,
    async verify(token, request) {
      if (!token) throw new InternalTokenRejected('missing', 'subgraphs answer the gateway only: no internal token');
      const payload = await verifiedPayload(token, key, audience, options.subgraph);
      const claims = claimsOf(payload, options.subgraph);
      // The hash is checked before the id is claimed: a token sent with another request is not
      // used up by it.
      if (claims.requestHash !== request.requestHash) {
        throw new InternalTokenRejected('request', 'the internal token was issued for another request: the query or variables differ');
      }
      await claimOnce(replay, payload.jti as string, payload.exp! * 1000 + REMEMBER_PAST_EXPIRY_MS);
      return Object.freeze(claims);
    },
    close: () => replay.close(),
  };
}

async function verifiedPayload(token: string, key: Awaited<ReturnType<typeof importJWK>>, audience: string, subgraph: string): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience,
      algorithms: [ALGORITHM],
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: `${MAX_TTL_SECONDS}s`,
      requiredClaims: ['jti', 'exp', 'iat'],
    }));
  } catch (error) {
    throw rejectionOf(error, subgraph);
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') throw new InternalTokenRejected('claims', 'the internal token lacks a valid "jti" claim');
  if (payload.exp! - payload.iat! > MAX_TTL_SECONDS) {
    throw new InternalTokenRejected('invalid', `the internal token claims a lifetime over ${MAX_TTL_SECONDS} seconds`);
  }
  return payload;
}

/** jose's failure, in words that say what is wrong without repeating the token. */
function rejectionOf(error: unknown, subgraph: string): InternalTokenRejected {
  if (error instanceof errors.JWTExpired) return new InternalTokenRejected('expired', 'the internal token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new InternalTokenRejected('claims', `the internal token lacks the "${error.claim}" claim`);
    if (error.claim === 'aud') return new InternalTokenRejected('audience', `the internal token is for another subgraph, not ${subgraph}`);
    if (error.claim === 'iat' || error.claim === 'nbf') return new InternalTokenRejected('not-yet-valid', 'the internal token is not valid yet (issued in the future)');
    if (error.claim === 'iss') return new InternalTokenRejected('invalid', 'the internal token was not issued by the gateway');
    return new InternalTokenRejected('claims', `the internal token lacks a valid "${error.claim}" claim`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InternalTokenRejected('invalid', 'the internal token is not signed by the gateway\'s key');
  return new InternalTokenRejected('invalid', 'the internal token is malformed or uses another algorithm');
}

async function claimOnce(replay: ReplayStore, tokenId: string, rememberUntilMs: number): Promise<void> {
  let first: boolean;
  try {
    first = await replay.claim(tokenId, rememberUntilMs);
  } catch {
    throw new ReplayCheckUnavailable('the replay store cannot be reached, so the internal token cannot be checked for reuse');
  }
  if (!first) throw new InternalTokenRejected('replayed', 'the internal token was already used');
}

/** The claims, each checked for its type: a token missing one is refused, never read as a default. */
function claimsOf(payload: JWTPayload, subgraph: string): InternalClaims {
  const bad = (claim: string) => new InternalTokenRejected('claims', `the internal token lacks a valid "${claim}" claim`);
  const textOrNull = (name: string): string | null => {
    const value = payload[name];
    if (value === null || typeof value === 'string') return value;
    throw bad(name);
  };
  const requestHash = payload['rh'];
  if (typeof requestHash !== 'string' || !/^[0-9a-f]{64}$/.test(requestHash)) throw bad('rh');
  const role = payload['role'];
  if (role !== null && !INTERNAL_ROLES.includes(role as InternalRole)) throw bad('role');
  const scopes = payload['scopes'];
  if (!Array.isArray(scopes) || !scopes.every((s): s is string => typeof s === 'string')) throw bad('scopes');
  // Absent from a token of a gateway older than purpose uses: no use is allowed.
  const uses = payload['uses'] ?? [];
  if (!Array.isArray(uses) || !uses.every((u): u is string => typeof u === 'string')) throw bad('uses');
  const personal = payload['personal'];
  if (typeof personal !== 'boolean') throw bad('personal');
  const requestId = payload['rid'];
  if (typeof requestId !== 'string') throw bad('rid');
  const development = payload['dev'];
  if (typeof development !== 'boolean') throw bad('dev');
  return {
    audience: subgraph,
    requestHash,
    actor: typeof payload.sub === 'string' ? payload.sub : null,
    role: role as InternalRole | null,
    scopes: [...scopes],
    uses: [...uses],
    tenant: textOrNull('tenant'),
    purpose: textOrNull('purpose'),
    personal,
    requestId,
    intent: textOrNull('intent'),
    // Absent from a token of a gateway older than idempotency keys: none.
    idempotencyKey: payload['idem'] === undefined ? null : textOrNull('idem'),
    development,
  };
}
