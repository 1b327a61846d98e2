/**
 * The Merkle tree hash of RFC 6962 (Certificate Transparency) §2.1: leaf hash
 * SHA-256(0x00 ‖ entry), node hash SHA-256(0x01 ‖ left ‖ right), a tree of n leaves split at the
 * largest power of two below n; audit (inclusion) paths and consistency proofs with their
 * verification. Pure functions over leaf hashes; the audit log stores and signs the roots.
 * @see https://www.rfc-editor.org/rfc/rfc6962#section-2.1
 */
import { createHash } from 'node:crypto';

export type Hash = Buffer;

export function leafHash(entry: Uint8Array): Hash {
  return createHash('sha256').update(Buffer.from([0x00])).update(entry).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(Buffer.from([0x01])).update(left).update(right).digest();
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes. The empty tree's hash is SHA-256 of the empty string. */
export function rootOf(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
}

/**
 * The tree head of a log as it grows, in O(log n) memory and time per leaf: the roots of the
 * perfect subtrees that make up the log (its "compact range"), largest first. Folding them from
 * the right gives the same root as MTH, since MTH splits at the largest power of two.
 */
export class MerkleFrontier {
  private readonly subtrees: { size: number; hash: Hash }[] = [];
  private count = 0;

  append(leaf: Hash): void {
    this.subtrees.push({ size: 1, hash: leaf });
    this.count++;
    this.merge();
  }

  /**
   * Appends a whole perfect subtree of `size` leaves (a power of two) by its root, as if its
   * leaves were appended one by one: what a purge that dropped them keeps. The tree must end on a
   * multiple of `size`, so the subtree is aligned as RFC 6962's tree places it.
   */
  appendSubtree(hash: Hash, size: number): void {
    if (!Number.isSafeInteger(size) || size < 1 || (size & (size - 1)) !== 0 || this.count % size !== 0) {
      throw new RangeError(`a subtree of ${size} leaves cannot follow a tree of ${this.count}`);
    }
    this.subtrees.push({ size, hash });
    this.count += size;
    this.merge();
  }

  private merge(): void {
    for (;;) {
      const right = this.subtrees.at(-1);
      const left = this.subtrees.at(-2);
      if (!left || !right || left.size !== right.size) break;
      this.subtrees.splice(-2, 2, { size: left.size * 2, hash: nodeHash(left.hash, right.hash) });
    }
  }

  get size(): number {
    return this.count;
  }

  /** The roots of the perfect subtrees, largest first: with the size, all a frontier is. */
  subtreeRoots(): Hash[] {
    return this.subtrees.map((s) => s.hash);
  }

  /**
   * The frontier of a tree of `size` leaves from its subtree roots (`subtreeRoots()`): their sizes
   * are the powers of two that sum to `size`, largest first.
   */
  static restore(size: number, roots: readonly Hash[]): MerkleFrontier {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`a tree of ${size} leaves`);
    const sizes: number[] = [];
    for (let bit = 2 ** Math.floor(Math.log2(Math.max(size, 1))); bit >= 1; bit /= 2) if (Math.floor(size / bit) % 2 === 1) sizes.push(bit);
    if (sizes.length !== roots.length) throw new RangeError(`a tree of ${size} leaves has ${sizes.length} subtree roots, not ${roots.length}`);
    const frontier = new MerkleFrontier();
    sizes.forEach((s, i) => frontier.subtrees.push({ size: s, hash: Buffer.from(roots[i]!) }));
    frontier.count = size;
    return frontier;
  }

  root(): Hash {
    if (this.subtrees.length === 0) return rootOf([]);
    let root = this.subtrees.at(-1)!.hash;
    for (let i = this.subtrees.length - 2; i >= 0; i--) root = nodeHash(this.subtrees[i]!.hash, root);
    return root;
  }
}

/** PATH(m, D[n]): the audit path proving leaf m is in the tree of these leaves. */
export function inclusionProof(index: number, leaves: readonly Hash[]): Hash[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionProof(index, leaves.slice(0, k)), rootOf(leaves.slice(k))]
    : [...inclusionProof(index - k, leaves.slice(k)), rootOf(leaves.slice(0, k))];
}

/** Whether `proof` shows `leaf` at `index` in a tree of `size` leaves with this root (RFC 9162 §2.1.3.2). */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}

/** PROOF(m, D[n]): proves the tree of the first m leaves is a prefix of the tree of all n. */
export function consistencyProof(m: number, leaves: readonly Hash[]): Hash[] {
  const n = leaves.length;
  if (m < 0 || m > n) throw new RangeError(`a tree of ${m} is not a prefix of a tree of ${n}`);
  if (m === 0 || m === n) return [];
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Hash[], complete: boolean): Hash[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [rootOf(leaves)];
  const k = split(n);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), complete), rootOf(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), rootOf(leaves.slice(0, k))];
}

/** Whether `proof` shows the tree of size m (root1) is a prefix of the tree of size n (root2) (RFC 9162 §2.1.4.2). */
export function verifyConsistency(m: number, n: number, root1: Hash, root2: Hash, proof: readonly Hash[]): boolean {
  if (m < 0 || m > n) return false;
  if (m === n) return proof.length === 0 && root1.equals(root2);
  if (m === 0) return proof.length === 0;
  const path = [...proof];
  // When m is a power of two the old root is itself the first node of the path.
  if ((m & (m - 1)) === 0) path.unshift(root1);
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr = path[0];
  let sr = path[0];
  if (!fr || !sr) return false;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}

