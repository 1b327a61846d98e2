/**
 * Per-request DataLoaders: within one client request each distinct (system, key) is fetched
 * once, however many resolvers ask for it.
 *
 * The gateway may call one subgraph several times for one client request (the root field, then
 * `_entities` for references), so loaders are scoped to the gateway's request id, not to one
 * subgraph HTTP call. A scope ends when it has been idle for `idleMs`.
 */
import DataLoader from 'dataloader';

export interface LoaderRegistry {
  /**
   * The loader named `name` in this scope, created on first use from `batch`.
   * `batch` receives distinct keys and returns one value or Error per key, in order.
   */
  loader<K, V>(name: string, batch: (keys: readonly K[]) => Promise<(V | Error)[]>, options?: { maxBatchSize?: number }): DataLoader<K, V>;
}

export function createLoaderRegistry(): LoaderRegistry {
  const loaders = new Map<string, DataLoader<unknown, unknown>>();
  return {
    loader<K, V>(name: string, batch: (keys: readonly K[]) => Promise<(V | Error)[]>, options: { maxBatchSize?: number } = {}) {
      let loader = loaders.get(name) as DataLoader<K, V> | undefined;
      if (!loader) {
        loader = new DataLoader<K, V>(batch, { maxBatchSize: options.maxBatchSize ?? 100 });
        loaders.set(name, loader as DataLoader<unknown, unknown>);
      }
      return loader;
    },
  };
}

/** Batches single-key legacy operations: distinct keys are fetched in parallel, each once. */
export function eachKey<K, V>(fetch: (key: K) => Promise<V>): (keys: readonly K[]) => Promise<(V | Error)[]> {
  return (keys) =>
    Promise.all(
      keys.map((key) =>
        // Through a promise, so a fetch that throws before it awaits fails its key, not the batch.
        Promise.resolve()
          .then(() => fetch(key))
          .then((value) => value, (error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      ),
    );
}

export interface RequestScopesOptions {
  /** A scope unused this long is dropped (it holds personal data). @default 10000 (milliseconds) */
  idleMs?: number;
  /** Scopes kept at most; the oldest go first. @default 10000 */
  maxScopes?: number;
}

export interface RequestScopes {
  /** The loader registry for this request id (a new one per call when no id is given). */
  scope(requestId: string | undefined): LoaderRegistry;
  size(): number;
  close(): void;
}

export function createRequestScopes(options: RequestScopesOptions = {}): RequestScopes {
  const idleMs = options.idleMs ?? 10_000;
  const maxScopes = options.maxScopes ?? 10_000;
  const scopes = new Map<string, { registry: LoaderRegistry; lastUsed: number }>();
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const [id, entry] of scopes) if (entry.lastUsed < cutoff) scopes.delete(id);
  }, Math.max(1_000, Math.floor(idleMs / 2)));
  sweeper.unref();

  return {
    scope(requestId) {
      if (!requestId) return createLoaderRegistry();
      const existing = scopes.get(requestId);
      if (existing) {
        existing.lastUsed = Date.now();
        // Map order is insertion order: re-insert so the oldest-used stay first for eviction.
        scopes.delete(requestId);
        scopes.set(requestId, existing);
        return existing.registry;
      }
      if (scopes.size >= maxScopes) {
        const oldest = scopes.keys().next().value;
        if (oldest !== undefined) scopes.delete(oldest);
      }
      const entry = { registry: createLoaderRegistry(), lastUsed: Date.now() };
      scopes.set(requestId, entry);
      return entry.registry;
    },
    size: () => scopes.size,
    close: () => {
      clearInterval(sweeper);
      scopes.clear();
    },
  };
}
