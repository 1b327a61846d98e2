import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { publicErrorCodes } from '../gateway/plugins/maskErrors';
import { Forbidden, LegacyBadResponse, LegacyFault, LegacyTimeout, LegacyUnavailable, NotFound } from '../adapters/core/errors';

const documented = new Set(
  [...readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]),
);

describe('docs/errors.md', () => {
  it('documents every code a client can see, and no code that does not exist', () => {
    expect(documented).toEqual(new Set([...publicErrorCodes, 'INTERNAL_SERVER_ERROR']));
  });

  it('lets every legacy error code through the gateway mask', () => {
    for (const Type of [NotFound, Forbidden, LegacyFault, LegacyTimeout, LegacyUnavailable, LegacyBadResponse]) {
      expect(publicErrorCodes.has(new Type('x', { system: 'cpr' }).code)).toBe(true);
    }
  });
});
