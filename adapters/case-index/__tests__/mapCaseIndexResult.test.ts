import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LegacyBadResponse, LegacyFault } from '../../core/errors';
import { fremsoegRequest, requestHeader } from '../fremsoegRequest';
import { mapCaseIndexResult } from '../mapCaseIndexResult';

const fixture = readFileSync(new URL('./fixtures/fremsoeg-response.xml', import.meta.url), 'utf8');
const PLACEHOLDER_SECONDARY = '2222bbbb-22bb-33cc-44dd-222222bbbbbb';

describe('mapCaseIndexResult (SF1470 FremsoegResponse)', () => {
  const [open, closed] = mapCaseIndexResult(fixture);

  it('maps every SagFiltreretOejebliksbillede to one case with number, title and KLE subject', () => {
    expect(mapCaseIndexResult(fixture)).toHaveLength(2);
    expect(open).toMatchObject({
      id: '3c64f272-770d-4cc4-8d73-8b833f75e5e0',
      number: '27.12.00-G01-1-24',
      title: 'Familierådgivning - Jens Testesen',
      classification: { number: '27.12.00', title: 'Forebyggelse og rådgivning, social service i almindelighed' },
      responsibleUnit: 'Familierådgivningen',
      sourceSystem: 'Fagsystem Socialrådgivning',
    });
  });

  it('takes the status whose Virkning is open-ended, and the opening date from Opstaaet', () => {
    expect(open?.status).toBe('Oplyst');
    expect(closed?.status).toBe('Afsluttet');
    expect(closed?.openedAt).toBe('2023-09-11');
  });

  it('reads parties from their cpr-nr URNs; unknown role UUIDs are OTHER unless configured as secondary', () => {
    expect(open?.parties).toEqual([
      { cpr: '0101601234', role: 'PRIMARY' },
      { cpr: '0101605678', role: 'OTHER' },
    ]);
    const [configured] = mapCaseIndexResult(fixture, { secondaryPartyRoles: [PLACEHOLDER_SECONDARY] });
    expect(configured?.parties[1]).toEqual({ cpr: '0101605678', role: 'SECONDARY' });
  });

  it('lists the journalposts as documents with title and filing date', () => {
    expect(open?.documents).toEqual([
      { id: '37919734-6c36-4436-a451-62278438eeee', title: 'Henvendelse fra borger', filedAt: '2024-02-05' },
      { id: 'c02debd9-11ad-4a80-b224-1c86deaa2a96', title: 'Partshøring - brev til borger', filedAt: '2024-02-20' },
      { id: '360747d6-80f0-4aee-b83d-6663cc7f5e25', title: 'Bilag: lægeerklæring', filedAt: '2024-03-01' },
    ]);
  });

  it('turns a StatusKode other than 20 into a LegacyFault carrying only the code', () => {
    const failed = fixture.replace('<sd:StatusKode>20</sd:StatusKode>', '<sd:StatusKode>40</sd:StatusKode>');
    expect(() => mapCaseIndexResult(failed)).toThrow(LegacyFault);
    try {
      mapCaseIndexResult(failed);
    } catch (error) {
      expect((error as LegacyFault).detail).toBe('StatusKode 40');
    }
  });

  it('falls back to BrugervendtNoegle for an empty Sagsnummer, and leaves out a case with neither', () => {
    const emptyNumber = fixture.replace('<sag:Sagsnummer>27.12.00-G01-1-24</sag:Sagsnummer>', '<sag:Sagsnummer></sag:Sagsnummer>');
    expect(mapCaseIndexResult(emptyNumber)[0]?.number).toBe('27.12.00-G01-1-24');
    const noNumber = emptyNumber.replace('<sag:BrugervendtNoegle>27.12.00-G01-1-24</sag:BrugervendtNoegle>', '');
    expect(mapCaseIndexResult(noNumber).map((c) => c.number)).toEqual(['27.12.04-G01-3-23']);
  });

  it('answers zero cases with an empty list and garbage with LegacyBadResponse', () => {
    const none = fixture.replace(/<sdi:SagFiltreretOejebliksbillede>[\s\S]*<\/sdi:SagFiltreretOejebliksbillede>/, '');
    expect(mapCaseIndexResult(none)).toEqual([]);
    expect(() => mapCaseIndexResult('{"not":"xml"}')).toThrow(LegacyBadResponse);
  });
});

describe('fremsoegRequest', () => {
  it('searches by party with the CPR as urn:oio:cpr-nr and always sends a Filter', () => {
    const xml = fremsoegRequest({ partyCpr: '0101601234' });
    expect(xml).toContain('<sd:URNIdentifikator>urn:oio:cpr-nr:0101601234</sd:URNIdentifikator>');
    expect(xml).toContain('<sag:AttributListe/><sag:TilstandListe/>');
    expect(xml).toContain('<sdi:Vis>journalpost</sdi:Vis>');
  });

  it('names the asking municipality in AuthorityContext only when given', () => {
    expect(fremsoegRequest({ caseIds: ['a'] })).not.toContain('AuthorityContext');
    expect(fremsoegRequest({ caseIds: ['a'] }, { municipalityCvr: '64942212' })).toContain(
      '<authctx:AuthorityContext><authctx:MunicipalityCVR>64942212</authctx:MunicipalityCVR></authctx:AuthorityContext>',
    );
  });

  it('escapes a search argument carrying markup', () => {
    const xml = fremsoegRequest({ partyCpr: '1</sd:URNIdentifikator><x/>' });
    expect(xml).not.toContain('<x/>');
    expect(requestHeader('<a/>')).toContain('&lt;a/&gt;');
  });
});

describe('mapCaseIndexResult: the objects a case is about (Sagsgenstande)', () => {
  const answer = readFileSync(new URL('./fixtures/fremsoeg-case-object-response.xml', import.meta.url), 'utf8');
  const [environmental, permit] = mapCaseIndexResult(answer);

  it('reads the UUIDs in force, in lower case and once each, and leaves out URNs and ended relations', () => {
    expect(environmental?.caseObjects).toEqual(['c3d0a1f2-7b44-4e19-8a5d-0f6b2e9c7d13', '8f2e4b6a-1c3d-4e5f-9a7b-6c8d0e2f4a61']);
    expect(permit?.caseObjects).toEqual(['c3d0a1f2-7b44-4e19-8a5d-0f6b2e9c7d13']);
  });

  it('maps the rest of the case as any other: KLE subject, owner, party', () => {
    expect(environmental).toMatchObject({
      number: '09.02.00-G01-4-24',
      classification: { number: '09.02.00', title: 'Godkendelsespligtige listevirksomheder i almindelighed' },
      ownerCvr: '64942212',
      parties: [{ cpr: '0101601234', role: 'PRIMARY' }],
      status: 'Opstaaet',
    });
    expect(permit).toMatchObject({ classification: { number: '02.34.02' }, parties: [], ownerCvr: null });
  });

  it('gives a case shown without objects an empty list', () => {
    expect(mapCaseIndexResult(fixture).map((c) => c.caseObjects)).toEqual([[], []]);
  });
});
