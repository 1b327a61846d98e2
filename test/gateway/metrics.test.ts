/**
 * The metrics listener is there only when asked for, on loopback unless told otherwise, and its
 * settings are refused with messages that name them; the labels a client can influence stay
 * bounded and never carry personal data; a request's outcome is the pipeline's.
 * (What /metrics says after real traffic: test/e2e/metrics.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'node:net';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigInvalid, loadGatewayConfig, parseGatewayConfig } from '../../gateway/config';
import { claimedOperationName, createGatewayMetrics, OPERATION_LABELS, operationLabeler, requestOutcome } from '../../gateway/metrics';
import { documentHash, loadTrustedDocuments } from '../../gateway/plugins/trustedDocuments';
import { startGateway } from '../../gateway/server';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { loadMetricsListener } from '../../runtime/metrics';
import type { JWK } from 'jose';
import { parseExposition, scrape, total } from '../support/prometheus';

/** The addresses every server started during `work` was asked to listen on (net.Server#listen, which http servers use). */
async function listensDuring<T>(work: () => Promise<T>): Promise<{ result: T; listened: string[]; servers: Server[] }> {
  const spy = vi.spyOn(Server.prototype, 'listen');
  const seen = () => ({ listened: spy.mock.calls.map(([port, host]) => `${String(host)}:${String(port)}`), servers: spy.mock.contexts as Server[] });
  try {
    return { result: await work(), ...seen() };
  } catch (error) {
    throw Object.assign(error as Error, seen());
  } finally {
    spy.mockRestore();
  }
}

function configIssues(env: NodeJS.ProcessEnv): string[] {
  try {
    loadGatewayConfig(env, []);
  } catch (error) {
    if (error instanceof ConfigInvalid) return error.issues;
    throw error;
  }
  return [];
}

describe('metrics settings', () => {
  it('has no metrics listener by default, and loopback when METRICS_PORT asks for one', () => {
    expect(loadGatewayConfig({}, []).metrics).toEqual({ host: '127.0.0.1', maxOperationNames: 100 });
    expect(loadGatewayConfig({ METRICS_PORT: '9464' }, []).metrics).toEqual({ port: 9464, host: '127.0.0.1', maxOperationNames: 100 });
    expect(loadGatewayConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_MAX_OPERATIONS: '20' }, []).metrics).toEqual({ port: 9464, host: '0.0.0.0', maxOperationNames: 20 });
  });

  it('refuses what cannot be meant, naming the setting', () => {
    expect(configIssues({ METRICS_HOST: '0.0.0.0' })).toEqual(['metrics.host: METRICS_HOST is set but METRICS_PORT is not: metrics are served only on the port METRICS_PORT names']);
    expect(configIssues({ METRICS_PORT: 'nine' })).toEqual(['metrics.port: must be a port number, 0 to 65535 (METRICS_PORT)']);
    expect(configIssues({ METRICS_PORT: '70000' })).toEqual(['metrics.port: must be a port number, 0 to 65535 (METRICS_PORT)']);
    expect(configIssues({ METRICS_PORT: '4100', PORT: '4100' })).toEqual(['metrics.port: METRICS_PORT must differ from PORT (both 4100): metrics are served apart from the API']);
    expect(configIssues({ METRICS_MAX_OPERATIONS: '0' })).toEqual(['metrics.maxOperationNames: must be a positive whole number (METRICS_MAX_OPERATIONS)']);
    // Every problem at once, with the others'.
    expect(configIssues({ METRICS_HOST: 'x', MAX_DEPTH: '-1' })).toHaveLength(2);
  });

  it('reads a subgraph\'s METRICS_PORT and METRICS_HOST by the same rules', () => {
    expect(loadMetricsListener({}, 'subgraph citizen', 4001)).toBeUndefined();
    expect(loadMetricsListener({ METRICS_PORT: '9465' }, 'subgraph citizen', 4001)).toEqual({ port: 9465, host: '127.0.0.1' });
    expect(() => loadMetricsListener({ METRICS_HOST: '0.0.0.0' }, 'subgraph citizen', 4001)).toThrow(/CONFIG_INVALID: subgraph citizen metrics configuration is invalid:\n- host: METRICS_HOST is set but METRICS_PORT is not/);
    expect(() => loadMetricsListener({ METRICS_PORT: '4001' }, 'subgraph citizen', 4001)).toThrow(/METRICS_PORT must differ from PORT \(both 4001\)/);
    expect(() => loadMetricsListener({ METRICS_PORT: '-1' }, 'subgraph citizen', 4001)).toThrow(/must be a port number, 0 to 65535 \(METRICS_PORT\)/);
  });
});

