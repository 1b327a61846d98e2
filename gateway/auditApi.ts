/**
 * The audit API on the gateway, apart from the graph, admitted like /graphql (the same
 * authentication, failed-authentication limits and rate limits: pipeline.ts `admission`) and
 * decided under the same one effective role (auth/decision.ts):
 * - `GET /audit/records?subject=CPR|case=CASE-ID&actor=&tenant=&from=&to=&limit=&after=` —
 *   auditors only: who accessed what, when, why and with what result, a page at a time. Every
 *   read of the trail is itself recorded (type of use `audit`) before it is answered.
 * - `GET /audit/me` — a citizen, authenticated as themselves: the dates, purposes, organisations
 *   and fields of accesses to their own data, without the employees' identities.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { caseLookupHash, subjectHash, type AccessRecord, type AuditTrail } from '../audit';
import { writeJson, type Refusal, type Route } from '../runtime/httpServer';
import { logger } from '../runtime/log';
import { parseCpr } from '../schema/scalars';
import { subjectEntry, type RequestAccess, type SubjectAccess } from './access';
import type { Identity, Role } from './auth/authenticate';
import { effectiveRole } from './auth/decision';
import { httpRefusal, type GatewayErrorCode } from './errors';
import type { Admission } from './pipeline';

export interface AuditApiOptions {
  trail: AuditTrail;
  subjectKey: Buffer;
  admission: Admission;
  /** Records an auditor's read of the trail before it is answered. */
  record: (access: RequestAccess) => Promise<void>;
  /** The municipality a kommunekode names, for the citizen's view. */
  organisation?: (code: string) => { name: string } | undefined;
}

/** Records per page unless `limit` says otherwise, and the most one page may hold. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;
const RECORDS_PARAMETERS = new Set(['subject', 'case', 'actor', 'tenant', 'from', 'to', 'limit', 'after']);
/** What an auditor's read of the trail is recorded as having read. */
const TRAIL_COORDINATE = 'AuditTrail.records';

