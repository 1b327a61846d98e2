import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LegacyBadResponse, LegacyFault } from '../../core/errors';
import { DEFAULT_ACADRE_CODES } from '../acadreCodes';
import {
  documentCaseReference,
  mapAcadreCase,
  mapAcadreDocument,
  mapAcadreDocuments,
  mapAdminUnits,
  mapBodyText,
  mapContactGuid,
  mapCreatedCase,
} from '../mapAcadre';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/acadre/${name}.xml`, import.meta.url), 'utf8');
const caseFile = fixture('get-case-by-case-number-response');
const envelope = (body: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const codes = DEFAULT_ACADRE_CODES;

describe('mapAcadreCase (CaseFile3)', () => {
  const units = new Map([['14', 'Børne- og Familierådgivningen']]);

  it('maps the case file: identifier, number, title, status code, unit name, creation date and KLE subject', () => {
    expect(mapAcadreCase(caseFile, { codes, unitNames: units })).toEqual({
      id: '100234',
      number: '23/15',
      title: 'Forebyggende foranstaltninger, ansøgning',
      status: 'Oplyst',
      responsibleUnit: 'Børne- og Familierådgivningen',
      openedAt: '2023-03-14',
      classification: { number: '27.24.00', title: null },
    });
  });

  it('reads an unknown status code and an unlisted unit as null, not as Acadre\'s code', () => {
    const other = caseFile.replace('>B</CaseFileStatusCode>', '>Z</CaseFileStatusCode>');
    expect(mapAcadreCase(other, { codes, unitNames: new Map() })).toMatchObject({ status: null, responsibleUnit: null });
    const closed = caseFile.replace('>B</CaseFileStatusCode>', '>A</CaseFileStatusCode>');
    expect(mapAcadreCase(closed, { codes })?.status).toBe('Afsluttet');
  });

  it('builds the number from Year and CaseFileSequenceNumber when CaseFileNumberIdentifier is absent', () => {
    const unnumbered = caseFile.replace(/<CaseFileNumberIdentifier[^>]*>23\/15<\/CaseFileNumberIdentifier>/, '');
    expect(mapAcadreCase(unnumbered, { codes })?.number).toBe('23/15');
  });

  it('reads GetCase\'s bare CaseFile3 too', () => {
    const bare = caseFile.replace('<GetCaseByCaseNumberResponse xmlns="http://www.traen.com/2010/06/01">', '').replace('</GetCaseByCaseNumberResponse>', '')
      .replace('<CaseFile3 xsi:type="BUCaseFileType">', '<CaseFile3 xmlns="http://www.traen.com/2010/06/01">');
    expect(mapAcadreCase(bare, { codes })?.id).toBe('100234');
  });

  it('answers null for a GetCaseByCaseNumberResponse without a case, and refuses a case file without identity', () => {
    expect(mapAcadreCase(envelope('<GetCaseByCaseNumberResponse xmlns="http://www.traen.com/2010/06/01"/>'), { codes })).toBeNull();
    expect(() => mapAcadreCase(envelope('<Other/>'), { codes })).toThrow(LegacyBadResponse);
    expect(() => mapAcadreCase('<<not xml', { codes })).toThrow(LegacyBadResponse);
    const anonymous = caseFile.replace(/<CaseFileIdentifier[^>]*>100234<\/CaseFileIdentifier>/, '');
    expect(() => mapAcadreCase(anonymous, { codes })).toThrow(LegacyBadResponse);
  });
});

describe('mapAcadreDocuments and mapAcadreDocument (DocumentResponseType2)', () => {
  it('maps each DocumentOutput: identifier, title, document date, type code to kind, storage format to MIME type', () => {
    expect(mapAcadreDocuments(fixture('get-all-documents-response'), '23/15', codes)).toEqual([
      { id: '500101', caseNumber: '23/15', title: 'Ansøgning modtaget', date: '2023-03-14', kind: 'INCOMING', format: 'application/pdf' },
      {
        id: '500102', caseNumber: '23/15', title: 'Afgørelse', date: '2023-04-19', kind: 'OUTGOING',
        format: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      },
      // On paper only: no version, no date known, a type code this installation's codes do not name.
      { id: '500103', caseNumber: '23/15', title: 'Papirbilag fra mødet', date: null, kind: 'OTHER', format: null },
    ]);
  });

  it('maps one main document and names the case its record is filed on', () => {
    const xml = fixture('get-main-document-response');
    expect(mapAcadreDocument(xml, '23/15', codes)).toEqual({
      id: '500104', caseNumber: '23/15', title: 'Notat om telefonsamtale', date: '2023-05-09', kind: 'NOTE', format: 'application/rtf',
    });
    expect(documentCaseReference(xml)).toBe('100234');
  });

  it('answers null for a DocumentResponse without a Document, and refuses other answers', () => {
    expect(mapAcadreDocument(envelope('<DocumentResponse xmlns="http://www.traen.com/2010/06/01"/>'), null, codes)).toBeNull();
    expect(() => mapAcadreDocuments(envelope('<DocumentResponse/>'), '23/15', codes)).toThrow(LegacyBadResponse);
  });
});

describe('configuration, contacts and identifiers', () => {
  it('maps the administrative unit list by Id, nested parents aside', () => {
    expect([...mapAdminUnits(fixture('get-admin-unit-list-response'))]).toEqual([
      ['1', 'Kommunen'],
      ['14', 'Børne- og Familierådgivningen'],
    ]);
  });

  it('finds the person\'s contact GUID, and none in an empty list', () => {
    expect(mapContactGuid(fixture('get-contacts-by-public-id-response'))).toBe('7f9c2b1e-4d3a-4c8e-9b21-5a6d7e8f9012');
    expect(mapContactGuid(envelope('<ArrayOfContacts xmlns="http://www.traen.com/2007/11/02/schema"/>'))).toBeUndefined();
  });

  it('reads the created case\'s identifier, and refuses the multi-case answer that created none', () => {
    expect(mapCreatedCase(fixture('create-case-response'))).toBe('100240');
    const notCreated = envelope(
      '<CreateCaseResponse xmlns="http://www.traen.com/2008/08/20"><CreateCaseAndAMCResult>CaseNotCreatedAndListAMCReceived</CreateCaseAndAMCResult></CreateCaseResponse>',
    );
    expect(() => mapCreatedCase(notCreated)).toThrow(LegacyFault);
  });

  it('reads a Body\'s one identifier', () => {
    expect(mapBodyText(envelope('<DocumentIdentifier xmlns="http://www.traen.com/2010/06/01">500200</DocumentIdentifier>'), 'DocumentIdentifier')).toBe('500200');
    expect(() => mapBodyText(envelope('<GUID xmlns="http://www.traen.com/2007/04/01"/>'), 'GUID')).toThrow(LegacyBadResponse);
  });
});
