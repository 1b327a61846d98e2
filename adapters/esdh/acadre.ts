/**
 * A municipality's Acadre v7 (Traen, now Formpipe) as a CaseSystem, over Acadre PWS
 * AcadreServiceV7 (SOAP 1.1, document/literal, one ASMX endpoint for all its ports).
 * @see ../shared/contracts/esdh-acadre/AcadreServiceV7/ (root AcadreServiceV71.wsdl)
 *
 * Which real operation serves each CaseSystem method:
 *
 * - caseByNumber → CaseService7.GetCaseByCaseNumber(CaseYear, CaseSequenceNumber). Acadre numbers
 *   cases `yy/løbenummer`; a number of another shape cannot name an Acadre case, so it is
 *   NotFound without a call. The unit's name comes from ConfigurationService7.GetAdminUnitList
 *   (a case holds only AdministrativeUnitReference), asked once and kept.
 * - documentsOfCase → GetCaseByCaseNumber (for the CaseFileIdentifier), then
 *   MainDocumentService7.GetAllDocuments(CaseFileIdentifier).
 * - document → MainDocumentService7.GetMainDocument(DocumentIdentifier), then CaseService7.GetCase
 *   for the case's number (the Record names its case by CaseFileIdentifier only). The id is the
 *   index's UUID: one that stands for no document of this installation is NotFound without a call.
 * - openCase → per party, ContactService7.GetContactsByPublicId (the party's contact by CPR
 *   number) and, for a person Acadre does not know, ContactService7.CreatePerson: a case's party
 *   is a contact GUID, never a CPR number. Then CaseService7.CreateCase with the KLE subject as
 *   a Classification category and the parties (IsPrimary for the primary party), and GetCase to
 *   answer with the case as Acadre opened it (CreateCase answers an identifier only).
 * - fileDocument → GetCaseByCaseNumber, MainDocumentService7.CreateMainDocument (a Document and its
 *   Record on the case, without a file), and GetMainDocument to answer with what was filed.
 * - changeStatus → no operation sets a status: CaseService7.UpdateCase takes a whole case file. So
 *   GetCaseByCaseNumber, then UpdateCase with that case file as read and its CaseFileStatusCode
 *   (and ClosedDate, on closing) changed, then GetCase. Status codes are the installation's
 *   (GetCaseStatusList); `codes.caseStatus` maps each FremdriftStatusKode to one.
 * - publicDocuments → none, on purpose: the contract cannot list an installation's public papers.
 *   Whether a paper is public is its Record's AccessCode (and PublicationIndicator), which
 *   MainDocumentSearch answers but cannot be asked by: its criteria (schema22
 *   MainDocumentSearchRequestType, schema16's CustomFields) are text, case, user, status, type
 *   and unit, and it takes no offset or limit. GetAccessCodeList only lists the codes. Listing
 *   public papers would mean fetching every document the installation holds, citizens' included,
 *   on behalf of a caller with no token, and discarding all but a few: not done. The graph answers
 *   that the municipality does not publish (NOT_FOUND at `publicDocuments`).
 *
 * Errors: the contract declares no wsdl:fault. What it has is ErrorListEnum (schema9), the error
 * types GetErrorType names as schema23's ErrorType. A Fault carries its ErrorType in `detail`
 * (the simulator's convention, see simulators/acadre/messages.ts) and says in its faultcode who
 * failed: soap:Client for what the request asked (a closed case, an unknown contact), soap:Server
 * for Acadre failing, which counts against the breaker. CaseNotFoundException and
 * KeyNotFoundException are NotFound; every other fault is a LegacyFault carrying only its
 * ErrorType, never its text.
 *
 * Identifiers: the case index's. The graph's ids come from SF1470, which shows an Acadre
 * installation's cases under UUIDs its feeder derives from Acadre's integers; records leave here
 * with those UUIDs (`acadreIndexIdentity.ts`), and `document(id)` takes one. Case numbers need no
 * mapping: the index shows Acadre's own `yy/løbenummer`.
 */
