/**
 * One SOAP service, reached through the `soap` package: the client is built once from the WSDL
 * (location from config: the provider's published WSDL in production) and reused for every call.
 *
 * Adapters write the request body themselves and read the raw response XML with their own pure
 * mapping functions. Why not soap's object mapping: the published Serviceplatformen WSDLs pull
 * their message schemas in through `xsd:include` inside `wsdl:types`, which soap 1.13 does not
 * resolve, so a body built from plain arguments comes out in no namespace (what we send is
 * validated against the XSDs in test/conformance/contracts.test.ts). soap still gives us the WSDL's
 * endpoint, operations and SOAPAction, the envelope, and the HTTP exchange.
 *
 * Who we are travels on the connection: one keep-alive https.Agent per caller, holding the TLS
 * client identity when the service asks for one, carries both the WSDL documents and every call.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import soap from 'soap';
import { callDeadline, waitUnlessAborted } from './deadline';
import { LegacyBadResponse, LegacyError, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from './errors';
import { traceHeaders, tracedLegacyCall } from './legacyTrace';
import type { Resilience } from './resilience';
import type { TlsClientIdentity } from './tlsIdentity';
import { isTlsFailure, transportFailure } from './tlsFailure';
import { parseXml, pathOf, textAt, type XmlNode } from './xml';

export interface SoapCallerOptions {
  /** Legacy system name for errors and metrics, e.g. `cpr`. */
  system: string;
  /** WSDL location: a URL or a file path. */
  wsdl: string;
  /** Overrides the WSDL's soap:address (the simulator's or the provider's endpoint). */
  endpoint?: string;
  /** Per-attempt timeout. @default 2000 (milliseconds) */
  timeoutMs?: number;
  /**
   * Decides which SOAP faults mean "no such thing" (NotFound) rather than a failure.
   * Receives the fault's error code (see `faultErrorCodePath`), or the faultcode when it has none,
   * and the fault's texts (faultstring and the detail's texts), for services that say it in words.
   * The texts are read for this decision only: they never go into an error.
   */
  isNotFoundFault?: (errorCode: string, texts: readonly string[]) => boolean;
  /**
   * Where in a Fault the service names its error, by local names from the Fault down; the
   * faultcode still says which side failed (soap:Server counts against the breaker).
   * @default SERVICEPLATFORM_ERROR_CODE_PATH (Serviceplatformen's ServiceplatformFault)
   */
  faultErrorCodePath?: readonly string[];
  /**
   * HTTP Basic credentials for the WSDL documents and every call (over TLS in production). The
   * caller reads them from wherever they are kept; they are never logged or put into errors.
   */
  basicAuth?: { username: string; password: string };
  /**
   * The TLS client certificate presented on every connection, WSDL documents included
   * (Serviceplatformen: `sp:RequireClientCertificate`). None when absent.
   */
  tls?: TlsClientIdentity;
  /** Retry, breaker and bulkhead around every call; none when absent. */
  resilience?: Resilience;
  /** Operations that only read, and so may be retried. @default none */
  idempotentOperations?: readonly string[];
  /**
   * Keep the last raw request envelopes in `sentRequests`, for conformance tests. They hold
   * personal data, so production leaves this off. @default false
   */
  recordRequests?: boolean;
}

export interface SoapCall {
  /** The Body's child element, serialized, with its namespaces declared. */
  bodyXml: string;
  /** SOAP Header children, serialized, when the operation has header parts. */
  headerXml?: string;
  signal?: AbortSignal;
  /** Municipality code for error context. */
  tenant?: string;
}

export interface SoapCaller {
  /** Sends one operation and returns the raw response envelope. Throws a LegacyError. */
  call(operation: string, call: SoapCall): Promise<string>;
  /** Operation names the WSDL declares (loads the WSDL if needed). */
  operations(): Promise<string[]>;
  /** The last raw request envelopes sent, newest last; empty unless `recordRequests`. */
  readonly sentRequests: string[];
  /** Releases kept-alive sockets. */
  close(): void;
}

