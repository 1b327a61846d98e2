/**
 * Address protection (adressebeskyttelse) for a whole household.
 *
 * Withholding only the protected person's own address is not enough: the graph links persons
 * through CPR relations, so a spouse's, child's or sibling's address, shown beside (or one answer
 * away from) the protected person, is where the protected person lives. A citizen's address is
 * therefore disclosed only when no protected person is registered at the same address among the
 * citizen, the persons CPR lists in the citizen's relations, and the persons listed in *their*
 * relations. Two steps reach every household CPR links: siblings through a parent, a spouse's
 * children, a child's other parent.
 *
 * Pure apart from `recordOf`, which the subgraph backs with the request's CPR loader (so each
 * person is looked up once per request, however many citizens in the answer need the check).
 */
import type { CprAddress, PersonRecord } from '../../adapters/cpr';

/** How the check gets a person's CPR record. Rejects when CPR cannot give it. */
export type RecordOf = (cpr: string) => Promise<PersonRecord>;

export type AddressDisclosure =
  | { disclose: true }
  /** No address to give, or a protected person is registered there. */
  | { disclose: false; reason: 'no-address' | 'protected' }
  /** A relative could not be looked up, so the household cannot be shown to be unprotected. */
  | { disclose: false; reason: 'unverified'; error: unknown };

/** Relation steps from the citizen that the check follows: two reach siblings and a spouse's children. */
export const RELATION_STEPS = 2;

export async function addressDisclosure(citizen: PersonRecord, recordOf: RecordOf): Promise<AddressDisclosure> {
  const home = citizen.address;
  if (!home) return { disclose: false, reason: 'no-address' };
  if (citizen.addressProtected) return { disclose: false, reason: 'protected' };

  const seen = new Set<string>([citizen.cpr]);
  let frontier: readonly PersonRecord[] = [citizen];
  for (let step = 0; step < RELATION_STEPS; step++) {
    const next = relatedCprs(frontier).filter((cpr) => !seen.has(cpr));
    if (next.length === 0) break;
    for (const cpr of next) seen.add(cpr);
    // Each step's look-ups in parallel: the loader batches them, and the step costs one round trip.
    const settled = await Promise.allSettled(next.map((cpr) => recordOf(cpr)));
    const found: PersonRecord[] = [];
    let failure: { error: unknown } | undefined;
    for (const outcome of settled) {
      if (outcome.status === 'fulfilled') found.push(outcome.value);
      else failure ??= { error: outcome.reason };
    }
    // A protected co-resident is a definite answer, whatever else failed.
    if (found.some((relative) => livesProtectedAt(relative, home))) return { disclose: false, reason: 'protected' };
    // Fail closed, and stop here: asking a failing CPR for the next step would only add load.
    if (failure) return { disclose: false, reason: 'unverified', error: failure.error };
    // Persons registered elsewhere are followed too: two adult siblings sharing a flat are linked
    // only through a parent who lives somewhere else.
    frontier = found;
  }
  return { disclose: true };
}

/** Whether this person has address protection and is registered at `home`. */
export function livesProtectedAt(person: PersonRecord, home: CprAddress): boolean {
  return person.addressProtected && sameAddress(person.address, home);
}

/** Every person CPR names in these persons' relations (spouse, children, parents, custody holders). */
export function relatedCprs(persons: readonly PersonRecord[]): string[] {
  const cprs = new Set<string>();
  for (const { relations } of persons) {
    for (const cpr of [relations.spouse, relations.mother, relations.father, ...relations.children, ...relations.custodyHolders]) {
      if (cpr) cprs.add(cpr);
    }
  }
  return [...cprs];
}

/**
 * Same CPR address key: kommunekode, vejkode, husnummer, etage, sidedør. Compared loosely (case,
 * padding, leading zeros, absent vs empty): a false match only withholds an address, a missed
 * one discloses a protected person's.
 */
export function sameAddress(a: CprAddress | null, b: CprAddress | null): boolean {
  if (!a || !b) return false;
  return (
    code(a.municipalityCode) === code(b.municipalityCode) &&
    code(a.streetCode) === code(b.streetCode) &&
    code(a.houseNumber) === code(b.houseNumber) &&
    part(a.floor) === part(b.floor) &&
    part(a.door) === part(b.door)
  );
}

const part = (value: string | null): string => (value ?? '').trim().replace(/\.$/, '').toUpperCase();
/** Codes and house numbers come padded or not ("0101"/"101", "012B"/"12B"). */
const code = (value: string): string => part(value).replace(/^0+(?=\d)/, '');
