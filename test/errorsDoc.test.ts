import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_CODES, publicErrorCodes } from '../gateway/errors';
import { Forbidden, LegacyBadResponse, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from '../adapters/core/errors';

/** The table's rows: code and HTTP column (the last cell; the meaning may hold anything but "|"). */
const rows = [...readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8').matchAll(/^\| `([A-Z_]+)` \|.*\| ([^|]*?) \|\s*$/gm)].map(
  (m) => ({ code: m[1]!, http: m[2]! }),
);
const documented = new Set(rows.map((r) => r.code));
const registry: Record<string, { status: number | null; atField?: true }> = GATEWAY_ERROR_CODES;

/** How docs/errors.md writes a registry entry's status (the page defines the column's three forms). */
function httpColumn(entry: { status: number | null; atField?: true }): string {
  if (entry.status === null) return '200 at a field';
  return entry.atField ? `${entry.status}, or 200 at a field` : String(entry.status);
}

describe('docs/errors.md', () => {
  it('reads the table it checks', () => {
    expect(rows.length).toBeGreaterThan(10);
  });

  it('documents every code of the registry, and no code that is not in it', () => {
    expect(documented).toEqual(new Set(Object.keys(GATEWAY_ERROR_CODES)));
  });

  it('documents each code once', () => {
    expect(rows.length).toBe(documented.size);
  });

  it('documents every code a client can see, and no code that does not exist', () => {
    expect(documented).toEqual(new Set([...publicErrorCodes, 'INTERNAL_SERVER_ERROR']));
  });

  it.each(rows)('gives $code the HTTP status the registry gives it', ({ code, http }) => {
    expect(http).toBe(httpColumn(registry[code]!));
  });

  it('lets every legacy error code through the gateway mask', () => {
    for (const Type of [NotFound, Forbidden, LegacyFault, LegacyTimeout, LegacyUnavailable, LegacyBadResponse]) {
      expect(publicErrorCodes.has(new Type('x', { system: 'cpr' }).code)).toBe(true);
    }
  });
});
