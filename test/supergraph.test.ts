import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, SUPERGRAPH_HEADER, supergraphPath } from '../schema';

describe('schema/supergraph.graphql', () => {
  it('is what composing the subgraph SDLs gives today (run `npm run compose` after editing an SDL)', () => {
    expect(readFileSync(supergraphPath, 'utf8')).toBe(composeSupergraph());
  });

  it('says it is generated, by which script, and not to edit it', () => {
    expect(readFileSync(supergraphPath, 'utf8').startsWith(SUPERGRAPH_HEADER)).toBe(true);
    expect(SUPERGRAPH_HEADER).toMatch(/npm run compose.*Do not edit/);
  });

  it('keeps the CPR address key internal: it is @inaccessible in the public graph', () => {
    const sdl = readFileSync(supergraphPath, 'utf8');
    expect(sdl).toMatch(/registeredAddress: CprAddressKey[^\n]*@inaccessible/);
  });
});
