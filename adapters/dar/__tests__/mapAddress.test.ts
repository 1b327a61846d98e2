import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { isCurrentAddress, mapAddress, matchCprAddress } from '../mapAddress';

/** A DAR 2.3.4 Adresse in Datafordeler's nested REST form (trimmed to the fields read). */
const adresse = {
  datafordelerOpdateringstid: '2024-10-07T03:34:57.6369+02:00',
  adressebetegnelse: 'Æblegade 12B, 2. th, 2200 København N',
  bygning: 'c2f8e0d4-6a19-4e57-8b3c-0d5a7e9f1b26',
  dørbetegnelse: 'th',
  etagebetegnelse: '2',
  id_lokalId: 'a7e41c09-2b5d-4f83-b6e2-91c0d4f7a358',
  status: '3',
  husnummer: {
    id_lokalId: '5d3c2a1e-8f47-4b6a-9c21-3e7f0b9a4d12',
    husnummertekst: '12B',
    adgangTilBygning: 'c2f8e0d4-6a19-4e57-8b3c-0d5a7e9f1b26',
    kommuneinddeling: { id_lokalId: '389101', kommunekode: '0101', navn: 'København' },
    navngivenVej: {
      vejnavn: 'Æblegade',
      navngivenVejKommunedelList: [
        { id_lokalId: 'x', navngivenVejKommunedel: { kommune: '0147', vejkode: '0999' } },
        { id_lokalId: 'y', navngivenVejKommunedel: { kommune: '0101', vejkode: '4321' } },
      ],
    },
    postnummer: { postnr: '2200', navn: 'København N' },
  },
};

describe('mapAddress (DAR Adresse)', () => {
  it('maps text, floor, door and the nested husnummer', () => {
    expect(mapAddress(adresse)).toEqual({
      id: 'a7e41c09-2b5d-4f83-b6e2-91c0d4f7a358',
      text: 'Æblegade 12B, 2. th, 2200 København N',
      accessAddressId: '5d3c2a1e-8f47-4b6a-9c21-3e7f0b9a4d12',
      houseNumber: '12B',
      floor: '2',
      door: 'th',
      streetName: 'Æblegade',
      streetCode: '4321',
      postcode: '2200',
      postcodeName: 'København N',
      municipality: { code: '0101', name: 'København' },
      buildingId: 'c2f8e0d4-6a19-4e57-8b3c-0d5a7e9f1b26',
    });
  });

  it('takes the vejkode of the municipality the address lies in, for roads crossing a border', () => {
    expect(mapAddress(adresse).streetCode).toBe('4321');
  });

  it('reads DAR\'s empty floor and door as none', () => {
    const house = mapAddress({ ...adresse, etagebetegnelse: '', dørbetegnelse: '' });
    expect([house.floor, house.door]).toEqual([null, null]);
  });

  it('rejects an address without id', () => {
    expect(() => mapAddress({ ...adresse, id_lokalId: null })).toThrow(LegacyBadResponse);
  });
});

describe('isCurrentAddress', () => {
  it('keeps current and provisional addresses, drops retired ones and ended versions', () => {
    expect(isCurrentAddress(adresse)).toBe(true);
    expect(isCurrentAddress({ ...adresse, status: '2' })).toBe(true);
    expect(isCurrentAddress({ ...adresse, status: '4' })).toBe(false);
    expect(isCurrentAddress({ ...adresse, virkningTil: '2020-01-01T00:00:00+01:00' })).toBe(false);
  });
});

describe('matchCprAddress', () => {
  const candidates = [
    mapAddress({ ...adresse, id_lokalId: 'st-tv', etagebetegnelse: 'st', dørbetegnelse: 'tv' }),
    mapAddress(adresse),
    mapAddress({ ...adresse, id_lokalId: 'house', etagebetegnelse: '', dørbetegnelse: '' }),
  ];
  const key = { municipalityCode: '0101', streetCode: '4321', houseNumber: '12B', floor: '2', door: 'th' };

  it('finds the address by house number, floor and door, ignoring case', () => {
    expect(matchCprAddress(candidates, key)?.id).toBe('a7e41c09-2b5d-4f83-b6e2-91c0d4f7a358');
    expect(matchCprAddress(candidates, { ...key, houseNumber: '12b', floor: 'ST', door: 'TV' })?.id).toBe('st-tv');
  });

  it('matches a CPR address without floor and door to the DAR address whose are empty', () => {
    expect(matchCprAddress(candidates, { ...key, floor: null, door: null })?.id).toBe('house');
  });

  it('finds nothing for a door that is not there', () => {
    expect(matchCprAddress(candidates, { ...key, door: 'mf' })).toBeUndefined();
  });
});
