/**
 * The request bodies the Acadre adapter sends, as pure functions: each the Body element of one
 * AcadreServiceV7 operation, in the XSDs' element order and namespaces, every value escaped.
 * Validated against the published XSDs in test/conformance/acadre.test.ts.
 * @see ../shared/contracts/esdh-acadre/AcadreServiceV7/ (schema16, schema20, schema21, schema23, schema24)
 */
import { buildXml, type XmlNode } from '../core/xml';
import { ACADRE_NS, type AcadreCodes } from './acadreCodes';
import type { NewCaseInput, NewDocumentInput } from './types';

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
