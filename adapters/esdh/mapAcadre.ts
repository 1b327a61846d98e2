/**
 * Acadre PWS v7 (AcadreServiceV7) XML ↔ the CaseSystem's records, both ways, as pure functions:
 * responses → EsdhCaseRecord / DocumentRecord, and the request bodies the adapter sends.
 *
 * A case file is schema16 CaseFileType3, derived from schema20 CaseFileType2, from schema9
 * CaseFileType1, from schema21 CaseFileType; each derivation's elements are in its own schema's
 * namespace, so requests name four namespaces and responses are read by local name (unambiguous
 * within each of these types). Codes for status, document type, case type and access are an
 * installation's own (ConfigurationService7's lists); DEFAULT_ACADRE_CODES are our simulator's.
 * @see ../shared/contracts/esdh-acadre/AcadreServiceV7/ (schema9, schema16, schema20, schema21, schema23)
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { LegacyBadResponse, LegacyFault } from '../core/errors';
import { buildXml, listAt, parseXml, pathOf, textAt, type XmlNode } from '../core/xml';
import type { EsdhCaseStatus, NewCaseInput, NewDocumentInput } from './index';
import type { DocumentKind, DocumentRecord, EsdhCaseRecord } from './types';

const SYSTEM = 'esdh';

export const ACADRE_NS = {
  /** the root WSDL's namespace; also the PWS SoapHeader's */
  service: 'http://traen.com/Services/AcadreService',
  /** schema16 (and wsdl1): v7 messages and types */
  v7: 'http://www.traen.com/2010/06/01',
  /** schema21: CaseFileType, RecordType, DocumentType */
  c: 'http://www.traen.com/2006/08/01/case',
  /** schema9: CaseFileType1, PartyType, ClassificationType */
  a7: 'http://www.traen.com/2007/04/01',
  /** schema20: CreateCaseRequest, UpdateCaseRequest, CaseFileType2 */
  a8: 'http://www.traen.com/2008/08/20',
  /** schema23: configuration lists */
  cfg: 'http://www.traen.com/2008/01/20',
  /** schema24: GetAllDocuments' CaseFileIdentifier */
  ds: 'http://www.traen.com/2007/09/06/schema',
  /** schema2 (FESD 2005/10/26): ContactType, PersonType */
  fesd: 'http://rep.oio.dk/fesd.dk/xml/schemas/2005/10/26/',
  /** schema5: PersonCivilRegistrationIdentifier */
  cpr: 'http://rep.oio.dk/cpr.dk/xml/schemas/core/2005/03/18/',
  /** schema6: PersonGenderCode */
  dkcc: 'http://rep.oio.dk/ebxml/xml/schemas/dkcc/2003/02/13/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** An installation's codes, as its ConfigurationService7 lists them. */
export interface AcadreCodes {
  /** CaseFileStatusCode per FremdriftStatusKode (GetCaseStatusList); one code each, so a status reads back as it was written. */
  caseStatus: Readonly<Record<EsdhCaseStatus, string>>;
  /** DocumentTypeCode per document kind (GetDocumentTypeList). */
  documentType: Readonly<Record<NewDocumentInput['kind'], string>>;
  /** CaseFileTypeCode of cases the graph opens. EMSAG (emnesag): a BGSAG (borgersag) wants the CPR number as its title. */
  caseFileType: string;
  /** AccessCode (adgangskode) of cases the graph opens. */
  accessCode: string;
  /** The classification principle (GetCategoryList) a case's KLE subject is filed under. */
  klePrinciple: string;
  /** The principle and facet literal filed beside the KLE subject. */
  facet: { principle: string; literal: string };
}

/**
 * The simulator's installation. "B" (under behandling) and "A" (afsluttet) are Acadre's usual
 * open and closed codes; "O" and "F" are ours for Opstaaet and Afgjort. "KL Koder" and
 * "Facetter" are the principles municipalities file KLE subject and facet under.
 */
export const DEFAULT_ACADRE_CODES: AcadreCodes = {
  caseStatus: { Opstaaet: 'O', Oplyst: 'B', Afgjort: 'F', Afsluttet: 'A' },
  documentType: { INCOMING: 'I', OUTGOING: 'U', NOTE: 'N' },
  caseFileType: 'EMSAG',
  accessCode: 'BO',
  klePrinciple: 'KL Koder',
  facet: { principle: 'Facetter', literal: 'G01' },
};

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

