/**
 * Traces, end to end: the whole house in this process with its OTEL_* settings pointing at an
 * OTLP/HTTP receiver started here, one citizen overview asked with a client's traceparent, and
 * what reached the receiver read back: one trace, the client's, with spans of the gateway, each
 * subgraph and each legacy call, forming one tree under the client's span. And, without the
 * settings, nothing: no provider, no export.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { buildWorld } from '../../simulators/data/world';
import { startTracing, tracingRegistered } from '../../runtime/tracing';
import { createJsonClient } from '../../adapters/core/restClient';
import { createSoapPersonRegistry } from '../../adapters/cpr';
import { CPR_SERVICE_PATH, startCprSimulator } from '../../simulators/cpr/server';
import { startDarSimulator } from '../../simulators/dar/server';
import { startCapturingProxy } from '../support/capturingProxy';
import { loadTracingSettings } from '../../runtime/tracingSettings';
import { noLatency, postGraphQL } from '../support/graphql';

interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number };
}

/** An OTLP/HTTP receiver (JSON): keeps every span posted to /v1/traces, with its resource's service.name. */
async function startReceiver(): Promise<{ url: string; spans: ExportedSpan[]; posts: number; close(): Promise<void> }> {
  const received = { spans: [] as ExportedSpan[], posts: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      received.posts++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            received.spans.push({
              service: String(resource['service.name']),
              traceId: hexId(span.traceId),
              spanId: hexId(span.spanId),
              parentSpanId: span.parentSpanId ? hexId(span.parentSpanId) : '',
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
              status: span.status ?? {},
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get spans() {
      return received.spans;
    },
    get posts() {
      return received.posts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[]; status?: { code?: number } }[] }[];
  }[];
}
type OtlpAttribute = { key: string; value: Record<string, unknown> };

function attributesOf(attributes: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));
}

