import { describe, expect, it } from 'vitest';
import { createRateLimiter, rateLimitKey } from '../rateLimit';

describe('the rate limiter', () => {
  it('allows a burst, then the steady rate, and says when to come back', () => {
    let t = 0;
    const limiter = createRateLimiter({ perSecond: 2, burst: 3, now: () => t });
    expect([1, 2, 3].map(() => limiter.take('tenant:0101').allowed)).toEqual([true, true, true]);
    expect(limiter.take('tenant:0101')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    t += 500; // one token back at 2 per second
    expect(limiter.take('tenant:0101').allowed).toBe(true);
    expect(limiter.take('tenant:0101').allowed).toBe(false);
  });

  it('keeps each key to its own bucket: one tenant spent leaves the others whole', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.take('tenant:0101').allowed).toBe(true);
    expect(limiter.take('tenant:0101').allowed).toBe(false);
    expect(limiter.take('tenant:0751').allowed).toBe(true);
  });

  it('forgets buckets that have filled up again, so idle keys cost no memory', () => {
    let t = 0;
    const limiter = createRateLimiter({ perSecond: 10, burst: 10, now: () => t });
    for (let i = 0; i < 999; i++) limiter.take(`actor:${i}`);
    expect(limiter.size()).toBe(999);
    t += 10_000;
    limiter.take('actor:late');
    expect(limiter.size()).toBe(1);
  });

  it('keys by municipality, else by actor, else by client address', () => {
    expect(rateLimitKey({ tenant: '0101', actor: 'kw-1' }, '10.0.0.1')).toBe('tenant:0101');
    expect(rateLimitKey({ tenant: null, actor: '0101601234' }, '10.0.0.1')).toBe('actor:0101601234');
    expect(rateLimitKey(null, '10.0.0.1')).toBe('address:10.0.0.1');
  });
});
