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
        expect(text.length).toBeGreaterThan(0);
      }
    }
  });
});
