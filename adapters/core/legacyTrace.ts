/**
 * Each legacy call as a client span of the request it serves, and the traceparent its HTTP
 * request carries, so a legacy system's own logs (or its gateway's) can be joined to our trace.
 * Only when the request is traced: the subgraph's server span is active (the process exports
 * traces); otherwise the call runs as it is, with no span and no extra header.
 *
 * What a span says is what the legacy metrics and log lines say: the system, the operation (a
 * SOAP operation, or a REST method and path with its identifiers written `{id}`), the
 * kommunekode, the outcome. Never an argument, an answer, a URL's query or a credential.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { outcomeOf } from './resilience';

const tracer = trace.getTracer('kommune-graph/adapters');

/** Outcomes that are answers, not failures: the span is not in error for them. */
const ANSWERS = new Set(['ok', 'not_found']);

export interface TracedCall {
  system: string;
  operation: string;
  /** Municipality code; national systems have none. */
  tenant: string | undefined;
}

/** Runs `run` (retries and backoff included) within a span of the call, when the request is traced. */
export function tracedLegacyCall<T>(call: TracedCall, run: () => Promise<T>): Promise<T> {
  if (!trace.getActiveSpan()) return run();
  const municipality = call.tenant === undefined ? 'national' : /^\d{4}$/.test(call.tenant) ? call.tenant : 'other';
  return tracer.startActiveSpan(
    `${call.system} ${call.operation}`,
    { kind: SpanKind.CLIENT, attributes: { 'legacy.system': call.system, 'legacy.operation': call.operation, municipality } },
    async (span) => {
      try {
        const result = await run();
        span.setAttribute('legacy.outcome', 'ok');
        return result;
      } catch (error) {
        const outcome = outcomeOf(error);
        span.setAttribute('legacy.outcome', outcome);
        // The code, never the error's message: an unexpected error's text is nobody's to export.
        if (!ANSWERS.has(outcome)) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The trace headers naming the span active here (a legacy call's), to send; undefined when not traced. */
export function traceHeaders(): Record<string, string> | undefined {
  if (!trace.getActiveSpan()) return undefined;
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}
