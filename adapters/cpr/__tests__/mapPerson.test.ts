import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { mapPerson } from '../mapPerson';
import { personLookupRequest } from '../personLookupRequest';

const fixture = readFileSync(new URL('./fixtures/person-lookup-response.xml', import.meta.url), 'utf8');

describe('mapPerson (SF1520 PersonLookupResponse)', () => {
  it('maps name, birth date, sex, status and marital status from persondata', () => {
    const person = mapPerson(fixture);
    expect(person).toMatchObject({
      cpr: '6101604321',
      name: { given: 'Karen', middle: 'Marie', family: 'Testesen', full: 'Karen Marie Testesen' },
      birthDate: '1960-01-01',
      sex: 'K',
      status: 1,
      maritalStatus: 'G',
      addressProtected: false,
    });
  });

  it('pads kommunekode and vejkode, which the contract types as xsd:integer, to four digits', () => {
    expect(mapPerson(fixture).address).toEqual({
      municipalityCode: '0101',
      municipalityCvr: '64942212',
      streetCode: '0321',
      houseNumber: '12B',
      floor: '2',
      door: 'th',
      streetName: 'Æblegade',
      postcode: '2200',
      postDistrict: 'København N',
    });
  });

  it('reads spouse and every child from relationer, whatever the namespace prefix', () => {
    expect(mapPerson(fixture).relations).toEqual({
      spouse: '6502604312',
      children: ['7003124460', '7105164470'],
      mother: null,
      father: null,
      custodyHolders: [],
    });
  });

  it('reads adressebeskyttelse as the xsd:boolean it is ("true" or "1"), in force between its dates', () => {
    const protectedBy = (content: string) =>
      mapPerson(fixture.replace('<ns2:adressebeskyttelse><ns2:beskyttet>false</ns2:beskyttet></ns2:adressebeskyttelse>', `<ns2:adressebeskyttelse>${content}</ns2:adressebeskyttelse>`)).addressProtected;
    expect(protectedBy('<ns2:beskyttet>true</ns2:beskyttet>')).toBe(true);
    expect(protectedBy('<ns2:beskyttet>1</ns2:beskyttet>')).toBe(true);
    expect(protectedBy('<ns2:startdato>2020-01-01</ns2:startdato><ns2:beskyttet>1</ns2:beskyttet>')).toBe(true);
    expect(protectedBy('<ns2:startdato>2020-01-01</ns2:startdato><ns2:slutdato>2021-01-01</ns2:slutdato><ns2:beskyttet>true</ns2:beskyttet>')).toBe(false);
    expect(protectedBy('<ns2:beskyttet>0</ns2:beskyttet>')).toBe(false);
  });

  it('lists custody holders whose custody has not ended', () => {
    const xml = fixture.replace(
      '</ns2:relationer>',
      '<ns2:foraeldremyndighed><ns2:foraeldremyndighedtype>3</ns2:foraeldremyndighedtype><ns2:relationPersonnummer>6502604312</ns2:relationPersonnummer></ns2:foraeldremyndighed>' +
        '<ns2:foraeldremyndighed><ns2:foraeldremyndighedtype>4</ns2:foraeldremyndighedtype><ns2:foraeldremyndighedSletdato>2020-05-01</ns2:foraeldremyndighedSletdato><ns2:relationPersonnummer>6602604313</ns2:relationPersonnummer></ns2:foraeldremyndighed></ns2:relationer>',
    );
    expect(mapPerson(xml).relations.custodyHolders).toEqual(['6502604312']);
  });

  it('builds the full name from personadresseringsnavn when the name parts are missing', () => {
    const xml = fixture.replace(/<ns2:fornavn>.*<\/ns2:efternavn>/s, '');
    expect(mapPerson(xml).name.full).toBe('Karen Marie Testesen');
  });

  it('throws LegacyBadResponse for a truncated or foreign document', () => {
    expect(() => mapPerson(fixture.slice(0, 400))).toThrow(LegacyBadResponse);
    expect(() => mapPerson('<html><body>Service Unavailable</body></html>')).toThrow(LegacyBadResponse);
  });
});

describe('personLookupRequest', () => {
  const context = {
    serviceAgreementUuid: '6a3c2f0e-1d4b-4c8a-9e7f-2b5d8c1a4e60',
    userSystemUuid: '0f5e8d2c-7b1a-4e3d-8c6f-9a2b4d1e7c35',
    userUuid: '3b7e1c9d-5f2a-4d8e-a6c1-8e4f2b9d6a17',
    serviceUuid: '1b2d3f4a-5c6e-4f80-9a1b-2c3d4e5f6a7b',
  };

  it('puts PersonLookupRequest, InvocationContext and PNR in their own namespaces', () => {
    const xml = personLookupRequest('6101604321', context);
    expect(xml).toContain('xmlns:pbd="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/"');
    expect(xml).toContain('<pnr:PNR>6101604321</pnr:PNR>');
    expect(xml).toMatch(/<invctx:InvocationContext>.*<invctx:ServiceUUID>1b2d3f4a/);
  });

  it('escapes markup in its input, so a value cannot add elements to the envelope', () => {
    const xml = personLookupRequest('</pnr:PNR><evil/>', { ...context, onBehalfOfUser: '<x>&' });
    expect(xml).not.toContain('<evil/>');
    expect(xml).toContain('&lt;/pnr:PNR&gt;&lt;evil/&gt;');
    expect(xml).toContain('&lt;x&gt;&amp;');
  });
});