import { LegacyBadResponse, NotFound } from '../core/errors';
import type { Resilience } from '../core/resilience';
import { createSoapCaller, type SoapCaller } from '../core/soapCaller';
import { updateCaseRequest } from './acadreCaseFileUpdate';
import { DEFAULT_ACADRE_CODES, parseCaseNumber, type AcadreCodes } from './acadreCodes';
import { derivedIndexIdentity, type AcadreIndexIdentity } from './acadreIndexIdentity';
import {
  actingForHeader,
  createCaseRequest,
  createMainDocumentRequest,
  createPersonRequest,
  getAdminUnitListRequest,
  getAllDocumentsRequest,
  getCaseByCaseNumberRequest,
  getCaseRequest,
  getContactsByPublicIdRequest,
  getMainDocumentRequest,
} from './acadreRequests';
import {
  documentCaseReference,
  mapAcadreCase,
  mapAcadreDocument,
  mapAcadreDocuments,
  mapAdminUnits,
  mapBodyText,
  mapContactGuid,
  mapCreatedCase,
} from './mapAcadre';
import type { CaseSystem, CaseSystemCallOptions, DocumentRecord, EsdhCaseRecord } from './types';

const SYSTEM = 'esdh';

/** Operations that only read, and so may be retried. CreatePerson, CreateCase, CreateMainDocument
 * and UpdateCase are writes: never retried, as an attempt whose answer was lost may have filed. */
const READS = ['GetCaseByCaseNumber', 'GetCase', 'GetAllDocuments', 'GetMainDocument', 'GetContactsByPublicId', 'GetAdminUnitList'] as const;

/** Where a Fault names its ErrorListEnum value: schema23's ErrorType in the detail. */
const ERROR_TYPE_PATH = ['detail', 'ErrorType'] as const;

/** ErrorListEnum values that mean "no such thing". */
const NOT_FOUND_ERRORS: ReadonlySet<string> = new Set(['Acadre_CM_Model_CaseNotFoundException', 'System_Collections_Generic_KeyNotFoundException']);

const NO_UNITS: ReadonlyMap<string, string> = new Map();

export interface AcadreCaseSystemOptions {
  /** The municipality whose Acadre this is. */
  municipalityCode: string;
  /** WSDL location (URL or path): the installation's `AcadreServiceV7.asmx?wsdl` in production. */
  wsdl: string;
  /** Overrides the WSDL's soap:address. */
  endpoint?: string;
  /** Per-attempt timeout. @default 2000 (milliseconds) */
  timeoutMs?: number;
  resilience?: Resilience;
  /** Keep raw request envelopes for conformance tests (personal data: off in production). */
  recordRequests?: boolean;
  /** The user Acadre acts for, sent as the PWS SoapHeader's User; no header when absent. */
  actingForUser?: string;
  /** The installation's codes. @default DEFAULT_ACADRE_CODES */
  codes?: Partial<AcadreCodes>;
  /** How long the administrative unit list is kept. @default 3600000 (milliseconds: an hour) */
  adminUnitsTtlMs?: number;
  /** The clock for dates written on new cases and documents. @default the system clock */
  now?: () => Date;
  /** HTTP Basic credentials of the service account the PWS endpoint authenticates. */
  basicAuth?: { username: string; password: string };
  /** How the case index names this installation's cases and documents. @default derivedIndexIdentity(municipalityCode) */
  indexIdentity?: AcadreIndexIdentity;
}

export interface AcadreCaseSystem extends CaseSystem {
  readonly soap: SoapCaller;
}

