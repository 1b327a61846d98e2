/**
 * Issue 13, must show: /metrics carries the series operators need after real traffic. The whole
 * house runs as under `npm start` (simulators, subgraphs and gateway in this process, the
 * gateway's metrics listener serving the subgraphs' series too), and one test walks through
 * what an operator watches for, scraping over HTTP between steps:
 *
 *   1. the overview as a caseworker (ok), twice: the second is answered from the registry cache
 *      (hits, no BBR call), and the legacy calls counted equal the calls the simulators answered;
 *   2. the registry sources failing past freshness: stale entries served and counted;
 *   3. an unnamed operation, and one whose name holds a CPR number;
 *   4. a token that does not verify (refused before Apollo), a citizen asking for another
 *      citizen (refused by the decision), a municipality past its rate limit;
 *   5. a subgraph down; CPR hanging past the attempt's timeout, which opens its breaker;
 *
 * then the request counts by operation, outcome and code are exact, the trail's appends add up
 * to the records it holds, and no CPR number or token is anywhere in what /metrics says.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';
import { matching, scrape, total, type Sample } from '../support/prometheus';

const PING = 'query Ping { __typename }';
const RATE_BURST = 20;
const REQUESTS = 'kommunegraph_gateway_requests_total';
const LEGACY_CALLS = 'kommunegraph_legacy_call_duration_seconds_count';
const CACHE_READS = 'kommunegraph_registry_cache_reads_total';

/** The registry cache's freshness reads Date.now(): it stands still until the test moves it (staleAndBreakers.test.ts does the same). */
const clock = {
  stop: () => vi.setSystemTime(Date.now()),
  advance: (ms: number) => vi.setSystemTime(Date.now() + ms),
};

let stack: AuthedStack;
let person: Person;
let metricsUrl: string;

beforeAll(async () => {
  stack = await startAuthedStack({
    audit: true,
    gateway: {
      metrics: { port: 0 },
      // A bucket that does not refill within the test: the 21st request of a municipality is refused, exactly.
      rateLimit: { perSecond: 0.001, burst: RATE_BURST },
    },
    legacy: {
      timeoutMs: 300,
      registryCacheTtlSeconds: 1,
      // One failure opens a breaker, which then stays open: its state is what the scrape shows.
      resilience: { maxRetries: 0, breakerThreshold: 1, breakerHalfOpenAfterMs: 600_000 },
    },
  });
  person = sampleCitizens(stack.world).get('0101')!;
  metricsUrl = stack.gateway.metrics.url!;
});
afterEach(() => {
  vi.useRealTimers();
  for (const s of stack.allSimulators()) s.setFault('none');
});
afterAll(() => stack?.close());

/** What changed in a series between two scrapes (the subgraphs' series live as long as this process, as in production). */
const delta = (before: Sample[], after: Sample[], name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);

/** Every (subgraph, system) pair the cache was read for. */
function cachePairs(samples: Sample[]): { subgraph: string; system: string }[] {
  const pairs = new Map<string, { subgraph: string; system: string }>();
  for (const s of matching(samples, CACHE_READS)) pairs.set(`${s.labels['subgraph']}|${s.labels['system']}`, { subgraph: s.labels['subgraph']!, system: s.labels['system']! });
  return [...pairs.values()];
}

