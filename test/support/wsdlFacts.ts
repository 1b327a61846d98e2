/**
 * What a WSDL 1.1 document says, as the conformance tests compare a simulator's own WSDL with a
 * published one: target namespace, imports, the elements its inline schemas declare, each
 * operation's message elements, WS-Addressing actions and faults, SOAP 1.1 SOAPActions and ports.
 */
import { XMLParser } from 'fast-xml-parser';
import { childOf, childrenOf, elementsOf, type QualifiedElement } from '../../simulators/core/soap';

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const SOAP11_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
const WSAW_NS = 'http://www.w3.org/2006/05/addressing/wsdl';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

export interface WsdlOperation {
  /** The input and output message elements, as `{ns}local`. */
  input: string;
  output: string;
  /** Their wsaw:Action, '' when none. */
  inputAction: string;
  outputAction: string;
  faults: number;
}

export interface WsdlFacts {
  targetNamespace: string;
  /** The namespaces of its wsdl:import elements. */
  imports: string[];
  /** Top-level element `{ns}name` of an inline schema → its children as `name type minOccurs nillable`. */
  elements: Map<string, string[]>;
  /** `portType.operation` → its messages and actions. */
  operations: Map<string, WsdlOperation>;
  /** `binding.operation` → SOAPAction, SOAP 1.1 bindings only. */
  soapActions: Map<string, string>;
  /** SOAP 1.1 service port → its binding's local name. */
  ports: Map<string, string>;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });

export function wsdlFacts(xml: string): WsdlFacts {
  const definitions = elementsOf(parser.parse(xml), {}).find((e) => e.namespace === WSDL_NS && e.localName === 'definitions')!;
  const attr = (e: QualifiedElement, name: string) => String(e.node[`@_${name}`] ?? '');
  const qname = (e: QualifiedElement, value: string) => {
    const [prefix, local] = value.includes(':') ? value.split(':') : ['', value];
    return `{${e.scope[prefix!] ?? ''}}${local}`;
  };
  const local = (value: string) => value.slice(value.indexOf(':') + 1);

  const elements = new Map<string, string[]>();
  const types = childOf(definitions, WSDL_NS, 'types');
  for (const schema of types ? childrenOf(types, XSD_NS, 'schema') : []) {
    for (const element of childrenOf(schema, XSD_NS, 'element')) {
      const sequence = childOf(childOf(element, XSD_NS, 'complexType') ?? element, XSD_NS, 'sequence');
      elements.set(
        `{${attr(schema, 'targetNamespace')}}${attr(element, 'name')}`,
        sequence ? childrenOf(sequence, XSD_NS, 'element').map((c) => `${attr(c, 'name')} ${qname(c, attr(c, 'type'))} ${attr(c, 'minOccurs') || '1'} ${attr(c, 'nillable') || 'false'}`) : [],
      );
    }
  }
  const messages = new Map(
    childrenOf(definitions, WSDL_NS, 'message').map((m) => {
      const part = childOf(m, WSDL_NS, 'part')!;
      return [attr(m, 'name'), qname(part, attr(part, 'element'))];
    }),
  );
  const action = (e: QualifiedElement) => {
    const prefix = Object.entries(e.scope).find(([, ns]) => ns === WSAW_NS)?.[0];
    return prefix === undefined ? '' : attr(e, `${prefix}:Action`);
  };
  const operations = new Map<string, WsdlOperation>();
  for (const portType of childrenOf(definitions, WSDL_NS, 'portType')) {
    for (const op of childrenOf(portType, WSDL_NS, 'operation')) {
      const input = childOf(op, WSDL_NS, 'input')!;
      const output = childOf(op, WSDL_NS, 'output')!;
      operations.set(`${attr(portType, 'name')}.${attr(op, 'name')}`, {
        input: messages.get(local(attr(input, 'message')))!,
        output: messages.get(local(attr(output, 'message')))!,
        inputAction: action(input),
        outputAction: action(output),
        faults: childrenOf(op, WSDL_NS, 'fault').length,
      });
    }
  }
  const soapActions = new Map<string, string>();
  for (const binding of childrenOf(definitions, WSDL_NS, 'binding')) {
    if (!childOf(binding, SOAP11_NS, 'binding')) continue;
    for (const op of childrenOf(binding, WSDL_NS, 'operation')) {
      soapActions.set(`${attr(binding, 'name')}.${attr(op, 'name')}`, attr(childOf(op, SOAP11_NS, 'operation')!, 'soapAction'));
    }
  }
  const ports = new Map<string, string>();
  for (const service of childrenOf(definitions, WSDL_NS, 'service')) {
    for (const port of childrenOf(service, WSDL_NS, 'port')) if (childOf(port, SOAP11_NS, 'address')) ports.set(attr(port, 'name'), local(attr(port, 'binding')));
  }
  return {
    targetNamespace: attr(definitions, 'targetNamespace'),
    imports: childrenOf(definitions, WSDL_NS, 'import').map((i) => attr(i, 'namespace')),
    elements,
    operations,
    soapActions,
    ports,
  };
}