const SENT_REQUESTS_KEPT = 50;

/** The ErrorCode of a ServiceplatformFault (ServiceplatformFault_1.xsd), below the Fault. */
export const SERVICEPLATFORM_ERROR_CODE_PATH: readonly string[] = ['detail', 'ServiceplatformFault', 'ErrorList', 'Error', 'ErrorCode'];

type SoapClient = soap.Client & Record<string, unknown>;

export function createSoapCaller(options: SoapCallerOptions): SoapCaller {
  const { system } = options;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const keepAlive = { httpAgent: new HttpAgent({ keepAlive: true }), httpsAgent: new HttpsAgent({ keepAlive: true, ...options.tls?.connectOptions() }) };
  const headerFor = new WeakMap<object, string>();
  const sentRequests: string[] = [];
  let client: Promise<SoapClient> | undefined;
  const authorization = options.basicAuth
    ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
    : undefined;

  const loadClient = (): Promise<SoapClient> => {
    // The WSDL fetch has its own timeout: a load that never ends would hold every later call.
    client ??= soap
      .createClientAsync(options.wsdl, {
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        wsdl_options: { ...keepAlive, timeout: timeoutMs },
        // soap passes these on to every document the WSDL imports, too.
        ...(authorization ? { wsdl_headers: { Authorization: authorization } } : {}),
      })
      .then((c) => {
        if (options.basicAuth) c.setSecurity(new soap.BasicAuthSecurity(options.basicAuth.username, options.basicAuth.password));
        // Header parts differ per call (a transaction id each time); soap keeps headers on the
        // client, so a function header reads this call's header from its argument object.
        c.addSoapHeader((_method: unknown, _location: unknown, _action: unknown, args: object) => headerFor.get(args) ?? '');
        if (options.recordRequests) {
          c.on('request', (xml: string) => {
            sentRequests.push(xml);
            if (sentRequests.length > SENT_REQUESTS_KEPT) sentRequests.shift();
          });
        }
        return c as SoapClient;
      })
      .catch((error: unknown) => {
        client = undefined; // try again on the next call; the WSDL host may come back
        throw new WsdlNotLoaded(error);
      });
    return client;
  };

  /**
   * The load is shared, its failure is not: every caller that started or joined it gets an error
   * of its own, with its own tenant. One error object thrown to two calls would also confuse the
   * retry policy, which remembers per error which attempt threw it.
   */
  const wsdlError = (error: unknown, tenant: string | undefined): unknown => {
    if (!(error instanceof WsdlNotLoaded)) return error;
    // A load that ran out of time is a timeout, whoever waited for it: a retry that joined a hung
    // load must not report the system as unreachable.
    const cause = transportFailure(error.cause);
    if (isTimeout(error.cause)) {
      return new LegacyTimeout(`${system}: the WSDL did not load within ${timeoutMs} ms`, { system, tenant, detail: 'wsdl', cause });
    }
    // A refused certificate is said in the message: it is fixed in configuration, not by waiting.
    const why = isTlsFailure(cause) ? ` (${cause.message})` : '';
    return new LegacyUnavailable(`${system}: WSDL could not be loaded${why}`, { system, tenant, detail: 'wsdl', cause });
  };
  const loadedClient = (signal: AbortSignal | undefined, tenant: string | undefined): Promise<SoapClient> =>
    waitUnlessAborted(loadClient(), signal, () =>
      new LegacyTimeout(`${system}: no answer within the deadline (the WSDL is still loading)`, { system, tenant, detail: 'wsdl' }),
    ).catch((error: unknown) => {
      throw wsdlError(error, tenant);
    });

  return {
    sentRequests,
    async operations() {
      const c = await loadedClient(undefined, undefined);
      const services = c.describe() as Record<string, Record<string, Record<string, unknown>>>;
      return Object.values(services).flatMap((ports) => Object.values(ports).flatMap((ops) => Object.keys(ops)));
    },
    call(operation, call) {
      const idempotent = options.idempotentOperations?.includes(operation) ?? false;
      // One attempt: loading the WSDL belongs to it, so an unreachable service counts against
      // its breaker whether the WSDL or the operation failed.
      const attempt = async (signal: AbortSignal | undefined): Promise<string> => {
        const deadline = callDeadline(timeoutMs, signal);
        try {
          // The WSDL load is shared by every call; this one stops waiting for it at its deadline.
          const c = await loadedClient(deadline.signal, call.tenant);
          const method = c[`${operation}Async`];
          if (typeof method !== 'function') {
            throw new LegacyFault(`${system}: the WSDL has no operation ${operation}`, { system, tenant: call.tenant });
          }
          // A fresh argument object per attempt: the header lookup is keyed by it.
          const args = { _xml: call.bodyXml };
          if (call.headerXml) headerFor.set(args, call.headerXml);
          const [, rawResponse] = (await (method as (a: object, o: object, h?: object) => Promise<[unknown, string]>).call(c, args, {
            signal: deadline.signal,
            ...keepAlive,
          }, traceHeaders())) as [unknown, string];
          if (typeof rawResponse !== 'string' || rawResponse.length === 0) {
            throw new LegacyBadResponse(`${system}: empty response`, { system, tenant: call.tenant });
          }
          return rawResponse;
        } catch (error) {
          if (error instanceof LegacyError) throw error;
          const answered = answeredEnvelope(error);
          if (answered !== undefined) return answered;
          throw toLegacyError(error, options, call.tenant, deadline.timedOut() || deadline.signal.aborted);
        } finally {
          deadline.dispose();
        }
      };
      const resilience = options.resilience;
      return tracedLegacyCall({ system, operation, tenant: call.tenant }, () =>
        resilience ? resilience.execute({ system, operation, tenant: call.tenant, idempotent, signal: call.signal, run: attempt }) : attempt(call.signal),
      );
    },
    close() {
      keepAlive.httpAgent.destroy();
      keepAlive.httpsAgent.destroy();
    },
  };
}

