/**
 * SOAP 1.1 plumbing for the simulators: read an envelope with namespaces resolved, write an
 * envelope or a Serviceplatform fault. Escaping is fast-xml-parser's, never hand-rolled.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { SimulatorResponse } from './simulator';

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** ServiceplatformFault_1.xsd */
export const SERVICEPLATFORM_FAULT_NS = 'http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/';

/** An element of the request with its namespace resolved. */
export interface QualifiedElement {
  namespace: string | undefined;
  localName: string;
  /** fast-xml-parser's node: child elements keyed by their prefixed names, attributes under `@_`. */
  node: Record<string, unknown>;
  /** namespace declarations in scope at this element */
  scope: Record<string, string>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
  // fast-xml-parser's default prints an attribute valued "true" bare (`xsi:nil`), as HTML would: not XML.
  suppressBooleanAttributes: false,
});

export class SoapRequestError extends Error {}

/** The header and body children of a SOAP 1.1 envelope, namespaces resolved. */
export function readEnvelope(xml: string): { header: QualifiedElement[]; body: QualifiedElement[] } {
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml, true) as Record<string, unknown>;
  } catch {
    throw new SoapRequestError('request is not well-formed XML');
  }
  const root = elementsOf(document, {}).find((e) => e.localName === 'Envelope' && e.namespace === SOAP_ENV_NS);
  if (!root) throw new SoapRequestError('request is not a SOAP 1.1 envelope');
  const parts = elementsOf(root.node, root.scope);
  const body = parts.find((e) => e.localName === 'Body' && e.namespace === SOAP_ENV_NS);
  if (!body) throw new SoapRequestError('SOAP envelope has no Body');
  const header = parts.find((e) => e.localName === 'Header' && e.namespace === SOAP_ENV_NS);
  return { header: header ? elementsOf(header.node, header.scope) : [], body: elementsOf(body.node, body.scope) };
}

/** The child elements of a parsed node, each with its namespace resolved against `scope`. */
export function elementsOf(node: unknown, scope: Record<string, string>): QualifiedElement[] {
  if (node === null || typeof node !== 'object') return [];
  const out: QualifiedElement[] = [];
  for (const [name, value] of Object.entries(node as Record<string, unknown>)) {
    if (name.startsWith('@_') || name === '#text' || name === '?xml') continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      const child = (item !== null && typeof item === 'object' ? item : { '#text': item }) as Record<string, unknown>;
      const childScope = { ...scope };
      for (const [attr, v] of Object.entries(child)) {
        if (attr === '@_xmlns') childScope[''] = String(v);
        else if (attr.startsWith('@_xmlns:')) childScope[attr.slice(8)] = String(v);
      }
      const colon = name.indexOf(':');
      const prefix = colon === -1 ? '' : name.slice(0, colon);
      out.push({ namespace: childScope[prefix], localName: colon === -1 ? name : name.slice(colon + 1), node: child, scope: childScope });
    }
  }
  return out;
}

/** The first child with this namespace and local name, or undefined. */
export function childOf(element: QualifiedElement, namespace: string, localName: string): QualifiedElement | undefined {
  return elementsOf(element.node, element.scope).find((e) => e.namespace === namespace && e.localName === localName);
}

export function childrenOf(element: QualifiedElement, namespace: string, localName: string): QualifiedElement[] {
  return elementsOf(element.node, element.scope).filter((e) => e.namespace === namespace && e.localName === localName);
}

export function textOf(element: QualifiedElement | undefined): string | undefined {
  if (!element) return undefined;
  const text = element.node['#text'];
  return text === undefined ? '' : String(text);
}

/** A SOAP 1.1 envelope around body content given as a fast-xml-parser builder object. */
export function soapEnvelope(body: Record<string, unknown>, header?: Record<string, unknown>): string {
  const envelope: Record<string, unknown> = { '@_xmlns:soap': SOAP_ENV_NS };
  if (header) envelope['soap:Header'] = header;
  envelope['soap:Body'] = body;
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ 'soap:Envelope': envelope }) as string}`;
}

export function soapResponse(body: Record<string, unknown>, header?: Record<string, unknown>): SimulatorResponse {
  return { status: 200, contentType: 'text/xml; charset=utf-8', body: soapEnvelope(body, header) };
}

/**
 * A SOAP 1.1 Fault whose detail is a ServiceplatformFault with one error, as Serviceplatformen
 * answers. `faultcode` is `soap:Client` for bad requests and unknown keys, `soap:Server` otherwise.
 * Without an error code the ServiceplatformFault has no ErrorList (the XSD makes it optional) and
 * the fault says what happened in its faultstring only.
 */
export function serviceplatformFault(side: 'Client' | 'Server', errorCode: string | undefined, errorText: string): SimulatorResponse {
  return {
    status: 500, // SOAP 1.1 over HTTP: faults travel with status 500
    contentType: 'text/xml; charset=utf-8',
    body: soapEnvelope({
      'soap:Fault': {
        faultcode: `soap:${side}`,
        faultstring: errorText,
        detail: {
          'spf:ServiceplatformFault': {
            '@_xmlns:spf': SERVICEPLATFORM_FAULT_NS,
            ...(errorCode === undefined ? {} : { 'spf:ErrorList': { 'spf:Error': { 'spf:ErrorCode': errorCode, 'spf:ErrorText': errorText } } }),
          },
        },
      },
    }),
  };
}

/**
 * Answers `GET <service path>?wsdl` with the simulator's WSDL, every `{{ADDRESS}}` in it set to
 * where the simulator listens; undefined for any other request. A WSDL in several documents, as
 * ASMX publishes one, is given by part: `''` for `?wsdl`, `wsdl1` for `?wsdl=wsdl1`, and so on; a
 * part it does not have is 404.
 */
export function wsdlAnswer(
  request: { method: string; url: URL },
  wsdl: string | Readonly<Record<string, string>>,
  serviceUrl: string,
): SimulatorResponse | undefined {
  if (request.method !== 'GET' || !request.url.searchParams.has('wsdl')) return undefined;
  const document = typeof wsdl === 'string' ? wsdl : wsdl[request.url.searchParams.get('wsdl') ?? ''];
  if (document === undefined) return { status: 404, contentType: 'text/plain', body: 'no such WSDL document' };
  return { status: 200, contentType: 'text/xml; charset=utf-8', body: document.replaceAll('{{ADDRESS}}', serviceUrl) };
}
