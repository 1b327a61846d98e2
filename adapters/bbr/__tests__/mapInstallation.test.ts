import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { isCurrent } from '../mapBuilding';
import { mapInstallation } from '../mapInstallation';

/** BBR 2.4.4 TekniskAnlæg as Datafordeler BBRPublic v1 answers (trimmed): an oil tank, ground heat collectors, a solar installation. */
const oilTank = {
  datafordelerOpdateringstid: '2024-10-07T02:15:41.902113+02:00',
  id_lokalId: '0b6f1d2e-93a4-4c57-8e21-5d7c3a9f4b18',
  bygning: 'c2f8e0d4-6a19-4e57-8b3c-0d5a7e9f1b26',
  husnummer: '5d3c2a1e-8f47-4b6a-9c21-3e7f0b9a4d12',
  kommunekode: '0101',
  status: '6',
  tek007Anlægsnummer: 1,
  tek020Klassifikation: '1110',
  tek024Etableringsår: 1978,
  tek036Rumfang: 2500,
  tek067Fabrikationsår: 1977,
  tek103FabrikatOliefyr: 'Danfoss',
};
const groundHeat = { ...oilTank, id_lokalId: '6e2a9c41-7d3b-4f08-b5a6-2c1e8d7f0a93', tek007Anlægsnummer: 2, tek020Klassifikation: '1220', tek036Rumfang: null, tek067Fabrikationsår: null, tek103FabrikatOliefyr: null };
const solar = {
  ...groundHeat, id_lokalId: '9a4c7e12-3b5d-4e6f-8a1b-7c2d9e0f3a45', tek007Anlægsnummer: 3, tek020Klassifikation: '1230',
  tek024Etableringsår: 2019, tek037Areal: 28, tek104FabrikatSolcelleanlægSolvarme: 'Velux',
};

describe('mapInstallation (BBR TekniskAnlæg)', () => {
  it('maps the fields of a tank', () => {
    expect(mapInstallation(oilTank)).toEqual({
      id: oilTank.id_lokalId,
      buildingId: oilTank.bygning,
      number: 1,
      classificationCode: '1110',
      classificationText: 'Tank (Produkt på væskeform)',
      yearEstablished: 1978,
      yearManufactured: 1977,
      manufacturer: 'Danfoss',
      area: null,
      volume: 2500,
    });
  });

  it('takes the make from the field BBR fills for the kind: a tank\'s burner, a solar installation\'s, else fabrikat/type', () => {
    expect(mapInstallation(solar)).toMatchObject({ classificationText: 'Solvarme-/ solcelleanlæg', manufacturer: 'Velux', area: 28 });
    expect(mapInstallation(groundHeat)).toMatchObject({ classificationText: 'Slanger til jordvarme', manufacturer: null });
    expect(mapInstallation({ ...groundHeat, tek021FabrikatType: 'Nordtank NT 2500' }).manufacturer).toBe('Nordtank NT 2500');
  });

  it('shows a classification code it does not know as the code with text null', () => {
    expect(mapInstallation({ ...oilTank, tek020Klassifikation: '9999' })).toMatchObject({ classificationCode: '9999', classificationText: null });
    expect(mapInstallation({ ...oilTank, tek020Klassifikation: null })).toMatchObject({ classificationCode: null, classificationText: null });
  });

  it('reads absent and wrongly typed fields as null', () => {
    expect(mapInstallation({ id_lokalId: 'x', tek024Etableringsår: '1978', tek037Areal: 'stor' })).toMatchObject({
      buildingId: null, number: null, yearEstablished: null, area: null, volume: null, manufacturer: null,
    });
  });

  it('refuses an installation without an id', () => {
    expect(() => mapInstallation({ ...oilTank, id_lokalId: undefined })).toThrow(LegacyBadResponse);
  });

  it('leaves out a scrapped (retired) installation, as for buildings', () => {
    expect(isCurrent({ ...oilTank, status: '10' })).toBe(false);
    expect(isCurrent(oilTank)).toBe(true);
  });
});
