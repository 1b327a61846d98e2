import { describe, expect, it } from 'vitest';
import type { CaseIndexEntry } from '../../../adapters/case-index';
import { caseListScope, cursorFor, meetsCriteria, pageOf, readCaseListArgs, MAX_CASES_PER_PAGE } from '../caseList';
import { refusal } from '../../../test/support/badUserInput';

const entry = (id: string, overrides: Partial<CaseIndexEntry> = {}): CaseIndexEntry => ({
  id,
  number: `n-${id}`,
  title: null,
  status: 'Oplyst',
  openedAt: '2024-05-01',
  classification: { number: '27.12.04', title: null },
  sensitivity: null,
  responsibleUnit: null,
  ownerCvr: '64942212',
  sourceSystem: null,
  parties: [{ cpr: '0101601234', role: 'PRIMARY' }],
  documents: [],
  ...overrides,
});
const entries = (n: number, from = 0) => Array.from({ length: n }, (_, i) => entry(String(from + i)));

describe('readCaseListArgs', () => {
  it('pages 20 by default, up to 100, and refuses more or fewer in words', () => {
    expect(readCaseListArgs({}, '0101')).toMatchObject({ offset: 0, first: 20, criteria: {} });
    expect(readCaseListArgs({ first: MAX_CASES_PER_PAGE }, '0101').first).toBe(100);
    expect(refusal(() => readCaseListArgs({ first: 101 }, '0101'))).toBe('first may be at most 100 cases per page; ask for the next page with after: pageInfo.endCursor.');
    expect(refusal(() => readCaseListArgs({ first: 0 }, '0101'))).toBe('first must be at least 1.');
    expect(refusal(() => readCaseListArgs({ first: -5 }, '0101'))).toBe('first must be at least 1.');
  });

  it('turns the filter into index criteria: statuses as FremdriftStatusKode, once each and sorted', () => {
    const { criteria } = readCaseListArgs(
      { filter: { status: ['DECIDED', 'INFORMED', 'DECIDED'], classification: '32.18.04', party: '0101601234', openedFrom: '2024-01-01', openedTo: '2024-06-30' } },
      '0101',
    );
    expect(criteria).toEqual({ statuses: ['Afgjort', 'Oplyst'], classification: '32.18.04', partyCpr: '0101601234', openedFrom: '2024-01-01', openedTo: '2024-06-30' });
  });

  it('refuses a KLE group, an empty status list and a period that ends before it starts, naming the argument, not the value', () => {
    for (const group of ['27.12', '27', '27.12.04.01', 'x']) {
      expect(refusal(() => readCaseListArgs({ filter: { classification: group } }, '0101'))).toMatch(/^filter\.classification must be a KLE subject number.*not by group/);
    }
    expect(refusal(() => readCaseListArgs({ filter: { status: [] } }, '0101'))).toMatch(/^filter\.status, when given, must name at least one status/);
    expect(refusal(() => readCaseListArgs({ filter: { openedFrom: '2024-02-01', openedTo: '2024-01-31' } }, '0101'))).toMatch(/^filter\.openedFrom is after filter\.openedTo/);
    expect(refusal(() => readCaseListArgs({ filter: { openedFrom: '2024-02-01', openedTo: '2024-02-01' } }, '0101'))).toBeUndefined();
    const message = refusal(() => readCaseListArgs({ filter: { party: '0101601234', classification: '27' } }, '0101'))!;
    expect(message).not.toContain('0101601234');
  });
});

