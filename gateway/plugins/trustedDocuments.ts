/**
 * Trusted documents mode: only operations listed in a manifest run. The manifest is a JSON object
 * mapping the SHA-256 (hex) of each operation's exact text to that text, as front-end build tools
 * emit it; a request is accepted when the hash of its `query` is listed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import type { Refusal } from '../../runtime/httpServer';

export function documentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A manifest as the gateway uses it. */
export interface TrustedDocuments {
  /** The SHA-256 (hex) of each operation text listed: the only ones that run. */
  hashes: ReadonlySet<string>;
  /** The names of the operations the listed texts define: the only operation names metrics count (gateway/metrics.ts). */
  operationNames: ReadonlySet<string>;
}

/** The manifest's hashes and operation names; throws with the file and the reason when it cannot be used. */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`trusted documents: ${path} cannot be read as JSON`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new Error(`trusted documents: ${path} must be a JSON object of "sha256 hex": "operation text"`);
  }
  const hashes = new Set<string>();
  const operationNames = new Set<string>();
  for (const [hash, text] of Object.entries(manifest)) {
    if (typeof text !== 'string' || documentHash(text) !== hash) {
      throw new Error(`trusted documents: the entry ${hash.slice(0, 16)}… in ${path} is not the SHA-256 of its text`);
    }
    hashes.add(hash);
    for (const name of operationNamesOf(text)) operationNames.add(name);
  }
  return { hashes, operationNames };
}

/** The names of a document's operations; none when it does not parse (it would be refused when sent anyway). */
function operationNamesOf(text: string): string[] {
  try {
    return parse(text).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
  } catch {
    return [];
  }
}

/**
 * The HTTP guard for trusted documents mode: a request runs only when the SHA-256 of its exact
 * operation text is in the manifest. Refused before parsing, so an untrusted document costs
 * nothing but a hash.
 */
export function trustedDocumentsGuard(trusted: ReadonlySet<string>) {
  return (query: string | undefined): Refusal | undefined =>
    query !== undefined && trusted.has(documentHash(query))
      ? undefined
      : {
          status: 400,
          errors: [
            {
              message: 'This operation is not in the trusted documents manifest; only listed operations run here.',
              extensions: { code: 'OPERATION_NOT_TRUSTED' },
            },
          ],
        };
}
