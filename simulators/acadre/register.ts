/**
 * The shared world as one municipality's Acadre keeps it: integer identifiers for cases and
 * documents, case numbers as year and sequence ("23/15"), persons as contacts with a GUID, and
 * administrative units by id. Acadre's own tables beside the world; the world's cases, documents
 * and writes (`../data/caseWrites.ts`) stay the truth, so the case index sees what Acadre files.
 *
 * Identity rules (our own, where Acadre leaves them to the installation): a seeded case keeps the
 * sequence number the world gave it (the serial in its sagsnummer, unique per municipality) in the
 * year it was opened; a case opened here takes the next free number of the current year.
 */
import { createHash } from 'node:crypto';
import type { Case, CaseDocument, CaseStatus, DocumentKind, World } from '../data/world';

export interface AcadreCase {
  /** CaseFileIdentifier */
  id: number;
  year: number;
  /** CaseFileSequenceNumber */
  sequence: number;
  kase: Case;
  /** ClosedDate, when Acadre closed it (the world does not record when a case closed). */
  closedAt?: string;
}

export interface AcadreDocument {
  /** DocumentIdentifier; the Record and the DocumentVersion take ids derived from it. */
  id: number;
  document: CaseDocument;
  owner: AcadreCase;
  /** StorageFormatCode of its file; none for a document filed without one. */
  storageFormat?: string;
}

/** CaseFileStatusCode per FremdriftStatusKode: an installation's own codes, these are the simulator's. */
export const STATUS_CODES: Readonly<Record<CaseStatus, string>> = { Opstaaet: 'O', Oplyst: 'B', Afgjort: 'F', Afsluttet: 'A' };
/** DocumentTypeCode per document kind (GetDocumentTypeList in a real installation). */
export const DOCUMENT_TYPE_CODES: Readonly<Record<DocumentKind, string>> = { INCOMING: 'I', OUTGOING: 'U', NOTE: 'N' };
/** The classification principle under which Acadre files a case's KLE subject. */
export const KLE_PRINCIPLE = 'KL Koder';
/** The unit a case opened without one is filed under, as the demo ESDH does. */
export const DEFAULT_UNIT = 'Borgerservice';

const FIRST_CASE_ID = 100_001;
const FIRST_DOCUMENT_ID = 500_001;
const FIRST_UNIT_ID = 11;
const WORLD_SERIAL = /-(\d+)-\d{2}$/;

export interface AcadreRegister {
  caseById(id: number): AcadreCase | undefined;
  caseByNumber(year: number, sequence: number): AcadreCase | undefined;
  /** The Acadre identity of a world case of this municipality; one not seen before is taken as opened here, now. */
  caseOf(kase: Case): AcadreCase;
  documentById(id: number): AcadreDocument | undefined;
  documentsOf(owner: AcadreCase): AcadreDocument[];
  /** The document's Acadre identity, once the world holds it. */
  documentOf(document: CaseDocument): AcadreDocument;
  /** The contact GUID of a person Acadre knows as a contact. */
  contactOf(cpr: string): string | undefined;
  /** Creates the person's contact, or answers the one there is. */
  createContact(cpr: string): string;
  cprOf(guid: string): string | undefined;
  units(): readonly { id: number; name: string }[];
  unitId(name: string): number | undefined;
  unitName(id: number): string | undefined;
  addUnit(name: string): number;
}

