/**
 * The one place that decides what an access record holds (after X-Road's message-body
 * manipulator): per data subject, who asked, on whose behalf, why, which fields, from which
 * systems, with what outcome. The CPR number is never stored: the subject is a keyed HMAC of it,
 * so an auditor who is given a CPR number can find its records, and nobody reading the trail can
 * list whose they are. A person who is the actor, or on whose behalf the actor asks, is named by the
 * same HMAC, so one person is one value wherever they appear.
 */
import { createHmac, randomUUID } from 'node:crypto';

/** The type of use a record gives: the graph's reads, searches and writes, and auditors' reads of the trail itself. */
export type TypeOfUse = 'read' | 'search' | 'create' | 'update' | 'audit';

/**
 * What came of the request. `intent` is a write's intent, recorded before the legacy write is made
 * (write-ahead): if the gateway dies during the write, the trail still says it was about to be made.
 * The write's outcome record (ok, partial, error or denied) follows under the same requestId;
 * `verify` reports an intent that none follows (`openIntents`).
 */
export type Outcome = 'ok' | 'partial' | 'denied' | 'error' | 'intent';

/** Uses that write: the only ones an intent is recorded for. */
const WRITES: ReadonlySet<TypeOfUse> = new Set(['create', 'update']);

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
  /**
   * Who asked: an employee's or system's id as the token gave it (actorType `user`), or, for a person
   * identified by CPR number (actorType `person`), the keyed hash a subject of that person gets,
   * so a citizen's own requests can be found by CPR number and the number is never stored.
   */
  actor: string | null;
  /** Whether `actor` is a person's keyed hash or a user id kept as given; null when no actor is known. */
  actorType: 'person' | 'user' | null;
  /** Every role the token listed, sorted. */
  roles: string[];
  /** The one effective role the request was decided under (null when none was decided: no identity). */
  role: string | null;
  /** The client system the actor used. */
  clientSystem: string | null;
  /** On whose behalf the actor asked: a user id, or a person's keyed hash as for `actor`. */
  onBehalfOf: string | null;
  /** Whether `onBehalfOf` is a person's keyed hash or a user id kept as given; null when nobody. */
  onBehalfOfType: 'person' | 'user' | null;
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
  outcome: Outcome;
  operationName: string | null;
}

