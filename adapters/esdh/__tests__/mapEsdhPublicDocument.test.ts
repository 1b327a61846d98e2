import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { mapEsdhPublicDocument, mapEsdhPublicDocumentPage } from '../mapEsdhPublicDocument';

/** An answer of GET /api/v1/offentlige-dokumenter, as the demo ESDH gives it. */
const answer: unknown = JSON.parse(readFileSync(new URL('./fixtures/rest-demo/offentlige-dokumenter.json', import.meta.url), 'utf8'));

describe('mapEsdhPublicDocumentPage (demo ESDH vendor: offentlige-dokumenter)', () => {
  it('maps every paper with its kind, committee, meeting and matter, and the count', () => {
    const page = mapEsdhPublicDocumentPage(answer, 'esdh');
    expect(page.total).toBe(74);
    expect(page.entries).toEqual([
      {
        id: '3c1e7f0a-5b2d-4e8f-9a61-0d7c4b2e9f13', title: 'Referat, Teknik- og Miljøudvalget 17. november 2026', date: '2026-11-19', kind: 'MINUTES',
        committee: 'Teknik- og Miljøudvalget', meetingDate: '2026-11-17', caseTitle: null, format: 'application/pdf', published: true,
      },
      {
        id: '8f2a4d61-0c3b-4b7e-8d15-6e9a2c7f4b08', title: 'Vedtagelse af lokalplan nr. 512', date: '2026-11-04', kind: 'DECISION',
        committee: null, meetingDate: null, caseTitle: 'Lokalplan nr. 512 for Nørrebrogade', format: 'application/pdf', published: true,
      },
      {
        id: 'b0d9e3c2-7a14-4f6e-a2c8-1f5e8d3b7a90', title: 'Dagsorden, Borgerrepræsentationen 26. november 2026', date: '2026-11-19', kind: 'AGENDA',
        committee: 'Borgerrepræsentationen', meetingDate: '2026-11-26', caseTitle: null, format: 'application/pdf', published: true,
      },
    ]);
  });

  it('reads a paper as published only when offentlig is true itself', () => {
    const paper = { uuid: 'p1', titel: 'Referat', type: 'Referat' };
    expect(mapEsdhPublicDocument({ ...paper, offentlig: true }, 'esdh').published).toBe(true);
    for (const marking of [false, 'true', 1, null, undefined]) expect(mapEsdhPublicDocument({ ...paper, offentlig: marking }, 'esdh').published).toBe(false);
  });

  it('maps a type it does not know to OTHER, and reads nothing but what a website lists', () => {
    const paper = mapEsdhPublicDocument({ uuid: 'p2', type: 'Høringssvar', offentlig: true, parter: [{ cpr: '0101001234' }], sagsnummer: '01.02.03-G01-1-26' }, 'esdh');
    expect(paper.kind).toBe('OTHER');
    expect(Object.keys(paper).sort()).toEqual(['caseTitle', 'committee', 'date', 'format', 'id', 'kind', 'meetingDate', 'published', 'title']);
    expect(JSON.stringify(paper)).not.toMatch(/0101001234|G01/);
  });

  it('takes no count it cannot read, and refuses an answer that is not the contract\'s', () => {
    expect(mapEsdhPublicDocumentPage({ dokumenter: [] }, 'esdh')).toEqual({ entries: [], total: null });
    expect(mapEsdhPublicDocumentPage({ totalAntal: -1, dokumenter: [] }, 'esdh').total).toBeNull();
    expect(() => mapEsdhPublicDocumentPage({ totalAntal: 3 }, 'esdh')).toThrow(LegacyBadResponse);
    expect(() => mapEsdhPublicDocumentPage([], 'esdh')).toThrow(LegacyBadResponse);
    expect(() => mapEsdhPublicDocument({ titel: 'x', offentlig: true }, 'esdh')).toThrow(LegacyBadResponse);
  });
});