export function createAcadreRegister(world: World, municipalityCode: string, today: () => Date = () => new Date()): AcadreRegister {
  const cases = new Map<number, AcadreCase>();
  const byWorldCase = new Map<string, AcadreCase>();
  const byNumber = new Map<string, AcadreCase>();
  const documents = new Map<number, AcadreDocument>();
  const byWorldDocument = new Map<string, AcadreDocument>();
  const contacts = new Map<string, string>(); // guid → cpr
  const unitIds = new Map<string, number>();
  let seenCases = 0;
  let seenDocuments = 0;

  const numberKey = (year: number, sequence: number) => `${year}/${sequence}`;
  const nextSequence = (year: number) => {
    let sequence = 1;
    for (const c of cases.values()) if (c.year === year && c.sequence >= sequence) sequence = c.sequence + 1;
    return sequence;
  };
  const adopt = (kase: Case, opened: boolean): AcadreCase => {
    const year = opened ? today().getUTCFullYear() : Number(kase.openedAt.slice(0, 4));
    const serial = opened ? undefined : Number(WORLD_SERIAL.exec(kase.number)?.[1]);
    const sequence = serial && !byNumber.has(numberKey(year, serial)) ? serial : nextSequence(year);
    const entry: AcadreCase = { id: FIRST_CASE_ID + cases.size, year, sequence, kase };
    cases.set(entry.id, entry);
    byWorldCase.set(kase.id, entry);
    byNumber.set(numberKey(year, sequence), entry);
    for (const party of kase.parties) contacts.set(contactGuid(municipalityCode, party.cpr), party.cpr);
    if (!unitIds.has(kase.responsibleUnit)) unitIds.set(kase.responsibleUnit, FIRST_UNIT_ID + unitIds.size);
    return entry;
  };
  /** Cases and documents reach the world from other systems too; Acadre learns of them when asked. */
  const refresh = () => {
    if (world.cases.size !== seenCases) {
      for (const kase of world.cases.values()) {
        if (kase.municipalityCode === municipalityCode && !byWorldCase.has(kase.id)) adopt(kase, false);
      }
      seenCases = world.cases.size;
    }
    if (world.documents.size !== seenDocuments) {
      for (const document of world.documents.values()) {
        const owner = byWorldCase.get(document.caseId);
        if (owner && !byWorldDocument.has(document.id)) {
          // The world's documents stand for scanned letters and decisions, each a PDF.
          const entry: AcadreDocument = { id: FIRST_DOCUMENT_ID + documents.size, document, owner, storageFormat: 'PDF' };
          documents.set(entry.id, entry);
          byWorldDocument.set(document.id, entry);
        }
      }
      seenDocuments = world.documents.size;
    }
  };
  unitIds.set(DEFAULT_UNIT, FIRST_UNIT_ID);
  refresh();

  return {
    caseById: (id) => (refresh(), cases.get(id)),
    caseByNumber: (year, sequence) => (refresh(), byNumber.get(numberKey(year, sequence))),
    caseOf: (kase) => byWorldCase.get(kase.id) ?? adopt(kase, true),
    documentById: (id) => (refresh(), documents.get(id)),
    documentsOf: (owner) => (refresh(), owner.kase.documentIds.flatMap((id) => byWorldDocument.get(id) ?? [])),
    documentOf: (document) => {
      refresh();
      const entry = byWorldDocument.get(document.id);
      if (!entry) throw new Error('the document is not on a case of this municipality');
      return entry;
    },
    contactOf: (cpr) => {
      refresh();
      const guid = contactGuid(municipalityCode, cpr);
      return contacts.has(guid) ? guid : undefined;
    },
    createContact: (cpr) => {
      const guid = contactGuid(municipalityCode, cpr);
      contacts.set(guid, cpr);
      return guid;
    },
    cprOf: (guid) => contacts.get(guid.toLowerCase()),
    units: () => [...unitIds].map(([name, id]) => ({ id, name })).sort((a, b) => a.id - b.id),
    unitId: (name) => unitIds.get(name),
    unitName: (id) => [...unitIds].find(([, unitId]) => unitId === id)?.[0],
    addUnit: (name) => {
      const known = unitIds.get(name);
      if (known !== undefined) return known;
      unitIds.set(name, FIRST_UNIT_ID + unitIds.size);
      return FIRST_UNIT_ID + unitIds.size - 1;
    },
  };
}

/** A stable GUID-shaped contact id per municipality and person. */
function contactGuid(municipalityCode: string, cpr: string): string {
  const hex = createHash('sha256').update(`acadre-contact/${municipalityCode}/${cpr}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
