/**
 * A person's NemKonto (Easy Account: the account public payments are made to) as the rest of the
 * system sees it, whatever NemKonto service supplied it: the bank, and the account number masked.
 * The full account number never leaves the adapter.
 */
export interface NemKontoRecord {
  bank: NemKontoBank;
  /** The last four digits of the account number (kontonummer), zero-padded as in the account's IBAN. */
  accountNumberLast4: string;
}

export interface NemKontoBank {
  /** registreringsnummer: the four-digit number of the bank's branch that holds the account */
  registrationNumber: string;
  /** The bank's name, from our table of registration numbers; null for a number the table lacks. */
  name: string | null;
}
