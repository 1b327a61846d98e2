/**
 * Exporting traces (OpenTelemetry, OTLP over HTTP as JSON), when runtime/tracingSettings.ts says
 * so: one tracer provider per part of the process (`gateway`, `subgraph:<name>`), each with the
 * part as its resource's service.name, so a trace shows which service did what even when
 * `npm start` or a test runs every part in one process.
 *
 * Libraries find tracers through the API's one global provider: @apollo/gateway makes its own
 * spans (gateway.request, gateway.plan, gateway.fetch, …) and the adapters theirs for each legacy
 * call. That global is a router: a span goes to the provider of the part whose request it is
 * made in (the part travels in the context from the request's server span, runtime/requestTrace.ts),
 * else to the part traced first. The router stays after the last part stops, routing to nobody:
 * a library that kept a tracer from it makes no recording spans.
 *
 * The SDK is loaded only here and only when tracing starts: off, the process holds no provider,
 * no exporter, no context manager.
 */
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { logger } from './log';
import { describeForLog, maskForLog } from './redact';
import { partOf, tracedParts } from './requestTrace';
import type { TracingSettings } from './tracingSettings';

/** How long a close waits for the last spans to be exported. */
const EXPORT_ON_CLOSE_MS = 1_500;

export interface RunningTracing {
  /** Where this part's spans are posted. */
  url: string;
  /** Exports what is left and stops the part's provider (once); the last part's close unregisters the globals. */
  close(): Promise<void>;
}

/**
 * Starts exporting `part`'s spans; undefined when the settings say tracing is off. `exporter`, for
 * tests in the same process as others, takes the spans in place of OTLP (each as it ends), through
 * the same router, so no library keeps a tracer of a provider of its own.
 */
export async function startTracing(settings: TracingSettings | undefined, part: string, exporter?: import('@opentelemetry/sdk-trace').SpanExporter): Promise<RunningTracing | undefined> {
  if (!settings) return undefined;
  if (tracedParts.has(part)) throw new Error(`tracing for ${part} is already started in this process`);
  const [sdk, { resourceFromAttributes }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const root = settings.sampler.endsWith('always_off')
    ? new sdk.AlwaysOffSampler()
    : settings.sampler.endsWith('traceidratio')
      ? new sdk.TraceIdRatioBasedSampler(settings.ratio)
      : new sdk.AlwaysOnSampler();
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName ?? part, 'kommunegraph.part': part }),
    sampler: settings.sampler.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root,
    spanProcessors: [
      spanCensor,
      exporter ? new sdk.SimpleSpanProcessor({ exporter }) : new sdk.BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: settings.url, headers: { ...settings.headers } }) }),
    ],
  });
  if (tracedParts.size === 0) await registerGlobals();
  tracedParts.set(part, provider);
  let closing: Promise<void> | undefined;
  const close = async () => {
    tracedParts.delete(part);
    // A collector that is down or slow must not hold a stop past its grace (runtime/shutdown.ts):
    // the last spans are given a moment, then given up, and the stop goes on either way.
    let timer: NodeJS.Timeout | undefined;
    const exported = await Promise.race([
      provider.shutdown().then(() => 'exported', (error: unknown) => `not exported (${describeForLog(error)})`),
      new Promise<string>((resolve) => (timer = setTimeout(resolve, EXPORT_ON_CLOSE_MS, `not exported within ${EXPORT_ON_CLOSE_MS} ms`))),
    ]);
    clearTimeout(timer);
    if (exported !== 'exported') logger({ component: 'tracing' }).warn(`${part}: the last spans were ${exported}, to ${settings.url}`);
    if (tracedParts.size === 0) unregisterGlobals();
  };
  return { url: settings.url, close: () => (closing ??= close()) };
}

/** Attributes holding ids the gateway made (runtime/log.ts keeps the same for its lines). */
const OUR_ID_ATTRIBUTES: ReadonlySet<string> = new Set(['kommunegraph.request_id']);

/**
 * The last net under "nothing personal in a span": every name and string attribute masked as log
 * lines are (runtime/redact.ts) before it is exported. Our spans carry ids, codes and system
 * names only; a client-chosen operation name (Apollo's spans have it) might carry a CPR number.
 */
export const spanCensor = {
  onStart() {},
  onEnding(span: Pick<Span, 'updateName' | 'setAttribute'> & { name: string; attributes: Record<string, unknown> }) {
    const name = maskForLog(span.name);
    if (name !== span.name) span.updateName(name);
    for (const [key, value] of Object.entries(span.attributes)) {
      // Ids we made (UUIDs) are no CPR numbers, whatever run of digits they happen to hold.
      if (typeof value === 'string' && !OUR_ID_ATTRIBUTES.has(key)) {
        const masked = maskForLog(value);
        if (masked !== value) span.setAttribute(key, masked);
      }
    }
  },
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** The global provider: each span to its part's provider (see the module comment). */
const router: TracerProvider = {
  getTracer(name, version, options) {
    const tracers = new Map<TracerProvider, Tracer>();
    const tracerIn = (ctx: Context): Tracer | undefined => {
      const provider = tracedParts.get(partOf(ctx) ?? '') ?? tracedParts.values().next().value;
      if (!provider) return undefined;
      let tracer = tracers.get(provider);
      if (!tracer) tracers.set(provider, (tracer = provider.getTracer(name, version, options)));
      return tracer;
    };
    const startSpan = (spanName: string, spanOptions?: SpanOptions, ctx: Context = context.active()): Span =>
      tracerIn(ctx)?.startSpan(spanName, spanOptions, ctx) ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    return {
      startSpan,
      // The API's overloads: (name, fn), (name, options, fn), (name, options, context, fn).
      startActiveSpan(spanName: string, ...rest: unknown[]) {
        const fn = rest.pop() as (span: Span) => unknown;
        const spanOptions = rest[0] as SpanOptions | undefined;
        const parent = (rest[1] as Context | undefined) ?? context.active();
        const span = startSpan(spanName, spanOptions, parent);
        return context.with(trace.setSpan(parent, span), fn, undefined, span);
      },
    } as Tracer;
  },
};

async function registerGlobals(): Promise<void> {
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator, setGlobalErrorHandler }] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
  ]);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  // The same router every time: libraries keep the tracers it gave them (the API's proxy caches them).
  trace.setGlobalTracerProvider(router);
  // A failed export (a collector down, refusing) is said in the log as any error is, class and
  // message, no stack; the answers never wait for it. The SDK's own default writes the stack.
  const lines = logger({ component: 'tracing' });
  setGlobalErrorHandler((error) => lines.warn(`spans could not be exported: ${describeForLog(error)}`));
}

function unregisterGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}

/** Whether this process has a tracer provider registered (tests: off by default means none). */
export function tracingRegistered(): boolean {
  return tracedParts.size > 0;
}
