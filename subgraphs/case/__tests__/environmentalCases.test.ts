import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapCaseIndexResult } from '../../../adapters/case-index';
import { caseObjectIdOf, environmentalCasesAbout, isEnvironmental } from '../environmentalCases';

/** The adapter's fixture: an environmental case (09.02.00) and a building permit (02.34.02), both about one building. */
const answer = mapCaseIndexResult(readFileSync(new URL('../../../adapters/case-index/__tests__/fixtures/fremsoeg-case-object-response.xml', import.meta.url), 'utf8'));
const BUILDING = 'c3d0a1f2-7b44-4e19-8a5d-0f6b2e9c7d13';
const ADDRESS = '8f2e4b6a-1c3d-4e5f-9a7b-6c8d0e2f4a61';

describe('environmentalCasesAbout', () => {
  it('keeps the cases of KLE main group 09 that name the thing, and leaves a building permit about it out', () => {
    expect(environmentalCasesAbout(answer, BUILDING).map((c) => c.number)).toEqual(['09.02.00-G01-4-24']);
    expect(environmentalCasesAbout(answer, ADDRESS).map((c) => c.number)).toEqual(['09.02.00-G01-4-24']);
  });

  it('leaves out a case the index answered that does not name the thing, or shows no objects', () => {
    expect(environmentalCasesAbout(answer, '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d')).toEqual([]);
    const [environmental] = answer;
    expect(environmentalCasesAbout([{ ...environmental!, caseObjects: undefined }], BUILDING)).toEqual([]);
  });
});

describe('isEnvironmental', () => {
  it('reads the main group off the KLE subject number, not a prefix of it', () => {
    const [environmental] = answer;
    const classified = (number: string) => ({ ...environmental!, classification: { number, title: null } });
    expect(isEnvironmental(classified('09.08.30'))).toBe(true);
    expect(isEnvironmental(classified('02.34.02'))).toBe(false);
    expect(isEnvironmental(classified('090.1'))).toBe(false);
    expect(isEnvironmental({ ...environmental!, classification: null })).toBe(false);
  });
});

describe('caseObjectIdOf', () => {
  it('asks by a UUID in lower case, and by nothing else', () => {
    expect(caseObjectIdOf(BUILDING.toUpperCase())).toBe(BUILDING);
    expect(caseObjectIdOf('0a3f5082-not-a-uuid')).toBeUndefined();
    expect(caseObjectIdOf('')).toBeUndefined();
  });
});
