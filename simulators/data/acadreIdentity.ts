/**
 * How the world keeps the cases of a municipality whose ESDH is Acadre: as Acadre numbers them,
 * and as its index feeder shows them to the case index (SF1470), so that every simulator serving
 * the world (the index, the Acadre simulator, a demo ESDH) agrees on one identity.
 *
 * - Number (sagsnummer): Acadre's `yy/løbenummer`. A seeded case keeps its world serial (unique in
 *   the municipality) as sequence number in the year it was opened; a case opened later takes the
 *   next free number of its year.
 * - Ids: Acadre counts case files from 100001 and documents from 500001; the index shows each under
 *   a UUID derived from the integer (RFC 9562 UUIDv8): `ac` + `c`/`d` + `0` + kommunekode, then
 *   `-0000-8000-8000-`, then the integer in twelve digits. The feeder's rule is an installation's
 *   own; this is ours, and adapters/esdh/acadreIndexIdentity.ts reads it back.
 */
import type { World } from './world';

export const FIRST_CASE_FILE_ID = 100_001;
export const FIRST_DOCUMENT_ID = 500_001;

type Kind = 'case' | 'document';

const prefix = (kind: Kind, municipalityCode: string) => `ac${kind === 'case' ? 'c' : 'd'}0${municipalityCode}-0000-8000-8000-`;

/** The UUID the case index shows for an Acadre case file or document. */
export function acadreIndexUuid(kind: Kind, municipalityCode: string, id: number): string {
  return `${prefix(kind, municipalityCode)}${String(id).padStart(12, '0')}`;
}

/** The Acadre integer an index UUID stands for; undefined for any other UUID. */
export function acadreIdOf(kind: Kind, municipalityCode: string, uuid: string): number | undefined {
  const start = prefix(kind, municipalityCode);
  if (!uuid.startsWith(start)) return undefined;
  const digits = uuid.slice(start.length);
  return /^\d{12}$/.test(digits) ? Number(digits) : undefined;
}

/** `yy/løbenummer` (CaseFileNumberIdentifier). */
export function acadreCaseNumber(year: number, sequence: number): string {
  return `${String(year % 100).padStart(2, '0')}/${sequence}`;
}

/** The two-digit year and sequence of an Acadre case number; undefined for another vendor's. */
export function parseAcadreCaseNumber(number: string): { yy: number; sequence: number } | undefined {
  const match = /^(\d{2})\/(\d+)$/.exec(number);
  return match ? { yy: Number(match[1]), sequence: Number(match[2]) } : undefined;
}

/** The id and number Acadre gives the next case it opens in this municipality on `today`. */
export function nextAcadreCase(world: World, municipalityCode: string, today: Date): { id: string; number: string } {
  const yy = today.getUTCFullYear() % 100;
  let lastId = FIRST_CASE_FILE_ID - 1;
  let lastSequence = 0;
  for (const kase of world.cases.values()) {
    if (kase.municipalityCode !== municipalityCode) continue;
    lastId = Math.max(lastId, acadreIdOf('case', municipalityCode, kase.id) ?? 0);
    const number = parseAcadreCaseNumber(kase.number);
    if (number?.yy === yy) lastSequence = Math.max(lastSequence, number.sequence);
  }
  return { id: acadreIndexUuid('case', municipalityCode, lastId + 1), number: acadreCaseNumber(today.getUTCFullYear(), lastSequence + 1) };
}

/** The index id of the next document Acadre files in this municipality. */
export function nextAcadreDocumentId(world: World, municipalityCode: string): string {
  let last = FIRST_DOCUMENT_ID - 1;
  for (const id of world.documents.keys()) last = Math.max(last, acadreIdOf('document', municipalityCode, id) ?? 0);
  return acadreIndexUuid('document', municipalityCode, last + 1);
}
