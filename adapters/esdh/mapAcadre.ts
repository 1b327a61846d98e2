/**
 * Acadre PWS v7 (AcadreServiceV7) answers → the CaseSystem's records, as pure functions. Answers
 * are read by local name (unambiguous within each of the contract's types, whose derivations
 * spread one case file over four namespaces: see `acadreCodes.ts`). Records carry Acadre's own
 * identifiers here; the adapter gives them the case index's (`acadreIndexIdentity.ts`).
 * @see ../shared/contracts/esdh-acadre/AcadreServiceV7/ (schema9, schema16, schema20, schema21, schema23)
 */
import { LegacyBadResponse, LegacyFault } from '../core/errors';
import { listAt, parseXml, pathOf, textAt, type XmlNode } from '../core/xml';
import type { AcadreCodes } from './acadreCodes';
import type { DocumentKind, DocumentRecord, EsdhCaseRecord, EsdhCaseStatus, NewDocumentInput } from './types';

const SYSTEM = 'esdh';

/** The file format a DocumentVersion's StorageFormatCode (a file extension) names, as a MIME type. */
const MIME_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  rtf: 'application/rtf',
  txt: 'text/plain',
  htm: 'text/html',
  html: 'text/html',
  xml: 'application/xml',
  msg: 'application/vnd.ms-outlook',
  eml: 'message/rfc822',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

export interface CaseMappingContext {
  codes: AcadreCodes;
  /** AdminUnit Id → Name (GetAdminUnitList); a unit not in it reads as null. */
  unitNames?: ReadonlyMap<string, string>;
}

/**
 * GetCaseByCaseNumberResponse/CaseFile3 or GetCase's CaseFile3 → the case; null when the answer
 * holds none (GetCaseByCaseNumberResponse's CaseFile3 is optional).
 */
export function mapAcadreCase(responseXml: string, context: CaseMappingContext): EsdhCaseRecord | null {
  const body = bodyOf(responseXml);
  const byNumber = pathOf(body, ['GetCaseByCaseNumberResponse']);
  const caseFile = byNumber ? pathOf(byNumber, ['CaseFile3']) : pathOf(body, ['CaseFile3']);
  if (!caseFile) {
    if (byNumber) return null;
    throw new LegacyBadResponse('esdh: no CaseFile3 in Acadre\'s answer', { system: SYSTEM });
  }
  return mapCaseFile(caseFile, context);
}

function mapCaseFile(caseFile: XmlNode, { codes, unitNames }: CaseMappingContext): EsdhCaseRecord {
  const id = text(caseFile, ['CaseFileIdentifier']);
  const year = text(caseFile, ['Year']);
  const sequence = text(caseFile, ['CaseFileSequenceNumber']);
  const number = text(caseFile, ['CaseFileNumberIdentifier']) ?? (year && sequence ? `${year.slice(-2)}/${sequence}` : undefined);
  if (!id || !number) throw new LegacyBadResponse('esdh: an Acadre case file without CaseFileIdentifier or case number', { system: SYSTEM });
  const statusCode = text(caseFile, ['CaseFileStatusCode']);
  const status = (Object.keys(codes.caseStatus) as EsdhCaseStatus[]).find((s) => codes.caseStatus[s] === statusCode) ?? null;
  const unit = text(caseFile, ['AdministrativeUnit', 'AdministrativeUnitReference']);
  const kle = listAt(caseFile, ['Classification', 'Category']).find((c) => text(c, ['Principle']) === codes.klePrinciple);
  const kleNumber = kle ? text(kle, ['Literal']) : undefined;
  return {
    id,
    number,
    title: text(caseFile, ['CaseFileTitleText']) ?? null,
    status,
    responsibleUnit: (unit !== undefined && unitNames?.get(canonicalId(unit))) || null,
    openedAt: text(caseFile, ['CreationDate'])?.slice(0, 10) ?? null,
    // CategoryType holds the literal only; the KLE plan's title is the kle adapter's to give.
    classification: kleNumber ? { number: kleNumber, title: null } : null,
  };
}

/** GetAllDocuments' ArrayOfDocuments → the documents, each on the case with this number. */
export function mapAcadreDocuments(responseXml: string, caseNumber: string, codes: AcadreCodes): DocumentRecord[] {
  const list = pathOf(bodyOf(responseXml), ['ArrayOfDocuments']);
  if (!list) throw new LegacyBadResponse('esdh: no ArrayOfDocuments in Acadre\'s answer', { system: SYSTEM });
  return listAt(list, ['DocumentOutput']).map((output) => mapDocumentOutput(output, caseNumber, codes));
}

/** GetMainDocument's DocumentResponse → the document; null when it holds no Document. */
export function mapAcadreDocument(responseXml: string, caseNumber: string | null, codes: AcadreCodes): DocumentRecord | null {
  const response = pathOf(bodyOf(responseXml), ['DocumentResponse']);
  if (!response) throw new LegacyBadResponse('esdh: no DocumentResponse in Acadre\'s answer', { system: SYSTEM });
  return pathOf(response, ['Document']) ? mapDocumentOutput(response, caseNumber, codes) : null;
}