// ---------------------------------------------------------------- case numbers

/**
 * Acadre numbers a case `yy/løbenummer` (CaseFileNumberIdentifier, e.g. "23/15"), from its Year
 * and CaseFileSequenceNumber; GetCaseByCaseNumber asks by those two. A two-digit year later than
 * next year's is of the last century.
 */
export function parseCaseNumber(number: string, now: Date = new Date()): { year: number; sequence: number } | undefined {
  const match = /^\s*(\d{2}|\d{4})\/0*(\d{1,9})\s*$/.exec(number);
  if (!match) return undefined;
  const [, yearText, sequenceText] = match as unknown as [string, string, string];
  const pivot = (now.getUTCFullYear() + 1) % 100;
  const year = yearText.length === 4 ? Number(yearText) : Number(yearText) + (Number(yearText) <= pivot ? 2000 : 1900);
  const sequence = Number(sequenceText);
  return sequence > 0 ? { year, sequence } : undefined;
}

// ---------------------------------------------------------------- responses → records

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

// ---------------------------------------------------------------- requests

const declare = (...prefixes: (keyof typeof ACADRE_NS)[]) => Object.fromEntries(prefixes.map((p) => [`@_xmlns:${p}`, ACADRE_NS[p]]));

/** GetCaseByCaseNumber (schema16): the case by year and sequence number. */
export function getCaseByCaseNumberRequest(key: { year: number; sequence: number }): string {
  return buildXml({ 'v7:GetCaseByCaseNumber': { ...declare('v7'), 'v7:CaseYear': key.year, 'v7:CaseSequenceNumber': key.sequence } });
}

/** GetCase: schema20's CaseFileIdentifier. */
export function getCaseRequest(caseFileId: string): string {
  return buildXml({ 'a8:CaseFileIdentifier': { ...declare('a8'), '#text': caseFileId } });
}

/** GetAllDocuments: schema24's CaseFileIdentifier (same name as GetCase's, another namespace). */
export function getAllDocumentsRequest(caseFileId: string): string {
  return buildXml({ 'ds:CaseFileIdentifier': { ...declare('ds'), '#text': caseFileId } });
}

/** GetMainDocument: schema16's DocumentIdentifier. */
export function getMainDocumentRequest(documentId: string): string {
  return buildXml({ 'v7:DocumentIdentifier': { ...declare('v7'), '#text': documentId } });
}

/** GetAdminUnitList: an EmptyRequestType (schema23). */
export function getAdminUnitListRequest(): string {
  return buildXml({ 'cfg:GetAdminUnitListEmptyRequest': declare('cfg') });
}

/** GetContactsByPublicId (schema16 SearchContactByPublicIdRequestType2): a person's contact by CPR number. */
export function getContactsByPublicIdRequest(cpr: string): string {
  return buildXml({
    'v7:SearchContactByPublicIdRequest': { ...declare('v7', 'a7'), 'v7:PublicIdTerm': cpr, 'a7:ContactTypeName': 'Person' },
  });
}

/**
 * CreatePerson (schema16 PersonType3 over FESD PersonType): a contact for a CPR number and nothing
 * more; the four indicators are required. The graph knows neither the person's gender nor their
 * protection here, so gender is `unknown` and the indicators false; an installation's CPR
 * integration is what keeps a contact's name, address and protection current.
 */
export function createPersonRequest(cpr: string): string {
  return buildXml({
    'v7:Person': {
      ...declare('v7', 'fesd', 'cpr', 'dkcc'),
      'fesd:AdvertisementProtectionIndicator': false,
      'fesd:BirthDateUncertaintyIndicator': false,
      'dkcc:PersonGenderCode': 'unknown',
      'cpr:PersonCivilRegistrationIdentifier': cpr,
      'fesd:NameAddressProtectionIndicator': false,
    },
  });
}

export interface CreateCaseParts {
  input: NewCaseInput;
  /** The contact GUID of each party, in input order. */
  contactGuids: readonly string[];
  /** AdministrativeUnitReference, when the case names a unit. */
  unitReference?: string;
  /** ISO date: creation date of the case and its parties. */
  today: string;
  codes: AcadreCodes;
}

