import { describe, expect, it } from 'vitest';
import type { PublicDocumentRecord } from '../../../adapters/esdh';
import { readCaseListArgs } from '../caseList';
import { MAX_PUBLIC_DOCUMENTS_PER_PAGE, publicDocumentsPage, readPublicDocumentsArgs } from '../publicDocuments';
import { refusal } from '../../../test/support/badUserInput';

const paper = (id: string, overrides: Partial<PublicDocumentRecord> = {}): PublicDocumentRecord => ({
  id,
  title: `Referat ${id}`,
  date: '2026-11-19',
  kind: 'MINUTES',
  committee: 'Teknik- og Miljøudvalget',
  meetingDate: '2026-11-17',
  caseTitle: null,
  format: 'application/pdf',
  published: true,
  ...overrides,
});
const papers = (n: number, from = 0) => Array.from({ length: n }, (_, i) => paper(`p${from + i}`));

describe('readPublicDocumentsArgs', () => {
  it('pages 20 by default, up to 100, and refuses more or fewer in words', () => {
    expect(readPublicDocumentsArgs({ municipality: '0101' })).toMatchObject({ municipality: '0101', offset: 0, first: 20 });
    expect(readPublicDocumentsArgs({ municipality: '0101', first: MAX_PUBLIC_DOCUMENTS_PER_PAGE }).first).toBe(100);
    expect(refusal(() => readPublicDocumentsArgs({ municipality: '0101', first: 101 }))).toBe('first may be at most 100 documents per page; ask for the next page with after: pageInfo.endCursor.');
    expect(refusal(() => readPublicDocumentsArgs({ municipality: '0101', first: 0 }))).toBe('first must be at least 1.');
  });

  it('takes a municipality code of four digits only, and never repeats what it was given', () => {
    for (const given of ['999', '01010', 'København', '0101601234', '']) {
      const message = refusal(() => readPublicDocumentsArgs({ municipality: given }));
      expect(message).toBe('municipality must be a municipality code (kommunekode), four digits such as 0101.');
      if (given !== '') expect(message).not.toContain(given);
    }
  });

  it('goes on where the cursor of its own list says, and refuses a cursor of another municipality or of a case list', () => {
    const first = publicDocumentsPage({ entries: papers(6), total: 12 }, readPublicDocumentsArgs({ municipality: '0101', first: 5 }), 'København');
    const after = first.pageInfo.endCursor!;
    expect(readPublicDocumentsArgs({ municipality: '0101', first: 5, after }).offset).toBe(5);
    const wrong = 'after is not a cursor of this list of public documents: pass the pageInfo.endCursor of the page before, for the same municipality.';
    expect(refusal(() => readPublicDocumentsArgs({ municipality: '0751', after }))).toBe(wrong);
    expect(refusal(() => readPublicDocumentsArgs({ municipality: '0101', after: 'not-a-cursor' }))).toBe(wrong);
    // Lists do not take each other's cursors, either way round.
    expect(refusal(() => readCaseListArgs({ after }, '0101'))).toMatch(/^after is not a cursor of this case list/);
  });
});

describe('publicDocumentsPage', () => {
  const request = readPublicDocumentsArgs({ municipality: '0101', first: 3 });

  it('shows the page asked for and says another follows from the one beyond it', () => {
    const page = publicDocumentsPage({ entries: papers(4), total: null }, request, 'København');
    expect(page.nodes.map((n) => n.id)).toEqual(['p0', 'p1', 'p2']);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(readPublicDocumentsArgs({ municipality: '0101', after: page.pageInfo.endCursor }).offset).toBe(3);
    expect(page).toMatchObject({ municipalityCode: '0101', municipalityName: 'København' });
  });

  it('ends the list at the last page, and gives no cursor for a page that took nothing', () => {
    expect(publicDocumentsPage({ entries: papers(2), total: 2 }, request, null).pageInfo.hasNextPage).toBe(false);
    expect(publicDocumentsPage({ entries: [], total: 0 }, request, null).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it('never shows a paper the ESDH did not mark public, yet counts it, so the next page neither skips nor repeats', () => {
    const answer = { entries: [paper('p0'), paper('secret', { published: false, title: 'Lukket punkt: Personalesag' }), paper('p2'), paper('p3')], total: 9 };
    const page = publicDocumentsPage(answer, request, null);
    expect(page.nodes.map((n) => n.id)).toEqual(['p0', 'p2']);
    expect(JSON.stringify(page)).not.toContain('Lukket punkt');
    expect(readPublicDocumentsArgs({ municipality: '0101', after: page.pageInfo.endCursor }).offset).toBe(3);
  });

  it('shows a paper with what a website lists and nothing else', () => {
    const [node] = publicDocumentsPage({ entries: [paper('p0', { kind: 'DECISION', caseTitle: 'Lokalplan nr. 512' })], total: 1 }, request, null).nodes;
    expect(node).toEqual({
      id: 'p0', title: 'Referat p0', date: '2026-11-19', kind: 'DECISION', committee: 'Teknik- og Miljøudvalget', meetingDate: '2026-11-17', caseTitle: 'Lokalplan nr. 512', format: 'application/pdf',
    });
  });
});
