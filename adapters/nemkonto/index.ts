/**
 * NemKonto adapter: a person's Easy Account (NemKonto, Digitaliseringsstyrelsen) through the
 * NemKontoService, SOAP 1.1, operation getNemKontoFromID. Knows NemKonto and nothing of GraphQL.
 * The account number is masked to its last four digits here; nothing this adapter returns, logs
 * or throws holds the full number, the raw answer or a CPR number.
 */
import { NotFound } from '../core/errors';
import type { Resilience } from '../core/resilience';
import { createSoapCaller, type SoapCaller } from '../core/soapCaller';
import type { TlsClientIdentity } from '../core/tlsIdentity';
import { GET_NEMKONTO_FROM_ID, getNemKontoFromIdRequest } from './getNemKontoFromIdRequest';
import { mapNemKonto } from './mapNemKonto';
import type { NemKontoRecord } from './types';

export type { NemKontoBank, NemKontoRecord } from './types';
export { BANK_NAMES, bankName } from './banks';
export { GET_NEMKONTO_FROM_ID, NEMKONTO_NS, getNemKontoFromIdRequest } from './getNemKontoFromIdRequest';
export { mapNemKonto } from './mapNemKonto';

export interface AccountOfOptions {
  signal?: AbortSignal;
  /** Municipality on whose behalf the lookup is made, for error context. */
  tenant?: string;
}

/** The NemKonto of one person by CPR number. Throws NotFound when the person has none. */
export interface EasyAccountRegistry {
  accountOf(cpr: string, options?: AccountOfOptions): Promise<NemKontoRecord>;
}

export interface SoapEasyAccountRegistryOptions {
  /** WSDL location (URL or path): the provider's WSDL in production, the simulator's `?wsdl` locally. */
  wsdl: string;
  /** Endpoint overriding the WSDL's soap:address. */
  endpoint?: string;
  /** Per attempt. @default 2000 (milliseconds) */
  timeoutMs?: number;
  resilience?: Resilience;
  /** A client certificate, when the service requires one. */
  clientCertificate?: TlsClientIdentity;
  /** Keep raw request envelopes for conformance tests (they hold CPR numbers: off in production). */
  recordRequests?: boolean;
}

export interface SoapEasyAccountRegistry extends EasyAccountRegistry {
  readonly soap: SoapCaller;
}

export function createSoapEasyAccountRegistry(options: SoapEasyAccountRegistryOptions): SoapEasyAccountRegistry {
  const caller = createSoapCaller({
    system: 'nemkonto',
    wsdl: options.wsdl,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    // No isNotFoundFault: the service says "no account" with an empty answer, not with a fault.
    // getNemKontoFromID only reads: safe to retry.
    idempotentOperations: [GET_NEMKONTO_FROM_ID],
    ...(options.resilience ? { resilience: options.resilience } : {}),
    ...(options.clientCertificate ? { tls: options.clientCertificate } : {}),
    ...(options.recordRequests ? { recordRequests: true } : {}),
  });
  return {
    soap: caller,
    async accountOf(cpr, accountOptions = {}) {
      const responseXml = await caller.call(GET_NEMKONTO_FROM_ID, {
        bodyXml: getNemKontoFromIdRequest(cpr),
        ...(accountOptions.signal ? { signal: accountOptions.signal } : {}),
        ...(accountOptions.tenant ? { tenant: accountOptions.tenant } : {}),
      });
      const account = mapNemKonto(responseXml);
      if (!account) {
        throw new NotFound('nemkonto: the person has no NemKonto', {
          system: 'nemkonto',
          ...(accountOptions.tenant ? { tenant: accountOptions.tenant } : {}),
          detail: 'nil return',
        });
      }
      return account;
    },
  };
}
