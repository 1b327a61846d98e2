/**
 * What every subgraph builds from the legacy configuration: one resilience value (breakers and
 * bulkheads per tenant × system, shared by all of the subgraph's adapters), the registry cache,
 * REST clients, the readiness report, and both handed to the subgraph's metrics.
 */
import { createRegistryCache, type RegistryCache } from '../../adapters/core/cache';
import { createResilience, type Resilience } from '../../adapters/core/resilience';
import { createJsonClient, type JsonClient, type JsonClientOptions } from '../../adapters/core/restClient';
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
  /** A REST client for a legacy system; `access`: who we are to it (a client certificate, a service user). */
  restClient(system: string, baseUrl: string, access?: Pick<JsonClientOptions, 'tls' | 'queryCredentials'>): JsonClient;
  /** Registers something to release when the subgraph closes (sockets, timers). */
  onClose(release: () => void | Promise<void>): void;
  /** Releases everything registered, in order (what the server's close does; for plumbing used without a server). */
  close(): Promise<void>;
  /**
   * Server options that report breaker states on /ready, apply the request budget, have the
   * legacy calls, breakers and cache measured (subgraphs/shared/metrics.ts) and logged
   * (legacyLog.ts), and release everything on close.
   */
  serverOptions(options: SubgraphStartOptions): SubgraphServerOptions;
}

export function legacyPlumbing(config: LegacyConfig): LegacyPlumbing {
  // Breakers opening and closing is what an operator needs to see; the policy itself never logs:
  // the subgraph's server logs them under its name (legacyLog.ts), with every call.
  const resilience = createResilience(config.resilience);
  const cache = createRegistryCache({ ttlSeconds: config.registryCacheTtlSeconds, staleTtlSeconds: config.registryStaleTtlSeconds });
  const releases: (() => void | Promise<void>)[] = [() => cache.close()];
  const close = async () => {
    for (const release of releases.splice(0)) await release();
  };
  return {
    resilience,
    cache,
    restClient: (system, baseUrl, access = {}) => {
      const client = createJsonClient({ system, baseUrl, timeoutMs: config.timeoutMs, resilience, ...access });
      releases.push(() => client.close());
      return client;
    },
    onClose: (release) => {
      releases.push(release);
    },
    close,
    serverOptions: (options) => ({
      requestBudgetMs: config.requestBudgetMs,
      readiness: () => ({ breakers: resilience.breakers() }),
      legacy: { resilience, cache },
      ...options,
      onClose: async () => {
        await options.onClose?.();
        await close();
      },
    }),
  };
}
