import { describe, expect, it } from 'vitest';
import type { CprAddress, PersonRecord } from '../../../adapters/cpr';
import { NotFound, LegacyTimeout } from '../../../adapters/core/errors';
import { addressDisclosure, relatedCprs, sameAddress, type RecordOf } from '../addressProtection';

const address = (houseNumber: string, floor: string | null = null, door: string | null = null): CprAddress => ({
  municipalityCode: '0101',
  municipalityCvr: '64942212',
  streetCode: '0234',
  houseNumber,
  floor,
  door,
  streetName: 'Nørregade',
  postcode: '2100',
  postDistrict: 'København Ø',
});
const HOME = address('12', '2', 'th');
const ELSEWHERE = address('14');

type Relations = PersonRecord['relations'];
const person = (cpr: string, options: { at?: CprAddress | null; protected?: boolean } & Partial<Relations> = {}): PersonRecord => ({
  cpr,
  name: { given: cpr, middle: null, family: 'Test', full: `${cpr} Test` },
  birthDate: null,
  sex: null,
  status: 1,
  maritalStatus: null,
  addressProtected: options.protected ?? false,
  address: options.at === undefined ? HOME : options.at,
  relations: {
    spouse: options.spouse ?? null,
    children: options.children ?? [],
    mother: options.mother ?? null,
    father: options.father ?? null,
    custodyHolders: options.custodyHolders ?? [],
  },
});

/** A CPR of hand-made records that counts look-ups and fails for the numbers it is told to. */
function registry(records: PersonRecord[], failing: Record<string, Error> = {}) {
  const byCpr = new Map(records.map((r) => [r.cpr, r]));
  const asked: string[] = [];
  const recordOf: RecordOf = async (cpr) => {
    asked.push(cpr);
    if (failing[cpr]) throw failing[cpr];
    const record = byCpr.get(cpr);
    if (!record) throw new NotFound('cpr: unknown', { system: 'cpr' });
    return record;
  };
  return { recordOf, asked, of: (cpr: string) => byCpr.get(cpr)! };
}

/** Mother m, father f, children a and b, all at HOME; `overrides` changes anyone. */
function family(overrides: Record<string, Parameters<typeof person>[1]> = {}) {
  const base: Record<string, Parameters<typeof person>[1]> = {
    m: { spouse: 'f', children: ['a', 'b'] },
    f: { spouse: 'm', children: ['a', 'b'] },
    a: { mother: 'm', father: 'f', custodyHolders: ['m', 'f'] },
    b: { mother: 'm', father: 'f', custodyHolders: ['m', 'f'] },
  };
  return registry(Object.entries(base).map(([cpr, options]) => person(cpr, { ...options, ...overrides[cpr] })));
}

