import { describe, expect, it } from 'vitest';
import { consistencyProof, ConsistencyProofWriter, inclusionProof, leafHash, MerkleFrontier, rootOf, verifyConsistency, verifyInclusion } from '../merkle';

// RFC 6962 reference test data (Certificate Transparency): eight entries and the tree heads of
// sizes 0..8, audit paths and consistency proofs, as published with the reference implementation.
const ENTRIES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];
const CONSISTENCY: { m: number; n: number; proof: string[] }[] = [
  { m: 1, n: 1, proof: [] },
  { m: 1, n: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { m: 6, n: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { m: 2, n: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];
const LEAVES = ENTRIES.map(leafHash);
const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));
const bytes = (hashes: string[]) => hashes.map((h) => Buffer.from(h, 'hex'));

describe('RFC 6962 Merkle tree', () => {
  it('gives the published tree head for every size 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(rootOf(LEAVES.slice(0, n)).toString('hex'), `size ${n}`).toBe(ROOTS[n]);
  });

  it.each(INCLUSION)('gives and verifies the published audit path of leaf $index in a tree of $size', ({ index, size, proof }) => {
    expect(hex(inclusionProof(index, LEAVES.slice(0, size)))).toEqual(proof);
    expect(verifyInclusion(LEAVES[index]!, index, size, bytes(proof), Buffer.from(ROOTS[size]!, 'hex'))).toBe(true);
  });

  it.each(CONSISTENCY)('gives and verifies the published consistency proof from $m to $n', ({ m, n, proof }) => {
    expect(hex(consistencyProof(m, LEAVES.slice(0, n)))).toEqual(proof);
    expect(verifyConsistency(m, n, Buffer.from(ROOTS[m]!, 'hex'), Buffer.from(ROOTS[n]!, 'hex'), bytes(proof))).toBe(true);
  });

  const many = Array.from({ length: 37 }, (_, i) => leafHash(Buffer.from([i, i * 7])));

  it('verifies every leaf in every tree size up to 37, and refuses a wrong leaf, index or root', () => {
    for (let size = 1; size <= many.length; size++) {
      const leaves = many.slice(0, size);
      const root = rootOf(leaves);
      for (let i = 0; i < size; i++) {
        const proof = inclusionProof(i, leaves);
        expect(verifyInclusion(leaves[i]!, i, size, proof, root)).toBe(true);
        expect(verifyInclusion(leafHash(Buffer.from('x')), i, size, proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaves[i]!, (i + 1) % size, size, proof, root)).toBe(false);
      }
      if (size < many.length) expect(verifyInclusion(leaves[0]!, 0, size, inclusionProof(0, leaves), rootOf(many.slice(0, size + 1)))).toBe(false);
    }
  });

  it('proves every prefix consistent with every larger tree up to 37, and refuses a rewritten history', () => {
    for (let n = 1; n <= many.length; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(m, many.slice(0, n));
        expect(verifyConsistency(m, n, rootOf(many.slice(0, m)), rootOf(many.slice(0, n)), proof), `${m}→${n}`).toBe(true);
        if (m < n) {
          const rewritten = [...many.slice(0, n)];
          rewritten[m - 1] = leafHash(Buffer.from('edited'));
          expect(verifyConsistency(m, n, rootOf(many.slice(0, m)), rootOf(rewritten), proof)).toBe(false);
        }
      }
    }
  });
});

