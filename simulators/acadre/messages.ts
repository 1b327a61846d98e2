/**
 * The Acadre v7 messages the simulator writes: response content in the element order and
 * namespaces of the real XSDs (schema16 CaseFileType3 and DocumentResponseType2, schema9
 * CaseFileType1, schema21 CaseFileType/RecordType/DocumentType, schema23 AdminUnitType), and
 * its faults. Each derived type's own elements live in the namespace of the schema that derives
 * it, so one case file mixes four namespaces.
 *
 * Faults: the contract declares no wsdl:fault; ASMX answers a plain SOAP 1.1 Fault. The one error
 * vocabulary the contract has is ErrorListEnum (schema9), returned by GetErrorType (schema23
 * ErrorType). Our convention: every Fault carries its ErrorListEnum value as an ErrorType element
 * in detail, and its faultcode says whose fault it is, as SOAP 1.1 means it: soap:Client when the
 * request cannot succeed as sent (an unknown case, a closed case, a body ASMX cannot read),
 * soap:Server when Acadre itself failed (an outage, an exception of its own).
 */
import type { SimulatorResponse } from '../core/simulator';
import { soapEnvelope } from '../core/soap';
import { DOCUMENT_TYPE_CODES, KLE_PRINCIPLE, STATUS_CODES, type AcadreCase, type AcadreDocument, type AcadreRegister } from './register';