export function createAcadreCaseSystem(options: AcadreCaseSystemOptions): AcadreCaseSystem {
  const { municipalityCode } = options;
  const codes: AcadreCodes = { ...DEFAULT_ACADRE_CODES, ...options.codes };
  const now = options.now ?? (() => new Date());
  const today = () => now().toISOString().slice(0, 10);
  const headerXml = options.actingForUser ? actingForHeader(options.actingForUser) : undefined;
  const caller = createSoapCaller({
    system: SYSTEM,
    wsdl: options.wsdl,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    faultErrorCodePath: ERROR_TYPE_PATH,
    isNotFoundFault: (errorType) => NOT_FOUND_ERRORS.has(errorType),
    idempotentOperations: READS,
    ...(options.resilience ? { resilience: options.resilience } : {}),
    ...(options.recordRequests ? { recordRequests: true } : {}),
    ...(options.basicAuth ? { basicAuth: options.basicAuth } : {}),
  });
  const identity = options.indexIdentity ?? derivedIndexIdentity(municipalityCode);
  /** Acadre's ids → the index's: the one place records change identity. */
  const indexed = <R extends EsdhCaseRecord | DocumentRecord>(record: R, uuid: (id: string) => string): R => {
    try {
      return { ...record, id: uuid(record.id) };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new LegacyBadResponse(`${SYSTEM}: an Acadre identifier too long for the case index's UUIDs`, { system: SYSTEM, tenant: municipalityCode });
    }
  };
  const indexedCase = (record: EsdhCaseRecord) => indexed(record, identity.caseUuid);
  const indexedDocument = (record: DocumentRecord) => indexed(record, identity.documentUuid);

  const call = (operation: string, bodyXml: string, callOptions: CaseSystemCallOptions = {}) =>
    caller.call(operation, {
      bodyXml,
      ...(headerXml ? { headerXml } : {}),
      ...(callOptions.signal ? { signal: callOptions.signal } : {}),
      tenant: municipalityCode,
    });
  const notFound = (what: string) => new NotFound(`${SYSTEM}: Acadre has no such ${what}`, { system: SYSTEM, tenant: municipalityCode });

  // The unit list is configuration: one shared load, kept for the TTL, dropped when it failed.
  const ttlMs = options.adminUnitsTtlMs ?? 3_600_000;
  let units: { loadedAt: number; names: Promise<ReadonlyMap<string, string>> } | undefined;
  const adminUnits = (): Promise<ReadonlyMap<string, string>> => {
    if (!units || Date.now() - units.loadedAt > ttlMs) {
      const names = call('GetAdminUnitList', getAdminUnitListRequest()).then(mapAdminUnits);
      const loading = { loadedAt: Date.now(), names };
      units = loading;
      names.catch(() => {
        if (units === loading) units = undefined;
      });
    }
    return units.names;
  };
  /** For reading a case, a unit list that cannot be had costs the unit's name, not the case. */
  const unitNamesForReading = () => adminUnits().catch(() => NO_UNITS);

  /** Throws at once for a number Acadre cannot have, so nothing else (the unit list) is asked either. */
  const caseFileXml = (number: string, callOptions?: CaseSystemCallOptions): Promise<string> => {
    const key = parseCaseNumber(number, now());
    if (!key) throw notFound('case');
    return call('GetCaseByCaseNumber', getCaseByCaseNumberRequest(key), callOptions);
  };
  const toCase = (xml: string, unitNames: ReadonlyMap<string, string>): EsdhCaseRecord => {
    const record = mapAcadreCase(xml, { codes, unitNames });
    if (!record) throw notFound('case');
    return record;
  };
  const caseById = async (caseFileId: string, callOptions?: CaseSystemCallOptions) => {
    const [xml, unitNames] = await Promise.all([call('GetCase', getCaseRequest(caseFileId), callOptions), unitNamesForReading()]);
    return toCase(xml, unitNames);
  };
  const documentById = async (documentId: string, caseNumber: string, callOptions?: CaseSystemCallOptions) => {
    const document = mapAcadreDocument(await call('GetMainDocument', getMainDocumentRequest(documentId), callOptions), caseNumber, codes);
    if (!document) throw new LegacyBadResponse(`${SYSTEM}: Acadre did not answer with the document it filed`, { system: SYSTEM, tenant: municipalityCode });
    return document;
  };
  /** The party's contact GUID: the one Acadre has, or a contact made for the person. */
  const contactOf = async (cpr: string, callOptions?: CaseSystemCallOptions) =>
    mapContactGuid(await call('GetContactsByPublicId', getContactsByPublicIdRequest(cpr), callOptions)) ??
    mapBodyText(await call('CreatePerson', createPersonRequest(cpr), callOptions), 'GUID');

  return {
    municipalityCode,
    soap: caller,

    async caseByNumber(number, callOptions) {
      const [xml, unitNames] = await Promise.all([caseFileXml(number, callOptions), unitNamesForReading()]);
      return indexedCase(toCase(xml, unitNames));
    },

    async documentsOfCase(number, callOptions) {
      const kase = toCase(await caseFileXml(number, callOptions), NO_UNITS);
      return mapAcadreDocuments(await call('GetAllDocuments', getAllDocumentsRequest(kase.id), callOptions), kase.number, codes).map(indexedDocument);
    },

    async document(id, callOptions) {
      const documentId = identity.documentId(id);
      if (documentId === undefined) throw notFound('document');
      const xml = await call('GetMainDocument', getMainDocumentRequest(documentId), callOptions);
      const document = mapAcadreDocument(xml, null, codes);
      if (!document) throw notFound('document');
      const caseFileId = documentCaseReference(xml);
      if (!caseFileId) return indexedDocument(document);
      // A document whose case Acadre no longer shows is still the document, on no known case.
      const caseXml = await call('GetCase', getCaseRequest(caseFileId), callOptions).catch((error: unknown) => {
        if (error instanceof NotFound) return undefined;
        throw error;
      });
      return indexedDocument({ ...document, caseNumber: caseXml ? (mapAcadreCase(caseXml, { codes })?.number ?? null) : null });
    },

    async openCase(input, callOptions) {
      // The unit first: a name Acadre does not know must stop the write before any contact is made.
      let unitReference: string | undefined;
      if (input.responsibleUnit) {
        const wanted = input.responsibleUnit.trim().toLowerCase();
        unitReference = [...(await adminUnits())].find(([, name]) => name.trim().toLowerCase() === wanted)?.[0];
        if (unitReference === undefined) {
          throw new NotFound(`${SYSTEM}: Acadre has no administrative unit by that name`, { system: SYSTEM, tenant: municipalityCode, detail: 'AdminUnit' });
        }
      }
      // One after another: a person named twice gets one contact, and the traffic has one order.
      const guids = new Map<string, string>();
      for (const party of input.parties) if (!guids.has(party.cpr)) guids.set(party.cpr, await contactOf(party.cpr, callOptions));
      const created = await call(
        'CreateCase',
        createCaseRequest({
          input,
          contactGuids: input.parties.map((p) => guids.get(p.cpr)!),
          ...(unitReference !== undefined ? { unitReference } : {}),
          today: today(),
          codes,
        }),
        callOptions,
      );
      return indexedCase(await caseById(mapCreatedCase(created), callOptions));
    },

    async fileDocument(caseNumber, input, callOptions) {
      const kase = toCase(await caseFileXml(caseNumber, callOptions), NO_UNITS);
      const filed = await call('CreateMainDocument', createMainDocumentRequest({ caseFileId: kase.id, input, today: today(), codes }), callOptions);
      return indexedDocument(await documentById(mapBodyText(filed, 'DocumentIdentifier'), kase.number, callOptions));
    },

    async changeStatus(caseNumber, status, callOptions) {
      const xml = await caseFileXml(caseNumber, callOptions);
      toCase(xml, NO_UNITS); // NotFound for an answer without a case
      const update = updateCaseRequest(xml, { statusCode: codes.caseStatus[status], ...(status === 'Afsluttet' ? { closedDate: today() } : {}) });
      const updated = await call('UpdateCase', update, callOptions);
      return indexedCase(await caseById(mapBodyText(updated, 'CaseFileIdentifier'), callOptions));
    },
  };
}
