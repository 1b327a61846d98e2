/** The DAR simulator pages its answers like Datafordeler: `page` from 1, `pagesize` 100 by default, capped. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../core/simulator';
import { DAR_DEFAULT_PAGE_SIZE, startDarSimulator } from '../dar/server';
import { buildWorld } from '../data/world';

const world = buildWorld();
// The world's longest road part in København: every page size below is judged against it.
const roads = new Map<string, string[]>();
for (const address of world.addresses.values()) {
  const access = world.accessAddresses.get(address.accessAddressId)!;
  if (access.municipalityCode !== '0101') continue;
  roads.set(access.streetCode, [...(roads.get(access.streetCode) ?? []), address.id]);
}
const [streetCode, roadIds] = [...roads].sort((a, b) => b[1].length - a[1].length)[0]!;
let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startDarSimulator({ world, maxPageSize: 25 });
});
afterAll(() => simulator.close());

const road = async (query = '') => {
  const response = await fetch(`${simulator.url}/DAR/DAR/1/rest/adresse?Kommunekode=0101&Vejkode=${streetCode}&format=JSON${query}`);
  return { status: response.status, ids: response.status === 200 ? ((await response.json()) as { id_lokalId: string }[]).map((a) => a.id_lokalId) : [] };
};

describe('DAR simulator paging', () => {
  it('answers pages of its default size when no `pagesize` is given (100 unless told otherwise)', async () => {
    expect(DAR_DEFAULT_PAGE_SIZE).toBe(100);
    const small = await startDarSimulator({ world, defaultPageSize: 7 });
    try {
      const response = await fetch(`${small.url}/DAR/DAR/1/rest/adresse?Kommunekode=0101&Vejkode=${streetCode}&page=2`);
      expect(((await response.json()) as { id_lokalId: string }[]).map((a) => a.id_lokalId)).toEqual(roadIds.slice(7, 14));
    } finally {
      await small.close();
    }
  });

  it('answers page after page in one order, pages of `pagesize`, the last one short', async () => {
    expect(roadIds.length).toBeGreaterThan(20);
    const pages = [];
    for (let page = 1; ; page++) {
      const { status, ids } = await road(`&page=${page}&pagesize=20`);
      expect(status).toBe(200);
      pages.push(ids);
      if (ids.length < 20) break;
    }
    expect(pages.flat()).toEqual(roadIds);
    expect(pages.slice(0, -1).every((p) => p.length === 20)).toBe(true);
  });

  it('cuts a `pagesize` above its cap to the cap', async () => {
    expect((await road('&pagesize=1000')).ids).toEqual(roadIds.slice(0, 25));
  });

  it('answers a page past the end with an empty list', async () => {
    expect(await road('&page=99')).toEqual({ status: 200, ids: [] });
  });

  it('refuses a page or page size that is not a whole number from 1', async () => {
    for (const query of ['&page=0', '&page=-1', '&pagesize=0', '&pagesize=ten', '&page=1.5']) {
      expect((await road(query)).status, query).toBe(400);
    }
  });

  it('records page 1 under the road key and later pages with their number', async () => {
    simulator.resetCalls();
    await road('&pagesize=20');
    await road('&page=2&pagesize=20');
    expect(simulator.calls.map((c) => c.key)).toEqual([`vej:0101|${streetCode}`, `vej:0101|${streetCode} page:2`]);
  });
});