/** The shared WSDL load failed; `cause` is what soap (or axios under it) threw, kept only until it is classified. */
class WsdlNotLoaded extends Error {
  constructor(cause: unknown) {
    super('the WSDL could not be loaded', { cause });
  }
}

/**
 * No answer in time, as axios (under soap) reports it: ECONNABORTED for its own `timeout`
 * (wsdl_options), ETIMEDOUT when `clarifyTimeoutError` is on or the connect itself timed out.
 */
function isTimeout(error: unknown): boolean {
  const e = error as { code?: unknown; isAxiosError?: unknown } | null;
  return e?.isAxiosError === true && (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT');
}

/**
 * A well-formed, fault-free envelope that soap failed to map to objects. soap 1.13 finds the
 * response message by the Body element's name minus "Response" and matches operation names
 * case-sensitively, so SF1470's `FremsoegResponse` (operation `fremsoeg`) makes it throw after a
 * perfectly good answer. We read the XML ourselves anyway, so such an answer is still an answer.
 */
function answeredEnvelope(error: unknown): string | undefined {
  const e = error as { body?: unknown; response?: { status?: number } };
  const status = e.response?.status;
  if (typeof e.body !== 'string' || status === undefined || status < 200 || status >= 300) return undefined;
  // A cheap look, not a parse: the mapping function parses (and validates) the body once.
  if (/<([\w.-]+:)?Fault[\s>]/.test(e.body) || !/<\/([\w.-]+:)?Envelope>\s*$/.test(e.body)) return undefined;
  return e.body;
}

/**
 * Classifies whatever soap/axios threw. Only status codes, fault codes and network error codes
 * survive; bodies never do, nor axios's error itself (it holds the request's headers and agent).
 */
function toLegacyError(error: unknown, options: SoapCallerOptions, tenant: string | undefined, aborted: boolean): LegacyError {
  const system = options.system;
  if (error instanceof LegacyError) return error;
  if (aborted) return new LegacyTimeout(`${system}: no answer within the deadline`, { system, tenant, cause: transportFailure(error) });
  const e = error as { code?: string; body?: unknown; response?: { status?: number; data?: unknown } };
  const body = typeof e.body === 'string' ? e.body : typeof e.response?.data === 'string' ? e.response.data : undefined;
  const status = e.response?.status;
  if (body !== undefined) {
    const fault = readFaultDetails(body, options.faultErrorCodePath);
    if (fault) {
      const detail = fault.errorCode ?? fault.faultCode;
      if (options.isNotFoundFault?.(detail, fault.texts)) return new NotFound(`${system}: not found`, { system, tenant, detail });
      return new LegacyFault(`${system}: the service answered with a fault`, { system, tenant, detail, serverSide: /(^|:)Server$/.test(fault.faultCode) });
    }
    if (status !== undefined && status >= 500) {
      return new LegacyUnavailable(`${system}: the service answered HTTP ${status}`, { system, tenant, detail: `HTTP ${status}` });
    }
    // The web server in front of the service (IIS, a proxy) refused who we are: not a SOAP answer, but no garbage either.
    if (status === 401 || status === 403) {
      return new LegacyFault(`${system}: the service refused the caller's credentials`, { system, tenant, detail: `HTTP ${status}` });
    }
    return new LegacyBadResponse(`${system}: the response is not a valid SOAP message`, {
      system, tenant, ...(status !== undefined ? { detail: `HTTP ${status}` } : {}),
    });
  }
  if (status !== undefined && status >= 500) {
    return new LegacyUnavailable(`${system}: the service answered HTTP ${status}`, { system, tenant, detail: `HTTP ${status}` });
  }
  if (status !== undefined) {
    return new LegacyFault(`${system}: the service refused the request`, { system, tenant, detail: `HTTP ${status}` });
  }
  const failure = transportFailure(error);
  const message = isTlsFailure(failure) ? `${system}: ${failure.message}` : `${system}: the service could not be reached`;
  return new LegacyUnavailable(message, { system, tenant, detail: failure.code, cause: failure });
}

/** The fault code and the service's error code (at `errorCodePath` below the Fault) of a SOAP 1.1 Fault envelope, if it is one. */
export function readFault(xml: string, errorCodePath: readonly string[] = SERVICEPLATFORM_ERROR_CODE_PATH): { faultCode: string; errorCode?: string } | undefined {
  const fault = readFaultDetails(xml, errorCodePath);
  if (!fault) return undefined;
  return fault.errorCode === undefined ? { faultCode: fault.faultCode } : { faultCode: fault.faultCode, errorCode: fault.errorCode };
}

/** What a SOAP 1.1 Fault says: `readFault`'s codes, and its texts (faultstring first, then every text of its detail). */
export interface FaultDetails {
  faultCode: string;
  errorCode?: string;
  /** May hold anything the service chose to write, a CPR number included: read, never passed on. */
  texts: string[];
}

export function readFaultDetails(xml: string, errorCodePath: readonly string[] = SERVICEPLATFORM_ERROR_CODE_PATH): FaultDetails | undefined {
  const document = parseXml(xml);
  if (!document) return undefined;
  const fault = pathOf(document, ['Envelope', 'Body', 'Fault']);
  if (!fault) return undefined;
  const faultCode = textAt(fault, ['faultcode']) ?? 'unknown';
  const errorCode = textAt(fault, errorCodePath)?.trim() || undefined;
  const faultString = textAt(fault, ['faultstring'])?.trim();
  const texts = [...(faultString ? [faultString] : []), ...textsUnder(fault['detail'])];
  return errorCode === undefined ? { faultCode, texts } : { faultCode, errorCode, texts };
}

/** Every text below a parsed node, in document order. */
function textsUnder(node: unknown): string[] {
  if (node === undefined || node === null) return [];
  if (typeof node !== 'object') return String(node).trim() ? [String(node).trim()] : [];
  if (Array.isArray(node)) return node.flatMap(textsUnder);
  return Object.values(node as XmlNode).flatMap(textsUnder);
}