describe('addressDisclosure: a household with a protected person keeps its address', () => {
  it('discloses the address of a family where nobody is protected, asking CPR for each relative once', async () => {
    const world = family();
    expect(await addressDisclosure(world.of('m'), world.recordOf)).toEqual({ disclose: true });
    expect([...world.asked].sort()).toEqual(['a', 'b', 'f']);
  });

  it('withholds a protected citizen\'s own address without asking for anybody', async () => {
    const world = family({ m: { protected: true } });
    expect(await addressDisclosure(world.of('m'), world.recordOf)).toEqual({ disclose: false, reason: 'protected' });
    expect(world.asked).toEqual([]);
  });

  it('withholds the address of the spouse of a protected person registered there', async () => {
    const world = family({ m: { protected: true } });
    expect(await addressDisclosure(world.of('f'), world.recordOf)).toEqual({ disclose: false, reason: 'protected' });
  });

  it('withholds the address of a protected person\'s parent and child', async () => {
    const world = family({ a: { protected: true } });
    expect((await addressDisclosure(world.of('m'), world.recordOf)).disclose).toBe(false);
    const parentProtected = family({ f: { protected: true } });
    expect((await addressDisclosure(parentProtected.of('a'), parentProtected.recordOf)).disclose).toBe(false);
  });

  it('withholds the address of a protected person\'s sibling, reached through a parent', async () => {
    const world = family({ b: { protected: true } });
    expect(await addressDisclosure(world.of('a'), world.recordOf)).toEqual({ disclose: false, reason: 'protected' });
  });

  it('withholds the address of siblings sharing a flat, linked only through parents registered elsewhere', async () => {
    const world = family({ m: { at: ELSEWHERE }, f: { at: ELSEWHERE }, b: { protected: true } });
    expect(await addressDisclosure(world.of('a'), world.recordOf)).toEqual({ disclose: false, reason: 'protected' });
  });

  it('withholds a step-parent\'s address when the spouse\'s protected child lives there', async () => {
    const world = registry([
      person('s', { spouse: 'p' }),
      person('p', { spouse: 's', children: ['c'] }),
      person('c', { mother: 'p', custodyHolders: ['p'], protected: true }),
    ]);
    expect(await addressDisclosure(world.of('s'), world.recordOf)).toEqual({ disclose: false, reason: 'protected' });
  });

  it('withholds the address where a protected custody holder who is not a parent lives', async () => {
    const world = registry([person('a', { custodyHolders: ['g'] }), person('g', { protected: true })]);
    expect(await addressDisclosure(world.of('a'), world.recordOf)).toEqual({ disclose: false, reason: 'protected' });
  });

  it('discloses the address when the protected relative is registered elsewhere', async () => {
    const world = family({ m: { protected: true, at: ELSEWHERE } });
    expect(await addressDisclosure(world.of('f'), world.recordOf)).toEqual({ disclose: true });
    const sameHouseOtherFloor = family({ m: { protected: true, at: address('12', '3', 'th') } });
    expect(await addressDisclosure(sameHouseOtherFloor.of('f'), sameHouseOtherFloor.recordOf)).toEqual({ disclose: true });
  });

  it('follows exactly two relation steps (a sibling\'s spouse is three away)', async () => {
    const world = registry([
      person('a', { mother: 'm' }),
      person('m', { children: ['a', 'b'], at: ELSEWHERE }),
      person('b', { mother: 'm', spouse: 'x', at: ELSEWHERE }),
      person('x', { spouse: 'b', protected: true }),
    ]);
    expect(await addressDisclosure(world.of('a'), world.recordOf)).toEqual({ disclose: true });
    expect(world.asked).not.toContain('x');
  });

  it('fails closed when a relative cannot be looked up, and asks CPR nothing more', async () => {
    const timeout = new LegacyTimeout('cpr: no answer', { system: 'cpr' });
    const world = registry(
      [person('m', { spouse: 'f', children: ['a'] }), person('f', { spouse: 'm', children: ['a'] }), person('a', { mother: 'm', father: 'f' })],
      { f: timeout },
    );
    expect(await addressDisclosure(world.of('m'), world.recordOf)).toEqual({ disclose: false, reason: 'unverified', error: timeout });
    expect([...world.asked].sort()).toEqual(['a', 'f']);
  });

  it('fails closed when CPR does not know a relative it names', async () => {
    const world = registry([person('a', { mother: 'ghost' })]);
    const decision = await addressDisclosure(world.of('a'), world.recordOf);
    expect(decision).toMatchObject({ disclose: false, reason: 'unverified' });
  });

  it('answers protected when a protected co-resident is found beside a failed look-up', async () => {
    const world = registry(
      [person('m', { spouse: 'f', children: ['a'] }), person('a', { mother: 'm', protected: true })],
      { f: new LegacyTimeout('cpr: no answer', { system: 'cpr' }) },
    );
    expect(await addressDisclosure(world.of('m'), world.recordOf)).toEqual({ disclose: false, reason: 'protected' });
  });

  it('has nothing to disclose for a citizen without an address, and asks for nobody', async () => {
    const world = family({ m: { at: null } });
    expect(await addressDisclosure(world.of('m'), world.recordOf)).toEqual({ disclose: false, reason: 'no-address' });
    expect(world.asked).toEqual([]);
  });
});

describe('relatedCprs', () => {
  it('names spouse, children, parents and custody holders, each once', () => {
    const child = person('a', { mother: 'm', father: 'f', custodyHolders: ['m', 'f', 'g'] });
    const parent = person('m', { spouse: 'f', children: ['a', 'b'] });
    expect(relatedCprs([child, parent]).sort()).toEqual(['a', 'b', 'f', 'g', 'm']);
  });
});

describe('sameAddress: the CPR address key', () => {
  it('is the same key when municipality, street, house number, floor and door agree', () => {
    expect(sameAddress(HOME, { ...HOME, streetName: 'Other name', postcode: null })).toBe(true);
  });

  it('differs in any one part of the key', () => {
    for (const change of [{ municipalityCode: '0751' }, { streetCode: '0235' }, { houseNumber: '12A' }, { floor: '3' }, { door: 'tv' }, { floor: null }]) {
      expect(sameAddress(HOME, { ...HOME, ...change }), JSON.stringify(change)).toBe(false);
    }
  });

  it('matches loosely where CPR writes one key two ways (a false match only withholds)', () => {
    expect(sameAddress(HOME, { ...HOME, municipalityCode: '101', streetCode: '234', houseNumber: '012', floor: '2.', door: 'TH ' })).toBe(true);
    expect(sameAddress(address('3'), { ...address('3'), floor: '', door: '' })).toBe(true);
  });

  it('is never the same as no address', () => {
    expect(sameAddress(HOME, null)).toBe(false);
    expect(sameAddress(null, null)).toBe(false);
  });
});
