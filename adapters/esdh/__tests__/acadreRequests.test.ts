import { describe, expect, it } from 'vitest';
import { parseXml, pathOf, textAt } from '../../core/xml';
import { DEFAULT_ACADRE_CODES } from '../acadreCodes';
import { actingForHeader, createCaseRequest, createMainDocumentRequest, createPersonRequest, getCaseByCaseNumberRequest } from '../acadreRequests';

const codes = DEFAULT_ACADRE_CODES;

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