/** OTLP/JSON writes ids in hex; a base64 one (protobuf's JSON mapping) is turned into hex. */
function hexId(id: string): string {
  return /^[0-9a-f]+$/.test(id) && (id.length === 32 || id.length === 16) ? id : Buffer.from(id, 'base64').toString('hex');
}

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const UNSAMPLED_TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('traces exported over OTLP', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let spans: ExportedSpan[];
  let answer: Awaited<ReturnType<typeof postGraphQL>>;
  let unsampled: Awaited<ReturnType<typeof postGraphQL>>;
  let person: { cpr: string; givenName: string; familyName: string };

  beforeAll(async () => {
    receiver = await startReceiver();
    const tracing = loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, 'test');
    const stack = await startLocalStack({ latencyMs: noLatency, tracing });
    try {
      expect(tracingRegistered()).toBe(true);
      person = sampleCitizens(stack.world).get('0101')!;
      answer = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) }, { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` });
      // A client that does not sample its trace: followed (parentbased_always_on), nothing recorded.
      unsampled = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) }, { traceparent: `00-${UNSAMPLED_TRACE}-${CLIENT_SPAN}-00` });
    } finally {
      // Closing flushes every part's exporter: what the request made is at the receiver after it.
      await stack.close();
    }
    spans = receiver.spans;
    // TRACE_DUMP=1 prints the tree, for a person changing what spans there are.
    if (process.env['TRACE_DUMP']) {
      const byParent = (id: string, depth: number): string[] => spans.filter((s) => s.parentSpanId === id).flatMap((s) => [`${'  '.repeat(depth)}${s.service}: ${s.name} ${JSON.stringify(s.attributes)} ${JSON.stringify(s.status)}`, ...byParent(s.spanId, depth + 1)]);
      console.log(byParent(CLIENT_SPAN, 0).join('\n'));
    }
  });
  afterAll(() => receiver.close());

  it('answers the overview, and stops exporting with the stack', () => {
    expect(answer.status).toBe(200);
    expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
    expect(tracingRegistered()).toBe(false);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('exports one trace, the client\'s, with spans from the gateway, every subgraph asked and every legacy system called', () => {
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([CLIENT_TRACE]));
    const names = (service: string) => spans.filter((s) => s.service === service).map((s) => s.name);
    expect(names('gateway')).toEqual(expect.arrayContaining(['POST /graphql', 'gateway.request', 'gateway.plan', 'gateway.execute', 'gateway.fetch']));
    for (const subgraph of ['citizen', 'case', 'property']) {
      expect(names(`subgraph:${subgraph}`), subgraph).toContain('POST /graphql');
    }
    const legacy = spans.filter((s) => s.attributes['legacy.system'] !== undefined);
    const systems = new Set(legacy.map((s) => s.attributes['legacy.system']));
    for (const system of ['cpr', 'case-index', 'dar', 'bbr']) expect(systems, system).toContain(system);
    const cpr = legacy.find((s) => s.attributes['legacy.system'] === 'cpr')!;
    expect(cpr).toMatchObject({ service: 'subgraph:citizen', name: 'cpr PersonLookup', kind: 3, attributes: { 'legacy.operation': 'PersonLookup', municipality: 'national', 'legacy.outcome': 'ok' } });
    expect(legacy.find((s) => s.attributes['legacy.system'] === 'dar')).toMatchObject({ service: 'subgraph:property', name: 'dar GET DAR/DAR/1/rest/adresse' });
    for (const span of legacy) expect(span.attributes['municipality']).toMatch(/^(\d{4}|national)$/);
  });

  it('forms one tree: every parent is in the trace, but the root\'s, which is the client\'s span', () => {
    const ids = new Set(spans.map((s) => s.spanId));
    expect(ids.size).toBe(spans.length);
    const roots = spans.filter((s) => !ids.has(s.parentSpanId));
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ service: 'gateway', name: 'POST /graphql', parentSpanId: CLIENT_SPAN, kind: 2 });
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    // Each subgraph's server span is a child of the gateway's fetch span, or of its prefetch span
    // for a fetch made early (gateway/prefetch.ts: the overview's cases), itself under the request's;
    // each legacy span of its own subgraph's server span.
    const subgraphSpans = spans.filter((s) => s.service.startsWith('subgraph:') && s.name === 'POST /graphql');
    for (const span of subgraphSpans) {
      expect(byId.get(span.parentSpanId)).toMatchObject({ service: 'gateway', name: expect.stringMatching(/^gateway\.(fetch|prefetch)$/) });
    }
    const early = spans.filter((s) => s.name === 'gateway.prefetch');
    expect(early.map((s) => s.attributes['service'])).toEqual(['case']);
    expect(byId.get(early[0]!.parentSpanId)?.name).toBe('gateway.request');
    expect(subgraphSpans.filter((s) => byId.get(s.parentSpanId)?.name === 'gateway.fetch').length).toBeGreaterThan(0);
    for (const span of spans.filter((s) => s.attributes['legacy.system'] !== undefined)) {
      const ancestors: ExportedSpan[] = [];
      for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) ancestors.push(at);
      expect(ancestors.find((a) => a.name === 'POST /graphql')?.service).toBe(span.service);
    }
    expect(byId.get(spans.find((s) => s.name === 'gateway.plan')!.parentSpanId)?.name).toBe('gateway.request');
    // An answer without errors has no span in error.
    expect(spans.filter((s) => s.status.code === 2)).toEqual([]);
  });

  it('answers with a traceparent naming the gateway\'s server span', () => {
    const root = spans.find((s) => s.parentSpanId === CLIENT_SPAN)!;
    expect(answer.headers.get('traceparent')).toBe(`00-${CLIENT_TRACE}-${root.spanId}-01`);
    expect(root.attributes['kommunegraph.request_id']).toBe(answer.headers.get('x-request-id'));
    expect(root.attributes['http.response.status_code']).toBe(200);
  });

  it('records nothing of a trace the client does not sample, and still answers with its trace id', () => {
    expect(unsampled.status).toBe(200);
    expect(unsampled.headers.get('traceparent')).toMatch(new RegExp(`^00-${UNSAMPLED_TRACE}-[0-9a-f]{16}-00$`));
    expect(spans.filter((s) => s.traceId === UNSAMPLED_TRACE)).toEqual([]);
  });

  it('puts no CPR number and no name in any span', () => {
    // What a span says, its ids (hex, digits in runs) aside.
    const text = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status]));
    for (const secret of [person.cpr, formatCpr(person.cpr), person.givenName, person.familyName]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/(?<!\d)\d{6}-?\d{4}(?!\d)/);
  });
});

describe('traces when no OTEL variable asks for them', () => {
  it('registers no provider and exports nothing; the traceparent still names the client\'s trace', async () => {
    const receiver = await startReceiver();
    const stack = await startLocalStack({ latencyMs: noLatency, tracing: loadTracingSettings({}, 'test') });
    try {
      expect(tracingRegistered()).toBe(false);
      expect((trace.getTracerProvider() as unknown as { getDelegate(): object }).getDelegate().constructor.name).toBe('NoopTracerProvider');
      const person = sampleCitizens(buildWorld()).get('0101')!;
      const { status, headers } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) }, { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` });
      expect(status).toBe(200);
      expect(headers.get('traceparent')).toMatch(new RegExp(`^00-${CLIENT_TRACE}-(?!${CLIENT_SPAN})[0-9a-f]{16}-01$`));
    } finally {
      await stack.close();
      await receiver.close();
    }
    expect(receiver.posts).toBe(0);
  });
});

