/**
 * The audit API on the gateway, apart from the graph:
 * - `GET /audit/records?subject=CPR|case=CASE-ID&actor=&tenant=&from=&to=` — auditors only: who accessed what,
 *   when, why and with what result. Caseworker and citizen tokens get 403, no token 401.
 * - `GET /audit/me` — a citizen, authenticated as themselves: the dates, purposes, organisations
 *   and fields of accesses to their own data, without the employees' identities.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeJson, type Route } from '../runtime/httpServer';
import { parseCpr } from '../schema/scalars';
import { AuthenticationFailed, PURPOSE_HEADER, type Authenticator, type Identity } from './auth/authenticate';
import { caseLookupHash, subjectHash, type AuditTrail } from '../audit';


export interface AuditApiOptions {
  trail: AuditTrail;
  subjectKey: Buffer;
  authenticator: Authenticator;
  /** Municipality names by code, for the citizen's view. */
  /** The municipality a kommunekode names, for the citizen's view. */
  organisation?: (code: string) => { name: string } | undefined;
}

export function auditRoutes(options: AuditApiOptions): Record<string, Route> {
  const error = (res: ServerResponse, status: number, code: string, message: string) => writeJson(res, status, { errors: [{ message, extensions: { code } }] });

  async function identify(req: IncomingMessage, res: ServerResponse, role: 'auditor' | 'citizen'): Promise<Identity | undefined> {
    let identity: Identity | null;
    try {
      const header = req.headers['authorization'];
      const purpose = req.headers[PURPOSE_HEADER];
      identity = await options.authenticator.authenticate(typeof header === 'string' ? header : undefined, typeof purpose === 'string' ? purpose : undefined);
      // (the audit API needs no case reference)
    } catch (e) {
      if (!(e instanceof AuthenticationFailed)) throw e;
      error(res, 401, 'UNAUTHENTICATED', e.message);
      return undefined;
    }
    if (!identity) {
      error(res, 401, 'UNAUTHENTICATED', 'The audit API needs an authenticated caller: send "Authorization: Bearer <token>".');
      return undefined;
    }
    if (!identity.roles.includes(role)) {
      error(res, 403, 'FORBIDDEN', role === 'auditor' ? 'Only auditors may read the access trail.' : 'Only a citizen may ask who accessed their own data.');
      return undefined;
    }
    return identity;
  }

  const instant = (value: string | null) => (value && !Number.isNaN(Date.parse(value)) ? new Date(Date.parse(value)).toISOString() : undefined);

  return {
    '/audit/records': async (req, res) => {
      if (!(await identify(req, res, 'auditor'))) return;
      const url = new URL(req.url ?? '/', 'http://localhost');
      const subject = url.searchParams.get('subject');
      const cpr = subject === null ? undefined : parseCpr(subject);
      if (subject !== null && !cpr) return error(res, 400, 'BAD_USER_INPUT', 'subject must be a CPR number written DDMMYY-SSSS');
      const caseId = url.searchParams.get('case');
      if (cpr && caseId) return error(res, 400, 'BAD_USER_INPUT', 'give subject or case, not both');
      const from = instant(url.searchParams.get('from'));
      const to = instant(url.searchParams.get('to'));
      const records = await options.trail.find({
        ...(cpr ? { subject: subjectHash(options.subjectKey, cpr) } : {}),
        ...(caseId ? { subject: caseLookupHash(options.subjectKey, caseId) } : {}),
        ...(url.searchParams.get('actor') ? { actor: url.searchParams.get('actor')! } : {}),
        ...(url.searchParams.get('tenant') ? { tenant: url.searchParams.get('tenant')! } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      writeJson(res, 200, { records });
    },
    '/audit/me': async (req, res) => {
      const identity = await identify(req, res, 'citizen');
      if (!identity) return;
      const cpr = parseCpr(identity.actor);
      if (!cpr) return error(res, 403, 'FORBIDDEN', 'The token does not name a citizen by CPR number.');
      const records = await options.trail.find({ subject: subjectHash(options.subjectKey, cpr) });
      writeJson(res, 200, {
        accesses: records
          .filter((r) => r.outcome !== 'denied')
          .map((r) => ({
            date: r.timeIn.slice(0, 10),
            purpose: r.purpose,
            organisation: r.tenant ? (options.organisation?.(r.tenant)?.name ?? `Kommune ${r.tenant}`) : r.roles.includes('citizen') ? 'Dig selv' : 'Offentlig myndighed',
            fields: r.fields,
          })),
      });
    },
  };
}
