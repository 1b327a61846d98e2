/**
 * Requests per tenant, per gateway process: a token bucket for each municipality (for callers
 * without one, each actor; for anonymous callers, each client address), so one municipality's
 * runaway batch job cannot starve the others. Checked at the HTTP layer after authentication,
 * before any parsing or planning: a refusal costs a map lookup.
 */

export interface RateLimitOptions {
  /** Steady requests per second each key may make. */
  perSecond: number;
  /** Requests a key may make at once after being idle. */
  burst: number;
  /** @default Date.now */
  now?: () => number;
}

export interface RateLimiter {
  /** Takes one request for `key`: allowed, or refused with the seconds until one is allowed. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number };
  /**
   * Gives back one request taken for `key` (a reservation that was not needed). Check and take
   * are one step (`take`), so concurrent requests cannot all pass a check and then all take.
   */
  give(key: string): void;
  /** Keys with a bucket now (idle full buckets are dropped). */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  let takes = 0;
  const refill = (bucket: Bucket, t: number) => {
    bucket.tokens = Math.min(options.burst, bucket.tokens + ((t - bucket.at) / 1_000) * options.perSecond);
    bucket.at = t;
  };
  return {
    take(key) {
      const t = now();
      // Now and then, drop buckets that have filled up again: they hold nothing a new one would not.
      if (++takes % 1_000 === 0) {
        for (const [k, b] of buckets) {
          refill(b, t);
          if (b.tokens >= options.burst) buckets.delete(k);
        }
      }
      let bucket = buckets.get(key);
      if (!bucket) buckets.set(key, (bucket = { tokens: options.burst, at: t }));
      refill(bucket, t);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / options.perSecond)) };
    },
    give(key) {
      const bucket = buckets.get(key);
      if (!bucket) return;
      refill(bucket, now());
      bucket.tokens = Math.min(options.burst, bucket.tokens + 1);
    },
    size: () => buckets.size,
  };
}

/** Whose bucket a request draws from. */
export function rateLimitKey(identity: { tenant: string | null; actor: string } | null, remoteAddress: string | undefined): string {
  if (identity?.tenant) return `tenant:${identity.tenant}`;
  if (identity) return `actor:${identity.actor}`;
  return `address:${remoteAddress ?? 'unknown'}`;
}