describe('legacy requests of a traced call', () => {
  it('carry the traceparent of the legacy call\'s span, over SOAP and over REST; failures set the status; CPR shapes are masked', async () => {
    const receiver = await startReceiver();
    const world = buildWorld();
    const [cprSimulator, darSimulator] = await Promise.all([startCprSimulator({ world }), startDarSimulator({ world })]);
    const [cprProxy, darProxy] = await Promise.all([startCapturingProxy(`${cprSimulator.url}${CPR_SERVICE_PATH}`), startCapturingProxy(`${darSimulator.url}/`)]);
    const tracing = await startTracing(loadTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, 'test'), 'subgraph:test');
    const registry = createSoapPersonRegistry({
      wsdl: `${cprProxy.url}?wsdl`,
      endpoint: cprProxy.url,
      invocationContext: {
        serviceAgreementUuid: '6a3c2f0e-1d4b-4c8a-9e7f-2b5d8c1a4e60',
        userSystemUuid: '0f5e8d2c-7b1a-4e3d-8c6f-9a2b4d1e7c35',
        userUuid: '3b7e1c9d-5f2a-4d8e-a6c1-8e4f2b9d6a17',
        serviceUuid: '1b2d3f4a-5c6e-4f80-9a1b-2c3d4e5f6a7b',
      },
    });
    const dar = createJsonClient({ system: 'dar', baseUrl: darProxy.url });
    try {
      // As in a subgraph's request: a span of the caller's trace is active.
      const caller = trace.setSpanContext(ROOT_CONTEXT, { traceId: CLIENT_TRACE, spanId: CLIENT_SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });
      await context.with(caller, async () => {
        await registry.lookup(sampleCitizens(world).get('0101')!.cpr, { tenant: '0101' });
        await dar.get('DAR/DAR/1/rest/adresse?Id=0a3f50a0-0000-4000-8000-000000000000&format=JSON').catch(() => undefined);
        cprSimulator.setFault('fault');
        await registry.lookup(sampleCitizens(world).get('0101')!.cpr, { tenant: '0101' }).catch(() => undefined);
        // As Apollo's spans carry a client's operation name, whatever the client wrote into it.
        trace.getTracer('a-library').startSpan('query Find0101601234', { attributes: { 'graphql.operation.name': 'Find010160-1234' } }).end();
      });
    } finally {
      registry.soap.close();
      await dar.close();
      await tracing?.close();
      await Promise.all([cprProxy.close(), darProxy.close(), cprSimulator.close(), darSimulator.close()]);
    }
    await receiver.close();
    const sent = (captured: { headers: Record<string, unknown>; body: string }[]) => captured.filter((c) => c.headers['traceparent'] !== undefined).map((c) => c.headers['traceparent']);
    const spanOf = (system: string) => receiver.spans.find((s) => s.attributes['legacy.system'] === system)!;
    const [answered, faulted] = receiver.spans.filter((s) => s.attributes['legacy.system'] === 'cpr');
    expect(answered).toMatchObject({ service: 'subgraph:test', parentSpanId: CLIENT_SPAN, attributes: { municipality: '0101', 'legacy.outcome': 'ok' }, status: {} });
    // A failure is the span's status, said by its outcome; an answer ("not found" included) is not.
    expect(faulted).toMatchObject({ attributes: { 'legacy.outcome': 'fault' }, status: { code: 2, message: 'fault' } });
    expect(sent(cprProxy.captured)).toEqual([answered, faulted].map((s) => `00-${CLIENT_TRACE}-${s!.spanId}-01`));
    expect(sent(darProxy.captured)).toEqual([`00-${CLIENT_TRACE}-${spanOf('dar').spanId}-01`]);
    expect(receiver.spans.find((s) => s.name.startsWith('query '))).toMatchObject({ name: 'query Find[cpr]', attributes: { 'graphql.operation.name': 'Find[cpr]' } });
    expect(tracingRegistered()).toBe(false);
  });
});
