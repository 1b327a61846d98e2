import { describe, expect, it } from 'vitest';
import { fremsoegRequest } from '../fremsoegRequest';
import { mapCaseIndexPage } from '../mapCaseIndexResult';
import { readFileSync } from 'node:fs';

const page = { offset: 0, limit: 21 };
/** The elements between `<sdi:SoegUdtryk>` and its end, for reading one search's shape. */
const expression = (xml: string) => /<sdi:SoegUdtryk>([\s\S]*)<\/sdi:SoegUdtryk><sdi:Filter>/.exec(xml)?.[1] ?? '';
const searches = (xml: string) => [...expression(xml).matchAll(/<sdi:SoegSag>([\s\S]*?)<\/sdi:SoegSag>/g)].map((m) => m[1]!);

describe('fremsoegRequest for a search by criteria', () => {
  it('puts paging on the first SoegSag only, first in its sequence, and sorts by registration then case number', () => {
    const xml = fremsoegRequest({ criteria: { statuses: ['Oplyst'] }, page: { offset: 40, limit: 21 } });
    const [first, second] = searches(xml);
    expect(first).toMatch(/^<sd:FoersteResultatReference>40<\/sd:FoersteResultatReference><sd:MaksimalAntalKvantitet>21<\/sd:MaksimalAntalKvantitet><sag:AttributListe\/>/);
    expect(second).not.toContain('FoersteResultatReference');
    expect(xml).toContain(
      '<sdi:Sortering><sdi:SagSortering><sdi:Element>Registreringstidspunkt</sdi:Element><sdi:Retning>Stigende</sdi:Retning><sdi:Prioritet>1</sdi:Prioritet></sdi:SagSortering>' +
        '<sdi:SagSortering><sdi:Element>BrugervendtNoegle</sdi:Element><sdi:Retning>Stigende</sdi:Retning><sdi:Prioritet>2</sdi:Prioritet></sdi:SagSortering></sdi:Sortering>',
    );
    // Filter before Sortering, as FremsoegSagDokumentIndeksInputType's sequence has them.
    expect(xml.indexOf('<sdi:Filter>')).toBeLessThan(xml.indexOf('<sdi:Sortering>'));
  });

  it('sends a first page as offset 0, and a search with no criteria as one empty SoegSag', () => {
    const xml = fremsoegRequest({ criteria: {}, page });
    expect(searches(xml)).toEqual(['<sd:FoersteResultatReference>0</sd:FoersteResultatReference><sd:MaksimalAntalKvantitet>21</sd:MaksimalAntalKvantitet><sag:AttributListe/><sag:TilstandListe/><sag:RelationListe/>']);
  });

  it('names the party by urn:oio:cpr-nr and the KLE subject in the index\'s Sagsklasse extension, in RelationListe order', () => {
    const xml = fremsoegRequest({ criteria: { partyCpr: '0101601234', classification: '27.12.04' }, page });
    expect(searches(xml)[0]).toContain(
      '<sag:RelationListe><sag:Sagsklasse><gd:LokalUdvidelseListe><si:SagsklasseLokalUdvidelse><si:BrugervendtNoegle>27.12.04</si:BrugervendtNoegle></si:SagsklasseLokalUdvidelse></gd:LokalUdvidelseListe></sag:Sagsklasse>' +
        '<sag:Sagspart><gd:ReferenceID><sd:URNIdentifikator>urn:oio:cpr-nr:0101601234</sd:URNIdentifikator></gd:ReferenceID></sag:Sagspart></sag:RelationListe>',
    );
    expect(xml).toContain('xmlns:si="urn:oio:sts:sagdok:sagindeks:1.2.4.0"');
    expect(fremsoegRequest({ criteria: { partyCpr: '0101601234' }, page })).not.toContain('xmlns:si');
  });

  it('asks for one status in a SoegSag of its own, and for several in a nested SoegUdtryk with operation OR', () => {
    const one = fremsoegRequest({ criteria: { statuses: ['Afgjort'] }, page });
    expect(searches(one)[1]).toBe('<sag:AttributListe/><sag:TilstandListe><sag:Fremdrift><sag:FremdriftStatusKode>Afgjort</sag:FremdriftStatusKode></sag:Fremdrift></sag:TilstandListe><sag:RelationListe/>');
    expect(expression(one)).not.toContain('<sdi:operation>');
    const several = fremsoegRequest({ criteria: { statuses: ['Oplyst', 'Afgjort'] }, page });
    const nested = /<sdi:SoegUdtryk><sdi:operation>OR<\/sdi:operation>([\s\S]*)<\/sdi:SoegUdtryk>/.exec(expression(several))?.[1] ?? '';
    expect([...nested.matchAll(/<sag:FremdriftStatusKode>(\w+)</g)].map((m) => m[1])).toEqual(['Oplyst', 'Afgjort']);
  });

  it('gives the opening period as a Virkning of Opstaaet: from the first day, to the day after the last, zone-less', () => {
    const both = fremsoegRequest({ criteria: { openedFrom: '2024-01-01', openedTo: '2024-12-31' }, page });
    expect(searches(both)[0]).toContain(
      '<sag:TilstandListe><sag:Fremdrift><sag:Virkning><sd:FraTidspunkt><sd:TidsstempelDatoTid>2024-01-01T00:00:00</sd:TidsstempelDatoTid></sd:FraTidspunkt>' +
        '<sd:TilTidspunkt><sd:TidsstempelDatoTid>2025-01-01T00:00:00</sd:TidsstempelDatoTid></sd:TilTidspunkt></sag:Virkning><sag:FremdriftStatusKode>Opstaaet</sag:FremdriftStatusKode></sag:Fremdrift></sag:TilstandListe>',
    );
    const from = fremsoegRequest({ criteria: { openedFrom: '2024-02-29' }, page });
    expect(searches(from)[0]).toContain('<sd:TilTidspunkt><sd:GraenseIndikator>true</sd:GraenseIndikator></sd:TilTidspunkt>');
    const to = fremsoegRequest({ criteria: { openedTo: '2024-02-28' }, page });
    expect(searches(to)[0]).toContain('<sd:FraTidspunkt><sd:GraenseIndikator>true</sd:GraenseIndikator></sd:FraTidspunkt><sd:TilTidspunkt><sd:TidsstempelDatoTid>2024-02-29T00:00:00</sd:TidsstempelDatoTid>');
  });

  it('keeps the status out of the SoegSag that carries the opening period: one Fremdrift per TilstandListe', () => {
    const xml = fremsoegRequest({ criteria: { openedFrom: '2024-01-01', statuses: ['Oplyst'] }, page });
    for (const search of searches(xml)) expect(search.match(/<sag:Fremdrift>/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(searches(xml)).toHaveLength(2);
  });

  it('escapes a criterion carrying markup', () => {
    const xml = fremsoegRequest({ criteria: { classification: '27.12.04</si:BrugervendtNoegle><x/>' }, page });
    expect(xml).not.toContain('<x/>');
  });

  it('leaves the search by party alone as it was: no paging, no sorting', () => {
    const xml = fremsoegRequest({ partyCpr: '0101601234' });
    expect(xml).not.toContain('FoersteResultatReference');
    expect(xml).not.toContain('Sortering');
  });
});

describe('mapCaseIndexPage', () => {
  const fixture = readFileSync(new URL('./fixtures/fremsoeg-response.xml', import.meta.url), 'utf8');

  it('reads how many cases match in all from sdi:Antal for sager, beside the cases', () => {
    const paged = fixture.replace('<sdi:Antal>2</sdi:Antal>', '<sdi:Antal>57</sdi:Antal><sdi:Paginering><sd:FoersteResultatReference>0</sd:FoersteResultatReference><sd:MaksimalAntalKvantitet>2</sd:MaksimalAntalKvantitet></sdi:Paginering>');
    const { entries, total } = mapCaseIndexPage(paged);
    expect(total).toBe(57);
    expect(entries.map((e) => e.number)).toEqual(['27.12.00-G01-1-24', '27.12.04-G01-3-23']);
  });

  it('has no total when the index gives none, gives it for documents only, or writes it unreadably', () => {
    expect(mapCaseIndexPage(fixture.replace(/<sdi:Antal>\s*<sdi:Element>sager[\s\S]*?<\/sdi:Antal>\s*<\/sdi:Antal>/, '')).total).toBeNull();
    expect(mapCaseIndexPage(fixture.replace('<sdi:Element>sager</sdi:Element>', '<sdi:Element>dokumenter</sdi:Element>')).total).toBeNull();
    expect(mapCaseIndexPage(fixture.replace('<sdi:Antal>2</sdi:Antal>', '<sdi:Antal>-3</sdi:Antal>')).total).toBeNull();
    expect(mapCaseIndexPage(fixture.replace('<sdi:Antal>2</sdi:Antal>', '<sdi:Antal/>')).total).toBeNull();
  });
});

describe('fremsoegRequest for a search by case object (sagsgenstand)', () => {
  const building = 'c3d0a1f2-7b44-4e19-8a5d-0f6b2e9c7d13';
  const xml = fremsoegRequest({ caseObjectId: building }, { municipalityCvr: '64942212' });

  it('names the object by its UUID in Sagsgenstande, the only relation of one SoegSag, with no paging', () => {
    expect(searches(xml)).toEqual([
      `<sag:AttributListe/><sag:TilstandListe/><sag:RelationListe><sag:Sagsgenstande><gd:ReferenceID><sd:UUIDIdentifikator>${building}</sd:UUIDIdentifikator></gd:ReferenceID></sag:Sagsgenstande></sag:RelationListe>`,
    ]);
    expect(xml).not.toContain('URNIdentifikator');
    expect(xml).not.toContain('<gd:Type>');
    expect(xml).not.toContain('FoersteResultatReference');
  });

  it('asks the index to show each case\'s objects, which the other searches leave out', () => {
    expect(xml).toContain('<sdi:Vis>sagsgenstand</sdi:Vis>');
    expect(fremsoegRequest({ partyCpr: '0101601234' })).not.toContain('sagsgenstand');
    expect(fremsoegRequest({ criteria: {}, page })).not.toContain('sagsgenstand');
    expect(fremsoegRequest({ caseIds: [building] })).not.toContain('sagsgenstand');
  });

  it('sorts as the case list does, and keeps the input\'s sequence: SoegUdtryk, Filter, Sortering, after the AuthorityContext', () => {
    expect(xml).toContain('<sdi:SagSortering><sdi:Element>Registreringstidspunkt</sdi:Element><sdi:Retning>Stigende</sdi:Retning><sdi:Prioritet>1</sdi:Prioritet></sdi:SagSortering>');
    const at = (tag: string) => xml.indexOf(tag);
    expect(at('<authctx:AuthorityContext>')).toBeLessThan(at('<sdi:FremsoegSagDokumentIndeksInput>'));
    expect(at('<sdi:SoegUdtryk>')).toBeLessThan(at('<sdi:Filter>'));
    expect(at('<sdi:Filter>')).toBeLessThan(at('<sdi:Sortering>'));
    expect(xml).toContain('<authctx:MunicipalityCVR>64942212</authctx:MunicipalityCVR>');
  });

  it('escapes an id carrying markup', () => {
    expect(fremsoegRequest({ caseObjectId: `${building}</sd:UUIDIdentifikator><x/>` })).not.toContain('<x/>');
  });
});