describe('the metrics listener', () => {
  let key: JWK;
  beforeAll(async () => {
    key = (await generateInternalTokenKeys()).privateJwk;
  });

  it('is not started unless METRICS_PORT is set, and /metrics is not served on the API port', async () => {
    const { result: gateway, listened } = await listensDuring(() => startGateway(parseGatewayConfig({ port: 0 }), { internalTokenKey: key }));
    try {
      expect(gateway.metrics.url).toBeUndefined();
      // The API's listener, and no other.
      expect(listened).toEqual(['localhost:0']);
      const answer = await fetch(new URL('/metrics', gateway.url));
      expect(answer.status).toBe(404);
      expect(await answer.text()).not.toContain('kommunegraph_');
      // Counted all the same: a deployment that serves them otherwise (npm start) reads the registry.
      await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(total(parseExposition(await gateway.metrics.registry.metrics()), 'kommunegraph_gateway_requests_total', { operation: '(anonymous)', outcome: 'ok' })).toBe(1);
    } finally {
      await gateway.close();
    }
  });

  it('listens on loopback on a port of its own when METRICS_PORT is set, and stops with the gateway', async () => {
    const { result: gateway, listened } = await listensDuring(() => startGateway(parseGatewayConfig({ port: 0, metrics: { port: 0 } }), { internalTokenKey: key }));
    let url: URL;
    try {
      expect(listened).toEqual(['localhost:0', '127.0.0.1:0']);
      url = new URL(gateway.metrics.url!);
      expect(url.hostname).toBe('127.0.0.1');
      expect(url.pathname).toBe('/metrics');
      expect(url.port).not.toBe(new URL(gateway.url).port);
      const { status, contentType, samples } = await scrape(url.href);
      expect(status).toBe(200);
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(total(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(samples.some((s) => s.name === 'kommunegraph_gateway_authentication_failures_total')).toBe(true);
      expect((await fetch(new URL('/metrics', gateway.url))).status).toBe(404);
    } finally {
      await gateway.close();
    }
    // Closed with the gateway: nothing answers there any more.
    await expect(fetch(url.href)).rejects.toThrow();
  });

  it('refuses to start when its port is taken, saying which setting', async () => {
    const first = await startGateway(parseGatewayConfig({ port: 0, metrics: { port: 0 } }), { internalTokenKey: key });
    try {
      const taken = Number(new URL(first.metrics.url!).port);
      const refused = await listensDuring(() =>
        startGateway(parseGatewayConfig({ port: 0, metrics: { port: taken } }), { internalTokenKey: key }),
      ).catch((error: Error & { listened: string[]; servers: Server[] }) => error);
      expect(refused).toBeInstanceOf(Error);
      const error = refused as Error & { listened: string[]; servers: Server[] };
      expect(error.message).toMatch(new RegExp(`^METRICS_PORT: the metrics listener cannot listen on 127\\.0\\.0\\.1:${taken}: .*EADDRINUSE`));
      // It got as far as its API listener; that one is closed again: nothing of the refused gateway is left listening.
      expect(error.listened).toEqual(['localhost:0', `127.0.0.1:${taken}`]);
      expect(error.servers.map((server) => server.listening)).toEqual([false, false]);
    } finally {
      await first.close();
    }
  });
});

describe('operation labels', () => {
  it('counts the first names of executed operations, then (other); refused requests add none', () => {
    const label = operationLabeler({ maxOperationNames: 2 });
    // Refused before it ran: a name nobody vouched for is not taken in.
    expect(label('Probe', false)).toBe(OPERATION_LABELS.other);
    expect(label('CitizenOverview', true)).toBe('CitizenOverview');
    expect(label('CaseList', true)).toBe('CaseList');
    expect(label('ThirdOne', true)).toBe(OPERATION_LABELS.other);
    // Known names keep their label, refused or not.
    expect(label('CitizenOverview', false)).toBe('CitizenOverview');
    expect(label('Probe', true)).toBe(OPERATION_LABELS.other);
  });

  it('gives unnamed operations one fixed label', () => {
    const label = operationLabeler();
    for (const name of [undefined, null, '']) expect(label(name, true)).toBe(OPERATION_LABELS.anonymous);
  });

  it('never takes a name that could carry a CPR number or a birth date, or is not a plain GraphQL name', () => {
    const label = operationLabeler();
    for (const name of ['q0101601234', 'citizen_010160', 'x'.repeat(65), 'with space', 'Ünicode', '1abc']) expect(label(name, true), name).toBe(OPERATION_LABELS.other);
    expect(label('Overview2026', true)).toBe('Overview2026');
  });

  it('with trusted documents, counts exactly the manifest\'s operation names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    try {
      const texts = ['query CitizenOverview { __typename }', '# comment\nmutation OpenCase { __typename } query Other { __typename }', '{ __typename }'];
      const path = join(dir, 'manifest.json');
      writeFileSync(path, JSON.stringify(Object.fromEntries(texts.map((t) => [documentHash(t), t]))));
      const trusted = loadTrustedDocuments(path);
      expect(trusted.hashes.size).toBe(3);
      expect([...trusted.operationNames].sort()).toEqual(['CitizenOverview', 'OpenCase', 'Other']);
      const label = operationLabeler({ maxOperationNames: 1, trustedOperationNames: trusted.operationNames });
      expect(label('OpenCase', false)).toBe('OpenCase');
      expect(label('CitizenOverview', true)).toBe('CitizenOverview');
      expect(label('Other', true)).toBe('Other');
      expect(label('NotInManifest', true)).toBe(OPERATION_LABELS.other);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the name of a request refused before its document was read from what it sent', () => {
    expect(claimedOperationName({ operationName: 'A', query: 'query B { x }' })).toBe('A');
    expect(claimedOperationName({ query: '\n  # why\n , query CitizenOverview($cpr: CPR!) { x }' })).toBe('CitizenOverview');
    expect(claimedOperationName({ query: 'mutation OpenCase { x }' })).toBe('OpenCase');
    expect(claimedOperationName({ query: 'fragment F on Q { x } query A { ...F }' })).toBeUndefined();
    expect(claimedOperationName({ query: '{ x }' })).toBeUndefined();
    expect(claimedOperationName(undefined)).toBeUndefined();
  });
});

describe('request outcomes', () => {
  it.each([
    [{ executed: true, status: 200, errorCodes: [] }, { outcome: 'ok', code: 'none' }],
    [{ executed: true, status: 200, errorCodes: ['LEGACY_TIMEOUT', 'NOT_FOUND'] }, { outcome: 'partial', code: 'LEGACY_TIMEOUT' }],
    [{ executed: false, status: 401, errorCodes: ['UNAUTHENTICATED'] }, { outcome: 'refused', code: 'UNAUTHENTICATED' }],
    [{ executed: false, status: 429, errorCodes: ['RATE_LIMITED'] }, { outcome: 'refused', code: 'RATE_LIMITED' }],
    [{ executed: false, status: 200, errorCodes: ['PERSISTED_QUERY_NOT_FOUND'] }, { outcome: 'refused', code: 'PERSISTED_QUERY_NOT_FOUND' }],
    [{ executed: false, status: 503, errorCodes: ['AUDIT_UNAVAILABLE'] }, { outcome: 'error', code: 'AUDIT_UNAVAILABLE' }],
    // A code no registry knows is counted as what masking makes of it, not as the text it was.
    [{ executed: false, status: 500, errorCodes: ['010160-1234 went wrong'] }, { outcome: 'error', code: 'INTERNAL_SERVER_ERROR' }],
  ] as const)('%j is %j', (request, expected) => {
    expect(requestOutcome(request)).toEqual(expected);
  });

  it('counts each error of an answer by its code, unknown codes as INTERNAL_SERVER_ERROR', async () => {
    const metrics = createGatewayMetrics();
    metrics.answered({ operationName: 'A', executed: true, status: 200, errorCodes: ['NOT_FOUND', 'NOT_FOUND', 'whatever 0101601234'], seconds: 0.01 });
    const samples = parseExposition(await metrics.registry.metrics());
    expect(total(samples, 'kommunegraph_gateway_response_errors_total', { code: 'NOT_FOUND' })).toBe(2);
    expect(total(samples, 'kommunegraph_gateway_response_errors_total', { code: 'INTERNAL_SERVER_ERROR' })).toBe(1);
    expect(await metrics.registry.metrics()).not.toContain('0101601234');
  });
});

