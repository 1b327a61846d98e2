import { describe, expect, it } from 'vitest';
import { createRegistryCache } from '../cache';

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

  it('does not cache a failure: the next call loads again', async () => {
    const cache = createRegistryCache();
    await expect(cache.getOrLoad('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.has('k')).toBe(false);
    expect(await cache.getOrLoad('k', async () => 'up')).toBe('up');
  });
});
