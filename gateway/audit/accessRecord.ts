/**
 * The one place that decides what an access record holds (after X-Road's message-body
 * manipulator): per data subject, who asked, on whose behalf, why, which fields, from which
 * systems, with what outcome. The CPR number is never stored: the subject is a keyed HMAC of it,
 * so an auditor who is given a CPR number can find its records, and nobody reading the trail can
 * list whose they are.
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface AccessRecord {
  eventId: string;
  requestId: string;
  /** W3C trace id of the request. */
  traceId: string;
  /** SHA-256 (hex) of the operation text, null for refused requests. */
  documentHash: string | null;
  /** When the request came in and when its answer was about to leave (ISO 8601). */
  timeIn: string;
  timeOut: string;
  tenant: string | null;
  actor: string | null;
  roles: string[];
  /** The client system the actor used. */
  clientSystem: string | null;
  onBehalfOf: string | null;
  purpose: string | null;
  caseReference: string | null;
  /** HMAC-SHA256(subject key, CPR number), hex. */
  subject: string;
  typeOfUse: 'read' | 'search' | 'create' | 'update';
  /** Schema coordinates read, e.g. `Citizen.name`. */
  fields: string[];
  systems: string[];
  outcome: 'ok' | 'partial' | 'denied' | 'error';
  operationName: string | null;
}

export interface RequestAccessInput {
  requestId: string;
  traceId?: string;
  documentHash?: string | null;
  timeIn: Date;
  identity: {
    actor: string;
    roles: string[];
    tenant: string | null;
    purpose: string | null;
    clientSystem?: string | null;
    onBehalfOf?: string | null;
    caseReference?: string | null;
  } | null;
  operationName: string | null;
  outcome: AccessRecord['outcome'];
  /** Read for granted requests; for a refused one, what was asked for is a search. */
  subjects: ReadonlyMap<string, { fields: ReadonlySet<string>; systems: ReadonlySet<string> }>;
}

export function subjectHash(subjectKey: Buffer, cpr: string): string {
  return createHmac('sha256', subjectKey).update(cpr).digest('hex');
}

/** One record per data subject the request touched, in a stable order. */
export function toAccessRecords(input: RequestAccessInput, subjectKey: Buffer, now: Date = new Date()): AccessRecord[] {
  return [...input.subjects]
    .map(([cpr, { fields, systems }]) => ({
      eventId: randomUUID(),
      requestId: input.requestId,
      traceId: input.traceId ?? input.requestId.replaceAll('-', ''),
      documentHash: input.documentHash ?? null,
      timeIn: input.timeIn.toISOString(),
      timeOut: now.toISOString(),
      tenant: input.identity?.tenant ?? null,
      actor: input.identity?.actor ?? null,
      roles: [...(input.identity?.roles ?? [])].sort(),
      clientSystem: input.identity?.clientSystem ?? null,
      onBehalfOf: input.identity?.onBehalfOf ?? null,
      purpose: input.identity?.purpose ?? null,
      caseReference: input.identity?.caseReference ?? null,
      subject: subjectHash(subjectKey, cpr),
      typeOfUse: 'read' as const,
      fields: [...fields].sort(),
      systems: [...systems].sort(),
      outcome: input.outcome,
      operationName: input.operationName,
    }))
    .sort((a, b) => a.subject.localeCompare(b.subject));
}

/** JSON with keys in a fixed order: the bytes a record's leaf hash is taken over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
