/**
 * BBR technical installation classification (tek020Klassifikation): the table's codes are BBR's
 * four-digit codes with a text each; a code it does not know has no entry, and callers show the code
 * with text null.
 */
import { describe, expect, it } from 'vitest';
import { installationClassification } from '../installationCodes';

describe('BBR installation classification', () => {
  it('holds four-digit codes with a text each', () => {
    const entries = Object.entries(installationClassification);
    expect(entries.length).toBeGreaterThan(0);
    for (const [code, text] of entries) {
      expect(code).toMatch(/^\d{4}$/);
      expect(text.trim().length).toBeGreaterThan(0);
      expect(text).toBe(text.trim());
    }
  });

  it('names a code from each group', () => {
    expect(installationClassification).toMatchObject({
      '1110': 'Tank (Produkt på væskeform)',
      '1120': 'Silo (Produkt på fast form)',
      '1210': 'Vindmølle (elproducerende)',
      '1230': 'Solvarme-/ solcelleanlæg',
      '1250': 'Transformerstation',
      '1330': 'Swimmingpool',
      '1955': 'Andet teknisk anlæg',
    });
  });

  it('only uses the groups 11xx, 12xx, 13xx and 19xx', () => {
    for (const code of Object.keys(installationClassification)) {
      expect(['11', '12', '13', '19']).toContain(code.slice(0, 2));
    }
  });

  it('has no entry for a code it does not know', () => {
    for (const code of ['9999', '1111', '110', 'X']) {
      expect(installationClassification[code]).toBeUndefined();
    }
  });
});
