/**
 * The one authorization decision of a request: who the caller is, which single role counts, what
 * they may read of this operation. Made once, from the operation's one reading, before planning;
 * every later stage — the rewrite that takes refused fields out, the internal token each subgraph
 * checks, the access record, the audit API — uses this decision and decides nothing again.
 *
 * One effective role per request. A token naming roles that cannot be combined is refused:
 * - auditor with any other role (an auditor reads the trail, never personal data through the graph,
 *   and whoever reads personal data must not also be the one who audits it);
 * - citizen with caseworker or service (a citizen sees only themselves; a caseworker or service
 *   reads others' data: no one request can be both).
 * caseworker with service counts as caseworker: its reach is its own municipality, the narrower one.
 * Scopes count for the service role only: a caseworker's or citizen's grants are their role's.
 *
 * What each role may ask before the field grants (`@access` in the schema) are applied:
 * - caseworker: personal data with a purpose, their token naming a municipality this deployment serves;
 * - citizen: only themselves — every CPR number the operation gives, anywhere in it, must be their own;
 * - service: personal data only with the scope `personal-data:read` and a purpose;
 * - auditor: no personal data through the graph (the audit API is theirs).
 */
import type { Grantee } from '../../schema/accessPolicy';
import { parseCpr } from '../../schema/scalars';
import type { OperationReading, RequestInputs } from '../operation';
import type { Identity, Role } from './authenticate';
import type { AuthorizedOperation } from './fieldAuthorization';

export const SERVICE_PERSONAL_DATA_SCOPE = 'personal-data:read';

export type EffectiveRole = { role: Role | null } | { refused: string };

/** The one role a token's roles amount to, or why they cannot be combined. */
export function effectiveRole(roles: readonly Role[]): EffectiveRole {
  const named = new Set(roles);
  const others = [...named].filter((r) => r !== 'auditor');
  if (named.has('auditor') && others.length > 0) {
    return { refused: `A token may not name the role auditor together with ${others.join(' and ')}: an auditor reads the access trail, not personal data. Use a token with one role.` };
  }
  if (named.has('citizen') && (named.has('caseworker') || named.has('service'))) {
    const with_ = [...named].filter((r) => r === 'caseworker' || r === 'service').join(' and ');
    return { refused: `A token may not name the role citizen together with ${with_}: a citizen sees only their own data, a ${with_} that of others. Use a token with one role.` };
  }
  if (named.has('caseworker')) return { role: 'caseworker' };
  const [only] = [...named];
  return { role: only ?? null };
}

/** The caller as the decision counts them: one role, and scopes only where the role is service. */
export function granteeOf(identity: Identity | null, role: Role | null, purposeUses: readonly string[] = []): Grantee {
  return { roles: role ? [role] : [], scopes: role === 'service' && identity ? identity.scopes : [], purposeUses };
}

export interface Decision {
  identity: Identity | null;
  /** The one effective role (null: anonymous, or a token with no known role). */
  role: Role | null;
  grantee: Grantee;
  /** Whether the request is granted personal data at all (the operation reaches it and may). */
  personal: boolean;
  /** The operation with the refused fields taken out; undefined when every field is granted. */
  authorized: AuthorizedOperation | undefined;
}

export type Verdict =
  | { allowed: true; decision: Decision }
  | { allowed: false; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; reason: string; decision: Decision };

export interface DecideInput {
  reading: OperationReading;
  inputs: RequestInputs;
  identity: Identity | null;
  /** Whether this deployment serves a municipality (the tenant registry in force); absent: any. */
  serves?: (municipalityCode: string) => boolean;
  authorize: (reading: OperationReading, who: Grantee) => AuthorizedOperation | undefined;
  /** The uses a purpose allows (the purpose catalogue, auth/purposes.ts); absent: none. */
  usesOf?: (purpose: string | null) => readonly string[];
}

export function decide({ reading, inputs, identity, serves, authorize, usesOf }: DecideInput): Verdict {
  const effective = identity ? effectiveRole(identity.roles) : { role: null };
  const role = 'role' in effective ? effective.role : null;
  const grantee = granteeOf(identity, role, usesOf?.(identity?.purpose ?? null) ?? []);
  const decision: Decision = { identity, role, grantee, personal: false, authorized: undefined };
  const refuse = (code: 'UNAUTHENTICATED' | 'FORBIDDEN', reason: string): Verdict => ({ allowed: false, code, reason, decision });
  if ('refused' in effective) return refuse('FORBIDDEN', effective.refused);
  if (!reading.personal) return { allowed: true, decision: { ...decision, authorized: authorize(reading, grantee) } };

  if (!identity) return refuse('UNAUTHENTICATED', 'Personal data needs an authenticated caller: send "Authorization: Bearer <token>".');
  if (identity.tenant && serves && !serves(identity.tenant)) return refuse('FORBIDDEN', `Municipality ${identity.tenant} is not served by this deployment.`);
  if (role === 'auditor') return refuse('FORBIDDEN', 'Auditors do not read personal data through the graph; the audit API answers who accessed what.');
  if (!identity.purpose) {
    return refuse('FORBIDDEN', 'Personal data is served only for a stated purpose: give the processing activity in the token\'s "purpose" claim or the x-purpose header.');
  }
  switch (role) {
    case 'citizen': {
      const own = parseCpr(identity.actor);
      const others = [...inputs.subjects.keys()].filter((cpr) => cpr !== own);
      if (!own || others.length > 0) return refuse('FORBIDDEN', 'A citizen may see only their own data: ask for citizen(cpr:) with your own CPR number.');
      break;
    }
    case 'caseworker':
      if (!identity.tenant) return refuse('FORBIDDEN', 'A caseworker\'s token must name their municipality (the "municipality" claim).');
      break;
    case 'service':
      if (!identity.scopes.includes(SERVICE_PERSONAL_DATA_SCOPE)) return refuse('FORBIDDEN', `A service reads personal data only with the scope ${SERVICE_PERSONAL_DATA_SCOPE}.`);
      break;
    default:
      return refuse('FORBIDDEN', 'This role may not read personal data.');
  }
  return { allowed: true, decision: { ...decision, personal: true, authorized: authorize(reading, grantee) } };
}
