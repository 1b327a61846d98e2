/**
 * The AcadreServiceV7 operations the simulator serves, each reading its request element (the
 * real contract's) and answering from the register. Writes go through `../data/caseWrites.ts`,
 * as the demo ESDH's do, so the shared world (and the case index) sees them; the simulator models
 * a case's status and closing date, and ignores the other fields an UpdateCase carries.
 */
import { CaseWriteRefused, changeStatus, fileDocument, openCase } from '../data/caseWrites';
import type { CaseStatus, DocumentKind, World } from '../data/world';
import { childOf, childrenOf, textOf, type QualifiedElement } from '../core/soap';
import {
  AcadreException,
  adminUnitsContent,
  caseFileContent,
  caseNumberOf,
  contactsContent,
  documentContent,
  NS,
  responseElement,
  type AcadreErrorType,
  type XmlContent,
} from './messages';
import { DEFAULT_UNIT, DOCUMENT_TYPE_CODES, KLE_PRINCIPLE, STATUS_CODES, type AcadreCase, type AcadreRegister } from './register';

export interface OperationContext {
  world: World;
  register: AcadreRegister;
  municipalityCode: string;
  today: () => Date;
}

/** What a call is recorded under; set as soon as the request names it, so refused calls count too. */
export interface CallKey {
  key: string;
}

export interface Operation {
  /** The request element: namespace and local name. */
  input: readonly [string, string];
  answer(request: QualifiedElement, context: OperationContext, call: CallKey): XmlContent;
}

const V7_SCHEMA_ACTION = `${NS.v7schema}/`;
const V7_ACTION = `${NS.v7}/`;

