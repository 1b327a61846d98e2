/**
 * What the gateway measures, defined here and nowhere else (prom-client 15): requests by
 * operation and outcome, subgraph fetches, rate-limit refusals, failed authentications, and the
 * access trail's appends. Each gateway has a registry of its own; its metrics listener
 * (runtime/metrics.ts, METRICS_PORT) serves it with the process's series. The catalogue, with
 * every label and its values, is docs/operators.md#metrics.
 *
 * Label values are bounded and never personal. Operation names are the client's choice, so they
 * are labels only when vouched for: with trusted documents, the names of the manifest's
 * operations; otherwise the first `maxOperationNames` names of operations the gateway executed
 * (read, validated and allowed: a refused or unauthenticated caller cannot fill the set), every
 * later one `(other)`. A name that is not a plain GraphQL name, is long, or holds six digits in a
 * row (a client could write a birth date or a CPR number into it) is `(other)` too; an operation
 * without a name is `(anonymous)`. Error codes are those of gateway/errors.ts.
 */
import type { Fetcher } from '@apollo/utils.fetcher';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditTrail } from '../audit';
import { gatewayDefaults } from './config';
import { isGatewayErrorCode } from './errors';

/** How a request ended, as the pipeline decided it. */
export type RequestOutcome =
  /** Executed, no errors. */
  | 'ok'
  /** Executed, with errors: some fields null (a system down, a field refused, personal data withheld). */
  | 'partial'
  /** Refused as a whole before execution for the caller's reasons (4xx, or a refusal Apollo answers with 200). */
  | 'refused'
  /** Failed as a whole for the server's reasons (5xx). */
  | 'error';

/** How a fetch of a subgraph ended, at the transport: its GraphQL errors are the requests' to count. */
export type SubgraphFetchOutcome = 'ok' | 'http_error' | 'timeout' | 'unavailable';

/** One fetch of a subgraph as it ended (until the answer's headers), classified as it is counted. */
export interface SubgraphFetch {
  subgraph: string;
  outcome: SubgraphFetchOutcome;
  /** The HTTP status; undefined when no answer came. */
  status: number | undefined;
  seconds: number;
}

/** Which limit refused a request (pipeline.ts `createAdmission`). */
export type RateLimitName =
  /** Requests per municipality (else actor, else client address). */
  | 'requests'
  /** Failed authentications per client address and claimed subject. */
  | 'failed_authentications'
  /** Failed authentications in all. */
  | 'unverified_tokens';

/** Fixed operation labels, besides the vouched-for names. */
export const OPERATION_LABELS = { anonymous: '(anonymous)', other: '(other)' } as const;

export interface GatewayMetricsOptions {
  /** Distinct operation names counted before the rest are `(other)` (without trusted documents). @default 100 (gatewayDefaults.metrics) */
  maxOperationNames?: number;
  /** With trusted documents: the names of the manifest's operations, the only names counted. */
  trustedOperationNames?: ReadonlySet<string>;
}

/** One answered request, as the pipeline (or the HTTP layer, refusing before Apollo) saw it. */
export interface AnsweredRequest {
  /** The operation's name as the client gave it, or the resolved operation's; null or undefined: none. */
  operationName: string | null | undefined;
  /** Whether the operation was executed (planned and run): only then may its name become a label. */
  executed: boolean;
  /** The HTTP status of the answer. */
  status: number;
  /** The codes of the answer's errors, in order (none: no errors). */
  errorCodes: readonly unknown[];
  /** From the request's arrival to its answer. */
  seconds: number;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  answered(request: AnsweredRequest): void;
  /** `fetcher` with every call timed and counted as a fetch of `subgraph`, and told to `observe` (the request log). */
  timeFetches(subgraph: string, fetcher: Fetcher, observe?: (fetch: SubgraphFetch) => void): Fetcher;
  rateLimited(limit: RateLimitName): void;
  /** A bearer token that did not verify (stage 3). */
  authenticationFailed(): void;
  /** Measures the trail's appends and backlog until the returned detach is called. */
  observeTrail(trail: Pick<AuditTrail, 'onAppend' | 'backlog'>): () => void;
}

/** The outcome and the one code a request is counted under. */
export function requestOutcome(request: Pick<AnsweredRequest, 'executed' | 'status' | 'errorCodes'>): { outcome: RequestOutcome; code: string } {
  const first = request.errorCodes[0];
  const code = request.errorCodes.length === 0 ? 'none' : codeLabel(first);
  if (request.executed) return { outcome: request.errorCodes.length === 0 ? 'ok' : 'partial', code };
  if (request.errorCodes.length === 0) return { outcome: 'ok', code };
  return { outcome: request.status >= 500 ? 'error' : 'refused', code };
}

/** A code as a label: one of the registry's (gateway/errors.ts), else INTERNAL_SERVER_ERROR (what masking makes of it). */
function codeLabel(code: unknown): string {
  return isGatewayErrorCode(code) ? code : 'INTERNAL_SERVER_ERROR';
}

