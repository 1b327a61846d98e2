/**
 * XML reading and writing for adapters, on fast-xml-parser. Reading strips namespace prefixes
 * (mapping functions address elements by local name, as the contracts are unambiguous within
 * one response); writing escapes every text and attribute value, so input such as a CPR
 * argument carrying `</PNR>` can never alter an envelope.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: true,
  suppressEmptyNode: true,
  // fast-xml-parser's default prints an attribute valued "true" bare (`xsi:nil`), as HTML would: not XML.
  suppressBooleanAttributes: false,
});

/** The parsed document, or undefined when the text is not well-formed XML. */
export function parseXml(xml: string): XmlNode | undefined {
  if (XMLValidator.validate(xml) !== true) return undefined;
  return parser.parse(xml) as XmlNode;
}

/** Serializes a fast-xml-parser builder object (attributes under `@_`). */
export function buildXml(content: XmlNode): string {
  return builder.build(content) as string;
}

/** Follows child names from `node`; takes the first item where a name repeats. */
export function pathOf(node: unknown, path: readonly string[]): XmlNode | undefined {
  let current: unknown = node;
  for (const name of path) {
    if (current === null || typeof current !== 'object') return undefined;
    let next = (current as XmlNode)[name];
    if (Array.isArray(next)) next = next[0];
    if (next === undefined) return undefined;
    current = typeof next === 'object' && next !== null ? next : { '#text': next };
  }
  return current as XmlNode;
}

/** The text of the element at `path`, or undefined when absent. */
export function textAt(node: unknown, path: readonly string[]): string | undefined {
  const found = pathOf(node, path);
  if (!found) return undefined;
  const text = found['#text'];
  return text === undefined ? (Object.keys(found).length === 0 ? '' : undefined) : String(text);
}

/** All elements named `name` under `node`, whether the parser made one or a list. */
export function listAt(node: unknown, path: readonly string[]): XmlNode[] {
  if (path.length === 0) return [];
  const parent = path.length === 1 ? node : pathOf(node, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return [];
  const value = (parent as XmlNode)[path[path.length - 1] as string];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': v }));
}
