/**
 * The shared world as one municipality's Acadre keeps it: integer identifiers for cases and
 * documents, case numbers as year and sequence ("23/15"), persons as contacts with a GUID, and
 * administrative units by id. The world's cases, documents and writes (`../data/caseWrites.ts`)
 * stay the truth: a municipality that runs Acadre has its cases numbered and identified in the
 * world as Acadre and its index feeder write them (`../data/acadreIdentity.ts`), so Acadre's ids
 * are read off the world, and the case index shows what Acadre files. Beside the world, this keeps
 * only what Acadre knows and the world does not: closing dates, file formats, contacts made,
 * unit ids.
 */
import { createHash } from 'node:crypto';
import { acadreCaseNumber, acadreIdOf, acadreIndexUuid, parseAcadreCaseNumber } from '../data/acadreIdentity';
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

const FIRST_UNIT_ID = 11;

export interface AcadreRegister {
  caseById(id: number): AcadreCase | undefined;
  caseByNumber(year: number, sequence: number): AcadreCase | undefined;
  /** The Acadre identity of a world case of this municipality. */
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

export function createAcadreRegister(world: World, municipalityCode: string): AcadreRegister {
  if (world.municipalities.find((m) => m.code === municipalityCode)?.esdhVendor !== 'acadre') {
    throw new Error(`municipality ${municipalityCode} does not keep its cases in Acadre in this world (see esdhVendor in simulators/data/world.ts)`);
  }
  // One object per case and document, so what Acadre adds to one (a closing date, a format) stays.
  const cases = new Map<number, AcadreCase>();
  const documents = new Map<number, AcadreDocument>();
  const contacts = new Map<string, string>(); // guid → cpr
  const unitIds = new Map<string, number>([[DEFAULT_UNIT, FIRST_UNIT_ID]]);
  let seenCases = -1;

  /** Cases reach the world from other systems too: their parties and units are Acadre's once they do. */
  const refresh = () => {
    if (world.cases.size === seenCases) return;
    for (const kase of world.cases.values()) {
      if (kase.municipalityCode !== municipalityCode) continue;
      for (const party of kase.parties) contacts.set(contactGuid(municipalityCode, party.cpr), party.cpr);
      if (!unitIds.has(kase.responsibleUnit)) unitIds.set(kase.responsibleUnit, FIRST_UNIT_ID + unitIds.size);
    }
    seenCases = world.cases.size;
  };

  const caseOf = (kase: Case): AcadreCase => {
    const id = acadreIdOf('case', municipalityCode, kase.id);
    const number = parseAcadreCaseNumber(kase.number);
    if (kase.municipalityCode !== municipalityCode || id === undefined || !number) throw new Error('the case is not one of this Acadre');
    let entry = cases.get(id);
    if (!entry) {
      entry = { id, year: Number(kase.openedAt.slice(0, 4)), sequence: number.sequence, kase };
      cases.set(id, entry);
    }
    return entry;
  };
  const documentOf = (document: CaseDocument): AcadreDocument => {
    const id = acadreIdOf('document', municipalityCode, document.id);
    const owner = world.cases.get(document.caseId);
    if (id === undefined || !owner) throw new Error('the document is not on a case of this municipality');
    let entry = documents.get(id);
    if (!entry) {
      // The world's documents stand for scanned letters and decisions, each a PDF.
      entry = { id, document, owner: caseOf(owner), storageFormat: 'PDF' };
      documents.set(id, entry);
    }
    return entry;
  };
  const ownCase = (kase: Case | undefined) => (kase && kase.municipalityCode === municipalityCode ? caseOf(kase) : undefined);

  return {
    caseById: (id) => ownCase(world.cases.get(acadreIndexUuid('case', municipalityCode, id))),
    caseByNumber: (year, sequence) => {
      const entry = ownCase(world.cases.get(world.casesByNumber.get(`${municipalityCode}|${acadreCaseNumber(year, sequence)}`) ?? ''));
      return entry?.year === year ? entry : undefined;
    },
    caseOf,
    documentById: (id) => {
      const document = world.documents.get(acadreIndexUuid('document', municipalityCode, id));
      return document && ownCase(world.cases.get(document.caseId)) ? documentOf(document) : undefined;
    },
    documentsOf: (owner) => owner.kase.documentIds.flatMap((id) => {
      const document = world.documents.get(id);
      return document ? [documentOf(document)] : [];
    }),
    documentOf,
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
    cprOf: (guid) => {
      refresh();
      return contacts.get(guid.toLowerCase());
    },
    units: () => {
      refresh();
      return [...unitIds].map(([name, id]) => ({ id, name })).sort((a, b) => a.id - b.id);
    },
    unitId: (name) => {
      refresh();
      return unitIds.get(name);
    },
    unitName: (id) => {
      refresh();
      return [...unitIds].find(([, unitId]) => unitId === id)?.[0];
    },
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
