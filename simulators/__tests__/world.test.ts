import { describe, expect, it } from 'vitest';
import { sampleCitizens } from '../data/samples';
import { buildWorld, DEFAULT_SEED } from '../data/world';

const world = buildWorld();

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

  it('classifies every case with a KLE subject number from the published plan', () => {
    for (const kase of world.cases.values()) {
      expect(kase.kle.number).toMatch(/^\d{2}\.\d{2}\.\d{2}$/);
      expect(world.kle.get(kase.kle.number)).toBe(kase.kle);
      expect(kase.number.startsWith(kase.kle.number)).toBe(true);
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

  it('offers a rich sample citizen in every municipality', () => {
    const samples = sampleCitizens(world);
    expect([...samples.keys()].sort()).toEqual(['0101', '0461', '0751']);
    for (const person of samples.values()) expect(world.casesByParty.get(person.cpr)!.length).toBeGreaterThanOrEqual(10);
  });
});