/** CreateCase (schema20 CreateCaseRequestType): CaseFile as CaseFileType1, in schema21's then schema9's element order. */
export function createCaseRequest({ input, contactGuids, unitReference, today, codes }: CreateCaseParts): string {
  const caseFile: XmlNode = {
    'c:Year': Number(today.slice(0, 4)),
    'c:CreationDate': today,
    'c:CaseFileTitleText': input.title,
    'c:TitleUnofficialIndicator': false,
    'c:CaseFileStatusCode': codes.caseStatus.Opstaaet,
    'c:CaseFileTypeCode': codes.caseFileType,
    'c:AccessCode': codes.accessCode,
  };
  if (unitReference !== undefined) caseFile['a7:AdministrativeUnit'] = { 'a7:AdministrativeUnitReference': unitReference };
  caseFile['a7:Classification'] = {
    'a7:Category': [
      { 'a7:Principle': codes.klePrinciple, 'a7:Literal': input.kle },
      { 'a7:Principle': codes.facet.principle, 'a7:Literal': codes.facet.literal },
    ],
  };
  caseFile['a7:Party'] = input.parties.map((party, index) => ({
    'a7:ContactReference': contactGuids[index],
    'c:CreationDate': today,
    'a7:IsPrimary': party.role === 'PRIMARY',
  }));
  return buildXml({ 'a8:CreateCaseRequest': { ...declare('a8', 'c', 'a7'), 'a8:CaseFile': caseFile } });
}

export interface CreateDocumentParts {
  caseFileId: string;
  input: NewDocumentInput;
  /** ISO date the record is registered. */
  today: string;
  codes: AcadreCodes;
}

/**
 * CreateMainDocument (schema16 CreateMainDocumentRequestType2): the Document and its Record (the
 * journal entry on the case). No file: the graph files metadata, and FileName/XMLBinary are optional.
 */
export function createMainDocumentRequest({ caseFileId, input, today, codes }: CreateDocumentParts): string {
  return buildXml({
    'v7:CreateMainDocumentRequest': {
      ...declare('v7', 'c'),
      'v7:Document': { 'c:DocumentTitleText': input.title, 'c:DocumentPaperStorageIndicator': false },
      'v7:Record': {
        'c:CaseFileReference': caseFileId,
        'c:RegistrationDate': today,
        'c:DocumentDate': input.date.slice(0, 10),
        'c:DocumentDateUnknownIndicator': false,
        'c:DescriptionText': input.title,
        'c:RecordPaperStorageIndicator': false,
        'c:DocumentTypeCode': codes.documentType[input.kind],
      },
    },
  });
}

/** The PWS SoapHeader naming the user Acadre acts for (not in the WSDL: ASMX reads it from the header). */
export function actingForHeader(user: string): string {
  // User is unqualified (the header class's Form = Unqualified), so no default namespace is declared.
  return buildXml({ 'svc:SoapHeader': { '@_xmlns:svc': ACADRE_NS.service, User: user } });
}

// ---------------------------------------------------------------- UpdateCase: the case as read, changed

type Ordered = Record<string, unknown>;

const orderedParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});
// suppressBooleanAttributes off: by default an attribute valued "true" (xsi:nil) is printed bare.
const orderedBuilder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
});

/** Base-type elements of CaseFileType that follow CaseFileStatusCode (schema21's sequence). */
const AFTER_STATUS = new Set(['CaseFileTypeCode', 'Comment', 'Record', 'CaseFileDisposalCode', 'CustomFields', 'AccessCode']);
/** CaseFileType1's own elements before ClosedDate (schema9's sequence). */
const BEFORE_CLOSED = new Set(['AdministrativeUnit', 'Classification', 'Party', 'ClosedDate']);

/**
 * UpdateCase (schema20 UpdateCaseRequest, a CaseFileType2) with the case exactly as GetCase or
 * GetCaseByCaseNumber answered it, its status (and closing date) changed. UpdateCase takes the
 * whole case file, so everything read goes back unchanged, elements the adapter does not know
 * and an installation's derived type included (as `xsi:type`, CaseFileType3 when none is named),
 * rather than a partial case that could blank the rest.
 */