export function auditRoutes(options: AuditApiOptions): Record<string, Route> {
  const log = logger({ service: 'gateway', component: 'audit-api' });
  const refuse = (res: ServerResponse, refusal: Refusal) => {
    for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
    writeJson(res, refusal.status, { errors: refusal.errors });
  };
  const error = (res: ServerResponse, code: GatewayErrorCode, message: string) => refuse(res, httpRefusal(code, message));

  /** The caller, when admitted and their one effective role is `role`; otherwise the refusal is sent. */
  async function caller(req: IncomingMessage, res: ServerResponse, role: Role): Promise<Identity | undefined> {
    const admitted = await options.admission.admit(req);
    if ('refusal' in admitted) return void refuse(res, admitted.refusal);
    const identity = admitted.identity;
    if (!identity) return void error(res, 'UNAUTHENTICATED', 'The audit API needs an authenticated caller: send "Authorization: Bearer <token>".');
    const effective = effectiveRole(identity.roles);
    if ('refused' in effective) return void error(res, 'FORBIDDEN', effective.refused);
    if (effective.role !== role) {
      return void error(res, 'FORBIDDEN', role === 'auditor' ? 'Only auditors may read the access trail.' : 'Only a citizen may ask who accessed their own data.');
    }
    return identity;
  }

  return {
    '/audit/records': async (req, res) => {
      const startedAt = new Date();
      const identity = await caller(req, res, 'auditor');
      if (!identity) return;
      const query = readRecordsQuery(new URL(req.url ?? '/', 'http://localhost').searchParams);
      if ('problem' in query) return error(res, 'BAD_USER_INPUT', query.problem);
      const actorCpr = query.actor === undefined ? undefined : parseCpr(query.actor);
      const filter = {
        ...(query.subject ? { subject: subjectHash(options.subjectKey, query.subject) } : {}),
        ...(query.caseId ? { subject: caseLookupHash(options.subjectKey, query.caseId) } : {}),
        // A person acting under their CPR number is on the trail as its keyed hash, never the number.
        ...(query.actor !== undefined ? { actor: actorCpr ? subjectHash(options.subjectKey, actorCpr) : query.actor } : {}),
        ...(query.tenant ? { tenant: query.tenant } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
      };
      let page: { records: AccessRecord[]; next: string | null };
      try {
        page = await options.trail.page(filter, { limit: query.limit, ...(query.after ? { after: query.after } : {}) });
        // The auditor's read is an access like any other: on the trail before the answer leaves
        // (after the page was read, so a page shows the trail as it was when asked).
        await options.record(auditorsRead(identity, query, startedAt));
      } catch (e) {
        if (e instanceof RangeError) return error(res, 'BAD_USER_INPUT', 'after must be the `next` of a previous page, as it was given.');
        log.error({ code: 'AUDIT_UNAVAILABLE' }, `AUDIT_UNAVAILABLE: the audit API could not read or record: ${(e as Error).message}`);
        return error(res, 'AUDIT_UNAVAILABLE', 'The access trail cannot be read or record this read now; try again later.');
      }
      writeJson(res, 200, { records: page.records, next: page.next });
    },
    '/audit/me': async (req, res) => {
      const identity = await caller(req, res, 'citizen');
      if (!identity) return;
      const cpr = parseCpr(identity.actor);
      if (!cpr) return error(res, 'FORBIDDEN', 'The token does not name a citizen by CPR number.');
      const own = subjectHash(options.subjectKey, cpr);
      let records: AccessRecord[];
      try {
        records = await options.trail.find({ subject: own });
      } catch (e) {
        log.error({ code: 'AUDIT_UNAVAILABLE' }, `AUDIT_UNAVAILABLE: the audit API could not read: ${(e as Error).message}`);
        return error(res, 'AUDIT_UNAVAILABLE', 'The access trail cannot be read now; try again later.');
      }
      writeJson(res, 200, {
        accesses: records
          .filter((r) => r.outcome !== 'denied' && r.outcome !== 'intent')
          .map((r) => ({ date: r.timeIn.slice(0, 10), purpose: r.purpose, organisation: organisationOf(r, own, options.organisation), fields: r.fields })),
      });
    },
  };
}

/**
 * Who read, as a citizen is told: "Dig selv" (yourself) only for a read the citizen made as a
 * citizen under their own CPR number; any other read names the organisation it was made for.
 */
function organisationOf(record: AccessRecord, ownHash: string, organisation: AuditApiOptions['organisation']): string {
  const asCitizen = record.role === undefined || record.role === null ? record.roles.length === 1 && record.roles[0] === 'citizen' : record.role === 'citizen';
  if (asCitizen && record.actor === ownHash) return 'Dig selv';
  if (record.tenant) return organisation?.(record.tenant)?.name ?? `Kommune ${record.tenant}`;
  return 'Offentlig myndighed';
}

interface RecordsQuery {
  subject?: string;
  caseId?: string;
  actor?: string;
  tenant?: string;
  from?: string;
  to?: string;
  limit: number;
  after?: string;
}

/** The records query as asked, or the first problem with it, naming the parameter. */
export function readRecordsQuery(params: URLSearchParams): RecordsQuery | { problem: string } {
  for (const name of params.keys()) {
    if (!RECORDS_PARAMETERS.has(name)) return { problem: `${name.slice(0, 40)} is not a parameter of /audit/records (${[...RECORDS_PARAMETERS].join(', ')})` };
    if (params.getAll(name).length > 1) return { problem: `${name} is given more than once` };
  }
  const query: RecordsQuery = { limit: DEFAULT_PAGE_LIMIT };
  const subject = params.get('subject');
  if (subject !== null) {
    const cpr = parseCpr(subject);
    if (!cpr) return { problem: 'subject must be a CPR number written DDMMYY-SSSS' };
    query.subject = cpr;
  }
  const caseId = params.get('case');
  if (caseId !== null) {
    if (!/^[\w.:-]{1,100}$/.test(caseId)) return { problem: 'case must be a case id' };
    if (query.subject) return { problem: 'give subject or case, not both' };
    query.caseId = caseId;
  }
  const actor = params.get('actor');
  if (actor !== null) {
    if (actor === '' || actor.length > 200) return { problem: 'actor must be an actor id (1 to 200 characters)' };
    query.actor = actor;
  }
  const tenant = params.get('tenant');
  if (tenant !== null) {
    if (!/^\d{4}$/.test(tenant)) return { problem: 'tenant must be a four-digit municipality code' };
    query.tenant = tenant;
  }
  for (const name of ['from', 'to'] as const) {
    const value = params.get(name);
    if (value === null) continue;
    const instant = instantOf(value);
    if (!instant) return { problem: `${name} must be a date (YYYY-MM-DD, UTC) or a time with its offset (ISO 8601)` };
    query[name] = instant;
  }
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE_LIMIT) return { problem: `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}` };
    query.limit = Number(limit);
  }
  const after = params.get('after');
  if (after !== null) query.after = after;
  if (!query.subject && !query.caseId && query.actor === undefined && !query.tenant && !query.from && !query.to) {
    return { problem: 'give at least one of subject, case, actor, tenant, from or to: the trail is read by what an auditor looks for' };
  }
  return query;
}

function instantOf(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T00:00:00Z`);
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : date.toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** An auditor's read of the trail as an access: of the person, the case, or what was filtered on. */
function auditorsRead(identity: Identity, query: RecordsQuery, startedAt: Date): RequestAccess {
  const subjects = new Map<string, SubjectAccess>();
  if (query.subject) subjectEntry(subjects, query.subject).fields.add(TRAIL_COORDINATE);
  const criteria = query.caseId
    ? [{ coordinate: 'Query.case', argument: 'id', value: query.caseId }]
    : query.subject
      ? []
      : [{ coordinate: TRAIL_COORDINATE, argument: 'filter', value: JSON.stringify({ actor: query.actor ?? null, tenant: query.tenant ?? null, from: query.from ?? null, to: query.to ?? null }) }];
  return {
    requestId: randomUUID(),
    traceId: randomBytes(16).toString('hex'),
    documentHash: null,
    identity,
    role: 'auditor',
    operationName: 'GET /audit/records',
    startedAt,
    outcome: 'ok',
    typeOfUse: 'audit',
    subjects,
    criteria,
    deniedFields: [],
  };
}
