/**
 * The whole stack behind the development identity provider, as most security and end-to-end
 * tests need it: a temporary folder for the provider's keys, no simulated latency, optionally an
 * access trail of its own; tokens for the common roles; one close that takes all of it down.
 *
 *   let stack: AuthedStack;
 *   beforeAll(async () => { stack = await startAuthedStack({ audit: true }); });
 *   afterAll(() => stack?.close());
 *   const { body } = await stack.ask(await stack.mint.caseworker('0101'), query, variables);
 *
 * It is a LocalStack too (`stack.world`, `stack.simulators`, `stack.devIdentity.mint(…)`), with
 * `devIdentity` always present.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditTrail, type AuditTrail, type SqlClient } from '../../audit';
import { freshPglite } from './auditFixtures';
import type { DevIdentityProvider, DevTokenClaims } from '../../gateway/auth/devIdentity';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../scripts/localStack';
import { noLatency, postGraphQL, type GraphQLResponse } from './graphql';

export interface AuthedStackOptions extends Omit<LocalStackOptions, 'devIdentityDir' | 'audit'> {
  /**
   * Record every access in a trail that this fixture makes and closes: on a fresh embedded
   * PGlite, or on `db` (a store wrapped to fail on demand, say). `subjectKey` when a test must
   * hash subjects itself before the stack exists; random otherwise. Absent: no trail.
   */
  audit?: true | { db?: SqlClient; subjectKey?: Buffer };
}

export interface AuthedStack extends LocalStack {
  devIdentity: DevIdentityProvider;
  /** The temporary folder this fixture owns (removed on close); tests may keep files of their own in it. */
  dir: string;
  /** Where the identity provider keeps its keys (`private.jwk.json`, `jwks.json`). */
  idpDir: string;
  /** The trail every access is recorded in, when `audit` was asked for. */
  trail: AuditTrail | undefined;
  /** The key subjects (and citizens as actors) are hashed with, when `audit` was asked for. */
  subjectKey: Buffer | undefined;
  /** Tokens for the common roles; `claims` override or add to the defaults. */
  mint: {
    caseworker(municipality: string, claims?: Partial<DevTokenClaims>): Promise<string>;
    citizen(cpr: string, claims?: Partial<DevTokenClaims>): Promise<string>;
    service(scope: string, claims?: Partial<DevTokenClaims>): Promise<string>;
    auditor(claims?: Partial<DevTokenClaims>): Promise<string>;
  };
  /** The Authorization header for a token. */
  bearer(token: string): { authorization: string };
  /** A GraphQL operation to the stack's gateway with this token. */
  ask<T = Record<string, any>>(token: string, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Closes the stack, then the trail if this fixture made it, then removes the folder. */
  close(): Promise<void>;
}

export async function startAuthedStack(options: AuthedStackOptions = {}): Promise<AuthedStack> {
  const { audit, ...stackOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), 'kommune-graph-authed-'));
  const idpDir = join(dir, 'idp');
  let trail: AuditTrail | undefined;
  let stack: LocalStack | undefined;
  const subjectKey = audit ? ((audit !== true && audit.subjectKey) || randomBytes(32)) : undefined;
  const closeAll = async () => {
    // Each piece is closed even when an earlier one fails: a test's failure must not leak the rest.
    await stack?.close().catch(() => undefined);
    await trail?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (audit) {
      const db = (audit !== true && audit.db) || (await freshPglite());
      trail = await createAuditTrail({ db, signingKey: await generateInternalTokenKeys() });
    }
    stack = await startLocalStack({
      latencyMs: noLatency,
      ...stackOptions,
      devIdentityDir: idpDir,
      ...(trail && subjectKey ? { audit: { trail, subjectKey } } : {}),
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const running = stack;
  const idp = running.devIdentity!;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    ...running,
    devIdentity: idp,
    dir,
    idpDir,
    trail,
    subjectKey,
    mint: {
      caseworker: (municipality, claims = {}) => idp.mint({ role: 'caseworker', sub: `kw-${municipality}`, municipality, purpose: 'P-27', ...claims }),
      citizen: (cpr, claims = {}) => idp.mint({ role: 'citizen', sub: cpr, purpose: 'self-service', ...claims }),
      service: (scope, claims = {}) => idp.mint({ role: 'service', purpose: 'P-3', scope, ...claims }),
      auditor: (claims = {}) => idp.mint({ role: 'auditor', ...claims }),
    },
    bearer,
    ask: (token, query, variables, headers = {}) => postGraphQL(running.gateway.url, query, variables, { ...headers, ...bearer(token) }),
    close: closeAll,
  };
}
