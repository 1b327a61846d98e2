/**
 * Where a subgraph remembers the internal tokens it has accepted, so that each is good for one
 * call. A memory store protects one process; replicas of a subgraph behind one address must
 * share a Redis store, or a token captured on its way to one replica is good again on the next.
 */
import { Redis } from 'ioredis';
import { logger } from './log';

export interface ReplayStore {
  /**
   * Records a token id until `expiresAtMs` (epoch milliseconds). True when this is the first time
   * the id is seen; false for a replay. Throws when it cannot tell: the caller must then refuse.
   */
  claim(tokenId: string, expiresAtMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** One process's memory of token ids; ids are forgotten once their tokens have expired. */
export function memoryReplayStore(options: { sweepEveryMs?: number } = {}): ReplayStore {
  const seen = new Map<string, number>();
  const sweep = () => {
    const now = Date.now();
    for (const [id, until] of seen) if (until <= now) seen.delete(id);
  };
  // The map stays the size of a token lifetime of traffic instead of growing without end.
  const sweeper = setInterval(sweep, options.sweepEveryMs ?? 15_000);
  sweeper.unref();
  return {
    async claim(tokenId, expiresAtMs) {
      const until = seen.get(tokenId);
      if (until !== undefined && until > Date.now()) return false;
      seen.set(tokenId, expiresAtMs);
      return true;
    },
    async close() {
      clearInterval(sweeper);
      seen.clear();
    },
  };
}

export interface RedisReplayStoreOptions {
  /** Prefix of every key; replicas of one deployment share it. @default 'kommune-graph:internal-token:' */
  keyPrefix?: string;
  /** How long one claim may take before it counts as unanswered. @default 500 (milliseconds) */
  timeoutMs?: number;
  /** Told once per outage that Redis cannot be reached. @default a warning in the log (runtime/log.ts) */
  onUnavailable?: (error: Error) => void;
}

export const DEFAULT_REPLAY_KEY_PREFIX = 'kommune-graph:internal-token:';

/**
 * Token ids in Redis (`SET key 1 PX ttl NX`), shared by every replica that points at it. A Redis
 * that cannot be reached or does not answer in time makes `claim` throw promptly: a claim that
 * waited for reconnection would hold the request past its budget.
 */
export function redisReplayStore(url: string, options: RedisReplayStoreOptions = {}): ReplayStore {
  const protocol = safeProtocol(url);
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new Error('a Redis replay store needs a redis:// or rediss:// URL');
  const timeoutMs = options.timeoutMs ?? 500;
  const prefix = options.keyPrefix ?? DEFAULT_REPLAY_KEY_PREFIX;
  const client = new Redis(url, {
    // A command waits for a connection being made, but fails at the first failed attempt.
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // Keep trying in the background: claims succeed again as soon as Redis is back.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  watchAvailability(
    client,
    options.onUnavailable ??
      ((error) => logger({ component: 'replay-store' }).warn(`Redis cannot be reached (${error.message}): internal tokens are refused until it is back`)),
  );
  return {
    async claim(tokenId, expiresAtMs) {
      const ttlMs = Math.max(1, Math.ceil(expiresAtMs - Date.now()));
      return (await client.set(`${prefix}${tokenId}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * The replay store a setting names: unset or `memory` for this process's memory, a
 * `redis://host:port` (or `rediss://`) URL for a store shared by replicas.
 */
export function replayStoreFrom(setting: string | undefined, options: RedisReplayStoreOptions = {}): ReplayStore {
  if (setting === undefined || setting === '' || setting === 'memory') return memoryReplayStore();
  if (/^rediss?:\/\//.test(setting)) return redisReplayStore(setting, options);
  throw new Error('the replay store must be "memory" or a redis:// URL');
}

/** Reports an outage once, not every reconnection attempt; an unheard 'error' event would crash. */
function watchAvailability(client: Redis, onUnavailable: (error: Error) => void): void {
  let reported = false;
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    onUnavailable(error);
  });
  client.on('ready', () => {
    reported = false;
  });
}

function safeProtocol(url: string): string | undefined {
  try {
    return new URL(url).protocol;
  } catch {
    return undefined;
  }
}
