import { describe, expect, it } from 'vitest';
import { derivedIndexIdentity } from '../acadreIndexIdentity';
import { acadreIndexUuid } from '../../../simulators/data/acadreIdentity';

const odense = derivedIndexIdentity('0461');

describe('derivedIndexIdentity (Acadre ids as the case index shows them)', () => {
  it('writes a case file and a document as UUIDv8s naming kind, municipality and the integer', () => {
    expect(odense.caseUuid('100234')).toBe('acc00461-0000-8000-8000-000000100234');
    expect(odense.documentUuid('500017')).toBe('acd00461-0000-8000-8000-000000500017');
    expect(odense.caseUuid('0100234')).toBe(odense.caseUuid('100234'));
    expect(odense.caseUuid('1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reads a document back from its UUID, and nothing from another municipality\'s, a case\'s or a random one', () => {
    expect(odense.documentId(odense.documentUuid('500017'))).toBe('500017');
    expect(odense.documentId('ACD00461-0000-8000-8000-000000500017')).toBe('500017');
    expect(odense.documentId(derivedIndexIdentity('0101').documentUuid('500017'))).toBeUndefined();
    expect(odense.documentId(odense.caseUuid('500017'))).toBeUndefined();
    expect(odense.documentId('3c64f272-770d-4cc4-8d73-8b833f75e5e0')).toBeUndefined();
    expect(odense.documentId('500017')).toBeUndefined();
  });

  it('refuses an id with no place in the layout', () => {
    expect(() => odense.caseUuid('1234567890123')).toThrow(RangeError);
    expect(() => odense.documentUuid('12a')).toThrow(RangeError);
    expect(() => derivedIndexIdentity('461')).toThrow();
  });

  it('is the rule the simulated index feeder writes the world\'s Acadre cases by', () => {
    expect(acadreIndexUuid('case', '0461', 100_234)).toBe(odense.caseUuid('100234'));
    expect(acadreIndexUuid('document', '0461', 500_017)).toBe(odense.documentUuid('500017'));
  });
});
