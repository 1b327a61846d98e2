/**
 * CPR adapter: the civil registry through Serviceplatformen SF1520 PersonBaseDataExtended
 * (SOAP 1.1, operation PersonLookup). Knows CPR and nothing of GraphQL.
 */
import type { Resilience } from '../core/resilience';
import { createSoapCaller, type SoapCaller } from '../core/soapCaller';
import type { TlsClientIdentity } from '../core/tlsIdentity';
import { mapPerson } from './mapPerson';
import { personLookupRequest } from './personLookupRequest';
import type { InvocationContext, PersonRecord, ServiceAgreement } from './types';
import { isUnknownPersonFault } from './unknownPerson';

export type { CprAddress, InvocationContext, PersonRecord, ServiceAgreement } from './types';
export { mapPerson } from './mapPerson';
export { personLookupRequest } from './personLookupRequest';
export { isUnknownPersonFault, UNKNOWN_PNR_ERROR_CODES } from './unknownPerson';

export interface LookupOptions {
  signal?: AbortSignal;
  /**
   * Municipality on whose behalf the lookup is made: its service agreement, when it has one of its
   * own (`serviceAgreementOf`), its breaker and bulkhead, and error context.
   */
  tenant?: string;
}

/** Looks up one person by CPR number. Throws NotFound for an unknown number. */
export interface PersonRegistry {
  lookup(cpr: string, options?: LookupOptions): Promise<PersonRecord>;
}

export interface SoapPersonRegistryOptions {
  /** WSDL location (URL or path): the provider's published WSDL in production. */
  wsdl: string;
  /** Endpoint overriding the WSDL's soap:address. */
  endpoint?: string;
  /** The deployment's service agreement, and the ServiceUUID of SF1520: what every lookup is made under unless `serviceAgreementOf` says otherwise. */
  invocationContext: InvocationContext;
  /**
   * A municipality's own service agreement (kommunekode → agreement), undefined when it has none
   * and calls under the deployment's. Asked on every lookup, so a changed answer (the tenant
   * registry re-read) holds from the next call. @default none: every lookup under `invocationContext`
   */
  serviceAgreementOf?: (tenant: string) => ServiceAgreement | undefined;
  /** @default 2000 (milliseconds) */
  timeoutMs?: number;
  resilience?: Resilience;
  /** The system certificate Serviceplatformen requires on every call (`sp:RequireClientCertificate`). */
  clientCertificate?: TlsClientIdentity;
  /** Keep raw request envelopes for conformance tests (personal data: off in production). */
  recordRequests?: boolean;
}

export interface SoapPersonRegistry extends PersonRegistry {
  readonly soap: SoapCaller;
}

export function createSoapPersonRegistry(options: SoapPersonRegistryOptions): SoapPersonRegistry {
  const caller = createSoapCaller({
    system: 'cpr',
    wsdl: options.wsdl,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    isNotFoundFault: isUnknownPersonFault,
    // PersonLookup only reads: safe to retry.
    idempotentOperations: ['PersonLookup'],
    ...(options.resilience ? { resilience: options.resilience } : {}),
    ...(options.clientCertificate ? { tls: options.clientCertificate } : {}),
    ...(options.recordRequests ? { recordRequests: true } : {}),
  });
  /** The InvocationContext of a lookup on this municipality's behalf: its own agreement, else the deployment's; ServiceUUID is SF1520's either way. */
  const invocationContextFor = (tenant: string | undefined): InvocationContext => {
    const own = tenant !== undefined ? options.serviceAgreementOf?.(tenant) : undefined;
    if (!own) return options.invocationContext;
    return { ...options.invocationContext, serviceAgreementUuid: own.serviceAgreementUuid, userSystemUuid: own.userSystemUuid, userUuid: own.userUuid };
  };
  return {
    soap: caller,
    async lookup(cpr, lookupOptions = {}) {
      const responseXml = await caller.call('PersonLookup', {
        bodyXml: personLookupRequest(cpr, invocationContextFor(lookupOptions.tenant)),
        ...(lookupOptions.signal ? { signal: lookupOptions.signal } : {}),
        ...(lookupOptions.tenant ? { tenant: lookupOptions.tenant } : {}),
      });
      return mapPerson(responseXml);
    },
  };
}