/** The CaseFileIdentifier of the case a DocumentResponse's Record is filed on. */
export function documentCaseReference(responseXml: string): string | undefined {
  return text(pathOf(bodyOf(responseXml), ['DocumentResponse']), ['Record', 'CaseFileReference']);
}

/** DocumentResponseType2 (schema16): Document, DocumentVersion and Record (a journal entry). */
function mapDocumentOutput(output: XmlNode, caseNumber: string | null, codes: AcadreCodes): DocumentRecord {
  const id = text(output, ['Document', 'DocumentIdentifier']);
  if (!id) throw new LegacyBadResponse('esdh: an Acadre document without DocumentIdentifier', { system: SYSTEM });
  const typeCode = text(output, ['Record', 'DocumentTypeCode']);
  const kind: DocumentKind = (Object.keys(codes.documentType) as NewDocumentInput['kind'][]).find((k) => codes.documentType[k] === typeCode) ?? 'OTHER';
  const dateUnknown = text(output, ['Record', 'DocumentDateUnknownIndicator']) === 'true';
  const format = text(output, ['DocumentVersion', 'StorageFormatCode'])?.toLowerCase().replace(/^\./, '');
  return {
    id,
    caseNumber,
    title: text(output, ['Document', 'DocumentTitleText']) ?? text(output, ['Record', 'DescriptionText']) ?? null,
    date: dateUnknown ? null : (text(output, ['Record', 'DocumentDate'])?.slice(0, 10) ?? null),
    kind,
    format: (format && MIME_TYPES[format]) || null,
  };
}

/** GetAdminUnitList's AdminUnitListResponse → Id → Name of each unit listed. */
export function mapAdminUnits(responseXml: string): Map<string, string> {
  const list = pathOf(bodyOf(responseXml), ['AdminUnitListResponse']);
  if (!list) throw new LegacyBadResponse('esdh: no AdminUnitListResponse in Acadre\'s answer', { system: SYSTEM });
  const units = new Map<string, string>();
  for (const unit of listAt(list, ['AdminUnit'])) {
    const id = text(unit, ['Id']);
    const name = text(unit, ['Name']);
    if (id && name) units.set(canonicalId(id), name);
  }
  return units;
}

/** GetContactsByPublicId's ArrayOfContacts → the GUID of the person's contact, if Acadre has one. */
export function mapContactGuid(responseXml: string): string | undefined {
  const list = pathOf(bodyOf(responseXml), ['ArrayOfContacts']);
  if (!list) throw new LegacyBadResponse('esdh: no ArrayOfContacts in Acadre\'s answer', { system: SYSTEM });
  const person = listAt(list, ['ContactSearchResponse']).find((c) => (text(c, ['ContactTypeName']) ?? 'Person') === 'Person');
  return person ? text(person, ['GUID']) : undefined;
}

/** CreateCase's CreateCaseResponse → the new case's CaseFileIdentifier. */
export function mapCreatedCase(responseXml: string): string {
  const response = pathOf(bodyOf(responseXml), ['CreateCaseResponse']);
  const result = text(response, ['CreateCaseAndAMCResult']);
  // The one outcome without a case: Acadre asks which multi-cases (samlesager) it belongs to first.
  if (result === 'CaseNotCreatedAndListAMCReceived') {
    throw new LegacyFault('esdh: Acadre did not open the case: it wants it placed in a multi-case first', { system: SYSTEM, detail: result });
  }
  const id = text(response, ['CaseFileIdentifier']);
  if (!id) throw new LegacyBadResponse('esdh: no CaseFileIdentifier in Acadre\'s CreateCaseResponse', { system: SYSTEM });
  return id;
}

/** The text of a response Body's one element: CreatePerson's GUID, UpdateCase's CaseFileIdentifier, CreateMainDocument's DocumentIdentifier. */
export function mapBodyText(responseXml: string, element: 'GUID' | 'CaseFileIdentifier' | 'DocumentIdentifier'): string {
  const value = text(bodyOf(responseXml), [element]);
  if (!value) throw new LegacyBadResponse(`esdh: no ${element} in Acadre's answer`, { system: SYSTEM });
  return value;
}

function bodyOf(responseXml: string): XmlNode {
  const body = pathOf(parseXml(responseXml), ['Envelope', 'Body']);
  if (!body) throw new LegacyBadResponse('esdh: Acadre\'s answer is not a SOAP envelope', { system: SYSTEM });
  return body;
}

/** Present, non-empty text, or undefined. */
function text(node: unknown, path: readonly string[]): string | undefined {
  const value = node ? textAt(node, path)?.trim() : undefined;
  return value ? value : undefined;
}

/** Acadre's integer ids compared as numbers ("011" is 11). */
function canonicalId(id: string): string {
  return /^\d+$/.test(id) ? String(Number(id)) : id;
}