describe('GET /metrics after real traffic', () => {
  it('carries requests by operation and outcome, subgraph fetches, legacy calls, breakers, cache, limits, the trail and the process, and no CPR number', async () => {
    const cpr = formatCpr(person.cpr);
    const caseworker = await stack.mint.caseworker('0101');
    const start = await scrape(metricsUrl);
    expect(start.status).toBe(200);
    expect(start.contentType).toMatch(/^text\/plain; version=0\.0\.4/);

    // 1. The overview, twice: the second from the registry cache.
    clock.stop();
    const first = await stack.ask(caseworker, CITIZEN_OVERVIEW_QUERY, { cpr });
    expect(first.body.errors).toBeUndefined();
    const afterFirst = (await scrape(metricsUrl)).samples;
    const second = await stack.ask(caseworker, CITIZEN_OVERVIEW_QUERY, { cpr });
    expect(second.body.errors).toBeUndefined();
    const afterSecond = (await scrape(metricsUrl)).samples;

    // Exact legacy traffic: what the metrics counted is what the simulators answered (a SOAP
    // service's WSDL, loaded once on first use, is no legacy call).
    for (const [system, simulator] of [['cpr', stack.simulators.cpr], ['bbr', stack.simulators.bbr], ['dar', stack.simulators.dar]] as const) {
      const answered = simulator.calls.filter((c) => c.operation !== 'wsdl').length;
      expect(answered, `${system} calls`).toBeGreaterThan(0);
      expect(delta(start.samples, afterSecond, LEGACY_CALLS, { system }), `${system} calls counted`).toBe(answered);
    }
    // The cache: every read of the first overview went to the source, every read of the second was a hit.
    expect(delta(afterFirst, afterSecond, LEGACY_CALLS, { system: 'bbr' })).toBe(0);
    const pairs = cachePairs(afterSecond);
    expect(pairs.map((p) => p.system).sort()).toEqual(expect.arrayContaining(['bbr', 'dar']));
    for (const pair of pairs) {
      const misses = delta(start.samples, afterFirst, CACHE_READS, { ...pair, result: 'miss' });
      expect(misses, `${pair.subgraph}/${pair.system} misses`).toBeGreaterThan(0);
      expect(delta(afterFirst, afterSecond, CACHE_READS, { ...pair, result: 'hit' }), `${pair.subgraph}/${pair.system} hits`).toBe(misses);
      expect(delta(afterFirst, afterSecond, CACHE_READS, { ...pair, result: 'miss' })).toBe(0);
    }

    // 2. Past freshness with the registry sources failing: served stale, counted stale; each source's breaker opens.
    clock.advance(1_001);
    for (const s of [stack.simulators.bbr, stack.simulators.dar, stack.simulators.kle]) s.setFault('http500');
    const stale = await stack.ask(caseworker, CITIZEN_OVERVIEW_QUERY, { cpr });
    expect(stale.body.errors).toBeUndefined();
    expect((stale.body as { extensions?: { stale?: string[] } }).extensions?.stale).toEqual(['bbr', 'dar', 'kle']);
    const afterStale = (await scrape(metricsUrl)).samples;
    for (const system of ['bbr', 'dar', 'kle']) {
      expect(delta(afterSecond, afterStale, CACHE_READS, { system, result: 'stale' }), `${system} stale`).toBeGreaterThan(0);
      expect(delta(afterSecond, afterStale, LEGACY_CALLS, { system, municipality: 'national', outcome: 'unavailable' }), `${system} failed call`).toBeGreaterThan(0);
    }
    expect(total(afterStale, 'kommunegraph_legacy_breaker_state', { subgraph: 'property', system: 'bbr', municipality: 'national', state: 'open' })).toBe(1);
    expect(total(afterStale, 'kommunegraph_legacy_breaker_state', { subgraph: 'property', system: 'bbr', municipality: 'national', state: 'closed' })).toBe(0);
    expect(delta(afterSecond, afterStale, 'kommunegraph_legacy_breaker_transitions_total', { system: 'bbr', state: 'open' })).toBe(1);
    vi.useRealTimers();
    for (const s of stack.allSimulators()) s.setFault('none');

    // 3. An unnamed operation; a name that holds a CPR number.
    expect((await postGraphQL(stack.gateway.url, '{ __typename }')).status).toBe(200);
    expect((await postGraphQL(stack.gateway.url, `query q${person.cpr} { __typename }`)).status).toBe(200);

    // 4. Refusals: a token that does not verify; a citizen asking for someone else; a municipality past its limit.
    const badToken = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr }, { authorization: 'Bearer not.a.token' });
    expect(badToken.status).toBe(401);
    const someoneElse = [...sampleCitizens(stack.world).values()].find((p) => p.cpr !== person.cpr)!;
    const citizen = await stack.mint.citizen(someoneElse.cpr);
    const forbidden = await stack.ask(citizen, CITIZEN_OVERVIEW_QUERY, { cpr });
    expect(forbidden.status).toBe(403);
    const aarhus = await stack.mint.caseworker('0751');
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_BURST; i++) statuses.push((await stack.ask(aarhus, PING)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_BURST);
    expect(statuses.at(-1)).toBe(429);

    // 5. A subgraph down; then CPR hanging past the attempt's timeout.
    await stack.subgraphs.find((s) => s.name === 'property')!.close();
    const noProperty = await stack.ask(caseworker, CITIZEN_OVERVIEW_QUERY, { cpr });
    expect(noProperty.body.errors?.map((e) => e.extensions?.['code'])).toContain('SUBGRAPH_UNAVAILABLE');
    const beforeHang = (await scrape(metricsUrl)).samples;
    stack.simulators.cpr.setFault('hang');
    const hung = await stack.ask(caseworker, CITIZEN_OVERVIEW_QUERY, { cpr });
    expect(hung.body.errors?.map((e) => e.extensions?.['code'])).toContain('LEGACY_TIMEOUT');
    stack.simulators.cpr.setFault('none');
    await stack.trail!.settled();

    const end = await scrape(metricsUrl);
    const m = end.samples;

    // Requests by operation, outcome and code: exact.
    expect(total(m, REQUESTS, { operation: 'CitizenOverview', outcome: 'ok', code: 'none' })).toBe(3);
    expect(total(m, REQUESTS, { operation: 'CitizenOverview', outcome: 'partial' })).toBe(2);
    expect(total(m, REQUESTS, { operation: 'CitizenOverview', outcome: 'refused', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(total(m, REQUESTS, { operation: 'CitizenOverview', outcome: 'refused', code: 'FORBIDDEN' })).toBe(1);
    expect(total(m, REQUESTS, { operation: 'Ping', outcome: 'ok', code: 'none' })).toBe(RATE_BURST);
    expect(total(m, REQUESTS, { operation: 'Ping', outcome: 'refused', code: 'RATE_LIMITED' })).toBe(1);
    expect(total(m, REQUESTS, { operation: '(anonymous)', outcome: 'ok' })).toBe(1);
    expect(total(m, REQUESTS, { operation: '(other)', outcome: 'ok' })).toBe(1);
    expect(total(m, REQUESTS)).toBe(3 + 2 + 1 + 1 + RATE_BURST + 1 + 1 + 1);
    expect(new Set(matching(m, REQUESTS).map((s) => s.labels['operation']))).toEqual(new Set(['CitizenOverview', 'Ping', '(anonymous)', '(other)']));
    expect(total(m, 'kommunegraph_gateway_response_errors_total', { code: 'SUBGRAPH_UNAVAILABLE' })).toBeGreaterThanOrEqual(1);
    expect(total(m, 'kommunegraph_gateway_response_errors_total', { code: 'LEGACY_TIMEOUT' })).toBeGreaterThanOrEqual(1);
    // Latency: one observation per request, every one within the +Inf bucket.
    expect(total(m, 'kommunegraph_gateway_request_duration_seconds_count', { operation: 'CitizenOverview', outcome: 'ok' })).toBe(3);
    expect(total(m, 'kommunegraph_gateway_request_duration_seconds_bucket', { operation: 'CitizenOverview', outcome: 'ok', le: '+Inf' })).toBe(3);
    expect(total(m, 'kommunegraph_gateway_request_duration_seconds_sum', { operation: 'CitizenOverview', outcome: 'ok' })).toBeGreaterThan(0);

    // Admission.
    expect(total(m, 'kommunegraph_gateway_authentication_failures_total')).toBe(1);
    expect(total(m, 'kommunegraph_gateway_rate_limited_total', { limit: 'requests' })).toBe(1);
    expect(total(m, 'kommunegraph_gateway_rate_limited_total')).toBe(1);

    // Subgraph fetches: each overview fetched the citizen subgraph; the closed one could not be reached.
    expect(total(m, 'kommunegraph_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'citizen', outcome: 'ok' })).toBeGreaterThanOrEqual(5);
    expect(total(m, 'kommunegraph_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'property', outcome: 'unavailable' })).toBeGreaterThanOrEqual(1);

    // Legacy calls per system × municipality: CPR is called on the caseworker's municipality's behalf.
    expect(delta(beforeHang, m, LEGACY_CALLS, { subgraph: 'citizen', system: 'cpr', municipality: '0101', outcome: 'timeout' })).toBeGreaterThanOrEqual(1);
    expect(total(m, 'kommunegraph_legacy_breaker_state', { subgraph: 'citizen', system: 'cpr', municipality: '0101', state: 'open' })).toBe(1);
    expect(total(m, LEGACY_CALLS, { subgraph: 'citizen', system: 'cpr', municipality: '0101', outcome: 'ok' })).toBeGreaterThan(0);
    // The closed subgraph's breakers are no longer reported; its counts stay.
    expect(matching(m, 'kommunegraph_legacy_breaker_state', { subgraph: 'property' })).toEqual([]);
    expect(total(m, CACHE_READS, { subgraph: 'property', result: 'hit' })).toBeGreaterThan(0);

    // The trail: what the appends committed is what it holds; nothing waits.
    const records = await stack.trail!.find({ from: '1970-01-01T00:00:00Z' });
    expect(records.length).toBeGreaterThan(0);
    expect(total(m, 'kommunegraph_trail_appended_records_total', { outcome: 'committed' })).toBe(records.length);
    expect(total(m, 'kommunegraph_trail_appended_records_total', { outcome: 'failed' })).toBe(0);
    expect(total(m, 'kommunegraph_trail_append_duration_seconds_count', { outcome: 'committed' })).toBeGreaterThan(0);
    expect(total(m, 'kommunegraph_trail_append_duration_seconds_count', { outcome: 'committed' })).toBeLessThanOrEqual(records.length);
    expect(matching(m, 'kommunegraph_trail_uncommitted_records')).toEqual([expect.objectContaining({ value: 0 })]);
    expect(matching(m, 'kommunegraph_trail_append_queue_length')).toEqual([expect.objectContaining({ value: 0 })]);

    // The process.
    expect(total(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(total(m, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(matching(m, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);

    // Nothing personal, nothing secret: no label value holds six digits in a row, no CPR number of
    // the world is anywhere (ten digits or written with its dash), no token either.
    for (const sample of m) for (const value of Object.values(sample.labels)) expect(value, `${sample.name} label`).not.toMatch(/\d{6}/);
    expect(end.text).not.toMatch(/\d{6}-\d{4}/);
    const leaked = [...stack.world.persons.keys()].filter((number) => end.text.includes(number));
    expect(leaked).toEqual([]);
    for (const token of [caseworker, citizen, aarhus]) expect(end.text).not.toContain(token.split('.')[2]!);
  });

  it('serves only GET /metrics on its listener, and nothing of it on the API port', async () => {
    const api = new URL(stack.gateway.url);
    expect((await fetch(new URL('/metrics', api))).status).toBe(404);
    const listener = new URL(metricsUrl);
    expect(listener.hostname).toBe('127.0.0.1');
    expect(listener.port).not.toBe(api.port);
    expect((await fetch(new URL('/graphql', listener))).status).toBe(404);
    expect((await fetch(new URL('/health', listener))).status).toBe(404);
    const post = await fetch(metricsUrl, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
