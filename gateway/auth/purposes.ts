/**
 * The purpose catalogue: the deployment's processing activities (behandlingsaktiviteter) and the
 * uses each allows, e.g. that "P-32 Sygedagpenge" allows payments. A field declared
 * `@access(purposes: ["payments"])` is read by an organisation only under a purpose that allows
 * one of those uses. The token names the purpose; the catalogue, not the token, says what it
 * allows, so a client cannot widen its own purpose. Read once at start; the one decision
 * (decision.ts) looks the request's purpose up, and the subgraphs get the result in the token.
 *
 *   { "purposes": [ { "id": "P-32", "name": "Sygedagpenge", "uses": ["payments"] } ] }
 *
 * A token's purpose matches an entry when it is the entry's id, or begins with the id and a space
 * ("P-32 Sygedagpenge"), as purposes are written with their name after the id.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigInvalid, parseConfig } from '../../runtime/config';

const USE = /^[a-z][a-z0-9-]*$/;

const catalogueSchema = z.strictObject({
  purposes: z.array(
    z.strictObject({
      id: z.string().min(1).refine((id) => id.trim() === id, 'must not begin or end with a space'),
      name: z.string().min(1).optional(),
      uses: z.array(z.string().regex(USE, 'must be a lowercase word, e.g. payments')),
    }),
  ),
}).superRefine((catalogue, ctx) => {
  const seen = new Set<string>();
  catalogue.purposes.forEach((p, i) => {
    if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['purposes', i, 'id'], message: `purpose ${p.id.slice(0, 40)} is listed twice` });
    seen.add(p.id);
  });
});

export interface PurposeCatalogue {
  /** The uses the purpose allows; none for a purpose the catalogue does not list, or no purpose. */
  usesOf(purpose: string | null): readonly string[];
}

export const EMPTY_PURPOSE_CATALOGUE: PurposeCatalogue = { usesOf: () => [] };

export function parsePurposeCatalogue(input: unknown, source = 'purpose catalogue'): PurposeCatalogue {
  const { purposes } = parseConfig(source, catalogueSchema, input);
  // Longest id first, so "P-32.1" is matched before "P-32".
  const ordered = [...purposes].sort((a, b) => b.id.length - a.id.length);
  return {
    usesOf(purpose) {
      if (!purpose) return [];
      const entry = ordered.find((p) => purpose === p.id || purpose.startsWith(`${p.id} `));
      return entry ? entry.uses : [];
    },
  };
}

export function readPurposeCatalogue(path: string): PurposeCatalogue {
  const what = `purpose catalogue ${path}`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigInvalid(what, [`cannot read ${path} as JSON`]);
  }
  return parsePurposeCatalogue(json, what);
}
