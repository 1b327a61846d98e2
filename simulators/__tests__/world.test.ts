import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sampleCitizens } from '../data/samples';
import { buildWorld, DEFAULT_SEED } from '../data/world';

const world = buildWorld();

/** The published KLE plan (KL Emnesystematik, 2,933 numbers with titles), beside the checkout in CI. */
const publishedPlanPath = fileURLToPath(new URL('../../../shared/contracts/kle/kle-emneplan.csv', import.meta.url));
/** The project's own subset of it, which the world classifies cases with. */
const subsetPath = fileURLToPath(new URL('../data/kle-subset.csv', import.meta.url));

/** Rows of a CSV file (RFC 4180: quoted fields, doubled quotes, CRLF or LF), header included. */
function readCsv(path: string): string[][] {
  const text = readFileSync(path, 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    rows.push([...row, field.replace(/\r$/, '')]);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted && char === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && char === '\n') {
      endRow();
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** UUID, EmneNr, EmneTitel by EmneNr. */
function kleRows(path: string): Map<string, { uuid: string; number: string; title: string }> {
  const [header, ...rows] = readCsv(path);
  expect(header).toEqual(['UUID', 'EmneNr', 'EmneTitel']);
  return new Map(rows.map(([uuid = '', number = '', title = '']) => [number, { uuid, number, title }]));
}

describe('the synthetic world', () => {
  it('has at least 3 municipalities, 10,000 citizens and 20,000 cases with documents', () => {
    expect(world.municipalities.map((m) => m.code)).toEqual(['0101', '0751', '0461']);
    expect(world.persons.size).toBeGreaterThanOrEqual(10_000);
    expect(world.cases.size).toBeGreaterThanOrEqual(20_000);
    expect(world.documents.size).toBeGreaterThanOrEqual(world.cases.size);
    for (const m of world.municipalities) {
      expect([...world.persons.values()].filter((p) => p.municipalityCode === m.code).length).toBeGreaterThan(3_000);
    }
  });

  it('gives every case one to four documents of its own, and every document to exactly one case', () => {
    const cases = [...world.cases.values()];
    expect(cases.filter((c) => c.documentIds.length < 1 || c.documentIds.length > 4).map((c) => c.number)).toEqual([]);
    expect(cases.filter((c) => c.documentIds.some((id) => world.documents.get(id)?.caseId !== c.id)).map((c) => c.number)).toEqual([]);
    const filed = cases.flatMap((c) => c.documentIds);
    expect(new Set(filed).size).toBe(filed.length);
    expect(filed.length).toBe(world.documents.size);
  });

  it('uses only substitute CPR numbers (day of month + 60), unique, with sex in the last digit', () => {
    for (const person of world.persons.values()) {
      const day = Number(person.cpr.slice(0, 2));
      expect(day).toBeGreaterThanOrEqual(61);
      expect(day).toBeLessThanOrEqual(91);
      expect(day - 60).toBe(Number(person.birthDate.slice(8, 10)));
      expect(Number(person.cpr.at(-1)) % 2 === 1).toBe(person.sex === 'M');
    }
  });

  it('links every citizen to an address, building and unit, and every relation both ways', () => {
    for (const person of world.persons.values()) {
      const address = world.addresses.get(person.addressId)!;
      const unit = world.units.get(address.unitId)!;
      expect(world.buildings.get(unit.buildingId)?.unitIds).toContain(unit.id);
      if (person.spouseCpr) expect(world.persons.get(person.spouseCpr)?.spouseCpr).toBe(person.cpr);
      for (const child of person.childCprs) expect([world.persons.get(child)?.motherCpr, world.persons.get(child)?.fatherCpr]).toContain(person.cpr);
    }
  });

  it('classifies every case with a KLE subject of its own subset; the demo ESDH\'s case numbers start with it', () => {
    const demo = new Set(world.municipalities.filter((m) => m.esdhVendor === 'demo').map((m) => m.code));
    for (const kase of world.cases.values()) {
      expect(kase.kle.number).toMatch(/^\d{2}\.\d{2}\.\d{2}$/);
      expect(world.kle.get(kase.kle.number)).toBe(kase.kle);
      if (demo.has(kase.municipalityCode)) expect(kase.number.startsWith(kase.kle.number)).toBe(true);
    }
  });

  it('keeps Odense\'s cases as its Acadre numbers them (yy/løbenummer) and its index feeder names them', () => {
    expect(world.municipalities.map((m) => [m.code, m.esdhVendor])).toEqual([['0101', 'demo'], ['0751', 'demo'], ['0461', 'acadre']]);
    const odense = [...world.cases.values()].filter((c) => c.municipalityCode === '0461');
    expect(odense.length).toBeGreaterThan(6_000);
    const numbers = new Set<string>();
    odense.forEach((kase, index) => {
      expect(kase.number).toBe(`${kase.openedAt.slice(2, 4)}/${/\/(\d+)$/.exec(kase.number)![1]}`);
      numbers.add(kase.number);
      expect(kase.id).toBe(`acc00461-0000-8000-8000-${String(100_001 + index).padStart(12, '0')}`);
      for (const id of kase.documentIds) expect(id).toMatch(/^acd00461-0000-8000-8000-\d{12}$/);
      expect(world.casesByNumber.get(`0461|${kase.number}`)).toBe(kase.id);
    });
    expect(numbers.size).toBe(odense.length);
    // The vendor changes only identities: another municipality's cases are drawn as before.
    expect([...world.cases.values()].filter((c) => c.municipalityCode !== '0461').every((c) => /^[0-9a-f]{8}-[0-9a-f]{4}-4/.test(c.id))).toBe(true);
  });

  it('takes its KLE subset from the published plan: every number, title and UUID appears there as written', () => {
    if (!existsSync(publishedPlanPath)) {
      throw new Error(`the published KLE plan is expected at ${publishedPlanPath} (../shared/contracts beside the checkout)`);
    }
    const published = kleRows(publishedPlanPath);
    const subset = kleRows(subsetPath);
    expect(published.size).toBe(2_933);
    expect(subset.size).toBeGreaterThan(0);
    for (const row of subset.values()) expect(published.get(row.number), row.number).toEqual(row);
    // …and so every case's subject: the plan writes titles as "27.12.04 - Title".
    for (const subject of new Set([...world.cases.values()].map((c) => c.kle))) {
      expect(published.get(subject.number), subject.number).toEqual({ uuid: subject.uuid, number: subject.number, title: `${subject.number} - ${subject.title}` });
    }
  });

  it('is the same on every build from the same seed, and another for another seed', () => {
    const first = buildWorld(DEFAULT_SEED + 1);
    const second = buildWorld(DEFAULT_SEED + 1);
    expect(first).not.toBe(second);
    expect([...second.persons.values()].slice(0, 200)).toEqual([...first.persons.values()].slice(0, 200));
    expect([...second.cases.values()].slice(0, 200)).toEqual([...first.cases.values()].slice(0, 200));
    expect([...first.persons.keys()].slice(0, 50)).not.toEqual([...world.persons.keys()].slice(0, 50));
  });

  it('keeps cases about properties (environmental, KLE 09; building permits, 02), each naming its building or address, after the seeded ones', () => {
    const cases = [...world.cases.values()];
    const first = cases.findIndex((c) => c.objects !== undefined);
    expect(first).toBeGreaterThan(0);
    // Drawn from their own stream after every other case: the seeded cases come first, unchanged.
    expect(cases.slice(first).every((c) => c.objects !== undefined)).toBe(true);
    for (const m of world.municipalities) {
      const own = cases.slice(first).filter((c) => c.municipalityCode === m.code);
      expect(own.filter((c) => c.kle.number.startsWith('09.')).length, m.code).toBeGreaterThanOrEqual(10);
      expect(own.some((c) => c.kle.number.startsWith('02.')), m.code).toBe(true);
      expect(own.some((c) => c.parties.length > 0), m.code).toBe(true);
    }
    for (const kase of cases.slice(first)) {
      expect(kase.objects!.length).toBeGreaterThan(0);
      for (const object of kase.objects!) {
        const building = object.kind === 'building' ? world.buildings.get(object.id) : world.buildings.get(world.units.get(world.addresses.get(object.id)?.unitId ?? '')?.buildingId ?? '');
        expect(building?.municipalityCode, object.id).toBe(kase.municipalityCode);
      }
      // A party is somebody who lives at the property the case is about.
      for (const party of kase.parties) {
        const home = world.addresses.get(world.persons.get(party.cpr)!.addressId)!;
        expect(kase.objects!.some((o) => o.id === home.id || o.id === world.units.get(home.unitId)!.buildingId)).toBe(true);
      }
    }
  });

  it('offers a rich sample citizen in every municipality', () => {
    const samples = sampleCitizens(world);
    expect([...samples.keys()].sort()).toEqual(['0101', '0461', '0751']);
    for (const person of samples.values()) expect(world.casesByParty.get(person.cpr)!.length).toBeGreaterThanOrEqual(10);
  });
});
