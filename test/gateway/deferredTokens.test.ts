/**
 * Tokens of reads that may share are signed only when sent (gateway/subgraphDedup.ts): identical
 * reads in flight make one fetch and one signature; the fetch sent carries the token and neither
 * of the gateway's own headers; a request that cannot share is signed and sent as it is.
 */
import { describe, expect, it } from 'vitest';
import { DEFERRED_TOKEN_HEADER, deferredTokens, SHARING_KEY_HEADER, sharingFetcher } from '../../gateway/subgraphDedup';

const TOKEN_HEADER = 'x-internal-token';

/** A subgraph that answers after `release()`, recording what reached it. */
function slowSubgraph() {
  const seen: Array<Record<string, string>> = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const fetcher = async (_url: string, init?: { headers?: unknown }) => {
    seen.push({ ...(init?.headers as Record<string, string>) });
    await released;
    return new Response('{"data":{"ok":true}}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { seen, release, fetcher: fetcher as never };
}

describe('deferred tokens', () => {
  it('are signed once for identical reads in flight, by the one sent, and never leave as headers of ours', async () => {
    const tokens = deferredTokens();
    const subgraph = slowSubgraph();
    const { fetcher, shared } = sharingFetcher(subgraph.fetcher, tokens, TOKEN_HEADER);
    let signatures = 0;
    const request = () => ({
      method: 'POST',
      body: '{"query":"{ ok }"}',
      headers: { [SHARING_KEY_HEADER]: 'same-decision', [DEFERRED_TOKEN_HEADER]: tokens.defer(async () => `token-${++signatures}`) },
    });
    const answers = Promise.all([fetcher('http://subgraph', request()), fetcher('http://subgraph', request()), fetcher('http://subgraph', request())]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    subgraph.release();
    for (const answer of await answers) expect(await answer.json()).toEqual({ data: { ok: true } });
    expect(signatures).toBe(1);
    expect(shared()).toBe(2);
    expect(subgraph.seen).toEqual([{ [TOKEN_HEADER]: 'token-1' }]);
    // Every deferred signing was taken: nothing is kept for requests that are gone.
    expect(tokens.take('1')).toBeUndefined();
    expect(tokens.take('2')).toBeUndefined();
    expect(tokens.take('3')).toBeUndefined();
  });

  it('are signed for a request that cannot share (no key) and for the next one once the first has answered', async () => {
    const tokens = deferredTokens();
    const subgraph = slowSubgraph();
    subgraph.release();
    const { fetcher } = sharingFetcher(subgraph.fetcher, tokens, TOKEN_HEADER);
    let signatures = 0;
    const sign = async () => `token-${++signatures}`;
    await fetcher('http://subgraph', { method: 'POST', body: '{"query":"{ ok }"}', headers: { [DEFERRED_TOKEN_HEADER]: tokens.defer(sign) } } as never);
    const keyed = () => ({ method: 'POST', body: '{"query":"{ ok }"}', headers: { [SHARING_KEY_HEADER]: 'k', [DEFERRED_TOKEN_HEADER]: tokens.defer(sign) } });
    await fetcher('http://subgraph', keyed() as never);
    await fetcher('http://subgraph', keyed() as never);
    expect(subgraph.seen).toEqual([{ [TOKEN_HEADER]: 'token-1' }, { [TOKEN_HEADER]: 'token-2' }, { [TOKEN_HEADER]: 'token-3' }]);
  });

  it('keep a bounded number of signings waiting', () => {
    const tokens = deferredTokens();
    const first = tokens.defer(async () => 'first');
    for (let i = 0; i < 10_000; i++) tokens.defer(async () => 'later');
    expect(tokens.take(first)).toBeUndefined();
  });
});