export interface RequestAccessInput {
  requestId: string;
  traceId?: string;
  documentHash?: string | null;
  timeIn: Date;
  identity: {
    actor: string;
    /**
     * The actor's CPR number, ten digits, when the actor is a person identified by one (normalised by
     * the caller: this library does not parse CPR numbers). The record then holds its keyed hash in
     * place of `actor`, which is not stored.
     */
    actorCpr?: string | null;
    roles: string[];
    /** The one effective role the request was decided under. */
    role?: string | null;
    tenant: string | null;
    purpose: string | null;
    clientSystem?: string | null;
    onBehalfOf?: string | null;
    /** As `actorCpr`, for the person on whose behalf the actor asked; replaces `onBehalfOf`. */
    onBehalfOfCpr?: string | null;
    caseReference?: string | null;
  } | null;
  operationName: string | null;
  /** `intent` before a write is made (typeOfUse create or update only), then the write's outcome under the same requestId. */
  outcome: Outcome;
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

/**
 * Who a party of the request is, as the record names them: a person's keyed hash (the value a
 * subject of that person gets) when a CPR number is given, else the id as given.
 */
function party(subjectKey: Buffer, id: string | null | undefined, cpr: string | null | undefined, which: string): { id: string | null; type: 'person' | 'user' | null } {
  if (cpr !== undefined && cpr !== null) {
    // The hash is only the same for the same person if every caller gives the same form; the
    // number itself is not echoed, so a rejected one does not end up in a log.
    if (!/^\d{10}$/.test(cpr)) throw new TypeError(`audit: ${which} must be a CPR number as ten digits, normalised by the caller; the value given is not (not shown: it may be personal data)`);
    return { id: subjectHash(subjectKey, cpr), type: 'person' };
  }
  return id === undefined || id === null ? { id: null, type: null } : { id, type: 'user' };
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
  const typeOfUse = input.typeOfUse ?? ('read' as const);
  if (input.outcome === 'intent' && !WRITES.has(typeOfUse)) {
    throw new TypeError(`audit: an intent is recorded before a write (typeOfUse create or update), not for typeOfUse ${typeOfUse}`);
  }
  const identity = input.identity;
  const actor = party(subjectKey, identity?.actor, identity?.actorCpr, 'identity.actorCpr');
  const onBehalfOf = party(subjectKey, identity?.onBehalfOf, identity?.onBehalfOfCpr, 'identity.onBehalfOfCpr');
  const denied = [...(input.deniedFields ?? [])].sort();
  const common = {
    requestId: input.requestId,
    traceId: input.traceId ?? input.requestId.replaceAll('-', ''),
    documentHash: input.documentHash ?? null,
    timeIn: input.timeIn.toISOString(),
    timeOut: now.toISOString(),
    tenant: identity?.tenant ?? null,
    tenantCvr: identity?.tenant ? tenantCvr(identity.tenant) : null,
    actor: actor.id,
    actorType: actor.type,
    roles: [...(identity?.roles ?? [])].sort(),
    role: identity?.role ?? null,
    clientSystem: identity?.clientSystem ?? null,
    onBehalfOf: onBehalfOf.id,
    onBehalfOfType: onBehalfOf.type,
    purpose: identity?.purpose ?? null,
    caseReference: identity?.caseReference ?? null,
    typeOfUse,
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

/**
 * JSON with keys in a fixed order: the bytes a record's leaf hash is taken over. Every byte of its
 * output is part of the trail's hashes, so it must never change for a value it has written (the
 * reference, `canonicalJsonReference`, is the first version). Every append and every verify runs it
 * once per record, so a tree of plain JSON values (what records and stored payloads are) goes
 * through V8's own JSON.stringify: as it is when its keys are in order already, else as a copy with
 * them in order. Anything else (undefined, holes, dates, integer-like keys, whose bytes differ
 * between the two) takes the reference.
 */
export function canonicalJson(value: unknown): string {
  const shape = jsonShape(value);
  if (shape === SORTED) return JSON.stringify(value);
  if (shape === UNSORTED) return JSON.stringify(sortedCopy(value));
  return canonicalJsonReference(value);
}

/** The first version of canonicalJson, the definition of its bytes. */
export function canonicalJsonReference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJsonReference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJsonReference((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const SORTED = 0;
const UNSORTED = 1;
const OTHER = 2;
/** A key V8 enumerates before the others, in numeric order, whatever the insertion order. */
const INDEX_LIKE = /^(0|[1-9]\d*)$/;

/** Plain JSON with every object's keys in order (SORTED), plain JSON (UNSORTED), or anything else. */
function jsonShape(value: unknown): number {
  if (value === null) return SORTED;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return SORTED;
    case 'number':
      return Number.isFinite(value) ? SORTED : OTHER;
    case 'object':
      break;
    default:
      return OTHER;
  }
  let shape = SORTED;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return OTHER;
      const inner = jsonShape(value[i]);
      if (inner === OTHER) return OTHER;
      if (inner === UNSORTED) shape = UNSORTED;
    }
    return shape;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return OTHER;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (INDEX_LIKE.test(key)) return OTHER;
    if (i > 0 && keys[i - 1]! > key) shape = UNSORTED;
    const inner = jsonShape((value as Record<string, unknown>)[key]);
    if (inner === OTHER) return OTHER;
    if (inner === UNSORTED) shape = UNSORTED;
  }
  return shape;
}

function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortedCopy);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) copy[key] = sortedCopy((value as Record<string, unknown>)[key]);
  return copy;
}
