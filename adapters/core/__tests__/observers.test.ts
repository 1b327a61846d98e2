/**
 * What the resilience policy and the registry cache tell their observers (subgraphs/shared/metrics.ts
 * turns it into series): one event per call or read, with a bounded outcome, and an observer that
 * throws changes nothing of the call's result.
 */
import { describe, expect, it, vi } from 'vitest';
import { createRegistryCache, type CacheReadResult } from '../cache';
import { LegacyBadResponse, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from '../errors';
import { createResilience, type LegacyCallEnded } from '../resilience';
import { operationOf } from '../restClient';

describe('resilience onCall', () => {
  it('tells each call as it ended: its system, municipality, outcome, time and attempts, retries included', async () => {
    const resilience = createResilience({ maxRetries: 1, initialBackoffMs: 1, maxBackoffMs: 1, breakerThreshold: 100 });
    const seen: LegacyCallEnded[] = [];
    resilience.onCall((call) => seen.push(call));
    await resilience.execute({ system: 'cpr', tenant: '0101', idempotent: true, run: async () => 'ok' });
    let attempts = 0;
    await resilience.execute({ system: 'bbr', idempotent: true, run: async () => (++attempts === 1 ? Promise.reject(new LegacyTimeout('slow', { system: 'bbr' })) : 'late') });
    await resilience.execute({ system: 'dar', idempotent: true, run: () => Promise.reject(new NotFound('none', { system: 'dar' })) }).catch(() => undefined);
    expect(seen.map(({ seconds, ...rest }) => rest)).toEqual([
      { system: 'cpr', tenant: '0101', outcome: 'ok', attempts: 1 },
      { system: 'bbr', tenant: null, outcome: 'ok', attempts: 2 },
      { system: 'dar', tenant: null, outcome: 'not_found', attempts: 1 },
    ]);
    for (const call of seen) expect(call.seconds).toBeGreaterThanOrEqual(0);
  });

  it('tells what was asked when the call names it: a SOAP operation, a REST call by method and path without identifiers', async () => {
    const resilience = createResilience();
    const seen: LegacyCallEnded[] = [];
    resilience.onCall((call) => seen.push(call));
    await resilience.execute({ system: 'cpr', operation: 'PersonLookup', idempotent: true, run: async () => 'ok' });
    await resilience.execute({ system: 'esdh', operation: operationOf('GET', 'api/v1/sager/2024-000123/dokumenter?side=2'), idempotent: true, run: async () => 'ok' });
    expect(seen.map((c) => c.operation)).toEqual(['PersonLookup', 'GET api/v1/sager/{id}/dokumenter']);
    expect(operationOf('GET', '/DAR/DAR/1/rest/adresse?Id=0a3f50a0-73bf-32b8-e044-0003ba298018&format=JSON')).toBe('GET DAR/DAR/1/rest/adresse');
    expect(operationOf('PATCH', 'api/v1/sager/0101601234')).toBe('PATCH api/v1/sager/{id}');
    expect(operationOf('GET', 'api/v1/dokumenter/9f1c2d3e-aaaa-bbbb-cccc-000000000001')).toBe('GET api/v1/dokumenter/{id}');
  });

  it.each([
    [() => new LegacyTimeout('x', { system: 's' }), 'timeout'],
    [() => new LegacyUnavailable('x', { system: 's' }), 'unavailable'],
    [() => new LegacyFault('x', { system: 's', serverSide: true }), 'fault'],
    [() => new LegacyBadResponse('x', { system: 's' }), 'bad_response'],
    [() => new TypeError('a bug'), 'error'],
  ] as const)('names a failure by its family (%#: %s)', async (error, outcome) => {
    const resilience = createResilience({ maxRetries: 0, breakerThreshold: 100 });
    const seen: LegacyCallEnded[] = [];
    resilience.onCall((call) => seen.push(call));
    await resilience.execute({ system: 's', idempotent: false, run: () => Promise.reject(error()) }).catch(() => undefined);
    expect(seen.map((c) => c.outcome)).toEqual([outcome]);
  });

  it('tells a call the open breaker refused apart from the failure that opened it, with no attempt made', async () => {
    const resilience = createResilience({ maxRetries: 0, breakerThreshold: 1, breakerHalfOpenAfterMs: 60_000 });
    const seen: LegacyCallEnded[] = [];
    resilience.onCall((call) => seen.push(call));
    const failing = { system: 'cpr', tenant: '0751', idempotent: true, run: () => Promise.reject(new LegacyUnavailable('down', { system: 'cpr' })) };
    await expect(resilience.execute(failing)).rejects.toBeInstanceOf(LegacyUnavailable);
    await expect(resilience.execute(failing)).rejects.toBeInstanceOf(LegacyUnavailable);
    expect(seen.map((c) => [c.outcome, c.attempts])).toEqual([['unavailable', 1], ['circuit_open', 0]]);
  });

  it('is not changed by an observer that throws, and stops telling one that detached', async () => {
    const resilience = createResilience();
    let told = 0;
    const detach = resilience.onCall(() => {
      told++;
      throw new Error('observer bug');
    });
    expect(await resilience.execute({ system: 'kle', idempotent: true, run: async () => 'answer' })).toBe('answer');
    detach();
    expect(await resilience.execute({ system: 'kle', idempotent: true, run: async () => 'again' })).toBe('again');
    expect(told).toBe(1);
  });
});

describe('registry cache onRead', () => {
  it('tells each read once: miss from the source, hit from the cache, stale when the source failed', async () => {
    const cache = createRegistryCache({ ttlSeconds: 1 });
    const seen: { system: string; result: CacheReadResult }[] = [];
    cache.onRead((read) => seen.push(read));
    // Freshness reads Date.now(): it stands still until the test moves it past the one second.
    vi.setSystemTime(Date.now());
    try {
      await cache.getOrLoad('bbr:1', async () => 'b', { system: 'bbr' });
      await cache.getOrLoad('bbr:1', async () => 'b2', { system: 'bbr' });
      vi.setSystemTime(Date.now() + 1_001);
      await cache.getOrLoad('bbr:1', () => Promise.reject(new LegacyUnavailable('down', { system: 'bbr' })), { system: 'bbr' });
      await cache.getOrLoad('dar:1', () => Promise.reject(new NotFound('none', { system: 'dar' })), { system: 'dar' }).catch(() => undefined);
      await cache.getOrLoad('x', async () => 1);
    } finally {
      vi.useRealTimers();
      cache.close();
    }
    expect(seen).toEqual([
      { system: 'bbr', result: 'miss' },
      { system: 'bbr', result: 'hit' },
      { system: 'bbr', result: 'stale' },
      { system: 'dar', result: 'miss' },
      { system: 'registry', result: 'miss' },
    ]);
  });

  it('counts readers that waited on one shared load as misses each, and is not changed by an observer that throws', async () => {
    const cache = createRegistryCache();
    const seen: CacheReadResult[] = [];
    cache.onRead((read) => {
      seen.push(read.result);
      throw new Error('observer bug');
    });
    let loads = 0;
    const load = async () => {
      loads++;
      return 'v';
    };
    expect(await Promise.all([cache.getOrLoad('k', load, { system: 'kle' }), cache.getOrLoad('k', load, { system: 'kle' })])).toEqual(['v', 'v']);
    expect(loads).toBe(1);
    expect(seen).toEqual(['miss', 'miss']);
    cache.close();
  });
});
