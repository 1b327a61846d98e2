/**
 * XSD validation of SOAP messages against the real published contracts in ../shared/contracts,
 * with xmllint-wasm (libxml2 compiled to WebAssembly: no native build, no network).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

export const contractsRoot = fileURLToPath(new URL('../../../shared/contracts/', import.meta.url));

export function requireContracts(): void {
  if (!existsSync(contractsRoot)) {
    throw new Error(`the published contracts are expected at ${contractsRoot} (../shared/contracts beside the checkout)`);
  }
}

export interface ContractSchema {
  /** Folder under contracts/ the schema files are named relative to. */
  root: string;
  /** Schema files to load, relative to root (their schemaLocations resolve against these names). */
  files: readonly string[];
  /** Namespace → schema file (relative to root) of the elements to validate. */
  entryPoints: Readonly<Record<string, string>>;
  /** In-memory amendments libxml2 needs, each with its reason; the files on disk stay untouched. */
  amendments?: readonly { file: string; reason: string; apply(text: string): string }[];
}

export const cprContract: ContractSchema = {
  root: 'cpr/sf1520-person-base-data-extended',
  files: [
    'PersonBaseDataExtendedServiceMsg.xsd',
    'xsd/PersonBaseDataExtendedServiceTypes.xsd',
    'sp/CallContext_1.xsd',
    'sp/AuthorityContext_1.xsd',
    'sp/InvocationContext_1.xsd',
    'sp/PNR_1.xsd',
    'sp/ServiceplatformFault_1.xsd',
  ],
  entryPoints: {
    'http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/': 'PersonBaseDataExtendedServiceMsg.xsd',
    'http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/': 'sp/ServiceplatformFault_1.xsd',
  },
  amendments: [
    {
      file: 'xsd/PersonBaseDataExtendedServiceTypes.xsd',
      reason:
        'the published types schema uses cpr:PNRType but relies on the including schema\'s import of the PNR ' +
        'namespace; XSD 1.0 wants the import in the document that refers to it, and libxml2 enforces that',
      apply: (text) =>
        text.replace(
          /(<xsd:schema\b[^>]*>)/,
          '$1<xsd:import namespace="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/" schemaLocation="../sp/PNR_1.xsd"/>',
        ),
    },
  ],
};

export const caseIndexContract: ContractSchema = {
  root: 'fesd-sagdok/sf1470-sagdokumentindeks',
  files: [
    'SagDokumentIndeksServiceMsg.xsd',
    'sp/CallContext_1.xsd',
    'sp/AuthorityContext_1.xsd',
    'sp/ServiceplatformFault_1.xsd',
    'SF1470_EP_SD1/xsd/common/RequestHeader.xsd',
    'SF1470_EP_SD1/xsd/common/SagDokObjekt.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/SagDokumentIndeksOperationer.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/GenerelleDefinitioner.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/GenerelleOperationer.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/SagOperationer.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/Sag.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/SagIndeksOperationer.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/SagIndeks.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/DokumentIndeksOperationer.xsd',
    'SF1470_EP_SD1/xsd/1.2.STS-4/DokumentIndeks.xsd',
  ],
  entryPoints: {
    'http://serviceplatformen.dk/xml/wsdl/soap11/SagDokument/SagDokumentIndeks/5/': 'SagDokumentIndeksServiceMsg.xsd',
    'http://kombit.dk/xml/schemas/RequestHeader/1/': 'SF1470_EP_SD1/xsd/common/RequestHeader.xsd',
    'http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/': 'sp/ServiceplatformFault_1.xsd',
  },
};

/** Validates one element (serialized, its namespaces declared on it) against the contract. */
export async function validateAgainst(contract: ContractSchema, elementXml: string): Promise<{ valid: boolean; errors: string[] }> {
  requireContracts();
  const base = `${contractsRoot}${contract.root}/`;
  // A wrapper schema does what <wsdl:types> does: bring every entry point's namespace in.
  const wrapper = `<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:wrapper">
${Object.entries(contract.entryPoints).map(([ns, file]) => `  <xsd:import namespace="${ns}" schemaLocation="${file}"/>`).join('\n')}
</xsd:schema>`;
  const result = await validateXML({
    xml: [{ fileName: 'message.xml', contents: elementXml }],
    schema: [{ fileName: 'wrapper.xsd', contents: wrapper }],
    preload: contract.files.map((file) => {
      const text = readFileSync(base + file, 'utf8');
      const amendment = contract.amendments?.find((a) => a.file === file);
      return { fileName: file, contents: amendment ? amendment.apply(text) : text };
    }),
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}

/**
 * The children of a SOAP envelope's Body (or Header), each serialized on its own with the
 * namespace declarations it inherits from the Envelope re-declared on it.
 */
export function soapPartElements(envelopeXml: string, part: 'Body' | 'Header'): string[] {
  const envelopeTag = /<([A-Za-z_][\w.-]*:)?Envelope\b([^>]*)>/.exec(envelopeXml);
  const partMatch = new RegExp(`<([A-Za-z_][\\w.-]*:)?${part}\\b([^>]*)>([\\s\\S]*?)</\\1?${part}>`).exec(envelopeXml);
  if (!envelopeTag || !partMatch) return [];
  const inherited = new Map<string, string>();
  for (const attrs of [envelopeTag[2] ?? '', partMatch[2] ?? '']) {
    for (const [, name, value] of attrs.matchAll(/\s(xmlns(?::[\w.-]+)?)="([^"]*)"/g)) inherited.set(name as string, value as string);
  }
  return topLevelElements(partMatch[3] ?? '').map((element) => {
    const start = /^<[^\s>/]+([^>]*)>/.exec(element);
    const declared = new Set([...(start?.[1] ?? '').matchAll(/\s(xmlns(?::[\w.-]+)?)=/g)].map((m) => m[1]));
    const extra = [...inherited].filter(([name]) => !declared.has(name)).map(([name, value]) => ` ${name}="${value}"`).join('');
    return element.replace(/^(<[^\s>/]+)/, `$1${extra}`);
  });
}

/** Splits serialized content into its top-level elements (comments and text dropped). */
function topLevelElements(content: string): string[] {
  const elements: string[] = [];
  let depth = 0;
  let start = -1;
  const tags = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)[^>]*?(\/?)>/g;
  for (const match of content.matchAll(tags)) {
    if (match[0].startsWith('<!--') || match[0].startsWith('<?')) continue;
    const closing = match[1] === '/';
    const selfClosing = match[2] === '/';
    if (!closing && depth === 0) start = match.index ?? 0;
    if (closing) depth--;
    else if (!selfClosing) depth++;
    if (depth === 0 && start >= 0) {
      elements.push(content.slice(start, (match.index ?? 0) + match[0].length));
      start = -1;
    }
  }
  return elements;
}
