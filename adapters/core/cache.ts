/**
 * Cache for national registry data (BBR, DAR, KLE): slow-changing, shared by every tenant, and
 * asked for again and again. Concurrent misses for one key share one legacy call. When an entry
 * is past its freshness and its source fails, the stale value is served and the caller told so.
 * Personal data (CPR) is not cached here.
 */
import NodeCache from 'node-cache';
import { waitUnlessAborted } from './deadline';
import { LegacyTimeout } from './errors';
import { isSystemFailure } from './resilience';

export interface RegistryCacheOptions {
  /** How long an entry is fresh. @default 3600 (seconds) */
  ttlSeconds?: number;
  /** How long past freshness an entry may still be served while its source is down. @default 86400 (seconds) */
  staleTtlSeconds?: number;
  /** Entries kept before new ones are refused (node-cache `maxKeys`). @default 100000 */
  maxKeys?: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  staleServed: number;
  keys: number;
}

export interface CacheReadOptions {
  /** Called when a stale value is served because the source failed. */
  onStale?: () => void;
  /** Called when the value comes from the cache (fresh or stale) rather than from a call made for it. */
  onCached?: () => void;
  /**
   * This caller's deadline. The load itself is shared by every caller of the key, so it runs on
   * its own timeouts; a caller whose deadline passes stops waiting, the others do not.
   */
  signal?: AbortSignal;
  /** The legacy system, for the timeout error a caller gets when its deadline passes. */
  system?: string;
}

/**
 * How one read was served, as metrics count it (a hit ratio is hits over all reads):
 * `hit` fresh from the cache; `miss` from the source (a call made for it, or one in flight for
 * the same key that it waited on), whether that call succeeded or failed; `stale` the call failed
 * and the stale entry was served.
 */
export type CacheReadResult = 'hit' | 'miss' | 'stale';

export interface RegistryCache {
  /**
   * The fresh cached value for `key`, or the result of `load()`, which is then cached. When the
   * load fails with a system failure and a stale value exists, that is served instead.
   * Other errors (not found) are never cached and never hidden.
   */
  getOrLoad<T>(key: string, load: () => Promise<T>, options?: CacheReadOptions): Promise<T>;
  /** Whether `key` is cached now, fresh or stale. */
  has(key: string): boolean;
  stats(): CacheStats;
  /**
   * Observability from outside (metrics): called once per `getOrLoad` as it is served, with the
   * system it named (`registry` when none). Returns the detach. A listener that throws does not
   * fail the read.
   */
  onRead(listener: (read: { system: string; result: CacheReadResult }) => void): () => void;
  clear(): void;
  /** Stops the expiry timer. */
  close(): void;
}

function untilAborted<T>(pending: Promise<T>, options: CacheReadOptions): Promise<T> {
  const system = options.system ?? 'registry';
  return waitUnlessAborted(pending, options.signal, () => new LegacyTimeout(`${system}: the request's deadline passed`, { system, detail: 'deadline' }));
}

interface Entry {
  value: unknown;
  freshUntil: number;
}

export function createRegistryCache(options: RegistryCacheOptions = {}): RegistryCache {
  const ttlMs = (options.ttlSeconds ?? 3_600) * 1_000;
  const staleTtlSeconds = options.staleTtlSeconds ?? 86_400;
  const store = new NodeCache({
    stdTTL: (options.ttlSeconds ?? 3_600) + staleTtlSeconds,
    checkperiod: 600,
    maxKeys: options.maxKeys ?? 100_000,
    useClones: false, // values are treated as immutable; cloning every hit costs for nothing
  });
  const inFlight = new Map<string, Promise<unknown>>();
  let hits = 0;
  let misses = 0;
  let staleServed = 0;
  const readListeners = new Set<(read: { system: string; result: CacheReadResult }) => void>();
  const served = (readOptions: CacheReadOptions, result: CacheReadResult) => {
    for (const listener of readListeners) {
      try {
        listener({ system: readOptions.system ?? 'registry', result });
      } catch {
        // Counting a read must never change what it serves.
      }
    }
  };

  const refresh = (key: string, load: () => Promise<unknown>): Promise<unknown> => {
    const pending = inFlight.get(key);
    if (pending) return pending;
    misses++;
    const loading = load().then(
      (value) => {
        inFlight.delete(key);
        try {
          store.set<Entry>(key, { value, freshUntil: Date.now() + ttlMs });
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
  };

  return {
    async getOrLoad<T>(key: string, load: () => Promise<T>, readOptions: CacheReadOptions = {}): Promise<T> {
      const entry = store.get<Entry>(key);
      if (entry && Date.now() < entry.freshUntil) {
        hits++;
        served(readOptions, 'hit');
        readOptions.onCached?.();
        return entry.value as T;
      }
      try {
        const value = (await untilAborted(refresh(key, load), readOptions)) as T;
        served(readOptions, 'miss');
        return value;
      } catch (error) {
        if (entry && isSystemFailure(error)) {
          staleServed++;
          served(readOptions, 'stale');
          readOptions.onStale?.();
          readOptions.onCached?.();
          return entry.value as T;
        }
        served(readOptions, 'miss');
        throw error;
      }
    },
    onRead: (listener) => {
      readListeners.add(listener);
      return () => readListeners.delete(listener);
    },
    has: (key) => store.has(key),
    stats: () => ({ hits, misses, staleServed, keys: store.keys().length }),
    clear: () => {
      store.flushAll();
      hits = 0;
      misses = 0;
      staleServed = 0;
    },
    close: () => store.close(),
  };
}
