/**
 * UpdateCase, the one way Acadre v7 changes a case: it takes a whole case file, so the case is
 * sent back exactly as GetCase or GetCaseByCaseNumber answered it, with only its status (and
 * closing date) changed. Read and written in document order with namespaces resolved, since a
 * case file mixes four namespaces and an installation may derive its own type.
 * @see ../shared/contracts/esdh-acadre/AcadreServiceV7/ (schema9, schema16, schema20, schema21)
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { LegacyBadResponse } from '../core/errors';
import { ACADRE_NS } from './acadreCodes';

const SYSTEM = 'esdh';

type Ordered = Record<string, unknown>;

const orderedParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});
// suppressBooleanAttributes off: by default an attribute valued "true" (xsi:nil) is printed bare.
const orderedBuilder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
});

/** Base-type elements of CaseFileType that follow CaseFileStatusCode (schema21's sequence). */
const AFTER_STATUS = new Set(['CaseFileTypeCode', 'Comment', 'Record', 'CaseFileDisposalCode', 'CustomFields', 'AccessCode']);
/** CaseFileType1's own elements before ClosedDate (schema9's sequence). */
const BEFORE_CLOSED = new Set(['AdministrativeUnit', 'Classification', 'Party', 'ClosedDate']);

/**
 * UpdateCase (schema20 UpdateCaseRequest, a CaseFileType2) with the case exactly as GetCase or
 * GetCaseByCaseNumber answered it, its status (and closing date) changed. UpdateCase takes the
 * whole case file, so everything read goes back unchanged, elements the adapter does not know
 * and an installation's derived type included (as `xsi:type`, CaseFileType3 when none is named),
 * rather than a partial case that could blank the rest.
 */
export function updateCaseRequest(caseResponseXml: string, change: { statusCode: string; closedDate?: string }): string {
  let tree: Ordered[];
  try {
    tree = orderedParser.parse(caseResponseXml) as Ordered[];
  } catch {
    throw new LegacyBadResponse('esdh: Acadre\'s case file is not well-formed XML', { system: SYSTEM });
  }
  const found = findElement(tree, {}, ACADRE_NS.v7, 'CaseFile3');
  if (!found) throw new LegacyBadResponse('esdh: no CaseFile3 in Acadre\'s answer', { system: SYSTEM });
  const scope = { ...found.scope };
  const attributes: Record<string, string> = {};
  for (const [prefix, uri] of Object.entries(scope)) attributes[prefix ? `@_xmlns:${prefix}` : '@_xmlns'] = uri;
  const prefixFor = (uri: string): string => {
    const known = Object.entries(scope).find(([prefix, bound]) => prefix && bound === uri)?.[0];
    if (known) return known;
    let n = 0;
    while (`acadre${n}` in scope) n++;
    scope[`acadre${n}`] = uri;
    attributes[`@_xmlns:acadre${n}`] = uri;
    return `acadre${n}`;
  };
  const own = (found.node[':@'] ?? {}) as Record<string, string>;
  for (const [name, value] of Object.entries(own)) if (!name.startsWith('@_xmlns')) attributes[name] = value;
  const typed = Object.keys(own).some((name) => qualified(name.slice(2), scope).ns === ACADRE_NS.xsi && qualified(name.slice(2), scope).local === 'type');
  if (!typed) attributes[`@_${prefixFor(ACADRE_NS.xsi)}:type`] = `${prefixFor(ACADRE_NS.v7)}:CaseFileType3`;

  const children = [...(found.node[tagOf(found.node)!] as Ordered[])];
  upsert(children, scope, { ns: ACADRE_NS.c, local: 'CaseFileStatusCode' }, change.statusCode, prefixFor, (ns, local) => ns !== ACADRE_NS.c || AFTER_STATUS.has(local));
  if (change.closedDate) {
    upsert(children, scope, { ns: ACADRE_NS.a7, local: 'ClosedDate' }, change.closedDate, prefixFor, (ns, local) => ns !== ACADRE_NS.c && !(ns === ACADRE_NS.a7 && BEFORE_CLOSED.has(local)));
  }
  return orderedBuilder.build([{ [`${prefixFor(ACADRE_NS.a8)}:UpdateCaseRequest`]: children, ':@': attributes }]) as string;
}

/** The tag of an ordered node (its one key besides attributes), undefined for text. */
function tagOf(node: Ordered): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text');
}

function scopeOf(node: Ordered, parent: Record<string, string>): Record<string, string> {
  const scope = { ...parent };
  for (const [name, value] of Object.entries((node[':@'] ?? {}) as Record<string, string>)) {
    if (name === '@_xmlns') scope[''] = value;
    else if (name.startsWith('@_xmlns:')) scope[name.slice(8)] = value;
  }
  return scope;
}

function qualified(name: string, scope: Record<string, string>): { ns: string | undefined; local: string } {
  const colon = name.indexOf(':');
  return colon === -1 ? { ns: scope[''], local: name } : { ns: scope[name.slice(0, colon)], local: name.slice(colon + 1) };
}

function findElement(nodes: Ordered[], parent: Record<string, string>, ns: string, local: string): { node: Ordered; scope: Record<string, string> } | undefined {
  for (const node of nodes) {
    const tag = tagOf(node);
    if (!tag) continue;
    const scope = scopeOf(node, parent);
    const name = qualified(tag, scope);
    if (name.ns === ns && name.local === local) return { node, scope };
    const inner = Array.isArray(node[tag]) ? findElement(node[tag] as Ordered[], scope, ns, local) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

/** Sets the text of a child element, or inserts it before the first child that must follow it. */
function upsert(
  children: Ordered[],
  scope: Record<string, string>,
  target: { ns: string; local: string },
  value: string,
  prefixFor: (uri: string) => string,
  follows: (ns: string | undefined, local: string) => boolean,
): void {
  const located = children.map((child) => {
    const tag = tagOf(child);
    return tag ? qualified(tag, scopeOf(child, scope)) : undefined;
  });
  const existing = located.findIndex((name) => name?.ns === target.ns && name.local === target.local);
  if (existing !== -1) {
    const child = children[existing]!;
    children[existing] = { ...child, [tagOf(child)!]: [{ '#text': value }] };
    return;
  }
  const before = located.findIndex((name) => name !== undefined && follows(name.ns, name.local));
  const element = { [`${prefixFor(target.ns)}:${target.local}`]: [{ '#text': value }] };
  children.splice(before === -1 ? children.length : before, 0, element);
}