describe('cursors', () => {
  const list = readCaseListArgs({ filter: { status: ['INFORMED'] } }, '0101');

  it('come back as the offset they were made for', () => {
    const cursor = cursorFor(140, list.listKey);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(readCaseListArgs({ filter: { status: ['INFORMED'] }, after: cursor }, '0101').offset).toBe(140);
    // Statuses in another order are the same list.
    const withMore = readCaseListArgs({ filter: { status: ['DECIDED', 'INFORMED'] } }, '0101');
    expect(readCaseListArgs({ filter: { status: ['INFORMED', 'DECIDED'] }, after: cursorFor(3, withMore.listKey) }, '0101').offset).toBe(3);
  });

  it('are refused when forged, edited, or of another list or municipality', () => {
    const cursor = cursorFor(140, list.listKey);
    const edited = Buffer.from(Buffer.from(cursor, 'base64url').toString('utf8').replace('c1.140.', 'c1.9999.'), 'utf8').toString('base64url');
    const forged = Buffer.from('c1.5.AAAAAAAAAAAAAAAAAAAAAA', 'utf8').toString('base64url');
    const others: [string, Parameters<typeof readCaseListArgs>][] = [
      ['garbage', [{ filter: { status: ['INFORMED'] }, after: 'not a cursor' }, '0101']],
      ['empty', [{ filter: { status: ['INFORMED'] }, after: '' }, '0101']],
      ['edited offset', [{ filter: { status: ['INFORMED'] }, after: edited }, '0101']],
      ['forged', [{ filter: { status: ['INFORMED'] }, after: forged }, '0101']],
      ['another filter', [{ filter: { status: ['CLOSED'] }, after: cursor }, '0101']],
      ['no filter', [{ after: cursor }, '0101']],
      ['another municipality', [{ filter: { status: ['INFORMED'] }, after: cursor }, '0751']],
      ['too long', [{ after: 'A'.repeat(500) }, '0101']],
    ];
    for (const [name, args] of others) {
      expect(refusal(() => readCaseListArgs(...args)), name).toBe('after is not a cursor of this case list: pass the pageInfo.endCursor of the page before, with the same filter.');
    }
  });
});

describe('pageOf', () => {
  const all = () => true;
  const show = (keep: (e: CaseIndexEntry) => boolean = all) => (e: CaseIndexEntry) => (keep(e) ? e.id : undefined);

  it('shows `first` of the first + 1 entries asked for; the one beyond says a page follows', () => {
    const page = pageOf({ entries: entries(6), total: null }, { offset: 10, first: 5 }, show());
    expect(page).toEqual({ nodes: ['0', '1', '2', '3', '4'], hasNextPage: true, nextOffset: 15, consumed: 5 });
    expect(pageOf({ entries: entries(5), total: null }, { offset: 10, first: 5 }, show()).hasNextPage).toBe(false);
    expect(pageOf({ entries: entries(3), total: 13 }, { offset: 10, first: 5 }, show()).hasNextPage).toBe(false);
  });

  it('goes on after what an index with a smaller limit of its own answered, when its count says more follow', () => {
    const page = pageOf({ entries: entries(3), total: 50 }, { offset: 10, first: 5 }, show());
    expect(page).toMatchObject({ nodes: ['0', '1', '2'], hasNextPage: true, nextOffset: 13 });
  });

  it('counts what the graph refuses to show as read, so the next page starts after it', () => {
    const page = pageOf({ entries: entries(6), total: null }, { offset: 0, first: 5 }, show((e) => Number(e.id) % 2 === 0));
    expect(page).toEqual({ nodes: ['0', '2', '4'], hasNextPage: true, nextOffset: 5, consumed: 5 });
  });

  it('never says a page follows an empty answer, whatever the count claims', () => {
    expect(pageOf({ entries: [], total: 999 }, { offset: 40, first: 5 }, show())).toEqual({ nodes: [], hasNextPage: false, nextOffset: 40, consumed: 0 });
  });
});

describe('meetsCriteria', () => {
  it('checks each criterion against the entry as the index described it', () => {
    const e = entry('a');
    expect(meetsCriteria(e, {})).toBe(true);
    expect(meetsCriteria(e, { partyCpr: '0101601234', statuses: ['Oplyst', 'Afgjort'], classification: '27.12.04', openedFrom: '2024-05-01', openedTo: '2024-05-01' })).toBe(true);
    expect(meetsCriteria(e, { partyCpr: '0202602345' })).toBe(false);
    expect(meetsCriteria(e, { statuses: ['Afsluttet'] })).toBe(false);
    expect(meetsCriteria(entry('b', { status: null }), { statuses: ['Oplyst'] })).toBe(false);
    expect(meetsCriteria(e, { classification: '27.12.00' })).toBe(false);
    expect(meetsCriteria(e, { openedFrom: '2024-05-02' })).toBe(false);
    expect(meetsCriteria(e, { openedTo: '2024-04-30' })).toBe(false);
    expect(meetsCriteria(entry('c', { openedAt: null }), { openedTo: '2024-04-30' })).toBe(false);
  });
});

describe('caseListScope', () => {
  it('says which municipality alone is shown, from the caller only', () => {
    expect(caseListScope('0101', 'København')).toEqual({
      municipalityCode: '0101',
      limitedToMunicipality: true,
      note: 'Shows only cases of municipality 0101 (København), the caller\'s own. Cases held by other municipalities are never shown here, and whether there are any is not said.',
    });
    expect(caseListScope(null, undefined)).toMatchObject({ municipalityCode: null, limitedToMunicipality: false });
  });
});
