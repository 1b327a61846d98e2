/**
 * A property's environmental cases (`Address.environmentalCases`, `Building.environmentalCases`):
 * which of the cases the index answers about a thing (its sagsgenstande) the graph shows. Pure:
 * the resolver asks the index, checks tenancy and records.
 *
 * SF1470 matches a Sagsklasse's key exactly and offers no prefix or wildcard, so the index cannot
 * be asked for a main group: it is asked for every case about the thing, and the main group is
 * kept here, from the KLE number each case is classified with. Asking instead for each of the
 * main group's subjects (an OR of Sagsklasse) would tie the search to one version of the KLE plan
 * and still not be the main group.
 */
import type { CaseIndexEntry } from '../../adapters/case-index';

/** KLE main group 09, Miljøbeskyttelse (environmental protection). */
export const ENVIRONMENTAL_MAIN_GROUP = '09';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The id to ask the index for: an address's or a building's UUID in lower case, as DAR and BBR
 * write them; undefined for anything else, which no case in the index can name (the contract
 * references an object by UUID), so nothing need be asked.
 */
export function caseObjectIdOf(id: string): string | undefined {
  return UUID.test(id) ? id.toLowerCase() : undefined;
}

/** Whether a case is classified in KLE main group 09: its subject number begins 09. */
export function isEnvironmental(entry: CaseIndexEntry): boolean {
  return entry.classification?.number.split('.')[0] === ENVIRONMENTAL_MAIN_GROUP;
}

/**
 * The environmental cases among the index's answer about `objectId`, in the answer's order.
 * An entry that does not name the object (an index that answers wider than asked, or shows no
 * objects) is left out, as the case list checks its criteria again: what reaches the caller is
 * what was asked for.
 */
export function environmentalCasesAbout<E extends CaseIndexEntry>(entries: readonly E[], objectId: string): E[] {
  return entries.filter((entry) => isEnvironmental(entry) && (entry.caseObjects ?? []).includes(objectId));
}
