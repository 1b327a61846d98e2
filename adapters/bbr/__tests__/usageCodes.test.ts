/**
 * BBR usage codes (BygAnvendelse, EnhAnvendelse): a code the table does not know is shown as the
 * code, its text null, never an error; the table's codes are BBR's three-digit codes.
 */
import { describe, expect, it } from 'vitest';
import { mapBuilding, mapUnit } from '../mapBuilding';
import { buildingUsage, unitUsage } from '../usageCodes';

const bygning = { id_lokalId: 'b1', byg021BygningensAnvendelse: '120' };
const enhed = { id_lokalId: 'e1', enh020EnhedensAnvendelse: '140' };

describe('BBR usage codes', () => {
  it('name the codes they know', () => {
    expect(mapBuilding(bygning).usageText).toBe('Fritliggende enfamiliehus');
    expect(mapUnit(enhed).usageText).toBe('Bolig i etageejendom, flerfamiliehus eller to-familiehus');
  });

  it('show an unknown code as the code with text null, for buildings and units alike', () => {
    for (const code of ['911', '000', 'X']) {
      expect(mapBuilding({ ...bygning, byg021BygningensAnvendelse: code })).toMatchObject({ usageCode: code, usageText: null });
      expect(mapUnit({ ...enhed, enh020EnhedensAnvendelse: code })).toMatchObject({ usageCode: code, usageText: null });
    }
    expect(mapUnit({ ...enhed, enh020EnhedensAnvendelse: null })).toMatchObject({ usageCode: null, usageText: null });
  });

  it('hold three-digit codes with a text each', () => {
    for (const table of [buildingUsage, unitUsage]) {
      for (const [code, text] of Object.entries(table)) {
        expect(code).toMatch(/^\d{3}$/);
        expect(text.trim().length).toBeGreaterThan(0);
        expect(text).toBe(text.trim());
      }
    }
  });

  it('name a code from each hundred, buildings and units in their own wording', () => {
    expect(buildingUsage).toMatchObject({
      '110': 'Stuehus til landbrugsejendom',
      '211': 'Stald til svin',
      '321': 'Bygning til kontor',
      '412': 'Museum',
      '510': 'Sommerhus',
      '910': 'Garage',
      '920': 'Carport',
      '930': 'Udhus',
    });
    expect(unitUsage).toMatchObject({
      '120': 'Fritliggende enfamiliehus',
      '150': 'Kollegiebolig',
      '212': 'Stald til kvæg, får mv.',
      '322': 'Enhed til detailhandel',
      '441': 'Daginstitution',
      '540': 'Kolonihavehus',
    });
  });

  it('keep the phased-out codes that real data still holds, with their published text', () => {
    expect(buildingUsage['130']).toMatch(/^\(UDFASES\) /);
    expect(buildingUsage['310']).toMatch(/^\(UDFASES\) Transport- og garageanlæg/);
    expect(unitUsage['360']).toBe('(UDFASES) Offentlig administration.');
    expect(mapBuilding({ ...bygning, byg021BygningensAnvendelse: '220' }).usageText).toMatch(/^\(UDFASES\) /);
  });

  it('cover every group of the lists, and no 9xx codes for units', () => {
    const groups = ['11', '12', '13', '14', '15', '16', '18', '19', '21', '22', '23', '31', '32', '33', '41', '42', '43', '44', '45', '51', '52', '53', '54', '58', '59'];
    for (const group of groups) {
      expect(Object.keys(buildingUsage).some((code) => code.startsWith(group))).toBe(true);
      expect(Object.keys(unitUsage).some((code) => code.startsWith(group))).toBe(true);
    }
    expect(Object.keys(buildingUsage).filter((code) => code.startsWith('9'))).toEqual(['910', '920', '930', '940', '950', '960', '970', '990', '999']);
    expect(Object.keys(unitUsage).some((code) => code.startsWith('9'))).toBe(false);
  });
});
