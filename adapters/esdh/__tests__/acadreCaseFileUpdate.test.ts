import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { updateCaseRequest } from '../acadreCaseFileUpdate';
import { DEFAULT_ACADRE_CODES } from '../acadreCodes';
import { mapAcadreCase } from '../mapAcadre';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/acadre/${name}.xml`, import.meta.url), 'utf8');
const caseFile = fixture('get-case-by-case-number-response');
const envelope = (body: string) => `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const codes = DEFAULT_ACADRE_CODES;

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
