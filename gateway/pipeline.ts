/**
 * The request pipeline: every stage of a request to the graph, in the order it runs. Each fact
 * about a request is established once, by one stage, and later stages use it; none decides again.
 *
 * Before Apollo parses (HTTP, `admission` below; the audit API is admitted the same way):
 *   1. body limit                      runtime/httpServer.ts (MAX_BODY_BYTES)
 *   2. trusted documents               plugins/trustedDocuments.ts (when a manifest is configured)
 *   3. authenticate                    auth/authenticate.ts; failed authentications limited per
 *                                      client address and claimed subject, and in all, check-and-take
 *                                      in one step; a token that verified before is not checked again
 *   4. rate limit                      plugins/rateLimit.ts, per municipality (else actor, else address)
 * Apollo (`pipelinePlugin` below, one plugin, so its stages run in this order and never concurrently):
 *   5. parse and validate              token limit (graphql-js), depth, aliases, directives
 *                                      (graphql-armor), cost (from the reading, `costLimitRule`)
 *   6. read the operation once         operation.ts: fields with coordinates and grants, every
 *                                      CPR-bearing argument, criteria, cost, personal root fields
 *   7. the request's inputs            operation.ts `readInputs`: CPR numbers checked (variables,
 *                                      literals, defaults, inside input objects and lists), subjects
 *   8. one authorization decision      auth/decision.ts: one effective role, tenant, purpose, refused fields
 *   9. a denial recorded once          then refused, before planning: no subgraph is called
 *  10. a write's intent recorded       write-ahead: no intent on the trail, no write
 *  11. plan and execute                auth/fieldAuthorization.ts takes refused fields out; planned
 *                                      and run on the supergraph version the request was validated
 *                                      and decided against (supergraph.ts); each subgraph call
 *                                      carries a token bound to that subgraph and that exact
 *                                      request, with the decision (`subgraphCall` below)
 *  12. consolidate                     access.ts: what the subgraphs reported, and what was asked
 *  13. record                          the access trail, before the answer leaves
 *  14. answer                          fail closed: no record, no personal data; counted by
 *                                      operation and outcome (metrics.ts) and logged, one line
 *                                      (requestLog.ts), as are the refusals made before Apollo
 *                                      (server.ts, the HTTP server's `onRefused`)
 */
import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, BaseContext, GraphQLResponse } from '@apollo/server';
import { GraphQLError, Kind, type ValidationRule } from 'graphql';
import type { Refusal } from '../runtime/httpServer';
import type { Logger } from '../runtime/log';
import { INTERNAL_TOKEN_HEADER, subgraphRequestHash, type InternalTokenSigner } from '../runtime/internalToken';
import { newSpanId, traceparent, TRACEPARENT_HEADER } from '../runtime/traceContext';
import { activeTraceparent } from '../runtime/requestTrace';
import { describeForLog } from '../runtime/redact';
import { answeredAccess, askedAccess, mergeAccessReport, withholdPersonal, type RequestAccess, type RequestFacts, type SubjectAccess } from './access';
import { AuthenticationFailed, PURPOSE_HEADER, type Authenticator, type Identity } from './auth/authenticate';
import { decide, type Decision } from './auth/decision';
import type { AuthorizedOperation } from './auth/fieldAuthorization';
import { gatewayError, httpRefusal } from './errors';
import type { GatewayMetrics, RateLimitName } from './metrics';
import type { RequestLog } from './requestLog';
import { attributedToSubgraph } from './plugins/maskErrors';
import { readInputs, type OperationReader, type OperationReading, type RequestInputs } from './operation';
import { createRateLimiter, rateLimitKey, type RateLimiter } from './plugins/rateLimit';
import { documentHash } from './plugins/trustedDocuments';
import { DEFERRED_TOKEN_HEADER, decisionKey, mayShare, SHARING_KEY_HEADER, type DeferredTokens } from './subgraphDedup';
import type { Grantee } from '../schema/accessPolicy';

/** Header carrying the milliseconds left of the client request's budget. */
export const REQUEST_BUDGET_HEADER = 'x-request-budget-ms';
/** Subgraph response extension naming legacy systems answered from stale cache. */
const SUBGRAPH_STALE_EXTENSION = 'legacyStale';
/** Subgraph response extension listing the personal data it touched, per subject. */
const SUBGRAPH_ACCESS_EXTENSION = 'legacyAccess';
/**
 * The intent claim of a write from a gateway that has no access trail (development only: a
 * production gateway does not start without one).
 */
export const NO_TRAIL_INTENT = 'no-trail';