describe('MerkleFrontier', () => {
  it('gives the same tree head as MTH after every append, up to 100 leaves', () => {
    const frontier = new MerkleFrontier();
    const leaves = Array.from({ length: 100 }, (_, i) => leafHash(Buffer.from([i, 255 - i])));
    expect(frontier.root().toString('hex')).toBe(ROOTS[0]);
    leaves.forEach((leaf, i) => {
      frontier.append(leaf);
      expect(frontier.size).toBe(i + 1);
      expect(frontier.root().equals(rootOf(leaves.slice(0, i + 1)))).toBe(true);
    });
  });
  it('is restored from its size and subtree roots to the same frontier, which then grows alike, for every size up to 70', () => {
    const leaves = Array.from({ length: 80 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    for (let size = 0; size <= 70; size++) {
      const grown = new MerkleFrontier();
      leaves.slice(0, size).forEach((leaf) => grown.append(leaf));
      const restored = MerkleFrontier.restore(size, grown.subtreeRoots());
      expect(restored.size).toBe(size);
      expect(restored.root()).toEqual(rootOf(leaves.slice(0, size)));
      for (const leaf of leaves.slice(size, size + 10)) restored.append(leaf);
      expect(restored.root()).toEqual(rootOf(leaves.slice(0, size + 10)));
    }
    expect(() => MerkleFrontier.restore(3, [leaves[0]!])).toThrow(/3 leaves has 2 subtree roots, not 1/);
  });
});

describe('ConsistencyProofWriter: the proof from an old frontier and the new leaves, read once', () => {
  const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`record ${i}`)));
  const writeProof = (m: number, n: number) => {
    const old = new MerkleFrontier();
    leaves.slice(0, m).forEach((leaf) => old.append(leaf));
    const writer = new ConsistencyProofWriter(old, n);
    leaves.slice(m, n).forEach((leaf) => writer.add(leaf));
    return writer.proof();
  };

  it('writes the same proof as the one from all leaves, for every m ≤ n up to 70', () => {
    for (let n = 1; n <= 70; n++) for (let m = 1; m <= n; m++) expect(writeProof(m, n), `${m}→${n}`).toEqual(consistencyProof(m, leaves.slice(0, n)));
  });

  it('writes the same proof at seeded random sizes up to 300', () => {
    let seed = 7;
    const next = (below: number) => ((seed = (seed * 48271) % 2147483647) % below);
    for (let i = 0; i < 60; i++) {
      const n = 1 + next(300);
      const m = 1 + next(n);
      const proof = writeProof(m, n);
      expect(proof).toEqual(consistencyProof(m, leaves.slice(0, n)));
      expect(verifyConsistency(m, n, rootOf(leaves.slice(0, m)), rootOf(leaves.slice(0, n)), proof)).toBe(true);
    }
  });

  it('refuses to write before every new leaf is added, or past n', () => {
    const old = new MerkleFrontier();
    leaves.slice(0, 5).forEach((leaf) => old.append(leaf));
    const writer = new ConsistencyProofWriter(old, 7);
    writer.add(leaves[5]!);
    expect(() => writer.proof()).toThrow(/1 leaves still to add/);
    writer.add(leaves[6]!);
    expect(() => writer.add(leaves[7]!)).toThrow(/beyond the tree of 7/);
  });
});

describe('MerkleFrontier.appendSubtree: what a dropped partition leaves', () => {
  const leaves = Array.from({ length: 64 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
  it('gives the root the leaves would have, for every aligned block of a 64-leaf tree', () => {
    for (let size = 1; size <= 32; size *= 2) {
      for (let start = 0; start + size <= 64; start += size) {
        const frontier = new MerkleFrontier();
        leaves.slice(0, start).forEach((leaf) => frontier.append(leaf));
        frontier.appendSubtree(rootOf(leaves.slice(start, start + size)), size);
        leaves.slice(start + size).forEach((leaf) => frontier.append(leaf));
        expect(frontier.root(), `${start}+${size}`).toEqual(rootOf(leaves));
      }
    }
  });
  it('refuses a block that is not aligned or not a power of two', () => {
    const frontier = new MerkleFrontier();
    frontier.append(leaves[0]!);
    expect(() => frontier.appendSubtree(leaves[1]!, 2)).toThrow(/cannot follow a tree of 1/);
    expect(() => new MerkleFrontier().appendSubtree(leaves[1]!, 3)).toThrow(/subtree of 3 leaves/);
  });
});
