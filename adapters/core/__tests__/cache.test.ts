import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRegistryCache } from '../cache';
import { LegacyTimeout, LegacyUnavailable, NotFound } from '../errors';

afterEach(() => {
  vi.useRealTimers();
});

describe('createRegistryCache', () => {
  it('serves a loaded value from cache until it is cleared', async () => {
    const cache = createRegistryCache();
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.getOrLoad('k', load)).toBe(1);
    expect(await cache.getOrLoad('k', load)).toBe(1);
    expect(cache.has('k')).toBe(true);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, keys: 1 });
    cache.clear();
    expect(await cache.getOrLoad('k', load)).toBe(2);
  });

  it('lets concurrent misses for one key share one load', async () => {
    const cache = createRegistryCache();
    let loads = 0;
    let release!: (v: string) => void;
    const gate = new Promise<string>((resolve) => (release = resolve));
    const load = () => {
      loads++;
      return gate;
    };
    const both = Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)]);
    release('v');
    expect(await both).toEqual(['v', 'v']);
    expect(loads).toBe(1);
  });

  it('lets a caller whose deadline passes stop waiting, while the shared load goes on for the others', async () => {
    const cache = createRegistryCache();
    let release!: (v: string) => void;
    const load = () => new Promise<string>((resolve) => (release = resolve));
    const impatient = new AbortController();
    const first = cache.getOrLoad('k', load, { signal: impatient.signal, system: 'dar' });
    const second = cache.getOrLoad('k', load);
    impatient.abort();
    await expect(first).rejects.toBeInstanceOf(LegacyTimeout);
    release('v');
    expect(await second).toBe('v');
  });

  it('serves a stale value when the source fails, says so, and never hides "not found"', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = createRegistryCache({ ttlSeconds: 1 });
    await cache.getOrLoad('k', async () => 'old');
    vi.advanceTimersByTime(1_500);
    let told = 0;
    const down = () => Promise.reject(new LegacyUnavailable('bbr: down', { system: 'bbr' }));
    expect(await cache.getOrLoad('k', down, { onStale: () => told++ })).toBe('old');
    expect(told).toBe(1);
    expect(cache.stats().staleServed).toBe(1);
    await expect(cache.getOrLoad('k', () => Promise.reject(new NotFound('bbr: gone', { system: 'bbr' })))).rejects.toBeInstanceOf(NotFound);
    expect(await cache.getOrLoad('k', async () => 'new')).toBe('new');
    cache.close();
  });

  it('does not cache a failure: the next call loads again', async () => {
    const cache = createRegistryCache();
    await expect(cache.getOrLoad('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.has('k')).toBe(false);
    expect(await cache.getOrLoad('k', async () => 'up')).toBe('up');
  });
});