/** Everything the pipeline establishes about one request, kept in Apollo's context. */
export interface GatewayContext extends BaseContext {
  requestId: string;
  traceId: string;
  /** The gateway's span of the request in its trace (W3C Trace Context). */
  spanId: string;
  /** Whether the client samples the trace (its traceparent's flag); true when the gateway began it. */
  traceSampled: boolean;
  startedAt: Date;
  /** performance.now() when the HTTP request arrived: the request's duration is measured from it. */
  arrivedAt: number;
  /** Who the caller is (stage 3); null: no token. */
  identity: Identity | null;
  /** When the request's budget is spent (epoch milliseconds). */
  deadlineAt: number;
  /** Legacy systems whose cached data some subgraph served stale. */
  stale: Set<string>;
  /** Stages 6–8, once the operation is read and decided. */
  reading?: OperationReading;
  inputs?: RequestInputs;
  decision?: Decision;
  /** Stage 10: the write's intent is on the trail (the internal token carries it). */
  intent: string | null;
  /** The client's Idempotency-Key, carried to the subgraph of a write (gateway/idempotency.ts). */
  idempotencyKey: string | null;
  /** Stage 12: personal data touched, per subject, as the subgraphs reported it. */
  reported: Map<string, SubjectAccess>;
}

// ─── Stages 3–4: admission ───────────────────────────────────────────────────────────────────

export interface Admission {
  /** Who is asking (null: no token), or the refusal to send. Used by /graphql and the audit API. */
  admit(req: IncomingMessage): Promise<{ identity: Identity | null } | { refusal: Refusal }>;
}

export interface AdmissionOptions {
  authenticator: Authenticator | undefined;
  rateLimit: { perSecond: number; burst: number };
  /** Counts refusals by limit and tokens that did not verify (gateway/metrics.ts). */
  metrics?: Pick<GatewayMetrics, 'rateLimited' | 'authenticationFailed'>;
}

