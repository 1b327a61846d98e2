/**
 * What one request did with personal data, consolidated for its access records: from the
 * operation's reading and the request's inputs (the CPR numbers and criteria it gives), from the
 * decision (the fields refused), and from every subgraph's report (whose data it touched, which
 * fields, from which systems, which from cache). Pure: the pipeline records what this returns.
 */
import type { GraphQLFormattedError } from 'graphql';
import type { UseOfData } from '../schema/accessPolicy';
import { parseCpr } from '../schema/scalars';
import type { Identity, Role } from './auth/authenticate';
import type { Criterion, OperationReading, RequestInputs } from './operation';

/** What one request did with one data subject's data. */
export interface SubjectAccess {
  /** Schema coordinates read (or given the subject's CPR number), e.g. `Citizen.name`. */
  fields: Set<string>;
  /** Legacy systems whose data about the subject was used. */
  systems: Set<string>;
  /** Of those, the ones whose answer came from a cache. */
  cached: Set<string>;
}

export type AccessOutcome = 'ok' | 'partial' | 'denied' | 'error' | 'intent';

/** Personal data one client request touched (or asked for), consolidated. */
export interface RequestAccess {
  requestId: string;
  /** W3C trace id (from the client's traceparent, or new). */
  traceId: string;
  /** SHA-256 (hex) of the operation's text. */
  documentHash: string | null;
  identity: Identity | null;
  /** The one effective role the request was decided under. */
  role: Role | null;
  operationName: string | null;
  startedAt: Date;
  /**
   * ok; partial when the answer carries errors or refused fields; error when no personal root
   * field was answered; denied when refused; intent: a write about to be made (write-ahead).
   */
  outcome: AccessOutcome;
  /** The operation's, or `audit` for an auditor's read of the trail. */
  typeOfUse: UseOfData | 'audit';
  /** By data subject (CPR number, ten digits). */
  subjects: ReadonlyMap<string, SubjectAccess>;
  /** Other search criteria of personal root fields (a case id), recorded as subjects of their own. */
  criteria: readonly Criterion[];
  /** Fields the caller asked for and was refused (schema coordinates). */
  deniedFields: readonly string[];
}

export function subjectEntry(map: Map<string, SubjectAccess>, subject: string): SubjectAccess {
  let entry = map.get(subject);
  if (!entry) map.set(subject, (entry = { fields: new Set(), systems: new Set(), cached: new Set() }));
  return entry;
}

/** Merges what another part of the request touched (an early fetch's reports: gateway/prefetch.ts) into the request's. */
export function mergeSubjectAccesses(into: Map<string, SubjectAccess>, from: ReadonlyMap<string, SubjectAccess>): void {
  for (const [subject, access] of from) {
    const entry = subjectEntry(into, subject);
    for (const f of access.fields) entry.fields.add(f);
    for (const s of access.systems) entry.systems.add(s);
    for (const s of access.cached) entry.cached.add(s);
  }
}

/** Merges one subgraph's report (its `legacyAccess` response extension) into the request's. */
export function mergeAccessReport(into: Map<string, SubjectAccess>, report: unknown): void {
  if (!Array.isArray(report)) return;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  for (const item of report as { subject?: unknown; fields?: unknown; systems?: unknown; cached?: unknown }[]) {
    // A subgraph names subjects by CPR number; anything else is not a subject the gateway records.
    const cpr = typeof item?.subject === 'string' ? parseCpr(item.subject) : undefined;
    if (!cpr) continue;
    const entry = subjectEntry(into, cpr);
    for (const f of strings(item.fields)) entry.fields.add(f);
    for (const s of strings(item.systems)) entry.systems.add(s);
    for (const s of strings(item.cached)) entry.cached.add(s);
  }
}

export interface RequestFacts {
  requestId: string;
  traceId: string;
  startedAt: Date;
  documentHash: string | null;
  identity: Identity | null;
  role: Role | null;
  reading: OperationReading;
  inputs: RequestInputs;
}

/**
 * A request refused, or about to write, as an access before anything ran: what it asked for —
 * its personal root fields for each CPR number it gives, and its criteria.
 */
export function askedAccess(facts: RequestFacts, outcome: 'denied' | 'intent', deniedFields: readonly string[] = []): RequestAccess {
  const subjects = new Map<string, SubjectAccess>();
  for (const cpr of facts.inputs.subjects.keys()) for (const field of facts.reading.personalRootFields) subjectEntry(subjects, cpr).fields.add(field);
  return {
    ...common(facts),
    outcome,
    subjects,
    criteria: facts.inputs.criteria,
    deniedFields: outcome === 'denied' ? [...facts.reading.personalRootFields].sort() : [...deniedFields].sort(),
  };
}

/** A request that ran, as an access: what the subgraphs reported, and the subjects it named. */
export function answeredAccess(
  facts: RequestFacts,
  reported: ReadonlyMap<string, SubjectAccess>,
  deniedFields: readonly string[],
  result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] },
): RequestAccess {
  // The subjects the operation names are accessed even when no subgraph reported them (an unknown
  // number, a failed look-up): the look-up itself is the access.
  const subjects = new Map(reported);
  for (const [cpr, fields] of facts.inputs.subjects) {
    const entry = subjectEntry(subjects, cpr);
    for (const f of fields) entry.fields.add(f);
  }
  const data = result.data ?? {};
  const errors = result.errors ?? [];
  const answered = facts.reading.personalRootKeys.some((key) => data[key] !== null && data[key] !== undefined);
  const outcome: AccessOutcome =
    !answered && errors.length > 0
      ? errors.every((e) => e.extensions?.['code'] === 'FORBIDDEN') ? 'denied' : 'error'
      : errors.length > 0 || deniedFields.length > 0 ? 'partial' : 'ok';
  return { ...common(facts), outcome, subjects, criteria: facts.inputs.criteria, deniedFields: [...deniedFields].sort() };
}

function common(facts: RequestFacts) {
  return {
    requestId: facts.requestId,
    traceId: facts.traceId,
    documentHash: facts.documentHash,
    identity: facts.identity,
    role: facts.role,
    operationName: facts.reading.operation.name?.value ?? null,
    startedAt: facts.startedAt,
    typeOfUse: facts.reading.typeOfUse,
  };
}

/**
 * Fail closed: the answer without its personal data. Every root field that reaches personal data
 * is nulled with AUDIT_UNAVAILABLE; non-personal root fields still answer. Mutates `result`.
 */
export function withholdPersonal(result: { data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }, reading: OperationReading): void {
  const data = { ...(result.data ?? {}) };
  const personal = reading.personalRootKeys;
  for (const key of personal) data[key] = null;
  result.data = Object.keys(data).some((key) => !personal.includes(key)) ? data : null;
  result.errors = [
    ...(result.errors ?? []).filter((e) => !e.path || !personal.includes(String(e.path[0]))),
    ...personal.map((key) => ({
      message: 'Personal data is not served while the access trail cannot record it.',
      path: [key],
      extensions: { code: 'AUDIT_UNAVAILABLE' },
    })),
  ];
}
