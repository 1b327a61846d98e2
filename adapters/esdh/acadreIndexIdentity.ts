/**
 * Acadre's identifiers as the national case index (SF1470) shows them. Acadre names cases and
 * documents by integer (CaseFileIdentifier, DocumentIdentifier) and its PWS contract carries no
 * UUID for either; SF1470 names everything by UUID. Whatever feeds an Acadre installation's cases
 * to the index (the SDI integration) decides those UUIDs, so the adapter must know the feeder's
 * rule both ways: forth, to answer with the ids the graph knows; back, to find a document the
 * graph names by its index id.
 *
 * Ours derives them, reversibly and without a table (subgraphs are stateless), as RFC 9562 UUIDv8
 * ("custom"): `ac` + `c` (case) or `d` (document) + `0` + kommunekode, then `-0000-8000-8000-`,
 * then the integer in twelve decimal digits:
 *
 *   case 100234 of Odense   acc00461-0000-8000-8000-000000100234
 *   document 500017         acd00461-0000-8000-8000-000000500017
 *
 * An installation whose feeder writes other UUIDs passes its own `AcadreIndexIdentity`.
 * simulators/data/acadreIdentity.ts writes the world's Acadre cases to the index by this same rule.
 */

/** Acadre id ↔ case-index UUID, for one municipality's installation. */
export interface AcadreIndexIdentity {
  /** The index's UUID of the case file with this CaseFileIdentifier. */
  caseUuid(caseFileId: string): string;
  /** The index's UUID of the document with this DocumentIdentifier. */
  documentUuid(documentId: string): string;
  /** The DocumentIdentifier the index's UUID stands for; undefined when it is no document of this installation. */
  documentId(uuid: string): string | undefined;
}

const MAX_DIGITS = 12;

/** The derivation above, for the municipality with this kommunekode. */
export function derivedIndexIdentity(municipalityCode: string): AcadreIndexIdentity {
  if (!/^\d{4}$/.test(municipalityCode)) throw new Error('a kommunekode has four digits');
  const prefix = (kind: 'c' | 'd') => `ac${kind}0${municipalityCode}-0000-8000-8000-`;
  const forth = (kind: 'c' | 'd', id: string) => {
    // Acadre's ids are xs:nonNegativeInteger; one past twelve digits has no UUID in this layout.
    if (!/^\d+$/.test(id) || String(Number(id)).length > MAX_DIGITS) throw new RangeError(`an Acadre id of at most ${MAX_DIGITS} digits`);
    return `${prefix(kind)}${String(Number(id)).padStart(MAX_DIGITS, '0')}`;
  };
  const documentPattern = new RegExp(`^${prefix('d')}(\\d{${MAX_DIGITS}})$`);
  return {
    caseUuid: (caseFileId) => forth('c', caseFileId),
    documentUuid: (documentId) => forth('d', documentId),
    documentId: (uuid) => {
      const digits = documentPattern.exec(uuid.trim().toLowerCase())?.[1];
      return digits === undefined ? undefined : String(Number(digits));
    },
  };
}