/**
 * Authentication and rate limits. Failed authentications are limited per client address *and*
 * the subject the token claims (read, not trusted), so one bad client behind a NAT or a load
 * balancer does not lock out the others, and in all, so rotating claimed subjects cannot make
 * the gateway verify signatures without end. A token is reserved from both limits before it is
 * verified and given back when it verifies: the check and the take are one step.
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const { authenticator, rateLimit, metrics } = options;
  const requests = rateLimit.perSecond > 0 ? createRateLimiter(rateLimit) : undefined;
  // A tenth of the request rate may fail authentication per address and subject (at least 1/s, 10 at once).
  const failures = rateLimit.perSecond > 0
    ? createRateLimiter({ perSecond: Math.max(1, rateLimit.perSecond / 10), burst: Math.max(10, Math.round(rateLimit.burst / 10)) })
    : undefined;
  const allFailures = rateLimit.perSecond > 0
    ? createRateLimiter({ perSecond: Math.max(10, rateLimit.perSecond), burst: Math.max(50, rateLimit.burst) })
    : undefined;
  const tooMany = (limit: RateLimitName, retryAfterSeconds: number, whom: string): Refusal => {
    metrics?.rateLimited(limit);
    return httpRefusal('RATE_LIMITED', `Too many requests for ${whom}: try again in ${retryAfterSeconds} s.`, { 'retry-after': String(retryAfterSeconds) });
  };
  const limitRequests = (identity: Identity | null, address: string | undefined): Refusal | undefined => {
    if (!requests) return undefined;
    const key = rateLimitKey(identity, address);
    const verdict = requests.take(key);
    return verdict.allowed ? undefined : tooMany('requests', verdict.retryAfterSeconds, key.startsWith('tenant:') ? `municipality ${key.slice(7)}` : 'this caller');
  };

  return {
    async admit(req) {
      const address = req.socket.remoteAddress;
      const header = req.headers['authorization'];
      const authorization = typeof header === 'string' && header !== '' ? header : undefined;
      if (!authenticator || !authorization) {
        const refusal = limitRequests(null, address);
        return refusal ? { refusal } : { identity: null };
      }
      const reserved: [RateLimiter, string][] = [];
      if (failures && allFailures && !authenticator.knows(authorization)) {
        const mine = `${address ?? 'unknown'}|${claimedSubject(authorization)}`;
        const own = failures.take(mine);
        if (!own.allowed) return { refusal: tooMany('failed_authentications', own.retryAfterSeconds, 'this caller (failed authentications)') };
        const all = allFailures.take('all');
        if (!all.allowed) {
          failures.give(mine);
          return { refusal: tooMany('unverified_tokens', all.retryAfterSeconds, 'unverified tokens (failed authentications)') };
        }
        reserved.push([failures, mine], [allFailures, 'all']);
      }
      let identity: Identity | null;
      try {
        const purpose = req.headers[PURPOSE_HEADER];
        const caseReference = req.headers['x-case-reference'];
        identity = await authenticator.authenticate(authorization, typeof purpose === 'string' ? purpose : undefined, typeof caseReference === 'string' ? caseReference : undefined);
      } catch (error) {
        if (!(error instanceof AuthenticationFailed)) throw error;
        metrics?.authenticationFailed();
        return { refusal: httpRefusal('UNAUTHENTICATED', error.message, { 'www-authenticate': 'Bearer error="invalid_token"' }) };
      }
      for (const [limiter, key] of reserved) limiter.give(key);
      const refusal = limitRequests(identity, address);
      return refusal ? { refusal } : { identity };
    },
  };
}

/** The subject a bearer token claims, read without verifying it: only a key for failure limits. */
function claimedSubject(authorization: string): string {
  try {
    const payload = authorization.trim().split(' ')[1]?.split('.')[1];
    const sub = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub : undefined;
    return typeof sub === 'string' ? sub.slice(0, 100) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

// ─── Stage 5: the cost limit, from the reading ───────────────────────────────────────────────

/** Refuses an operation estimated to cost more than `maxCost` (the reader computes the cost). */
export function costLimitRule(reader: OperationReader, maxCost: number): ValidationRule {
  return (context) => ({
    Document(document) {
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const cost = reader.cost(context.getSchema(), document, definition);
        if (cost <= maxCost) continue;
        const shown = Number.isFinite(cost) ? String(Math.round(cost)) : 'beyond measure';
        context.reportError(
          new GraphQLError(
            `Operation${definition.name ? ` "${definition.name.value}"` : ''} is estimated to cost ${shown}, above the limit of ${maxCost}: select fewer fields or fewer nested lists.`,
            { nodes: [definition], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          ),
        );
      }
      return false;
    },
  });
}

// ─── Stages 6–14: the operation ──────────────────────────────────────────────────────────────

export interface PipelineOptions {
  reader: OperationReader;
  authorize: (reading: OperationReading, who: Grantee) => AuthorizedOperation | undefined;
  /** Whether authentication is on; off (development only), every caller may read everything. */
  authenticating: boolean;
  /** Whether this deployment serves a municipality (the tenant registry); absent: any. */
  serves?: (municipalityCode: string) => boolean;
  /** The uses a purpose allows (the purpose catalogue); absent: none. */
  usesOf?: (purpose: string | null) => readonly string[];
  /** Records an access durably before it resolves (the access trail); absent: nothing is recorded. */
  record?: (access: RequestAccess) => Promise<void>;
  /** Counts every answer as it leaves, by operation and outcome (gateway/metrics.ts); absent: nothing is counted. */
  metrics?: Pick<GatewayMetrics, 'answered'>;
  /** Writes the request line of every answer as it leaves (requestLog.ts); absent: none. */
  requestLog?: Pick<RequestLog, 'answered'>;
  /** Where the pipeline reports what the client is not told (the trail failing). */
  log: Pick<Logger, 'error'>;
}

/** Grants of a development gateway without authentication: every role's (never in production). */
const DEVELOPMENT_GRANTEE: Grantee = { roles: ['caseworker', 'citizen', 'service'], scopes: [] };

export function pipelinePlugin(options: PipelineOptions): ApolloServerPlugin<GatewayContext> {
  const { reader, authorize, record, metrics, requestLog, log } = options;
  const facts = (context: GatewayContext, reading: OperationReading, inputs: RequestInputs, source: string | undefined): RequestFacts => ({
    requestId: context.requestId,
    traceId: context.traceId,
    startedAt: context.startedAt,
    documentHash: source ? documentHash(source) : null,
    identity: context.identity,
    role: context.decision?.role ?? null,
    reading,
    inputs,
  });
  return {
    async requestDidStart({ contextValue, response }) {
      // The request's id, for the caller to quote and an operator or auditor to find it by.
      response.http.headers.set('x-request-id', contextValue.requestId);
      // The trace the request is part of, with the gateway's span: the client can join its own spans to it.
      response.http.headers.set(TRACEPARENT_HEADER, traceparent(contextValue.traceId, contextValue.spanId, contextValue.traceSampled));
      return {
        async didResolveOperation({ operation, document, schema, contextValue: context, request, source }) {
          if (!operation) {
            const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
            throw gatewayError(
              'OPERATION_RESOLUTION_FAILURE',
              request.operationName
                ? `Unknown operation named "${request.operationName.slice(0, 100)}".`
                : operations > 1 ? 'Must provide operation name if query contains multiple operations.' : 'The document contains no operation to run.',
            );
          }
          // 6. Read once.
          const reading = reader.read(schema, document, operation);
          if (!reading.read) throw gatewayError('GRAPHQL_VALIDATION_FAILED', 'The operation is estimated to cost more than the limit.');
          context.reading = reading;
          // 7. The request's inputs.
          const inputs = readInputs(reading, request.variables ?? {});
          if (inputs.problems.length > 0) throw gatewayError('BAD_USER_INPUT', inputs.problems.join(' '));
          context.inputs = inputs;
          // 8. Decide.
          if (!options.authenticating) {
            context.decision = { identity: null, role: null, grantee: DEVELOPMENT_GRANTEE, personal: reading.personal, authorized: authorize(reading, DEVELOPMENT_GRANTEE) };
          } else {
            const verdict = decide({ reading, inputs, identity: context.identity, authorize, ...(options.serves ? { serves: options.serves } : {}), ...(options.usesOf ? { usesOf: options.usesOf } : {}) });
            context.decision = verdict.decision;
            if (!verdict.allowed) {
              // 9. A denial of personal data to a known caller is recorded once; the refusal stands either way.
              if (record && reading.personal && context.identity) {
                await record(askedAccess(facts(context, reading, inputs, source), 'denied')).catch((error: unknown) =>
                  log.error({ code: 'AUDIT_UNAVAILABLE' }, `AUDIT_UNAVAILABLE: a denial could not be recorded: ${describeForLog(error)}`),
                );
              }
              throw gatewayError(verdict.code, verdict.reason, verdict.code === 'UNAUTHENTICATED' ? { headers: { 'www-authenticate': 'Bearer' } } : {});
            }
          }
          // 10. Write-ahead: a write to personal data has its intent on the trail before it is made.
          const decision = context.decision;
          if (operation.operation === 'mutation' && decision.personal && writesRemain(reading, decision.authorized)) {
            if (!record) context.intent = NO_TRAIL_INTENT;
            else {
              try {
                await record(askedAccess(facts(context, reading, inputs, source), 'intent', decision.authorized?.deniedFields));
              } catch (error) {
                log.error({ code: 'AUDIT_UNAVAILABLE' }, `AUDIT_UNAVAILABLE: a write's intent could not be recorded: ${describeForLog(error)}`);
                throw gatewayError('AUDIT_UNAVAILABLE', 'Writes to personal data are not made while the access trail cannot record them.');
              }
              context.intent = context.requestId;
            }
          }
        },
        // 12–14. Consolidate, record, answer (fail closed); the answer is counted and logged as it then leaves.
        async willSendResponse({ contextValue: context, response, source, operation, request }) {
          try {
            await recordAnswer(context, response, source);
          } finally {
            if (metrics || requestLog) {
              const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
              const answered = {
                operationName: operation ? (operation.name?.value ?? null) : request.operationName,
                executed: result.data !== undefined,
                status: response.http.status ?? 200,
                errorCodes: (result.errors ?? []).map((e) => e.extensions?.['code']),
                seconds: (performance.now() - context.arrivedAt) / 1_000,
              };
              metrics?.answered(answered);
              requestLog?.answered({
                ...answered,
                requestId: context.requestId,
                traceId: context.traceId,
                tenant: context.identity?.tenant ?? null,
                role: context.decision?.role ?? null,
                documentHash: source ? documentHash(source) : null,
              });
            }
          }
        },
      };
    },
  };

  async function recordAnswer(context: GatewayContext, response: GraphQLResponse, source: string | undefined): Promise<void> {
    if (!record || response.body.kind !== 'single') return;
    const { reading, inputs, decision } = context;
    // Refused before execution: the refusal was recorded by stage 9 (or is not personal).
    if (!reading || !inputs || !decision || response.body.singleResult.data === undefined) return;
    if (!reading.personal && context.reported.size === 0) return;
    const result = response.body.singleResult as { data?: Record<string, unknown> | null; errors?: readonly import('graphql').GraphQLFormattedError[] };
    const access = answeredAccess(facts(context, reading, inputs, source), context.reported, decision.authorized?.deniedFields ?? [], result);
    try {
      await record(access);
    } catch (error) {
      log.error({ code: 'AUDIT_UNAVAILABLE' }, `AUDIT_UNAVAILABLE: ${describeForLog(error)}`);
      withholdPersonal(result, reading);
    }
  }
}

/** Whether any personal root field of a mutation is left to run after the refused ones are taken out. */
function writesRemain(reading: OperationReading, authorized: AuthorizedOperation | undefined): boolean {
  if (!authorized) return true;
  if (authorized.nothingLeft) return false;
  const refusedRoots = new Set(authorized.denials.filter((d) => d.path.length === 1).map((d) => d.path[0]));
  return reading.personalRootKeys.some((key) => !refusedRoots.has(key));
}

// ─── Stage 11: each subgraph call ────────────────────────────────────────────────────────────

/** Each request's decision key (subgraphDedup.ts), worked out at its first subgraph call: the heavy query makes 18. */
const decisionKeys = new WeakMap<GatewayContext, string>();
const remembered = (context: GatewayContext, key: string) => (decisionKeys.set(context, key), key);

/**
 * The data-source hooks of one subgraph: the internal token for that subgraph and that exact
 * request, carrying the decision; and, on the answer, the subgraph's reports taken in (and out of
 * what any client sees). With `sharing`, a read names the key under which identical requests in
 * flight may share one fetch, and its token is left for the fetcher to sign if it is the one sent
 * (subgraphDedup.ts).
 */
export function subgraphCall(name: string, signer: InternalTokenSigner, authenticating: boolean, sharing?: DeferredTokens) {
  return {
    willSendRequest: async ({ request, context }: { request: { query?: string; variables?: Record<string, unknown>; http?: { headers: { set(name: string, value: string): void } } }; context: GatewayContext }) => {
      // Client headers (Authorization included) are not forwarded; only ours are.
      if (!context.requestId) return;
      const left = context.deadlineAt - Date.now();
      // A spent budget: the subgraph would only answer "timed out"; do not ask it.
      if (left <= 0) throw attributedToSubgraph(name, new DOMException('the request budget is spent', 'TimeoutError'));
      const decision = context.decision;
      const identity = decision?.identity ?? null;
      const sign = () =>
        signer.sign({
          audience: name,
          requestHash: subgraphRequestHash(request.query ?? '', request.variables),
          actor: identity?.actor ?? null,
          role: decision?.role ?? null,
          scopes: [...(decision?.grantee.scopes ?? [])],
          uses: [...(decision?.grantee.purposeUses ?? [])],
          tenant: identity?.tenant ?? null,
          purpose: identity?.purpose ?? null,
          personal: decision?.personal ?? false,
          requestId: context.requestId,
          intent: context.intent,
          // Only a write has use for it; a read is the same however often it is asked.
          idempotencyKey: context.intent ? context.idempotencyKey : null,
          development: !authenticating,
        });
      // Each subgraph call is a span of the request's trace, under the gateway's: Apollo's fetch
      // span when traces are exported (this runs within it), else one named here.
      request.http?.headers.set(TRACEPARENT_HEADER, activeTraceparent() ?? traceparent(context.traceId, newSpanId(), context.traceSampled));
      request.http?.headers.set(REQUEST_BUDGET_HEADER, String(left));
      const key =
        sharing && mayShare(request.query ?? '', context.intent)
          ? decisionKeys.get(context) ??
            remembered(
              context,
              decisionKey({
                actor: identity?.actor ?? null,
                role: decision?.role ?? null,
                scopes: decision?.grantee.scopes ?? [],
                tenant: identity?.tenant ?? null,
                purpose: identity?.purpose ?? null,
                personal: decision?.personal ?? false,
                development: !authenticating,
              }),
            )
          : undefined;
      if (!sharing || !key) {
        request.http?.headers.set(INTERNAL_TOKEN_HEADER, await sign());
        return;
      }
      // A read that may join an identical one in flight: its token is signed by the fetcher, and
      // only if this request is the one sent (subgraphDedup.ts). The variables go in the body,
      // which the key is compared with; neither header is ever sent.
      request.http?.headers.set(SHARING_KEY_HEADER, key);
      request.http?.headers.set(DEFERRED_TOKEN_HEADER, sharing.defer(sign));
    },
    didReceiveResponse: <R extends { extensions?: Record<string, unknown> }>({ response, context }: { response: R; context: GatewayContext }): R => {
      const stale = response.extensions?.[SUBGRAPH_STALE_EXTENSION];
      if (Array.isArray(stale)) for (const system of stale) if (typeof system === 'string') context.stale?.add(system);
      if (context.reported) mergeAccessReport(context.reported, response.extensions?.[SUBGRAPH_ACCESS_EXTENSION]);
      // Subgraph reports are for the gateway alone; none reaches a client.
      if (response.extensions) {
        delete response.extensions[SUBGRAPH_STALE_EXTENSION];
        delete response.extensions[SUBGRAPH_ACCESS_EXTENSION];
      }
      return response;
    },
  };
}
