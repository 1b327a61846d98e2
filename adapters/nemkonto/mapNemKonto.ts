/**
 * NemKontoService getNemKontoFromIDResponse → NemKontoRecord, or null when the person has no
 * NemKonto. Reads `return` (xs:string, minOccurs 0, nillable), the only thing the contract answers:
 * absent, nil or empty means no account. Its text is "registreringsnummer kontonummer" (our
 * simulator's WSDL documents it; the published proof-of-concept WSDL leaves the string's format
 * open), four digits, a space or dash or nothing, up to ten digits; a Danish IBAN is read too.
 *
 * The account number is masked here, to its last four digits: the full number goes no further,
 * and no error says what the answer held.
 */
import { LegacyBadResponse } from '../core/errors';
import { parseXml, pathOf, textAt } from '../core/xml';
import { bankName } from './banks';
import type { NemKontoRecord } from './types';

const SYSTEM = 'nemkonto';
/** Danish account numbers are up to ten digits; the IBAN pads them to ten. */
const ACCOUNT_DIGITS = 10;

export function mapNemKonto(responseXml: string): NemKontoRecord | null {
  const document = parseXml(responseXml);
  const response = document ? pathOf(document, ['Envelope', 'Body', 'getNemKontoFromIDResponse']) : undefined;
  if (!response) {
    throw new LegacyBadResponse('nemkonto: the answer is not a getNemKontoFromIDResponse', { system: SYSTEM });
  }
  const returned = textAt(response, ['return'])?.trim();
  if (!returned) return null;
  const account = readAccount(returned);
  if (!account) {
    throw new LegacyBadResponse('nemkonto: the account in the answer is not a registration and account number', { system: SYSTEM, detail: 'return' });
  }
  return {
    bank: { registrationNumber: account.registrationNumber, name: bankName(account.registrationNumber) },
    accountNumberLast4: account.accountNumber.padStart(ACCOUNT_DIGITS, '0').slice(-4),
  };
}

/** Registration and account number from "rrrr kkkkkkkkkk" (space, dash or nothing between) or a DK IBAN. */
function readAccount(text: string): { registrationNumber: string; accountNumber: string } | undefined {
  const plain = /^(\d{4})[ -]?(\d{1,10})$/.exec(text);
  if (plain) return { registrationNumber: plain[1]!, accountNumber: plain[2]! };
  const iban = text.replace(/ /g, '').toUpperCase();
  const parts = /^DK\d{2}(\d{4})(\d{10})$/.exec(iban);
  if (parts && ibanChecksumHolds(iban)) return { registrationNumber: parts[1]!, accountNumber: parts[2]! };
  return undefined;
}

/** ISO 13616: country and check digits moved to the end, letters as numbers, mod 97 is 1. */
function ibanChecksumHolds(iban: string): boolean {
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of rearranged) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}
