import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { isCurrent, mapBuilding, mapUnit } from '../mapBuilding';

/** BBR 2.4.4 Bygning and Enhed as Datafordeler BBRPublic v1 answers (trimmed). */
const bygning = {
  datafordelerOpdateringstid: '2024-10-07T02:15:41.902113+02:00',
  id_lokalId: 'c2f8e0d4-6a19-4e57-8b3c-0d5a7e9f1b26',
  byg021BygningensAnvendelse: '140',
  byg026Opførelsesår: 1899,
  byg038SamletBygningsareal: 1550,
  byg039BygningensSamledeBoligAreal: 1420,
  byg041BebyggetAreal: 310,
  byg054AntalEtager: 5,
  husnummer: '5d3c2a1e-8f47-4b6a-9c21-3e7f0b9a4d12',
  kommunekode: '0101',
  status: '6',
};
const enhed = {
  id_lokalId: 'e9b17a3c-4d2f-4c68-a05e-7f3b2c8d6e41',
  adresseIdentificerer: 'a7e41c09-2b5d-4f83-b6e2-91c0d4f7a358',
  bygning: 'c2f8e0d4-6a19-4e57-8b3c-0d5a7e9f1b26',
  enh020EnhedensAnvendelse: '140',
  enh026EnhedensSamledeAreal: 78,
  enh027ArealTilBeboelse: 78,
  enh031AntalVærelser: 3,
  status: '6',
};

describe('mapBuilding and mapUnit (BBR)', () => {
  it('reads the fields spelled with Danish letters and names the usage code', () => {
    expect(mapBuilding(bygning)).toEqual({
      id: 'c2f8e0d4-6a19-4e57-8b3c-0d5a7e9f1b26',
      accessAddressId: '5d3c2a1e-8f47-4b6a-9c21-3e7f0b9a4d12',
      municipalityCode: '0101',
      usageCode: '140',
      usageText: 'Etagebolig-bygning, flerfamiliehus eller to-familiehus',
      yearBuilt: 1899,
      totalArea: 1550,
      builtArea: 310,
      residentialArea: 1420,
      floors: 5,
    });
    expect(mapUnit(enhed)).toMatchObject({ addressId: 'a7e41c09-2b5d-4f83-b6e2-91c0d4f7a358', area: 78, rooms: 3 });
  });

  it('keeps an unknown usage code without a text, and null for missing numbers', () => {
    // 998 is in no BBR code list (999 is: "Ukendt bygning").
    const odd = mapBuilding({ ...bygning, byg021BygningensAnvendelse: '998', byg026Opførelsesår: null });
    expect([odd.usageCode, odd.usageText, odd.yearBuilt]).toEqual(['998', null, null]);
  });

  it('names the small buildings of a residential plot (910 garage, 930 shed), which real BBR data is full of', () => {
    expect(mapBuilding({ ...bygning, byg021BygningensAnvendelse: '910' }).usageText).toBe('Garage');
    expect(mapBuilding({ ...bygning, byg021BygningensAnvendelse: '930' }).usageText).toBe('Udhus');
  });

  it('tells retired objects from current ones by Livscyklus status', () => {
    expect(isCurrent(bygning)).toBe(true);
    expect(isCurrent({ ...bygning, status: '10' })).toBe(false);
  });

  it('rejects objects without id', () => {
    expect(() => mapBuilding({})).toThrow(LegacyBadResponse);
    expect(() => mapUnit([])).toThrow(LegacyBadResponse);
  });
});
