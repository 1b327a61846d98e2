/**
 * Case-index adapter: KOMBIT SF1470 Sags- og Dokumentindeks (SOAP 1.1, operation fremsoeg),
 * the national index of municipal cases and their documents. Knows SF1470, nothing of GraphQL.
 */
import { randomUUID } from 'node:crypto';
import type { Resilience } from '../core/resilience';
import { createSoapCaller, type SoapCaller } from '../core/soapCaller';
import type { TlsClientIdentity } from '../core/tlsIdentity';
import { fremsoegRequest, requestHeader, type FremsoegQuery } from './fremsoegRequest';
import { mapCaseIndexPage } from './mapCaseIndexResult';
import type { CaseCriteria, CaseIndexEntry, CasePageRequest, CaseSearchPage } from './types';

export type { CaseCriteria, CaseIndexEntry, CasePageRequest, CaseProgress, CaseSearchPage, PartyRole } from './types';
export { mapCaseIndexPage, mapCaseIndexResult, DEFAULT_SECONDARY_PARTY_ROLES } from './mapCaseIndexResult';
export { fremsoegRequest, requestHeader, SF1470_NS } from './fremsoegRequest';

export interface CaseIndexCallOptions {
  signal?: AbortSignal;
  /** AuthorityContext: the CVR of the municipality asking; omitted for a national look-up. */
  municipalityCvr?: string;
  /** Municipality code for error context. */
  tenant?: string;
}

/** Finds cases in the national case index. */
export interface CaseIndex {
  /** Every case in which the person is a party (sagspart). */
  casesByParty(cpr: string, options?: CaseIndexCallOptions): Promise<CaseIndexEntry[]>;
  /** The cases with these UUIDs that exist; unknown ids are simply absent. */
  casesById(ids: readonly string[], options?: CaseIndexCallOptions): Promise<CaseIndexEntry[]>;
  /**
   * One page of the cases that meet every criterion, in the index's registration order (then
   * case number), so that consecutive offsets page through them. Asked under AuthorityContext,
   * the index answers the cases that municipality may see.
   */
  searchCases(criteria: CaseCriteria, page: CasePageRequest, options?: CaseIndexCallOptions): Promise<CaseSearchPage>;
  /**
   * Every case whose objects (Sagsgenstande) include this thing, a DAR address or a BBR building
   * by its UUID, oldest first, each with its objects (`caseObjects`). Unpaged, as a party's cases
   * are: a property has tens of cases, not thousands. Asked under AuthorityContext, the index
   * answers the cases that municipality may see.
   */
  casesByCaseObject(objectId: string, options?: CaseIndexCallOptions): Promise<CaseIndexEntry[]>;
}

export interface SoapCaseIndexOptions {
  /** WSDL location (URL or path): the provider's published WSDL in production. */
  wsdl: string;
  endpoint?: string;
  /** @default 2000 (milliseconds) */
  timeoutMs?: number;
  /** Role UUIDs to read as "Sekundær part" (none is published by KOMBIT). */
  secondaryPartyRoles?: readonly string[];
  resilience?: Resilience;
  /** The system certificate Serviceplatformen requires on every call (`sp:RequireClientCertificate`). */
  clientCertificate?: TlsClientIdentity;
  /** Keep raw request envelopes for conformance tests (personal data: off in production). */
  recordRequests?: boolean;
}

export interface SoapCaseIndex extends CaseIndex {
  readonly soap: SoapCaller;
}

export function createSoapCaseIndex(options: SoapCaseIndexOptions): SoapCaseIndex {
  const caller = createSoapCaller({
    system: 'case-index',
    wsdl: options.wsdl,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    // fremsoeg only reads; importer, opdater and fjern (writes) are never retried.
    idempotentOperations: ['fremsoeg'],
    ...(options.resilience ? { resilience: options.resilience } : {}),
    ...(options.clientCertificate ? { tls: options.clientCertificate } : {}),
    ...(options.recordRequests ? { recordRequests: true } : {}),
  });
  const search = async (query: FremsoegQuery, callOptions: CaseIndexCallOptions = {}) => {
    const responseXml = await caller.call('fremsoeg', {
      bodyXml: fremsoegRequest(query, callOptions.municipalityCvr ? { municipalityCvr: callOptions.municipalityCvr } : {}),
      headerXml: requestHeader(randomUUID()),
      ...(callOptions.signal ? { signal: callOptions.signal } : {}),
      ...(callOptions.tenant ? { tenant: callOptions.tenant } : {}),
    });
    return mapCaseIndexPage(responseXml, options.secondaryPartyRoles ? { secondaryPartyRoles: options.secondaryPartyRoles } : {});
  };
  return {
    soap: caller,
    casesByParty: async (cpr, callOptions) => (await search({ partyCpr: cpr }, callOptions)).entries,
    casesById: async (ids, callOptions) => (ids.length === 0 ? [] : (await search({ caseIds: ids }, callOptions)).entries),
    searchCases: (criteria, page, callOptions) => search({ criteria, page }, callOptions),
    casesByCaseObject: async (objectId, callOptions) => (await search({ caseObjectId: objectId }, callOptions)).entries,
  };
}
