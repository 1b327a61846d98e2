/**
 * Cache for national registry data (BBR, DAR, KLE): slow-changing, shared by every tenant, and
 * asked for again and again. Concurrent misses for one key share one legacy call.
 * Personal data (CPR) is not cached here.
 */
import NodeCache from 'node-cache';

export interface RegistryCacheOptions {
  /** How long an entry is served. @default 3600 (seconds) */
  ttlSeconds?: number;
  /** Entries kept before new ones are refused (node-cache `maxKeys`). @default 100000 */
  maxKeys?: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  keys: number;
}

export interface RegistryCache {
  /** The cached value for `key`, or the result of `load()`, which is then cached. Errors are not cached. */
  getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Whether `key` is cached now (used to tell an access served from cache). */
  has(key: string): boolean;
  stats(): CacheStats;
  clear(): void;
}

export function createRegistryCache(options: RegistryCacheOptions = {}): RegistryCache {
  const store = new NodeCache({
    stdTTL: options.ttlSeconds ?? 3_600,
    checkperiod: Math.max(60, Math.floor((options.ttlSeconds ?? 3_600) / 2)),
    maxKeys: options.maxKeys ?? 100_000,
    useClones: false, // values are treated as immutable; cloning every hit costs for nothing
  });
  const inFlight = new Map<string, Promise<unknown>>();
  let hits = 0;
  let misses = 0;

  return {
    async getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T> {
      const cached = store.get<T>(key);
      if (cached !== undefined) {
        hits++;
        return cached;
      }
      const pending = inFlight.get(key);
      if (pending) {
        hits++;
        return pending as Promise<T>;
      }
      misses++;
      const loading = load().then(
        (value) => {
          inFlight.delete(key);
          try {
            store.set(key, value);
          } catch {
            // maxKeys reached: serve the value uncached rather than fail the request
          }
          return value;
        },
        (error: unknown) => {
          inFlight.delete(key);
          throw error;
        },
      );
      inFlight.set(key, loading);
      return loading;
    },
    has: (key) => store.has(key),
    stats: () => ({ hits, misses, keys: store.keys().length }),
    clear: () => {
      store.flushAll();
      hits = 0;
      misses = 0;
    },
  };
}
