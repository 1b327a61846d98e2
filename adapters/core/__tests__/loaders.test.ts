import { afterEach, describe, expect, it } from 'vitest';
import { createLoaderRegistry, createRequestScopes, eachKey, type RequestScopes } from '../loaders';

describe('per-request loaders', () => {
  it('fetch each distinct key once, however often and however concurrently it is asked for', async () => {
    const fetched: string[] = [];
    const registry = createLoaderRegistry();
    const loader = () => registry.loader<string, string>('people', eachKey(async (key) => (fetched.push(key), key.toUpperCase())));
    const values = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((k) => loader().load(k)));
    expect(values).toEqual(['A', 'B', 'A', 'C', 'B']);
    expect(await loader().load('a')).toBe('A');
    expect(fetched.sort()).toEqual(['a', 'b', 'c']);
  });

  it('keeps a failing key an error without failing its batch neighbours', async () => {
    const registry = createLoaderRegistry();
    const loader = registry.loader<string, string>('x', eachKey(async (key) => {
      if (key === 'bad') throw new Error('not found');
      return key;
    }));
    const [good, bad] = await Promise.allSettled([loader.load('good'), loader.load('bad')]);
    expect(good).toEqual({ status: 'fulfilled', value: 'good' });
    expect(bad.status).toBe('rejected');
  });
});

describe('eachKey', () => {
  it('fails only the key whose fetch throws before it awaits, not its batch neighbours', async () => {
    const batch = eachKey((key: string) => {
      if (key === 'bad') throw new Error('no case system for this municipality');
      return Promise.resolve(key);
    });
    const [good, bad] = await batch(['good', 'bad']);
    expect(good).toBe('good');
    expect(bad).toBeInstanceOf(Error);
  });
});

describe('createRequestScopes', () => {
  let scopes: RequestScopes;
  afterEach(() => scopes.close());

  it('gives the same loaders to every subgraph call carrying one request id, and fresh ones to another', () => {
    scopes = createRequestScopes();
    expect(scopes.scope('r1')).toBe(scopes.scope('r1'));
    expect(scopes.scope('r2')).not.toBe(scopes.scope('r1'));
    expect(scopes.scope(undefined)).not.toBe(scopes.scope(undefined));
    expect(scopes.size()).toBe(2);
  });

  it('keeps at most maxScopes, dropping the least recently used', () => {
    scopes = createRequestScopes({ maxScopes: 2 });
    const first = scopes.scope('a');
    scopes.scope('b');
    scopes.scope('a');
    scopes.scope('c');
    expect(scopes.size()).toBe(2);
    expect(scopes.scope('a')).toBe(first);
  });
});