export function updateCaseRequest(caseResponseXml: string, change: { statusCode: string; closedDate?: string }): string {
  let tree: Ordered[];
  try {
    tree = orderedParser.parse(caseResponseXml) as Ordered[];
  } catch {
    throw new LegacyBadResponse('esdh: Acadre\'s case file is not well-formed XML', { system: SYSTEM });
  }
  const found = findElement(tree, {}, ACADRE_NS.v7, 'CaseFile3');
  if (!found) throw new LegacyBadResponse('esdh: no CaseFile3 in Acadre\'s answer', { system: SYSTEM });
  const scope = { ...found.scope };
  const attributes: Record<string, string> = {};
  for (const [prefix, uri] of Object.entries(scope)) attributes[prefix ? `@_xmlns:${prefix}` : '@_xmlns'] = uri;
  const prefixFor = (uri: string): string => {
    const known = Object.entries(scope).find(([prefix, bound]) => prefix && bound === uri)?.[0];
    if (known) return known;
    let n = 0;
    while (`acadre${n}` in scope) n++;
    scope[`acadre${n}`] = uri;
    attributes[`@_xmlns:acadre${n}`] = uri;
    return `acadre${n}`;
  };
  const own = (found.node[':@'] ?? {}) as Record<string, string>;
  for (const [name, value] of Object.entries(own)) if (!name.startsWith('@_xmlns')) attributes[name] = value;
  const typed = Object.keys(own).some((name) => qualified(name.slice(2), scope).ns === ACADRE_NS.xsi && qualified(name.slice(2), scope).local === 'type');
  if (!typed) attributes[`@_${prefixFor(ACADRE_NS.xsi)}:type`] = `${prefixFor(ACADRE_NS.v7)}:CaseFileType3`;

  const children = [...(found.node[tagOf(found.node)!] as Ordered[])];
  upsert(children, scope, { ns: ACADRE_NS.c, local: 'CaseFileStatusCode' }, change.statusCode, prefixFor, (ns, local) => ns !== ACADRE_NS.c || AFTER_STATUS.has(local));
  if (change.closedDate) {
    upsert(children, scope, { ns: ACADRE_NS.a7, local: 'ClosedDate' }, change.closedDate, prefixFor, (ns, local) => ns !== ACADRE_NS.c && !(ns === ACADRE_NS.a7 && BEFORE_CLOSED.has(local)));
  }
  return orderedBuilder.build([{ [`${prefixFor(ACADRE_NS.a8)}:UpdateCaseRequest`]: children, ':@': attributes }]) as string;
}

/** The tag of an ordered node (its one key besides attributes), undefined for text. */
function tagOf(node: Ordered): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text');
}

function scopeOf(node: Ordered, parent: Record<string, string>): Record<string, string> {
  const scope = { ...parent };
  for (const [name, value] of Object.entries((node[':@'] ?? {}) as Record<string, string>)) {
    if (name === '@_xmlns') scope[''] = value;
    else if (name.startsWith('@_xmlns:')) scope[name.slice(8)] = value;
  }
  return scope;
}

function qualified(name: string, scope: Record<string, string>): { ns: string | undefined; local: string } {
  const colon = name.indexOf(':');
  return colon === -1 ? { ns: scope[''], local: name } : { ns: scope[name.slice(0, colon)], local: name.slice(colon + 1) };
}

function findElement(nodes: Ordered[], parent: Record<string, string>, ns: string, local: string): { node: Ordered; scope: Record<string, string> } | undefined {
  for (const node of nodes) {
    const tag = tagOf(node);
    if (!tag) continue;
    const scope = scopeOf(node, parent);
    const name = qualified(tag, scope);
    if (name.ns === ns && name.local === local) return { node, scope };
    const inner = Array.isArray(node[tag]) ? findElement(node[tag] as Ordered[], scope, ns, local) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/** Sets the text of a child element, or inserts it before the first child that must follow it. */
function upsert(
  children: Ordered[],
  scope: Record<string, string>,
  target: { ns: string; local: string },
  value: string,
  prefixFor: (uri: string) => string,
  follows: (ns: string | undefined, local: string) => boolean,
): void {
  const located = children.map((child) => {
    const tag = tagOf(child);
    return tag ? qualified(tag, scopeOf(child, scope)) : undefined;
  });
  const existing = located.findIndex((name) => name?.ns === target.ns && name.local === target.local);
  if (existing !== -1) {
    const child = children[existing]!;
    children[existing] = { ...child, [tagOf(child)!]: [{ '#text': value }] };
    return;
  }
  const before = located.findIndex((name) => name !== undefined && follows(name.ns, name.local));
  const element = { [`${prefixFor(target.ns)}:${target.local}`]: [{ '#text': value }] };
  children.splice(before === -1 ? children.length : before, 0, element);
}
