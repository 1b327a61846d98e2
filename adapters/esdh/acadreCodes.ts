/**
 * What Acadre PWS v7 (AcadreServiceV7) requests and answers are written in: the contract's
 * namespaces, an installation's codes, and Acadre's case number.
 *
 * A case file is schema16 CaseFileType3, derived from schema20 CaseFileType2, from schema9
 * CaseFileType1, from schema21 CaseFileType; each derivation's elements are in its own schema's
 * namespace, so requests name four namespaces. Codes for status, document type, case type and
 * access are an installation's own (ConfigurationService7's lists); DEFAULT_ACADRE_CODES are our
 * simulator's.
 * @see ../shared/contracts/esdh-acadre/AcadreServiceV7/ (schema9, schema16, schema20, schema21, schema23)
 */
import type { EsdhCaseStatus, NewDocumentInput } from './types';

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
  /** schema23: configuration lists, ErrorType */
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
