/**
 * What a subgraph process measures, defined here and nowhere else: legacy calls (latency and
 * outcome per system × municipality), circuit-breaker states, and registry-cache reads (the
 * inputs of a hit ratio). The adapters know nothing of Prometheus: the resilience policy and the
 * cache tell their observers (adapters/core/resilience.ts `onCall`, `onBreakerChange`;
 * adapters/core/cache.ts `onRead`), and `instrument` below turns that into series.
 *
 * One registry per process, every subgraph in it under its own `subgraph` label: `npm start`
 * runs three subgraphs in one process (each with its own breakers), and one listener must serve
 * them without two series of the same name and labels. Served by whatever metrics listener the
 * process has (runtime/metrics.ts): `npm run start:subgraph`'s, or the gateway's under npm start.
 *
 * Label values are bounded: subgraph names come from the subgraph list, systems from the code,
 * municipalities are four-digit kommunekoder (anything else is counted as `other`; national
 * systems as `national`), outcomes and results are fixed sets. No CPR number, name or key.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RegistryCache } from '../../adapters/core/cache';
import type { BreakerState, Resilience } from '../../adapters/core/resilience';
import { addProcessMetrics } from '../../runtime/metrics';

/** What a subgraph's legacy plumbing offers to be measured (subgraphs/shared/legacyServices.ts). */
export interface LegacyInstruments {
  resilience: Resilience;
  cache: RegistryCache;
}

export interface SubgraphMetrics {
  readonly registry: Registry;
  /**
   * Measures one subgraph's legacy calls, breakers and cache under its name, until the returned
   * detach is called (when the subgraph closes).
   */
  instrument(subgraph: string, legacy: LegacyInstruments): () => void;
}

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open', 'isolated'];

/** The municipality label: a kommunekode, `national` for systems shared by all, `other` for anything else. */
export function municipalityLabel(tenant: string | null | undefined): string {
  if (tenant === null || tenant === undefined) return 'national';
  return /^\d{4}$/.test(tenant) ? tenant : 'other';
}

/** A subgraph process's metrics in a registry of their own. */
export function createSubgraphMetrics(): SubgraphMetrics {
  const registry = new Registry();
  const sources = new Set<{ subgraph: string; legacy: LegacyInstruments }>();
  const registers = [registry];

  const legacyCalls = new Histogram({
    name: 'kommunegraph_legacy_call_duration_seconds',
    help: 'Legacy calls as they ended, retries and backoff included, by subgraph, system, municipality and outcome.',
    labelNames: ['subgraph', 'system', 'municipality', 'outcome'] as const,
    // A legacy attempt times out at 2 s by default and a request's budget is 3 s.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers,
  });
  const retries = new Counter({
    name: 'kommunegraph_legacy_call_retries_total',
    help: 'Retries of legacy reads (attempts after the first), by subgraph, system and municipality.',
    labelNames: ['subgraph', 'system', 'municipality'] as const,
    registers,
  });
  new Gauge({
    name: 'kommunegraph_legacy_breaker_state',
    help: 'Circuit breakers per subgraph, system and municipality: 1 for the state each is in, 0 for the others.',
    labelNames: ['subgraph', 'system', 'municipality', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const { subgraph, legacy } of sources) {
        for (const breaker of legacy.resilience.breakers()) {
          for (const state of BREAKER_STATES) {
            this.set({ subgraph, system: breaker.system, municipality: municipalityLabel(breaker.tenant), state }, breaker.state === state ? 1 : 0);
          }
        }
      }
    },
  });
  const transitions = new Counter({
    name: 'kommunegraph_legacy_breaker_transitions_total',
    help: 'Circuit-breaker state changes, by subgraph, system, municipality and the state entered.',
    labelNames: ['subgraph', 'system', 'municipality', 'state'] as const,
    registers,
  });
  const cacheReads = new Counter({
    name: 'kommunegraph_registry_cache_reads_total',
    help: 'Registry-cache reads (BBR, DAR, KLE) by subgraph, system and result: hit (fresh), miss (from the source), stale (source failed, stale entry served).',
    labelNames: ['subgraph', 'system', 'result'] as const,
    registers,
  });
  new Gauge({
    name: 'kommunegraph_registry_cache_entries',
    help: 'Entries in each subgraph\'s registry cache, fresh or stale.',
    labelNames: ['subgraph'] as const,
    registers,
    collect() {
      this.reset();
      for (const { subgraph, legacy } of sources) this.inc({ subgraph }, legacy.cache.stats().keys);
    },
  });

  return {
    registry,
    instrument(subgraph, legacy) {
      const source = { subgraph, legacy };
      sources.add(source);
      let attached = true;
      const detachCalls = legacy.resilience.onCall((call) => {
        const labels = { subgraph, system: call.system, municipality: municipalityLabel(call.tenant) };
        legacyCalls.observe({ ...labels, outcome: call.outcome }, call.seconds);
        if (call.attempts > 1) retries.inc(labels, call.attempts - 1);
      });
      // onBreakerChange cannot be detached: the flag keeps a closed subgraph's breakers out.
      legacy.resilience.onBreakerChange((status) => {
        if (attached) transitions.inc({ subgraph, system: status.system, municipality: municipalityLabel(status.tenant), state: status.state });
      });
      const detachReads = legacy.cache.onRead((read) => cacheReads.inc({ subgraph, system: read.system, result: read.result }));
      return () => {
        attached = false;
        sources.delete(source);
        detachCalls();
        detachReads();
      };
    },
  };
}

let shared: SubgraphMetrics | undefined;

/**
 * The metrics of every subgraph in this process, served by the process's metrics listener
 * (made and added to it on first use).
 */
export function subgraphProcessMetrics(): SubgraphMetrics {
  if (!shared) {
    shared = createSubgraphMetrics();
    addProcessMetrics(shared.registry);
  }
  return shared;
}
