import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseXml, pathOf, textAt } from '../../core/xml';
import { LegacyBadResponse, LegacyFault } from '../../core/errors';
import {
  actingForHeader,
  createCaseRequest,
  createMainDocumentRequest,
  createPersonRequest,
  DEFAULT_ACADRE_CODES,
  documentCaseReference,
  getCaseByCaseNumberRequest,
  mapAcadreCase,
  mapAcadreDocument,
  mapAcadreDocuments,
  mapAdminUnits,
  mapBodyText,
  mapContactGuid,
  mapCreatedCase,
  parseCaseNumber,
  updateCaseRequest,
} from '../mapAcadre';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/acadre/${name}.xml`, import.meta.url), 'utf8');
const caseFile = fixture('get-case-by-case-number-response');
const envelope = (body: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const codes = DEFAULT_ACADRE_CODES;

describe('parseCaseNumber (Acadre yy/løbenummer)', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('reads year and sequence number from a two- or four-digit year', () => {
    expect(parseCaseNumber('23/15', now)).toEqual({ year: 2023, sequence: 15 });
    expect(parseCaseNumber('2023/00015', now)).toEqual({ year: 2023, sequence: 15 });
    expect(parseCaseNumber(' 27/4 ', now)).toEqual({ year: 2027, sequence: 4 });
  });

  it('takes a two-digit year after next year as the last century\'s', () => {
    expect(parseCaseNumber('98/120', now)).toEqual({ year: 1998, sequence: 120 });
  });

  it('refuses numbers Acadre does not give, such as another vendor\'s sagsnummer', () => {
    for (const number of ['27.24.00-G01-15-23', '23-15', '23/', '/15', '23/0', '']) expect(parseCaseNumber(number, now)).toBeUndefined();
  });
});

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

describe('request builders', () => {
  it('escapes what callers give, so no input can alter a request', () => {
    const xml = createPersonRequest('6101601234</cpr:PersonCivilRegistrationIdentifier><x>');
    expect(xml).not.toContain('<x>');
    expect(textAt(parseXml(xml), ['Person', 'PersonCivilRegistrationIdentifier'])).toBe('6101601234</cpr:PersonCivilRegistrationIdentifier><x>');
  });

  it('asks GetCaseByCaseNumber by year and sequence number', () => {
    expect(getCaseByCaseNumberRequest({ year: 2023, sequence: 15 })).toBe(
      '<v7:GetCaseByCaseNumber xmlns:v7="http://www.traen.com/2010/06/01"><v7:CaseYear>2023</v7:CaseYear><v7:CaseSequenceNumber>15</v7:CaseSequenceNumber></v7:GetCaseByCaseNumber>',
    );
  });

  it('opens a case with its KLE subject and facet, its unit, and each party by contact GUID', () => {
    const xml = createCaseRequest({
      input: { title: 'Hjælp til ældre', kle: '27.24.00', parties: [{ cpr: '6101601234', role: 'PRIMARY' }, { cpr: '6101605678', role: 'SECONDARY' }] },
      contactGuids: ['g-1', 'g-2'],
      unitReference: '14',
      today: '2026-03-01',
      codes,
    });
    expect(xml).not.toContain('6101601234');
    const file = pathOf(parseXml(xml), ['CreateCaseRequest', 'CaseFile']);
    expect(textAt(file, ['CaseFileTitleText'])).toBe('Hjælp til ældre');
    expect(textAt(file, ['CaseFileStatusCode'])).toBe('O');
    expect(textAt(file, ['AdministrativeUnit', 'AdministrativeUnitReference'])).toBe('14');
    expect(xml).toContain('<a7:Category><a7:Principle>KL Koder</a7:Principle><a7:Literal>27.24.00</a7:Literal></a7:Category>');
    expect(xml).toContain('<a7:Party><a7:ContactReference>g-1</a7:ContactReference><c:CreationDate>2026-03-01</c:CreationDate><a7:IsPrimary>true</a7:IsPrimary></a7:Party>');
    expect(xml).toContain('<a7:ContactReference>g-2</a7:ContactReference><c:CreationDate>2026-03-01</c:CreationDate><a7:IsPrimary>false</a7:IsPrimary>');
  });

  it('files a document as a Document and its Record, with the kind\'s type code', () => {
    const xml = createMainDocumentRequest({ caseFileId: '100234', input: { title: 'Svar', kind: 'OUTGOING', date: '2026-02-27' }, today: '2026-03-01', codes });
    const record = pathOf(parseXml(xml), ['CreateMainDocumentRequest', 'Record']);
    expect(textAt(record, ['CaseFileReference'])).toBe('100234');
    expect(textAt(record, ['DocumentTypeCode'])).toBe('U');
    expect(textAt(record, ['DocumentDate'])).toBe('2026-02-27');
    expect(textAt(record, ['RegistrationDate'])).toBe('2026-03-01');
  });

  it('names the acting user in the PWS SoapHeader, its User unqualified', () => {
    expect(actingForHeader('sagsbeh1')).toBe('<svc:SoapHeader xmlns:svc="http://traen.com/Services/AcadreService"><User>sagsbeh1</User></svc:SoapHeader>');
  });
});

describe('updateCaseRequest (UpdateCase with the case file as read)', () => {
  const update = updateCaseRequest(caseFile, { statusCode: 'A', closedDate: '2026-03-01' });

  it('sends the whole case file back, its derived type and every element it had, escaped text intact', () => {
    expect(update).toMatch(/^<acadre\d:UpdateCaseRequest /);
    expect(update).toContain('xsi:type="BUCaseFileType"');
    expect(update).toContain('xmlns="http://www.traen.com/2010/06/01"');
    for (const kept of ['<SpecialistId>8</SpecialistId>', 'Familien Testesen', '<df1>Løbende journal</df1>', 'Forælder', '&amp; samtale med forældre &lt;uge 20&gt;']) {
      expect(update).toContain(kept);
    }
  });

  it('changes the status code, and adds the closing date after the parties', () => {
    expect(update).toContain('<CaseFileStatusCode xmlns="http://www.traen.com/2006/08/01/case">A</CaseFileStatusCode>');
    expect(update).not.toContain('>B</CaseFileStatusCode>');
    expect(update).toMatch(/<\/Party>\s*<acadre\d:ClosedDate>2026-03-01<\/acadre\d:ClosedDate>\s*<SubType>/);
  });

  it('declares xsi:type CaseFileType3 for a case file that names no derived type, and inserts a missing status in order', () => {
    const plain = caseFile.replace(' xsi:type="BUCaseFileType"', '').replace(/<CaseFileStatusCode[^>]*>B<\/CaseFileStatusCode>/, '');
    const xml = updateCaseRequest(plain, { statusCode: 'F' });
    expect(xml).toMatch(/(\w+):type="(\w+):CaseFileType3"/);
    expect(xml).toMatch(/<CaseFileLatestUpdateDate[^>]*>2023-05-02<\/CaseFileLatestUpdateDate>\s*<acadre\d:CaseFileStatusCode>F<\/acadre\d:CaseFileStatusCode>\s*<CaseFileTypeCode/);
    expect(xml).not.toContain('ClosedDate');
  });

  it('reads back as the same case with its new status', () => {
    const asRead = envelope(update.replace(/UpdateCaseRequest/g, 'CaseFile3'));
    expect(mapAcadreCase(asRead, { codes })).toMatchObject({ id: '100234', number: '23/15', status: 'Afsluttet' });
  });

  it('refuses an answer without a case file', () => {
    expect(() => updateCaseRequest(envelope('<Other/>'), { statusCode: 'A' })).toThrow(LegacyBadResponse);
  });
});