export const NS = {
  /** AcadreServiceV7 root WSDL */
  service: 'http://traen.com/Services/AcadreService',
  /** wsdl1 and schema16: v7 messages and types */
  v7: 'http://www.traen.com/2010/06/01',
  /** wsdl2: CaseService7, ConfigurationService7, MainDocumentService7 */
  v7schema: 'http://www.traen.com/2010/06/01/schema',
  /** schema21: CaseFileType, RecordType, DocumentType */
  c: 'http://www.traen.com/2006/08/01/case',
  /** schema9: CaseFileType1, PartyType, ErrorListEnum */
  a7: 'http://www.traen.com/2007/04/01',
  /** schema20: CreateCaseRequest, CaseFileType2, RecordType1 */
  a8: 'http://www.traen.com/2008/08/20',
  /** schema23: configuration lists, ErrorType */
  cfg: 'http://www.traen.com/2008/01/20',
  /** schema24: GetAllDocuments' CaseFileIdentifier */
  ds: 'http://www.traen.com/2007/09/06/schema',
  /** schema19: ArrayOfContacts */
  cs: 'http://www.traen.com/2007/11/02/schema',
  /** schema2 (FESD): ContactType, PersonType */
  fesd: 'http://rep.oio.dk/fesd.dk/xml/schemas/2005/10/26/',
  /** schema5: PersonCivilRegistrationIdentifier */
  cpr: 'http://rep.oio.dk/cpr.dk/xml/schemas/core/2005/03/18/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

export type XmlContent = Record<string, unknown>;

/** The ErrorListEnum values (schema9) the simulator raises. */
export type AcadreErrorType =
  | 'Acadre_CM_Model_CaseNotFoundException'
  | 'Acadre_CM_Framework_Security_CaseClosedException'
  | 'Acadre_CM_Model_Classification_ClassificationException'
  | 'Acadre_CM_Model_Documents_MissingMainDocumentTypeException'
  | 'System_Collections_Generic_KeyNotFoundException'
  | 'System_ArgumentException'
  | 'System_Xml_XmlException'
  | 'System_ApplicationException';

/** The exceptions that are Acadre failing rather than the request: their Fault blames the server. */
const SERVER_SIDE: ReadonlySet<AcadreErrorType> = new Set(['System_ApplicationException']);

/** An exception Acadre raises, answered as a Fault. */
export class AcadreException extends Error {
  constructor(
    readonly errorType: AcadreErrorType,
    message: string,
  ) {
    super(message);
  }
}

const PREFIXES = ['c', 'a7', 'a8', 'v7', 'cfg', 'ds', 'cs', 'xsi'] as const;

/** The top element of a response body, every prefix the messages use declared on it. */
export function responseElement(name: string, content: XmlContent | string | number): XmlContent {
  const declared = Object.fromEntries(PREFIXES.map((p) => [`@_xmlns:${p}`, NS[p]]));
  return { [name]: typeof content === 'object' ? { ...declared, ...content } : { ...declared, '#text': content } };
}

/** `yy/sequence`, as Acadre shows a case number (CaseFileNumberIdentifier). */
export function caseNumberOf(entry: AcadreCase): string {
  return `${String(entry.year % 100).padStart(2, '0')}/${entry.sequence}`;
}

/** CaseFileType3 content (schema16), base type's elements first. */
export function caseFileContent(register: AcadreRegister, entry: AcadreCase): XmlContent {
  const kase = entry.kase;
  return {
    // schema21 CaseFileType
    'c:CaseFileIdentifier': entry.id,
    'c:Year': entry.year,
    'c:CaseFileSequenceNumber': entry.sequence,
    'c:CreationDate': kase.openedAt,
    'c:CaseFileTitleText': kase.title,
    'c:TitleUnofficialIndicator': false,
    'c:CaseFileNumberIdentifier': caseNumberOf(entry),
    'c:CaseFileStatusCode': STATUS_CODES[kase.status],
    'c:CaseFileTypeCode': 'EMSAG',
    'c:AccessCode': 'BO',
    // schema9 CaseFileType1
    'a7:AdministrativeUnit': { 'a7:AdministrativeUnitReference': register.unitId(kase.responsibleUnit) },
    'a7:Classification': {
      'a7:Category': [
        { 'a7:Principle': KLE_PRINCIPLE, 'a7:Literal': kase.kle.number },
        { 'a7:Principle': 'Facetter', 'a7:Literal': 'G01' },
      ],
    },
    'a7:Party': kase.parties.map((party) => ({
      'a7:ContactReference': register.contactOf(party.cpr),
      'c:CreationDate': kase.openedAt,
      'a7:IsPrimary': party.role === 'PRIMARY',
    })),
    ...(entry.closedAt ? { 'a7:ClosedDate': entry.closedAt } : {}),
  };
}

/** DocumentResponseType2 content (schema16): the main document, its active version, its record. */
export function documentContent(entry: AcadreDocument): XmlContent {
  const { document } = entry;
  return {
    'c:Document': {
      'c:DocumentIdentifier': entry.id,
      'c:DocumentTitleText': document.title,
      'c:DocumentPaperStorageIndicator': false,
    },
    ...(entry.storageFormat
      ? {
          'c:DocumentVersion': {
            'c:DocumentVersionIdentifier': entry.id,
            'c:DocumentReference': entry.id,
            'c:VersionNumber': 1,
            'c:ActiveIndicator': true,
            'c:StorageFormatCode': entry.storageFormat,
          },
        }
      : {}),
    'v7:Record': {
      'c:RecordIdentifier': entry.id,
      'c:CaseFileReference': entry.owner.id,
      'c:RegistrationDate': document.date,
      'c:DocumentDate': document.date,
      'c:DocumentDateUnknownIndicator': false,
      'c:DescriptionText': document.title,
      'c:RecordPaperStorageIndicator': false,
      'c:DocumentTypeCode': DOCUMENT_TYPE_CODES[document.kind],
    },
  };
}

/** ArrayOfContactSearchResponseType content (schema9) for one person's contact, if Acadre has one. */
export function contactsContent(guid: string | undefined, title: string | undefined): XmlContent {
  if (!guid) return {};
  return {
    'a7:ContactSearchResponse': {
      'a7:GUID': guid,
      'a7:ContactTypeName': 'Person',
      ...(title ? { 'a7:ContactTitle': title } : {}),
    },
  };
}

/** ArrayOfAdminUnitType content (schema23): a flat list, Parent and Children nil as the XSD demands. */
export function adminUnitsContent(units: readonly { id: number; name: string }[]): XmlContent {
  return {
    'cfg:AdminUnit': units.map((unit) => ({
      'cfg:Id': unit.id,
      'cfg:Name': unit.name,
      'cfg:Parent': { '@_xsi:nil': 'true' },
      'cfg:Children': { '@_xsi:nil': 'true' },
    })),
  };
}

const fault = (faultcode: 'soap:Client' | 'soap:Server', faultstring: string, errorType: AcadreErrorType): SimulatorResponse => ({
  status: 500, // SOAP 1.1 over HTTP: faults travel with status 500
  contentType: 'text/xml; charset=utf-8',
  body: soapEnvelope({
    'soap:Fault': {
      faultcode,
      faultstring,
      detail: { 'cfg:ErrorType': { '@_xmlns:cfg': NS.cfg, '#text': errorType } },
    },
  }),
});

/** An Acadre exception: its ErrorListEnum value in detail, the side it blames in the faultcode. */
export function acadreFault(error: AcadreException): SimulatorResponse {
  return fault(SERVER_SIDE.has(error.errorType) ? 'soap:Server' : 'soap:Client', error.message, error.errorType);
}

/** What ASMX refuses before Acadre sees it: the request's fault. */
export function clientFault(faultstring: string): SimulatorResponse {
  return fault('soap:Client', faultstring, 'System_Xml_XmlException');
}

/** Acadre down behind its web server: the server's fault. */
export function serverFault(): SimulatorResponse {
  return fault('soap:Server', 'Acadre er midlertidigt utilgængelig', 'System_ApplicationException');
}