/** The operations by SOAPAction (the real contract's: wsdl1's under 2010/06/01/, wsdl2's under 2010/06/01/schema/). */
export const OPERATIONS: Readonly<Record<string, { name: string } & Operation>> = {
  [`${V7_SCHEMA_ACTION}GetCaseByCaseNumber`]: {
    name: 'GetCaseByCaseNumber',
    input: [NS.v7, 'GetCaseByCaseNumber'],
    answer: (request, { register }, call) => {
      const year = integer(childOf(request, NS.v7, 'CaseYear'), 'CaseYear');
      const sequence = integer(childOf(request, NS.v7, 'CaseSequenceNumber'), 'CaseSequenceNumber');
      call.key = `${String(year % 100).padStart(2, '0')}/${sequence}`;
      const entry = register.caseByNumber(year, sequence) ?? caseNotFound();
      return responseElement('v7:GetCaseByCaseNumberResponse', { 'v7:CaseFile3': caseFileContent(register, entry) });
    },
  },
  [`${V7_SCHEMA_ACTION}GetCase`]: {
    name: 'GetCase',
    input: [NS.a8, 'CaseFileIdentifier'],
    answer: (request, { register }, call) => {
      const entry = caseById(register, request, call);
      return responseElement('v7:CaseFile3', caseFileContent(register, entry));
    },
  },
  [`${V7_SCHEMA_ACTION}UpdateCase`]: {
    name: 'UpdateCase',
    input: [NS.a8, 'UpdateCaseRequest'],
    answer: (request, { register, today }, call) => {
      const entry = caseById(register, childOf(request, NS.c, 'CaseFileIdentifier'), call);
      const code = textOf(childOf(request, NS.c, 'CaseFileStatusCode'));
      const status = (Object.entries(STATUS_CODES).find(([, c]) => c === code)?.[0] ?? undefined) as CaseStatus | undefined;
      if (!status) throw new AcadreException('System_ArgumentException', 'Ukendt sagsstatus (CaseFileStatusCode)');
      refused(() => changeStatus(entry.kase, status), CLOSED, 'Sagen er afsluttet');
      if (status === 'Afsluttet') entry.closedAt ??= textOf(childOf(request, NS.a7, 'ClosedDate')) || isoDate(today());
      return responseElement('a8:CaseFileIdentifier', entry.id);
    },
  },
  [`${V7_SCHEMA_ACTION}CreateCase`]: {
    name: 'CreateCase',
    input: [NS.a8, 'CreateCaseRequest'],
    answer: (request, { world, register, municipalityCode, today }, call) => {
      const file = childOf(request, NS.a8, 'CaseFile');
      if (!file) throw new AcadreException('System_ArgumentException', 'CreateCaseRequest skal indeholde CaseFile');
      const title = textOf(childOf(file, NS.c, 'CaseFileTitleText'))?.trim();
      const classification = childOf(file, NS.a7, 'Classification');
      const kle = (classification ? childrenOf(classification, NS.a7, 'Category') : [])
        .find((category) => textOf(childOf(category, NS.a7, 'Principle')) === KLE_PRINCIPLE);
      const kleNumber = textOf(kle ? childOf(kle, NS.a7, 'Literal') : undefined);
      call.key = kleNumber ?? '';
      if (!title) throw new AcadreException('System_ArgumentException', 'Sagen skal have en titel (CaseFileTitleText)');
      if (!kleNumber || !world.kle.has(kleNumber)) {
        throw new AcadreException('Acadre_CM_Model_Classification_ClassificationException', `Sagen skal klassificeres med et gyldigt KLE-emne (${KLE_PRINCIPLE})`);
      }
      const parties = childrenOf(file, NS.a7, 'Party').map((party) => {
        const cpr = register.cprOf(textOf(childOf(party, NS.a7, 'ContactReference')) ?? '');
        if (!cpr) throw new AcadreException('System_Collections_Generic_KeyNotFoundException', 'Ukendt kontakt (ContactReference)');
        return { cpr, role: textOf(childOf(party, NS.a7, 'IsPrimary')) === 'true' ? ('PRIMARY' as const) : ('SECONDARY' as const) };
      });
      if (parties.length === 0) throw new AcadreException('System_ArgumentException', 'Sagen skal have mindst én part');
      const unit = childOf(file, NS.a7, 'AdministrativeUnit');
      const unitReference = textOf(unit ? childOf(unit, NS.a7, 'AdministrativeUnitReference') : undefined);
      const unitName = unitReference ? register.unitName(Number(unitReference)) : DEFAULT_UNIT;
      if (!unitName) throw new AcadreException('System_Collections_Generic_KeyNotFoundException', 'Ukendt enhed (AdministrativeUnitReference)');
      const kase = refused(() => openCase(world, municipalityCode, { title, kle: kleNumber, parties, responsibleUnit: unitName }, today()), 'System_ArgumentException', 'Sagen kan ikke oprettes');
      const entry = register.caseOf(kase);
      call.key = caseNumberOf(entry);
      return responseElement('a8:CreateCaseResponse', { 'a8:CaseFileIdentifier': entry.id, 'a8:CreateCaseAndAMCResult': 'CaseCreated' });
    },
  },
  [`${V7_SCHEMA_ACTION}GetAllDocuments`]: {
    name: 'GetAllDocuments',
    input: [NS.ds, 'CaseFileIdentifier'],
    answer: (request, { register }, call) => {
      const entry = caseById(register, request, call);
      return responseElement('v7:ArrayOfDocuments', { 'v7:DocumentOutput': register.documentsOf(entry).map(documentContent) });
    },
  },
  [`${V7_SCHEMA_ACTION}GetMainDocument`]: {
    name: 'GetMainDocument',
    input: [NS.v7, 'DocumentIdentifier'],
    answer: (request, { register }, call) => {
      const id = integer(request, 'DocumentIdentifier');
      call.key = String(id);
      const entry = register.documentById(id);
      if (!entry) throw new AcadreException('System_Collections_Generic_KeyNotFoundException', 'Dokumentet findes ikke');
      return responseElement('v7:DocumentResponse', documentContent(entry));
    },
  },
  [`${V7_SCHEMA_ACTION}CreateMainDocument`]: {
    name: 'CreateMainDocument',
    input: [NS.v7, 'CreateMainDocumentRequest'],
    answer: (request, { world, register, today }, call) => {
      const record = childOf(request, NS.v7, 'Record');
      if (!record) throw new AcadreException('System_ArgumentException', 'CreateMainDocumentRequest skal indeholde Record');
      const entry = caseById(register, childOf(record, NS.c, 'CaseFileReference'), call);
      const document = childOf(request, NS.v7, 'Document');
      const title = (textOf(document ? childOf(document, NS.c, 'DocumentTitleText') : undefined) || textOf(childOf(record, NS.c, 'DescriptionText')))?.trim();
      if (!title) throw new AcadreException('System_ArgumentException', 'Dokumentet skal have en titel (DocumentTitleText)');
      const typeCode = textOf(childOf(record, NS.c, 'DocumentTypeCode'));
      if (!typeCode) throw new AcadreException('Acadre_CM_Model_Documents_MissingMainDocumentTypeException', 'Dokumentet skal have en dokumenttype');
      const kind = Object.entries(DOCUMENT_TYPE_CODES).find(([, code]) => code === typeCode)?.[0] as DocumentKind | undefined;
      if (!kind) throw new AcadreException('System_ArgumentException', 'Ukendt dokumenttype (DocumentTypeCode)');
      const date = textOf(childOf(record, NS.c, 'DocumentDate')) || textOf(childOf(record, NS.c, 'RegistrationDate')) || isoDate(today());
      const filed = register.documentOf(refused(() => fileDocument(world, entry.kase, { title, kind, date: date.slice(0, 10) }), CLOSED, 'Sagen er afsluttet'));
      const extension = /\.([A-Za-z0-9]{1,8})$/.exec(textOf(childOf(request, NS.v7, 'FileName')) ?? '')?.[1];
      if (extension) filed.storageFormat = extension.toUpperCase();
      else delete filed.storageFormat;
      return responseElement('v7:DocumentIdentifier', filed.id);
    },
  },
  [`${V7_ACTION}GetContactsByPublicId`]: {
    name: 'GetContactsByPublicId',
    input: [NS.v7, 'SearchContactByPublicIdRequest'],
    answer: (request, { world, register }, call) => {
      const term = textOf(childOf(request, NS.v7, 'PublicIdTerm'))?.trim();
      if (!term) throw new AcadreException('System_ArgumentException', 'PublicIdTerm skal angives');
      call.key = term;
      const type = textOf(childOf(request, NS.a7, 'ContactTypeName'));
      const guid = !type || type === 'Person' ? register.contactOf(term) : undefined;
      const person = world.persons.get(term);
      const title = person ? [person.givenName, person.middleName, person.familyName].filter(Boolean).join(' ') : undefined;
      return responseElement('cs:ArrayOfContacts', contactsContent(guid, title));
    },
  },
  [`${V7_ACTION}CreatePerson`]: {
    name: 'CreatePerson',
    input: [NS.v7, 'Person'],
    answer: (request, { register }, call) => {
      const cpr = textOf(childOf(request, NS.cpr, 'PersonCivilRegistrationIdentifier'))?.trim() ?? '';
      call.key = cpr;
      if (!/^\d{10}$/.test(cpr)) throw new AcadreException('System_ArgumentException', 'PersonCivilRegistrationIdentifier skal være ti cifre');
      return responseElement('a7:GUID', register.createContact(cpr));
    },
  },
  [`${V7_SCHEMA_ACTION}GetAdminUnitList`]: {
    name: 'GetAdminUnitList',
    input: [NS.cfg, 'GetAdminUnitListEmptyRequest'],
    answer: (_request, { register }) => responseElement('cfg:AdminUnitListResponse', adminUnitsContent(register.units())),
  },
};

function caseNotFound(): never {
  throw new AcadreException('Acadre_CM_Model_CaseNotFoundException', 'Sagen findes ikke');
}

/** The case a CaseFileIdentifier element names. */
function caseById(register: AcadreRegister, element: QualifiedElement | undefined, call: CallKey): AcadreCase {
  const id = integer(element, 'CaseFileIdentifier');
  call.key = String(id);
  return register.caseById(id) ?? caseNotFound();
}

/** An xs:int/xs:nonNegativeInteger element; ASMX cannot read a request without it. */
function integer(element: QualifiedElement | undefined, name: string): number {
  const text = textOf(element)?.trim();
  if (!text || !/^\d{1,15}$/.test(text)) throw new RequestUnreadable(`${name} skal være et ikke-negativt heltal`);
  return Number(text);
}

/** A request ASMX fails to deserialize: a soap:Client fault, before Acadre sees it. */
export class RequestUnreadable extends Error {}

const CLOSED = 'Acadre_CM_Framework_Security_CaseClosedException';

/** The world's write rules (a closed case takes no more writes) as the exception Acadre raises. */
function refused<T>(write: () => T, errorType: AcadreErrorType, message: string): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof CaseWriteRefused) throw new AcadreException(errorType, message);
    throw error;
  }
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
