/**
 * Every person's NemKonto in the synthetic world, derived — never stored — from the person and the
 * world's seed, so the world itself stays as it is and every process agrees on each account.
 *
 * Who has none: a person born after 2008 (a minor, as the CPR simulator counts antalBoernUnder18),
 * a dead person (CPR status 90), and about one adult in twenty besides.
 */
import { createRandom } from '../data/random';
import { DEFAULT_SEED, type Person } from '../data/world';

/** A bank and the share of accounts it holds in the simulation. */
export interface SimulatedBank {
  /** registreringsnummer: four digits, one branch of the bank */
  registrationNumber: string;
  name: string;
  weight: number;
}

/**
 * Registration numbers real Danish banks use, a few each, as they appear on published payment
 * details (Finans Danmark keeps the full register; it is not public).
 */
export const SIMULATED_BANKS: readonly SimulatedBank[] = [
  { registrationNumber: '3409', name: 'Danske Bank', weight: 16 },
  { registrationNumber: '1551', name: 'Danske Bank', weight: 8 },
  { registrationNumber: '2720', name: 'Nordea', weight: 10 },
  { registrationNumber: '2999', name: 'Nordea', weight: 6 },
  { registrationNumber: '5010', name: 'Jyske Bank', weight: 6 },
  { registrationNumber: '7851', name: 'Jyske Bank', weight: 4 },
  { registrationNumber: '7040', name: 'Sydbank', weight: 5 },
  { registrationNumber: '6813', name: 'Sydbank', weight: 3 },
  { registrationNumber: '1149', name: 'Saxo Bank', weight: 2 },
];

export interface NemKontoAccount {
  registrationNumber: string;
  /** kontonummer: 7 to 10 digits, as the bank numbers it (no leading zero) */
  accountNumber: string;
  bankName: string;
}

/** Born in this year or before: an adult, who has a NemKonto unless drawn otherwise. */
const LAST_ADULT_BIRTH_YEAR = 2008;
const DEAD = 90;
/** Share of adults without a NemKonto. */
const WITHOUT_ACCOUNT = 0.05;

/** The person's NemKonto for the world built from `seed`, or null when they have none. Pure. */
export function nemKontoAccountOf(person: Person, seed: number = DEFAULT_SEED): NemKontoAccount | null {
  if (Number(person.birthDate.slice(0, 4)) > LAST_ADULT_BIRTH_YEAR || person.status === DEAD) return null;
  const random = createRandom(hash(`${seed}:nemkonto:${person.cpr}`));
  if (random.chance(WITHOUT_ACCOUNT)) return null;
  const bank = weightedPick(random.next(), SIMULATED_BANKS);
  const digits = random.int(7, 10);
  let accountNumber = String(random.int(1, 9));
  while (accountNumber.length < digits) accountNumber += String(random.int(0, 9));
  return { registrationNumber: bank.registrationNumber, accountNumber, bankName: bank.name };
}

/** The `return` text of getNemKontoFromIDResponse: "registreringsnummer kontonummer" (our WSDL's convention). */
export function nemKontoReturnText(account: NemKontoAccount): string {
  return `${account.registrationNumber} ${account.accountNumber}`;
}

function weightedPick(draw: number, banks: readonly SimulatedBank[]): SimulatedBank {
  const total = banks.reduce((sum, b) => sum + b.weight, 0);
  let left = draw * total;
  for (const bank of banks) {
    left -= bank.weight;
    if (left < 0) return bank;
  }
  return banks[banks.length - 1] as SimulatedBank;
}

/** FNV-1a, 32 bits: a per-person seed for the world's random source. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