/** Leaves `start` (inclusive) to `end` (exclusive) of a tree: the subtree whose hash is a proof node. */
export interface LeafRange {
  start: number;
  end: number;
}

/** The aligned perfect subtrees, largest possible first, that leaves `start`..`end` fall into. */
export function alignedRanges(start: number, end: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  for (let at = start; at < end; ) {
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 <= end) size *= 2;
    ranges.push({ start: at, end: at + size });
    at += size;
  }
  return ranges;
}

/**
 * Which subtrees' hashes PROOF(m, D[n]) holds, in its order (RFC 9162 §2.1.4.1), without the
 * leaves: each lies wholly before m (a perfect subtree of the old tree: one of its frontier's
 * roots) or wholly from m on (made of leaves added since). So a verifier that holds the old tree's
 * frontier and reads the new leaves once can write the proof in O(log n) memory.
 */
export function consistencyProofRanges(m: number, n: number): LeafRange[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) throw new RangeError(`a tree of ${m} is not a prefix of a tree of ${n}`);
  const ranges: LeafRange[] = [];
  if (m === 0 || m === n) return ranges;
  const walk = (old: number, start: number, end: number, complete: boolean) => {
    if (old === end - start) {
      if (!complete) ranges.push({ start, end });
      return;
    }
    const k = split(end - start);
    if (old <= k) {
      walk(old, start, start + k, complete);
      ranges.push({ start: start + k, end });
    } else {
      walk(old - k, start + k, end, false);
      ranges.push({ start, end: start + k });
    }
  };
  walk(m, 0, n, true);
  return ranges;
}

/** The leaf ranges of a frontier's subtree roots (`subtreeRoots()` order) for a tree of `size`. */
export function frontierRanges(size: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let start = 0;
  for (let bit = 2 ** Math.floor(Math.log2(Math.max(size, 1))); bit >= 1; bit /= 2) {
    if (Math.floor(size / bit) % 2 === 1) {
      ranges.push({ start, end: start + bit });
      start += bit;
    }
  }
  return ranges;
}

/**
 * Writes PROOF(m, D[n]) from the frontier of the first m leaves and the leaves after it, given
 * one at a time in order (`add`), in O(log n) memory; `proof()` once all n - m are added.
 */
export class ConsistencyProofWriter {
  private readonly parts: ({ hash: Hash } | { range: LeafRange; frontier: MerkleFrontier })[];
  private next: number;

  constructor(old: MerkleFrontier, readonly n: number) {
    const m = old.size;
    const roots = old.subtreeRoots();
    const oldRanges = frontierRanges(m);
    this.next = m;
    this.parts = consistencyProofRanges(m, n).map((range) => {
      if (range.end <= m) {
        const at = oldRanges.findIndex((r) => r.start === range.start && r.end === range.end);
        // Not reached for any m < n (each old node is a frontier root); a guard, not a branch.
        if (at < 0) throw new Error(`consistency proof ${m}→${n}: the old subtree ${range.start}..${range.end} is not a frontier root`);
        return { hash: roots[at]! };
      }
      return { range, frontier: new MerkleFrontier() };
    });
  }

  /** Set when a dropped block covers part of a proof node: that node's hash is gone with it. */
  private unavailable: string | undefined;

  /**
   * A dropped block of leaves `start`..`end` (aligned, a power of two) by its root, in place of
   * its leaves. A proof node inside the block cannot be written any more; `proof()` then says so.
   */
  addSubtree(hash: Hash, start: number, end: number): void {
    if (start !== this.next) throw new RangeError(`consistency proof: a block from ${start} where leaf ${this.next} comes next`);
    this.next = end;
    for (const part of this.parts) {
      if (!('range' in part) || end <= part.range.start || part.range.end <= start) continue;
      try {
        if (start < part.range.start || part.range.end < end) throw new RangeError('straddles');
        part.frontier.appendSubtree(hash, end - start);
      } catch {
        this.unavailable = `records ${start}..${end - 1}, which a purge dropped, hold part of the proof`;
      }
    }
  }

  /** Why no proof can be written, when none can. */
  get unavailableBecause(): string | undefined {
    return this.unavailable;
  }

  /** The leaf at index `next` (m, m + 1, … n - 1). */
  add(leaf: Hash): void {
    const index = this.next++;
    if (index >= this.n) throw new RangeError(`consistency proof: leaf ${index} lies beyond the tree of ${this.n}`);
    for (const part of this.parts) if ('range' in part && part.range.start <= index && index < part.range.end) part.frontier.append(leaf);
  }

  proof(): Hash[] {
    if (this.unavailable) throw new Error(`consistency proof: ${this.unavailable}`);
    if (this.next !== this.n) throw new RangeError(`consistency proof: ${this.n - this.next} leaves still to add`);
    return this.parts.map((part) => ('hash' in part ? part.hash : part.frontier.root()));
  }
}
