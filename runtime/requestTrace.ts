/**
 * A request's place in its trace, when this process exports traces (runtime/tracing.ts): the
 * server span each traced part (`gateway`, `subgraph:<name>`) opens for a request, joined to the
 * caller's traceparent, and the ids the rest of the request takes from it, so the log lines, the
 * access records, the traceparent answered and the exported spans name one trace.
 *
 * Only @opentelemetry/api here: nothing of the SDK is loaded while tracing is off, and then every
 * function below is a look at an empty map or at the API's no-op context, no span made.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  createContextKey,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type TracerProvider,
} from '@opentelemetry/api';
import { parseTraceparent, traceparent, TRACEPARENT_HEADER, type TraceContext } from './traceContext';

/** Which part of the process a span belongs to, carried in the context down to every child span. */
const PART = createContextKey('kommune-graph part');

/** Every traced part of this process, in the order tracing started for them, with its provider. */
export const tracedParts = new Map<string, TracerProvider>();

/** The part a context belongs to, if a traced request's server span set one. */
export function partOf(ctx: Context): string | undefined {
  return ctx.getValue(PART) as string | undefined;
}

/**
 * Serves one request to `path` within a server span of `part`, when the part is traced; anything
 * else (another path, tracing off) is served as it is. The span ends when the answer is written.
 */
export function servedInSpan(part: string | undefined, path: string, req: IncomingMessage, res: ServerResponse, serve: () => Promise<void>): Promise<void> {
  const provider = part === undefined || tracedParts.size === 0 ? undefined : tracedParts.get(part);
  // The path alone, never the query: a GET carries its variables there.
  if (!provider || (req.url ?? '/').split('?')[0] !== path) return serve();
  const caller = parseTraceparent(req.headers[TRACEPARENT_HEADER]);
  // A fresh root, not the active context: under one process, the caller's own spans are active in
  // the socket's context, and the caller is known here by its header alone, as across a network.
  const parent = (caller ? trace.setSpanContext(ROOT_CONTEXT, remoteSpanContext(caller)) : ROOT_CONTEXT).setValue(PART, part);
  const method = req.method ?? 'GET';
  const span = provider.getTracer('kommune-graph').startSpan(
    `${method} ${path}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } },
    parent,
  );
  const ended = (status: number) => {
    span.setAttribute('http.response.status_code', status);
    // A server span is in error for the server's failures only; a refusal is the caller's (OTel's HTTP rule).
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    span.end();
  };
  return context.with(trace.setSpan(parent, span), serve).then(
    () => ended(res.statusCode),
    (error: unknown) => {
      ended(500);
      throw error;
    },
  );
}

function remoteSpanContext(caller: TraceContext) {
  return { traceId: caller.traceId, spanId: caller.parentId, traceFlags: caller.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
}

/** The ids of the span active here (a server span, a fetch span), or undefined when none is: tracing off. */
export function activeTrace(): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { traceId, spanId, sampled: (traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED };
}

/** The traceparent naming the span active here, for a call made from within it; undefined when tracing is off. */
export function activeTraceparent(): string | undefined {
  const active = activeTrace();
  return active && traceparent(active.traceId, active.spanId, active.sampled);
}

/** Adds facts (ids, codes; nothing personal) to the span active here; nothing when tracing is off. */
export function describeActiveSpan(attributes: Readonly<Record<string, string | number | boolean>>): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
