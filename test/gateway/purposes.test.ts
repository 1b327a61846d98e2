/**
 * The purpose catalogue (gateway/auth/purposes.ts) and `@access(purposes:)` in the one grant
 * check both sides use (schema/accessPolicy.ts meetsGrant).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePurposeCatalogue, readPurposeCatalogue } from '../../gateway/auth/purposes';
import { ConfigInvalid } from '../../runtime/config';
import { accessDeclarations, describeGrant, meetsGrant, type AccessGrant } from '../../schema/accessPolicy';

describe('the purpose catalogue', () => {
  const catalogue = parsePurposeCatalogue({ purposes: [{ id: 'P-32', uses: ['payments'] }, { id: 'P-32.1', uses: ['payments', 'debt-collection'] }, { id: 'P-27', uses: [] }] });

  it('gives a purpose the uses of the entry it is, or begins with and a space; the longest id wins', () => {
    expect(catalogue.usesOf('P-32')).toEqual(['payments']);
    expect(catalogue.usesOf('P-32 Sygedagpenge')).toEqual(['payments']);
    expect(catalogue.usesOf('P-32.1 Tilbagebetaling')).toEqual(['payments', 'debt-collection']);
    expect(catalogue.usesOf('P-27 Hjemmehjælp')).toEqual([]);
  });

  it('gives nothing to a purpose it does not list, a look-alike, or none', () => {
    for (const purpose of ['P-321', 'P-32X', 'p-32', 'Sygedagpenge P-32', '', null]) expect(catalogue.usesOf(purpose)).toEqual([]);
  });

  it('refuses a bad catalogue, naming each problem', () => {
    const error = (() => {
      try {
        parsePurposeCatalogue({ purposes: [{ id: 'P-1', uses: ['Payments'] }, { id: ' P-2', uses: [] }, { id: 'P-3' }] });
      } catch (e) {
        return e as ConfigInvalid;
      }
    })();
    expect(error).toBeInstanceOf(ConfigInvalid);
    const text = error!.issues.join('\n');
    expect(text).toMatch(/purposes\.0\.uses\.0.*lowercase word/);
    expect(text).toMatch(/purposes\.1\.id.*space/);
    expect(text).toMatch(/purposes\.2\.uses/);
    // Listed twice is judged on a catalogue whose entries are each well formed.
    expect(() => parsePurposeCatalogue({ purposes: [{ id: 'P-1', uses: [] }, { id: 'P-1', uses: ['payments'] }] })).toThrow(/purposes\.1\.id.*purpose P-1 is listed twice/);
    expect(() => parsePurposeCatalogue({ purposes: [], extra: true })).toThrow(ConfigInvalid);
  });

  it('the example catalogue reads, and lets P-32 and P-36 pay', () => {
    const example = readPurposeCatalogue(new URL('../../config/purposes.example.json', import.meta.url).pathname);
    expect(example.usesOf('P-32 Sygedagpenge')).toEqual(['payments']);
    expect(example.usesOf('P-36')).toEqual(['payments']);
    expect(example.usesOf('demo: sagsbehandling')).toEqual([]);
    expect(() => readPurposeCatalogue('/nowhere/purposes.json')).toThrow(/cannot read \/nowhere\/purposes\.json as JSON/);
  });
});

describe('@access(purposes:)', () => {
  const grant: AccessGrant = { roles: ['caseworker', 'citizen'], scopes: [['nemkonto:read']], purposes: ['payments'] };

  it('needs the role or scopes and, for an organisation, a purpose that allows one of the uses', () => {
    expect(meetsGrant(grant, { roles: ['caseworker'], scopes: [], purposeUses: ['payments'] })).toBe(true);
    expect(meetsGrant(grant, { roles: ['caseworker'], scopes: [], purposeUses: [] })).toBe(false);
    expect(meetsGrant(grant, { roles: ['caseworker'], scopes: [] })).toBe(false);
    expect(meetsGrant(grant, { roles: ['service'], scopes: ['nemkonto:read'], purposeUses: ['payments'] })).toBe(true);
    expect(meetsGrant(grant, { roles: ['service'], scopes: [], purposeUses: ['payments'] })).toBe(false);
    expect(meetsGrant(grant, { roles: ['auditor'], scopes: [], purposeUses: ['payments'] })).toBe(false);
  });

  it('asks no purpose of the citizen: their own data is theirs', () => {
    expect(meetsGrant(grant, { roles: ['citizen'], scopes: [], purposeUses: [] })).toBe(true);
  });

  it('alone, with no roles or scopes, holds for any caller whose purpose allows it', () => {
    expect(meetsGrant({ purposes: ['payments'] }, { roles: ['service'], scopes: [], purposeUses: ['payments'] })).toBe(true);
    expect(meetsGrant({ purposes: ['payments'] }, { roles: ['service'], scopes: [], purposeUses: ['other'] })).toBe(false);
  });

  it('says what it needs in words', () => {
    expect(describeGrant(grant)).toBe('the role caseworker or the role citizen or the scope nemkonto:read, and for an organisation a purpose that allows payments (the citizen themselves needs none)');
  });

  it('is read from the SDL, as the citizen subgraph declares it on Citizen.nemKonto', () => {
    const sdl = readFileSync(new URL('../../schema/citizen.graphql', import.meta.url), 'utf8');
    const declared = accessDeclarations(sdl).find((d) => d.typeName === 'Citizen' && d.fieldName === 'nemKonto');
    expect(declared?.grant).toEqual({ roles: ['caseworker', 'citizen'], scopes: [['nemkonto:read']], purposes: ['payments'] });
  });
});
