/**
 * The access trail's seam in the gateway: each request's access to personal data, consolidated
 * from the operation itself (the CPR numbers and criteria it gives, the fields it was refused)
 * and from every subgraph's report (whose data it touched, which fields, from which systems,
 * which from cache), is handed to `onAccess` before the response leaves — and awaited.
 *
 * Fail closed: when it cannot be recorded, no personal data leaves. Every root field that
 * reaches personal data is nulled with AUDIT_UNAVAILABLE; non-personal root fields still answer.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { describeForLog } from '../../runtime/redact';
import type { Identity } from '../auth/authenticate';
import type { UseOfData } from '../../schema/accessPolicy';
import { criteriaAsked, subjectsAskedAt, type Denial, type OperationAccessReader } from '../auth/operationAccess';
import { documentHash } from './trustedDocuments';

/** What one request did with one data subject's data. */
export interface SubjectAccess {
  /** Schema coordinates read (or given the subject's CPR number), e.g. `Citizen.name`. */
  fields: Set<string>;
  /** Legacy systems whose data about the subject was used. */
  systems: Set<string>;
  /** Of those, the ones whose answer came from a cache. */
  cached: Set<string>;
}

/** Personal data one client request touched, consolidated. */
export interface RequestAccess {
  requestId: string;
  /** W3C trace id (from the client's traceparent, or new). */
  traceId: string;
  /** SHA-256 (hex) of the operation's text, null for a refused request. */
  documentHash: string | null;
  identity: Identity | null;
  operationName: string | null;
  startedAt: Date;
  /** ok; partial when the answer carries errors or refused fields; error when no personal root field was answered; denied when refused. */
  outcome: 'ok' | 'partial' | 'denied' | 'error';
  typeOfUse: UseOfData;
  /** By data subject (CPR number, ten digits). */
  subjects: ReadonlyMap<string, SubjectAccess>;
  /** Other search criteria of personal root fields (a case id), recorded as subjects of their own. */
  criteria: readonly { coordinate: string; argument: string; value: string }[];
  /** Fields the caller asked for and was refused (schema coordinates). */
  deniedFields: readonly string[];
}

/** The per-request state this plugin reads; the gateway's context carries it. */
export interface AccessTrailContext {
  requestId: string;
  traceId: string;
  startedAt: Date;
  identity: Identity | null;
  /** Personal data touched so far, per subject, as the subgraphs reported it. */
  access: Map<string, SubjectAccess>;
  /** Fields refused by field-level authorization. */
  deniedFields: Set<string>;
}

/** Merges one subgraph's report (its `legacyAccess` response extension) into the request's. */
export function mergeAccessReport(into: Map<string, SubjectAccess>, report: unknown): void {
  if (!Array.isArray(report)) return;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  for (const item of report as { subject?: unknown; fields?: unknown; systems?: unknown; cached?: unknown }[]) {
    if (typeof item?.subject !== 'string') continue;
    const entry = subjectEntry(into, item.subject);
    for (const f of strings(item.fields)) entry.fields.add(f);
    for (const s of strings(item.systems)) entry.systems.add(s);
    for (const s of strings(item.cached)) entry.cached.add(s);
  }
}

function subjectEntry(map: Map<string, SubjectAccess>, subject: string): SubjectAccess {
  let entry = map.get(subject);
  if (!entry) map.set(subject, (entry = { fields: new Set(), systems: new Set(), cached: new Set() }));
  return entry;
}

/** A refused request as an access: outcome denied, with what it asked for. */
export function deniedAccess(denial: Denial, context: Pick<AccessTrailContext, 'requestId' | 'traceId' | 'startedAt'>): RequestAccess {
  const subjects = new Map<string, SubjectAccess>();
  for (const cpr of denial.subjects) for (const field of denial.fields) subjectEntry(subjects, cpr).fields.add(field);
  return {
    requestId: context.requestId,
    traceId: context.traceId,
    documentHash: null,
    identity: denial.identity,
    operationName: denial.operationName,
    startedAt: context.startedAt,
    outcome: 'denied',
    typeOfUse: denial.typeOfUse,
    subjects,
    criteria: denial.criteria,
    deniedFields: [...denial.fields],
  };
}

export function createAccessTrailPlugin<TContext extends AccessTrailContext>(options: {
  readAccess: OperationAccessReader;
  onAccess: (access: RequestAccess) => Promise<void>;
  /**
   * Whether the trail can take a record now. Asked before a write to personal data runs (as
   * X-Road refuses up front when it cannot log): a write that happened cannot be withheld.
   */
  canRecord?: () => Promise<boolean>;
}): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema }) {
          if (!options.canRecord || operation?.operation !== 'mutation') return;
          if (!options.readAccess(schema, document, operation).personal) return;
          if (!(await options.canRecord().catch(() => false))) {
            throw new GraphQLError('Writes to personal data are not made while the access trail cannot record them.', {
              extensions: { code: 'AUDIT_UNAVAILABLE', http: { status: 503 } },
            });
          }
        },
        async willSendResponse({ contextValue, operationName, response, operation, document, schema, source, request }) {
          if (response.body.kind !== 'single') return;
          const analysis = operation && document ? options.readAccess(schema, document, operation) : undefined;
          if (!analysis?.personal && contextValue.access.size === 0) return;
          // A request refused before execution was recorded by the refusal itself.
          if (!analysis || response.body.singleResult.data === undefined) return;
          const result = response.body.singleResult;
          const variables = request.variables ?? {};
          // The subjects the operation names are accessed even when no subgraph reported them
          // (an unknown number, a failed look-up): the look-up itself is the access.
          const subjects = new Map(contextValue.access);
          for (const [cpr, fields] of subjectsAskedAt(analysis, variables)) {
            const entry = subjectEntry(subjects, cpr);
            for (const f of fields) entry.fields.add(f);
          }
          const data = (result.data ?? {}) as Record<string, unknown>;
          const errors = result.errors ?? [];
          const answered = analysis.personalRootKeys.some((key) => data[key] !== null && data[key] !== undefined);
          const outcome: RequestAccess['outcome'] =
            !answered && errors.length > 0
              ? errors.every((e) => e.extensions?.['code'] === 'FORBIDDEN') ? 'denied' : 'error'
              : errors.length > 0 || contextValue.deniedFields.size > 0 ? 'partial' : 'ok';
          try {
            await options.onAccess({
              requestId: contextValue.requestId,
              traceId: contextValue.traceId,
              documentHash: source ? documentHash(source) : null,
              identity: contextValue.identity,
              operationName: operationName ?? null,
              startedAt: contextValue.startedAt,
              outcome,
              typeOfUse: analysis.typeOfUse,
              subjects,
              criteria: criteriaAsked(analysis, variables),
              deniedFields: [...contextValue.deniedFields].sort(),
            });
          } catch (error) {
            console.error(`[gateway] AUDIT_UNAVAILABLE: ${describeForLog(error)}`);
            const personal = analysis.personalRootKeys;
            for (const key of personal) data[key] = null;
            result.data = Object.keys(data).some((key) => !personal.includes(key)) ? data : null;
            result.errors = [
              ...errors.filter((e: GraphQLFormattedError) => !e.path || !personal.includes(String(e.path[0]))),
              ...personal.map((key) => ({
                message: 'Personal data is not served while the access trail cannot record it.',
                path: [key],
                extensions: { code: 'AUDIT_UNAVAILABLE' },
              })),
            ];
          }
        },
      };
    },
  };
}
