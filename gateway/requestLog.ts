/**
 * The gateway's log lines about traffic (runtime/log.ts writes them): one `request` line per
 * answered request, at its end, and one `subgraph-call` line per fetch of a subgraph (debug).
 * They are told what metrics are told, from the same places (pipeline.ts, the HTTP layer's
 * refusals, metrics.ts `timeFetches`), and classify with metrics' own rule (`requestOutcome`):
 * a line and a series never disagree on how a request ended.
 *
 * Nothing personal: ids, the tenant's kommunekode, the role, the operation's name (masked like
 * any text) and the hash of its document; never variables, arguments or answers.
 * Fields: docs/operators.md#logs.
 */
import type { Logger } from '../runtime/log';
import { requestOutcome, type AnsweredRequest, type SubgraphFetch } from './metrics';

/** One answered request, as the pipeline (or the HTTP layer, refusing before Apollo) saw it. */
export interface LoggedRequest extends AnsweredRequest {
  /** The gateway's id for the request (`x-request-id`); undefined when refused before Apollo. */
  requestId: string | undefined;
  /** The W3C trace id: the client's traceparent, or one the gateway made. */
  traceId: string | undefined;
  /** The municipality of the caller's verified token, or null. */
  tenant: string | null;
  /** The one effective role decided for the request, or null. */
  role: string | null;
  /** sha256 of the document's text (as trusted documents name it), or null without one. */
  documentHash: string | null;
}

export interface RequestLog {
  answered(request: LoggedRequest): void;
  fetched(fetch: SubgraphFetch): void;
}

/** Longest operation name written; longer ones are cut (a name is the client's choice). */
const MAX_OPERATION_NAME = 100;

export function createRequestLog(log: Logger): RequestLog {
  return {
    answered(request) {
      const { outcome } = requestOutcome(request);
      const operationName = request.operationName ? request.operationName.slice(0, MAX_OPERATION_NAME) : null;
      const durationMs = Math.round(request.seconds * 10_000) / 10;
      const errorCodes = [...new Set(request.errorCodes.map((code) => (typeof code === 'string' ? code.slice(0, 64) : 'INTERNAL_SERVER_ERROR')))];
      const line = {
        kind: 'request',
        requestId: request.requestId,
        traceId: request.traceId,
        tenant: request.tenant,
        role: request.role,
        operationName,
        documentHash: request.documentHash,
        status: request.status,
        durationMs,
        outcome,
        errorCodes,
      };
      const message = `${operationName ?? '(anonymous)'} ${outcome} ${request.status} in ${durationMs} ms${errorCodes.length ? ` (${errorCodes.join(', ')})` : ''}`;
      // A failure of the server's own is worth a look; the error itself has its own line.
      if (outcome === 'error') log.warn(line, message);
      else log.info(line, message);
    },
    fetched(fetch) {
      const durationMs = Math.round(fetch.seconds * 10_000) / 10;
      log.debug(
        { kind: 'subgraph-call', subgraph: fetch.subgraph, outcome: fetch.outcome, status: fetch.status, durationMs },
        `subgraph ${fetch.subgraph} ${fetch.outcome}${fetch.status !== undefined ? ` ${fetch.status}` : ''} in ${durationMs} ms`,
      );
    },
  };
}
