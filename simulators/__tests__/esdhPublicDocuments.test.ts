/**
 * The world's papers outside citizens' cases, and the demo ESDH's list of the public ones
 * (GET /api/v1/offentlige-dokumenter): each municipality's own, only those marked public, newest
 * first in one order on every call, paged by `start` and `maks`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../core/simulator';
import { buildWorld, type MunicipalPaper } from '../data/world';
import { startEsdhSimulator } from '../esdh/server';

const world = buildWorld();
const papersOf = (code: string) => world.municipalPapers?.get(code) ?? [];
let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startEsdhSimulator({ world, municipalityCode: '0101' });
});
afterAll(() => simulator.close());

const list = async (query: string) => {
  const response = await fetch(`${simulator.url}/api/v1/offentlige-dokumenter${query}`);
  return { status: response.status, body: (await response.json()) as { totalAntal: number; dokumenter: { uuid: string; dato: string; offentlig: boolean }[] } };
};

describe('the world\'s municipal papers', () => {
  it('gives every municipality meeting papers and decisions, most of them public and some not', () => {
    for (const m of world.municipalities) {
      const papers = papersOf(m.code);
      expect(papers.length).toBeGreaterThan(40);
      expect(papers.every((p) => p.municipalityCode === m.code)).toBe(true);
      expect(new Set(papers.map((p) => p.kind))).toEqual(new Set(['AGENDA', 'MINUTES', 'DECISION']));
      expect(papers.filter((p) => !p.public).length).toBeGreaterThan(0);
      expect(papers.filter((p) => p.public).length).toBeGreaterThan(papers.length / 2);
    }
    const ids = [...world.municipalPapers!.values()].flat().map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Apart from citizens' documents: no paper is a case's document.
    expect(ids.some((id) => world.documents.has(id))).toBe(false);
  });

  it('is drawn the same in every process', () => {
    expect(buildWorld(12345).municipalPapers).toEqual(buildWorld(12345).municipalPapers);
  });
});

describe('the demo ESDH\'s public documents', () => {
  const published = papersOf('0101').filter((p) => p.public);
  const newestFirst = (a: MunicipalPaper, b: MunicipalPaper) => b.date.localeCompare(a.date) || a.id.localeCompare(b.id);

  it('lists its own municipality\'s public papers only, newest first, with the count', async () => {
    const { status, body } = await list('?start=0&maks=500');
    expect(status).toBe(200);
    expect(body.totalAntal).toBe(published.length);
    expect(body.dokumenter.map((d) => d.uuid)).toEqual([...published].sort(newestFirst).map((p) => p.id));
    expect(body.dokumenter.every((d) => d.offentlig === true)).toBe(true);
  });

  it('pages by start and maks, in the same order on every call', async () => {
    const all = (await list('?start=0&maks=500')).body.dokumenter.map((d) => d.uuid);
    const pages: string[] = [];
    for (let start = 0; start < all.length; start += 7) pages.push(...(await list(`?start=${start}&maks=7`)).body.dokumenter.map((d) => d.uuid));
    expect(pages).toEqual(all);
    expect((await list(`?start=${all.length}&maks=7`)).body.dokumenter).toEqual([]);
  });

  it('refuses a start or maks it cannot take, and records each call', async () => {
    simulator.resetCalls();
    for (const query of ['?maks=0', '?maks=501', '?start=-1', '?start=x']) expect((await list(query)).status).toBe(400);
    expect((await list('')).body.dokumenter).toHaveLength(50);
    expect(simulator.callsTo('offentlige-dokumenter').map((c) => c.key)).toEqual(['0+0', '0+501', '?+50', '?+50', '0+50']);
  });
});