/** The first operation's name as written at the start of a document (ignored characters and comments skipped). */
const FIRST_OPERATION_NAME = /^(?:[\s,\ufeff]|#[^\n\r]*)*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

/**
 * The name of a request refused before its document was read (authentication, rate limits): the
 * `operationName` it gave, else the name its text starts with. Not a reading of the operation,
 * which such a request never gets; only a label, and one that counts only when already vouched
 * for (`operationLabeler`), so a guess can do no harm.
 */
export function claimedOperationName(request: { operationName?: string; query?: string } | undefined): string | undefined {
  if (!request) return undefined;
  return request.operationName ?? (request.query ? FIRST_OPERATION_NAME.exec(request.query.slice(0, 1_000))?.[1] : undefined);
}

/** Whether a client's operation name may be a label at all. */
function presentable(name: string): boolean {
  return name.length <= 64 && /^[_A-Za-z][_0-9A-Za-z]*$/.test(name) && !/\d{6}/.test(name);
}

/**
 * The bounded operation label of a request (see the module comment): `executed` admits a new
 * name while there is room; a request refused before execution only ever gets a name already
 * admitted (or a trusted one).
 */
export function operationLabeler(options: GatewayMetricsOptions = {}): (name: string | null | undefined, executed: boolean) => string {
  const max = options.maxOperationNames ?? gatewayDefaults.metrics.maxOperationNames;
  const trusted = options.trustedOperationNames;
  const admitted = new Set<string>();
  return (name, executed) => {
    if (name === null || name === undefined || name === '') return OPERATION_LABELS.anonymous;
    if (!presentable(name)) return OPERATION_LABELS.other;
    if (trusted) return trusted.has(name) ? name : OPERATION_LABELS.other;
    if (admitted.has(name)) return name;
    if (!executed || admitted.size >= max) return OPERATION_LABELS.other;
    admitted.add(name);
    return name;
  };
}

export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const operationLabel = operationLabeler(options);
  const trails = new Set<Pick<AuditTrail, 'backlog'>>();

  const requests = new Counter({
    name: 'kommunegraph_gateway_requests_total',
    help: 'GraphQL requests answered, by operation, outcome (ok, partial, refused, error) and the code of the first error (none when there was none).',
    labelNames: ['operation', 'outcome', 'code'] as const,
    registers,
  });
  const durations = new Histogram({
    name: 'kommunegraph_gateway_request_duration_seconds',
    help: 'GraphQL requests from arrival to answer, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    // The request budget is 3 s by default; refusals take milliseconds.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers,
  });
  const errors = new Counter({
    name: 'kommunegraph_gateway_response_errors_total',
    help: 'Errors in GraphQL answers, by code: a partial answer counts each of its errors.',
    labelNames: ['code'] as const,
    registers,
  });
  const fetches = new Histogram({
    name: 'kommunegraph_gateway_subgraph_fetch_duration_seconds',
    help: 'Fetches of subgraphs, until the answer\'s headers, by subgraph and outcome (ok, http_error, timeout, unavailable).',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers,
  });
  const limited = new Counter({
    name: 'kommunegraph_gateway_rate_limited_total',
    help: 'Requests refused with RATE_LIMITED, by the limit that refused them (requests, failed_authentications, unverified_tokens).',
    labelNames: ['limit'] as const,
    registers,
  });
  const unauthenticated = new Counter({
    name: 'kommunegraph_gateway_authentication_failures_total',
    help: 'Bearer tokens that did not verify (malformed, expired, wrong issuer or audience, bad signature).',
    registers,
  });
  const appends = new Histogram({
    name: 'kommunegraph_trail_append_duration_seconds',
    help: 'Append statements of the access trail (one commit each, grouping the requests that arrived meanwhile), by outcome (committed, failed).',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const appendedRecords = new Counter({
    name: 'kommunegraph_trail_appended_records_total',
    help: 'Access records in append statements, by outcome (committed, failed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  new Gauge({
    name: 'kommunegraph_trail_append_queue_length',
    help: 'Requests whose access records wait for an append statement to take them.',
    registers,
    collect() {
      let queued = 0;
      for (const trail of trails) queued += trail.backlog().queuedRequests;
      this.set(queued);
    },
  });
  new Gauge({
    name: 'kommunegraph_trail_uncommitted_records',
    help: 'Access records handed to the trail and not yet committed (queued or in an append in flight): answers waiting on the trail.',
    registers,
    collect() {
      let records = 0;
      for (const trail of trails) records += trail.backlog().uncommittedRecords;
      this.set(records);
    },
  });

  return {
    registry,
    answered(request) {
      const operation = operationLabel(request.operationName, request.executed);
      const { outcome, code } = requestOutcome(request);
      requests.inc({ operation, outcome, code });
      durations.observe({ operation, outcome }, request.seconds);
      for (const errorCode of request.errorCodes) errors.inc({ code: codeLabel(errorCode) });
    },
    timeFetches: (subgraph, fetcher, observe) => async (url, init) => {
      const started = performance.now();
      const ended = (outcome: SubgraphFetchOutcome, status: number | undefined) => {
        const seconds = (performance.now() - started) / 1_000;
        fetches.observe({ subgraph, outcome }, seconds);
        observe?.({ subgraph, outcome, status, seconds });
      };
      try {
        const response = await fetcher(url, init);
        ended(response.ok ? 'ok' : 'http_error', response.status);
        return response;
      } catch (error) {
        const name = (error as { name?: unknown } | null)?.name;
        ended(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unavailable', undefined);
        throw error;
      }
    },
    rateLimited: (limit) => limited.inc({ limit }),
    authenticationFailed: () => unauthenticated.inc(),
    observeTrail(trail) {
      trails.add(trail);
      const detach = trail.onAppend((append) => {
        const outcome = append.committed ? 'committed' : 'failed';
        appends.observe({ outcome }, append.seconds);
        appendedRecords.inc({ outcome }, append.records);
      });
      return () => {
        trails.delete(trail);
        detach();
      };
    },
  };
}
