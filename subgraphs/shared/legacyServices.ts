/**
 * What every subgraph builds from the legacy configuration: one resilience value (breakers and
 * bulkheads per tenant × system, shared by all of the subgraph's adapters), the registry cache,
 * REST clients, and the readiness report.
 */
import { createRegistryCache, type RegistryCache } from '../../adapters/core/cache';
import { createResilience, type Resilience } from '../../adapters/core/resilience';
import { createJsonClient, type JsonClient } from '../../adapters/core/restClient';
import type { SubgraphEntry } from '../../schema/subgraphs';
import type { LegacyConfig } from './config';
import type { RunningSubgraph, SubgraphServerOptions } from './subgraphServer';

/** What a deployment passes to start a subgraph: the server options, its legacy plumbing aside. */
export type SubgraphStartOptions = Omit<SubgraphServerOptions, 'requestBudgetMs' | 'readiness'> & Partial<Pick<SubgraphServerOptions, 'requestBudgetMs' | 'readiness'>>;

/**
 * The function a subgraph's module exports for the start commands (named in subgraphs.json under
 * `start`): given the legacy configuration, the server options, and its own entry of the list (its
 * name, SDL file and `settings`), it starts the subgraph and resolves when it listens.
 */
export type SubgraphStart = (config: LegacyConfig, options: SubgraphStartOptions, entry: SubgraphEntry) => Promise<RunningSubgraph>;

export interface LegacyPlumbing {
  resilience: Resilience;
  cache: RegistryCache;
  restClient(system: string, baseUrl: string): JsonClient;
  /** Registers something to release when the subgraph closes (sockets, timers). */
  onClose(release: () => void | Promise<void>): void;
  /** Server options that report breaker states on /ready, apply the request budget and release everything on close. */
  serverOptions(options: SubgraphStartOptions): SubgraphServerOptions;
}

export function legacyPlumbing(config: LegacyConfig): LegacyPlumbing {
  const resilience = createResilience(config.resilience);
  // Breakers opening and closing is what an operator needs to see; the policy itself never logs.
  resilience.onBreakerChange(({ system, tenant, state }) =>
    console.warn(`[legacy] circuit breaker for ${system}${tenant ? ` (municipality ${tenant})` : ''} is ${state}`),
  );
  const cache = createRegistryCache({ ttlSeconds: config.registryCacheTtlSeconds, staleTtlSeconds: config.registryStaleTtlSeconds });
  const releases: (() => void | Promise<void>)[] = [() => cache.close()];
  return {
    resilience,
    cache,
    restClient: (system, baseUrl) => {
      const client = createJsonClient({ system, baseUrl, timeoutMs: config.timeoutMs, resilience });
      releases.push(() => client.close());
      return client;
    },
    onClose: (release) => {
      releases.push(release);
    },
    serverOptions: (options) => ({
      requestBudgetMs: config.requestBudgetMs,
      readiness: () => ({ breakers: resilience.breakers() }),
      ...options,
      onClose: async () => {
        await options.onClose?.();
        for (const release of releases) await release();
      },
    }),
  };
}
