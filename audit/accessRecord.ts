/**
 * The one place that decides what an access record holds (after X-Road's message-body
 * manipulator): per data subject, who asked, on whose behalf, why, which fields, from which
 * systems, with what outcome. The CPR number is never stored: the subject is a keyed HMAC of it,
 * so an auditor who is given a CPR number can find its records, and nobody reading the trail can
 * list whose they are.
 */
import { createHmac, randomUUID } from 'node:crypto';

/** The type of use a record gives: the graph's reads, searches and writes, and auditors' reads of the trail itself. */
export type TypeOfUse = 'read' | 'search' | 'create' | 'update' | 'audit';

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
  /** The actor's municipality (kommunekode) and its CVR number. */
  tenant: string | null;
  tenantCvr: string | null;
  actor: string | null;
  roles: string[];
  /** The client system the actor used. */
  clientSystem: string | null;
  onBehalfOf: string | null;
  purpose: string | null;
  caseReference: string | null;
  /** HMAC-SHA256(subject key, the subject): a person's CPR number, or a search criterion (`Query.case(id):…`), hex. */
  subject: string;
  /** person: the record is about one data subject; criterion: about what was searched for when no person is known. */
  subjectType: 'person' | 'criterion';
  typeOfUse: TypeOfUse;
  /** Schema coordinates read, e.g. `Citizen.name`. */
  fields: string[];
  /** Legacy systems whose data about the subject was used. */
  systems: string[];
  /** Of those, the ones answered from a cache: a cached answer is a disclosure all the same. */
  cached: string[];
  /** Fields the actor asked for and was refused. */
  denied: string[];
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
  /** @default 'read' */
  typeOfUse?: TypeOfUse;
  subjects: ReadonlyMap<string, { fields: ReadonlySet<string>; systems: ReadonlySet<string>; cached?: ReadonlySet<string> }>;
  /** Search criteria other than CPR numbers; each is recorded as a subject of its own. */
  criteria?: readonly { coordinate: string; argument: string; value: string }[];
  deniedFields?: readonly string[];
}

export function subjectHash(subjectKey: Buffer, cpr: string): string {
  return createHmac('sha256', subjectKey).update(cpr).digest('hex');
}

/** What a criterion's subject hash is taken over: `Query.case(id):<value>`. */
export function criterionText(criterion: { coordinate: string; argument: string; value: string }): string {
  return `${criterion.coordinate}(${criterion.argument}):${criterion.value}`;
}

/** The subject hash under which looking a case up by its id (`case(id:)`) is recorded. */
export function caseLookupHash(subjectKey: Buffer, caseId: string): string {
  return subjectHash(subjectKey, criterionText({ coordinate: 'Query.case', argument: 'id', value: caseId }));
}

/**
 * One record per data subject the request touched and per other criterion it gave, in a stable
 * order. `tenantCvr` gives the CVR number of a municipality code.
 */
export function toAccessRecords(
  input: RequestAccessInput,
  subjectKey: Buffer,
  now: Date = new Date(),
  tenantCvr: (code: string) => string | null = () => null,
): AccessRecord[] {
  const denied = [...(input.deniedFields ?? [])].sort();
  const common = {
    requestId: input.requestId,
    traceId: input.traceId ?? input.requestId.replaceAll('-', ''),
    documentHash: input.documentHash ?? null,
    timeIn: input.timeIn.toISOString(),
    timeOut: now.toISOString(),
    tenant: input.identity?.tenant ?? null,
    tenantCvr: input.identity?.tenant ? tenantCvr(input.identity.tenant) : null,
    actor: input.identity?.actor ?? null,
    roles: [...(input.identity?.roles ?? [])].sort(),
    clientSystem: input.identity?.clientSystem ?? null,
    onBehalfOf: input.identity?.onBehalfOf ?? null,
    purpose: input.identity?.purpose ?? null,
    caseReference: input.identity?.caseReference ?? null,
    typeOfUse: input.typeOfUse ?? ('read' as const),
    denied,
    outcome: input.outcome,
    operationName: input.operationName,
  };
  const people = [...input.subjects].map(([cpr, { fields, systems, cached }]) => ({
    ...common,
    eventId: randomUUID(),
    subject: subjectHash(subjectKey, cpr),
    subjectType: 'person' as const,
    fields: [...fields].sort(),
    systems: [...systems].sort(),
    cached: [...(cached ?? [])].sort(),
  }));
  const criteria = (input.criteria ?? []).map((criterion) => ({
    ...common,
    eventId: randomUUID(),
    subject: subjectHash(subjectKey, criterionText(criterion)),
    subjectType: 'criterion' as const,
    fields: [criterion.coordinate],
    systems: [],
    cached: [],
  }));
  return [...people, ...criteria].sort((a, b) => a.subject.localeCompare(b.subject));
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
