import { describe, expect, it } from 'vitest';
import { parseCaseNumber } from '../acadreCodes';

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
