import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LegacyBadResponse } from '../../core/errors';
import { BANK_NAMES, bankName } from '../banks';
import { getNemKontoFromIdRequest } from '../getNemKontoFromIdRequest';
import { mapNemKonto } from '../mapNemKonto';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const found = fixture('get-nemkonto-from-id-response.xml');
/** The found answer with another `return` text. */
const returning = (text: string) => found.replace('3409 4416027385', text);
const FULL_ACCOUNT = '4416027385';

describe('mapNemKonto (NemKontoService getNemKontoFromIDResponse)', () => {
  it('reads the bank\'s registration number and name and masks the account number to its last four digits', () => {
    expect(mapNemKonto(found)).toEqual({ bank: { registrationNumber: '3409', name: 'Danske Bank' }, accountNumberLast4: '7385' });
  });

  it('keeps nothing of the full account number but its last four digits', () => {
    const record = JSON.stringify(mapNemKonto(found));
    expect(record).not.toContain(FULL_ACCOUNT);
    expect(record).not.toContain(FULL_ACCOUNT.slice(0, 6));
  });

  it('a registration number the table does not know keeps its number, with no name', () => {
    expect(mapNemKonto(returning('9999 4416027385'))).toEqual({ bank: { registrationNumber: '9999', name: null }, accountNumberLast4: '7385' });
    expect(bankName('0000')).toBeNull();
  });

  it('reads the account with a dash or nothing between the numbers, and a Danish IBAN, alike', () => {
    const expected = { bank: { registrationNumber: '3409', name: 'Danske Bank' }, accountNumberLast4: '7385' };
    expect(mapNemKonto(returning('3409-4416027385'))).toEqual(expected);
    expect(mapNemKonto(returning('34094416027385'))).toEqual(expected);
    expect(mapNemKonto(returning('DK3134094416027385'))).toEqual(expected);
    expect(mapNemKonto(returning('DK31 3409 4416 0273 85'))).toEqual(expected);
  });

  it('pads a short account number to ten digits before masking, as its IBAN does', () => {
    expect(mapNemKonto(returning('7040 123'))?.accountNumberLast4).toBe('0123');
    expect(mapNemKonto(returning('2720 98765'))?.accountNumberLast4).toBe('8765');
  });

  it('a nil return (Axis2\'s answer for "no account"), an omitted one and an empty one are no NemKonto', () => {
    expect(mapNemKonto(fixture('get-nemkonto-from-id-response-nil.xml'))).toBeNull();
    expect(mapNemKonto(fixture('get-nemkonto-from-id-response-empty.xml'))).toBeNull();
    expect(mapNemKonto(returning('  '))).toBeNull();
  });

  it('an answer that is not an account is a LegacyBadResponse that does not repeat it', () => {
    for (const text of ['34O9 4416027385', '3409 44160273851', 'DK3234094416027385', 'Jens Peter Kontoejer']) {
      const error = (() => {
        try {
          mapNemKonto(returning(text));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, text).toBeInstanceOf(LegacyBadResponse);
      expect(`${(error as LegacyBadResponse).message} ${(error as LegacyBadResponse).detail}`).not.toContain(text);
    }
  });

  it('a body that is not a getNemKontoFromIDResponse, or no XML at all, is a LegacyBadResponse', () => {
    expect(() => mapNemKonto(found.replaceAll('getNemKontoFromIDResponse', 'getIDFromNemKontoResponse'))).toThrow(LegacyBadResponse);
    expect(() => mapNemKonto(found.slice(0, 120))).toThrow(LegacyBadResponse);
  });

  it('names a bank for every registration number of its table, one of the banks NemKonto pays into', () => {
    expect(BANK_NAMES.size).toBeGreaterThan(4);
    for (const [number, name] of BANK_NAMES) {
      expect(number).toMatch(/^\d{4}$/);
      expect(name.length).toBeGreaterThan(0);
    }
  });
});

describe('getNemKontoFromIdRequest', () => {
  it('sends the CPR number as a personID of ten digits, qualified in the service namespace', () => {
    const expected =
      '<nk:getNemKontoFromID xmlns:nk="http://devenvdemo.poc.nemkonto.digst.dk"><nk:personID>1104781235</nk:personID></nk:getNemKontoFromID>';
    expect(getNemKontoFromIdRequest('1104781235')).toBe(expected);
    expect(getNemKontoFromIdRequest('110478-1235')).toBe(expected);
  });

  it('refuses anything else before it is sent, without repeating it', () => {
    for (const input of ['1104781235</nk:personID>', '11047812', '', 'x104781235']) {
      expect(() => getNemKontoFromIdRequest(input)).toThrow(RangeError);
      try {
        getNemKontoFromIdRequest(input);
      } catch (e) {
        if (input) expect((e as Error).message).not.toContain(input);
      }
    }
  });
});
