import { afterEach, describe, expect, it, vi } from 'vitest';
import { LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from '../errors';
import { createResilience, type LegacyCall } from '../resilience';

/** A legacy call that fails `failures` times with `error`, then answers. Counts attempts. */
function flaky(failures: number, error: () => Error, idempotent = true): LegacyCall<string> & { attempts: number } {
  const call = {
    system: 'cpr',
    idempotent,
    attempts: 0,
    run: async () => {
      call.attempts++;
      if (call.attempts <= failures) throw error();
      return 'answer';
    },
  };
  return call;
}
const timeout = () => new LegacyTimeout('cpr: slow', { system: 'cpr' });

afterEach(() => {
  vi.useRealTimers();
});

describe('createResilience', () => {
  it('retries an idempotent read after a transient failure, with backoff, and answers', async () => {
    const resilience = createResilience({ maxRetries: 2, initialBackoffMs: 1, maxBackoffMs: 2 });
    const call = flaky(2, timeout);
    expect(await resilience.execute(call)).toBe('answer');
    expect(call.attempts).toBe(3);
    expect(resilience.stats().retries).toBe(2);
  });

  it('never retries a write, whatever the failure', async () => {
    const resilience = createResilience({ maxRetries: 5, initialBackoffMs: 1 });
    const call = flaky(1, timeout, false);
    await expect(resilience.execute(call)).rejects.toBeInstanceOf(LegacyTimeout);
    expect(call.attempts).toBe(1);
  });

  it('does not retry answers: NotFound and protocol faults come back at once', async () => {
    const resilience = createResilience({ maxRetries: 3, initialBackoffMs: 1 });
    const notFound = flaky(1, () => new NotFound('x', { system: 'cpr' }));
    await expect(resilience.execute(notFound)).rejects.toBeInstanceOf(NotFound);
    const fault = flaky(1, () => new LegacyFault('x', { system: 'cpr' }));
    await expect(resilience.execute(fault)).rejects.toBeInstanceOf(LegacyFault);
    expect(notFound.attempts + fault.attempts).toBe(2);
  });

  it('keeps retries within the budget: a failing system gets at most minimum + ratio × calls retries', async () => {
    const resilience = createResilience({ maxRetries: 3, initialBackoffMs: 1, maxBackoffMs: 1, retryBudgetRatio: 0.1, minRetriesPerWindow: 2, breakerThreshold: 1_000 });
    let attempts = 0;
    const calls = 20;
    for (let i = 0; i < calls; i++) {
      const call = flaky(Number.POSITIVE_INFINITY, timeout);
      await resilience.execute(call).catch(() => undefined);
      attempts += call.attempts;
    }
    const retries = attempts - calls;
    expect(retries).toBeLessThanOrEqual(2 + 0.1 * calls);
    expect(resilience.stats().retries).toBe(retries);
    expect(resilience.stats().retriesRefusedByBudget).toBeGreaterThan(0);
  });

  it('opens the breaker after the threshold, refuses calls without calling, and closes after recovery', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const resilience = createResilience({ maxRetries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 10_000 });
    const states: string[] = [];
    resilience.onBreakerChange((s) => states.push(s.state));
    for (let i = 0; i < 3; i++) await resilience.execute(flaky(1, timeout)).catch(() => undefined);
    expect(resilience.breakers()).toEqual([{ system: 'cpr', tenant: null, state: 'open' }]);

    const refused = flaky(0, timeout);
    const error = await resilience.execute(refused).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyUnavailable);
    expect((error as LegacyUnavailable).detail).toBe('circuit open');
    expect(refused.attempts).toBe(0);

    vi.advanceTimersByTime(10_001);
    expect(await resilience.execute(flaky(0, timeout))).toBe('answer');
    expect(resilience.breakers()[0]?.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('does not count NotFound against the breaker', async () => {
    const resilience = createResilience({ maxRetries: 0, breakerThreshold: 2 });
    for (let i = 0; i < 5; i++) await resilience.execute(flaky(1, () => new NotFound('x', { system: 'cpr' }))).catch(() => undefined);
    expect(resilience.breakers()[0]?.state).toBe('closed');
  });

  it('keeps one breaker per tenant × system: one municipality\'s failing ESDH does not stop another\'s', async () => {
    const resilience = createResilience({ maxRetries: 0, breakerThreshold: 1 });
    await resilience.execute({ ...flaky(1, timeout), system: 'esdh', tenant: '0101' }).catch(() => undefined);
    expect(await resilience.execute({ ...flaky(0, timeout), system: 'esdh', tenant: '0751' })).toBe('answer');
    expect(resilience.breakers()).toEqual([
      { system: 'esdh', tenant: '0101', state: 'open' },
      { system: 'esdh', tenant: '0751', state: 'closed' },
    ]);
  });

  it('refuses calls beyond the bulkhead as LegacyUnavailable', async () => {
    const resilience = createResilience({ bulkheadLimit: 1, bulkheadQueue: 0 });
    let release!: () => void;
    const held = resilience.execute({ system: 'bbr', idempotent: true, run: () => new Promise<string>((r) => (release = () => r('held'))) });
    const error = await resilience.execute({ system: 'bbr', idempotent: true, run: async () => 'second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LegacyUnavailable);
    expect((error as LegacyUnavailable).detail).toBe('bulkhead full');
    release();
    expect(await held).toBe('held');
  });

  it('starts no retry once the request\'s deadline has passed', async () => {
    const resilience = createResilience({ maxRetries: 5, initialBackoffMs: 1 });
    const controller = new AbortController();
    const call = { ...flaky(10, timeout), signal: controller.signal };
    call.run = async () => {
      call.attempts++;
      controller.abort();
      throw timeout();
    };
    await expect(resilience.execute(call)).rejects.toBeInstanceOf(LegacyTimeout);
    expect(call.attempts).toBe(1);
  });
});
