/**
 * The one pass `verify` makes over a trail: leaves streamed in index order, each recomputed from
 * its record, appended to one Merkle frontier; every signed checkpoint's root compared as the pass
 * reaches its size; purges and open intents judged on the way. Memory is the frontier (O(log n)),
 * the open intents and one page of leaves, whatever the trail's length.
 *
 * The pass may start from a checkpoint the auditor kept (`from`): the frontier of that size, shown
 * to have the kept root, stands for every leaf before it, and the pass writes the RFC 9162
 * consistency proof from the kept checkpoint to the latest one as it reads the leaves after it.
 */
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { canonicalJson } from './accessRecord';
import { alignedRanges, ConsistencyProofWriter, leafHash, MerkleFrontier, verifyConsistency } from './merkle';

export interface Checkpoint {
  treeSize: number;
  /** hex */
  rootHash: string;
  /** base64 */
  signature: string;
  signedAt: string;
}

/** What a purged record keeps in the clear. */
export interface Purge {
  at: Date;
  /** The record's timeIn and the retention applied; null when not kept. */
  timeIn: Date | null;
  retentionDays: number | null;
  /** Purged before purges kept them (migration 3). */
  legacy: boolean;
}

/** A block of records a retention purge dropped (audit_sealed): what is left of it. */
export interface SealedBlock {
  start: number;
  end: number;
  /** The roots of the block's aligned subtrees (`alignedRanges(start, end)`), in order. */
  roots: Buffer[];
  /** Records the block held when it was dropped. */
  records: number;
  purgedAt: Date;
  /** The latest timeIn in the block; null when none was kept. */
  maxTimeIn: Date | null;
  /** The shortest retention the drop applied to any record in the block. */
  minRetentionDays: number;
}

export interface LeafRow {
  idx: number;
  /** The leaf hash as stored. */
  leaf: Buffer;
  payload: unknown;
  purge: Purge | undefined;
}

/** A write's intent with no outcome recorded after it (one per request). */
export interface OpenIntent {
  requestId: string;
  /** The index of the request's first intent record that is still open. */
  index: number;
  /** When the intent was recorded (its timeOut): the write was about to be made. */
  time: string;
}

/** The consistency of a kept checkpoint with the latest one, and the proof an auditor can recheck. */
export interface Consistency {
  from: { treeSize: number; rootHash: string };
  /** The latest signed checkpoint the pass reached; the kept one itself when none is newer. */
  to: Checkpoint;
  /** PROOF(from, to) of RFC 9162 §2.1.4, hex, in order; empty when it cannot be written. */
  proof: string[];
  /**
   * Whether the kept checkpoint is a prefix of the latest: the proof verifies, or (when a purge
   * dropped what the proof needs) the kept frontier, extended by the pass, gave the latest root.
   */
  consistent: boolean;
  /** Why there is no proof, when there is none (a purge dropped records a proof node covers). */
  proofUnavailable?: string;
}

export interface PassReport {
  /** Leaves read (from the start or from the kept checkpoint). */
  records: number;
  checkpoints: number;
  problems: string[];
  warnings: string[];
  openIntents: OpenIntent[];
  consistency?: Consistency;
}

export interface PassProgress {
  /** Leaves read so far in this pass. */
  read: number;
  /** Leaves the pass will read. */
  total: number;
}

const DAY_MS = 86_400_000;
/**
 * How long before the latest evidence of its append (a signed checkpoint not covering it, the
 * answer time of an earlier record) a record's request may have come in: a request's lifetime
 * plus clock skew between writers, generously. 1 day.
 */
const MAX_REQUEST_SPAN_MS = DAY_MS;
/** How far a purge time may lie after the verifier's clock (skew between hosts). 1 hour. */
const MAX_CLOCK_SKEW_MS = 3_600_000;

/** The bytes a checkpoint's signature is over. */
export function checkpointMessage(size: number, rootHex: string, signedAt: string): Buffer {
  return Buffer.from(`kommune-graph audit checkpoint\n${size}\n${rootHex}\n${signedAt}`);
}

export interface PassInput {
  /** The leaves from `from`'s size (0 for a full pass) up to `records`, in index order. */
  leaves: AsyncIterable<LeafRow>;
  /** How many leaves `leaves` gives (the trail's length when the pass began, less `from`'s size). */
  total: number;
  /** The stored checkpoints larger than `from`, by size, up to the trail's length at the start. */
  checkpoints: AsyncIterable<Checkpoint>;
  /** Stored checkpoints larger than the trail (a truncated tail shows against them). */
  beyond: readonly Checkpoint[];
  /** The blocks retention purges dropped, by start. */
  sealed: readonly SealedBlock[];
  /** A checkpoint the auditor kept, to check against as well (full pass only). */
  kept?: Checkpoint;
  /** Start after this kept checkpoint, with the frontier of its size (shown to have its root). */
  from?: { checkpoint: Checkpoint; frontier: MerkleFrontier };
  /** The largest stored checkpoint size at or below the trail's length: the proof's target. */
  latestSize?: number;
  publicKey: KeyObject;
  minRetentionDays: number;
  now: Date;
  /** Intents recorded after this instant are writes in flight, not open. */
  intentsRecordedBefore: number;
  onProgress?: (progress: PassProgress) => void;
}

export async function verifyPass(input: PassInput): Promise<PassReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const start = input.from?.frontier.size ?? 0;
  const frontier = input.from ? MerkleFrontier.restore(start, input.from.frontier.subtreeRoots()) : new MerkleFrontier();
  const signed = (c: Checkpoint) => verifySignature(null, checkpointMessage(c.treeSize, c.rootHash, c.signedAt), input.publicKey, Buffer.from(c.signature, 'base64'));
  const purges = new PurgeCheck(input.minRetentionDays, input.now, input.from ? Date.parse(input.from.checkpoint.signedAt) : Number.NEGATIVE_INFINITY);
  const intents = new OpenIntents();
  let checkpointsSeen = 0;
  let latest: Checkpoint | undefined = input.from?.checkpoint;
  let latestMatched = true;
  const proof = input.from && input.latestSize !== undefined && input.latestSize > start ? new ConsistencyProofWriter(frontier, input.latestSize) : undefined;

  // The checkpoints come from the store in size order; the kept one is merged in by its size.
  const stored = input.checkpoints[Symbol.asyncIterator]();
  let storedNext = await stored.next();
  let keptPending = input.kept;
  const nextCheckpoint = (): (Checkpoint & { label: string }) | undefined => {
    const s = storedNext.done ? undefined : storedNext.value;
    if (keptPending && (!s || keptPending.treeSize < s.treeSize)) {
      const kept = keptPending;
      keptPending = undefined;
      return { ...kept, label: `the kept checkpoint of ${kept.treeSize} records` };
    }
    return s ? { ...s, label: `checkpoint ${s.treeSize}` } : undefined;
  };
  let pending = nextCheckpoint();
  const advance = async (taken: Checkpoint & { label: string }) => {
    if (!taken.label.startsWith('the kept')) {
      checkpointsSeen++;
      storedNext = await stored.next();
    }
    pending = nextCheckpoint();
  };
  /** Every checkpoint of the current size, now that the pass holds exactly that many leaves. */
  const checkpointsAt = async (size: number) => {
    while (pending && pending.treeSize <= size) {
      const c = pending;
      if (!signed(c)) problems.push(`${c.label} is not signed by the trail's key`);
      else {
        purges.appendedAfter(Date.parse(c.signedAt));
        const matched = frontier.root().toString('hex') === c.rootHash;
        if (!matched) problems.push(`${c.label} does not match the records: some of the first ${c.treeSize} were altered, removed, inserted or reordered`);
        if (!c.label.startsWith('the kept') && (!latest || c.treeSize >= latest.treeSize)) {
          latest = c;
          latestMatched = matched;
        }
      }
      await advance(c);
    }
  };

  let position = start;
  let read = 0;
  // A dropped block stands in the tree as its subtree roots; the checkpoints inside it can no longer
  // be compared (their leaves are gone), but every later one covers the block through those roots.
  let block = 0;
  /** Every dropped block that starts at or before `idx`, the index of the next row read. */
  const sealedAt = async (idx: number) => {
    for (; block < input.sealed.length && input.sealed[block]!.start <= idx; block++) {
      const b = input.sealed[block]!;
      const label = `the records ${b.start}..${b.end - 1} a purge dropped`;
      if (b.end <= start) continue;
      await checkpointsAt(position);
      const ranges = b.start === position ? alignedRanges(b.start, b.end) : [];
      if (ranges.length === 0 || ranges.length !== b.roots.length) {
        problems.push(`${label} do not fit the trail: ${b.start === position ? 'their stored subtree roots are not the ones such a block has' : `the block starts at ${b.start} where the trail is at ${position}`}`);
        continue;
      }
      ranges.forEach((r, i) => frontier.appendSubtree(b.roots[i]!, r.end - r.start));
      if (proof) ranges.forEach((r, i) => r.start < proof.n && proof.addSubtree(b.roots[i]!, r.start, r.end));
      while (pending && pending.treeSize < b.end) {
        const c = pending;
        if (!signed(c)) problems.push(`${c.label} is not signed by the trail's key`);
        else {
          purges.appendedAfter(Date.parse(c.signedAt));
          if (c.label.startsWith('the kept')) warnings.push(`${c.label} lies inside ${label}: it cannot be compared with them`);
        }
        await advance(c);
      }
      purges.block(b, label, problems);
      position = b.end;
    }
  };
  for await (const row of input.leaves) {
    await sealedAt(row.idx);
    await checkpointsAt(position);
    // An edited record cannot hide behind its old hash: the leaf is recomputed from the record as
    // stored. A purged record has only its leaf hash left, which the signed roots still cover.
    const leaf = row.purge ? row.leaf : leafHash(Buffer.from(canonicalJson(row.payload)));
    if (row.idx !== position) problems.push(`record ${position} is missing or out of place (found index ${row.idx} there)`);
    if (!row.purge && row.payload === null) problems.push(`record ${row.idx} lost its payload without being purged`);
    else if (!leaf.equals(row.leaf)) problems.push(`record ${row.idx} was altered after it was written`);
    frontier.append(leaf);
    if (proof && position < proof.n) proof.add(leaf);
    purges.entry(row, problems, warnings);
    intents.entry(row);
    position++;
    read++;
    if (input.onProgress && read % 10_000 === 0) input.onProgress({ read, total: input.total });
  }
  await sealedAt(Number.MAX_SAFE_INTEGER);
  await checkpointsAt(position);
  input.onProgress?.({ read, total: input.total });
  // What is left lies beyond the leaves: a tail was removed (or the checkpoint is forged).
  for (let c = pending; c; c = pending) {
    if (!signed(c)) problems.push(`${c.label} is not signed by the trail's key`);
    else problems.push(`${c.label} covers ${c.treeSize} records but the trail holds ${position}: records were removed from its end`);
    await advance(c);
  }
  for (const c of input.beyond) {
    checkpointsSeen++;
    if (!signed(c)) problems.push(`checkpoint ${c.treeSize} is not signed by the trail's key`);
    else problems.push(`checkpoint ${c.treeSize} covers ${c.treeSize} records but the trail holds ${position}: records were removed from its end`);
  }

  const report: PassReport = { records: read, checkpoints: checkpointsSeen, problems, warnings, openIntents: intents.open(input.intentsRecordedBefore) };
  if (input.from && latest) {
    const fromCheckpoint = input.from.checkpoint;
    const unavailable = proof?.unavailableBecause;
    const hashes = proof && !unavailable && latest.treeSize === proof.n && position >= proof.n ? proof.proof() : [];
    const consistent =
      latest.treeSize === fromCheckpoint.treeSize
        ? latest.rootHash === fromCheckpoint.rootHash
        : unavailable
          ? latestMatched
          : hashes.length > 0 && verifyConsistency(fromCheckpoint.treeSize, latest.treeSize, Buffer.from(fromCheckpoint.rootHash, 'hex'), Buffer.from(latest.rootHash, 'hex'), hashes);
    if (!consistent) problems.push(`the kept checkpoint of ${fromCheckpoint.treeSize} records is not consistent with checkpoint ${latest.treeSize}: the records it covers were changed`);
    report.consistency = {
      from: { treeSize: fromCheckpoint.treeSize, rootHash: fromCheckpoint.rootHash },
      to: { treeSize: latest.treeSize, rootHash: latest.rootHash, signature: latest.signature, signedAt: latest.signedAt },
      proof: hashes.map((h) => h.toString('hex')),
      consistent,
      ...(unavailable ? { proofUnavailable: unavailable } : {}),
    };
  }
  return report;
}

/**
 * A purge is checked against what it kept in the clear: the record's timeIn and the retention
 * applied must put the end of retention at or before the purge, the retention must be at least the
 * floor, the purge must not lie in the future, and the kept timeIn must fit the authenticated
 * evidence of when the record was appended (checkpoints signed before it, answer times of the
 * intact records before it), so backdating the kept timeIn of a recent record shows.
 *
 * Records purged before purges kept anything (migration 3 marks them) are warnings: nothing left
 * can prove or disprove their purge. A purged record with nothing kept and no such mark is a
 * problem: no purge of this trail leaves that.
 */
class PurgeCheck {
  constructor(
    private readonly minRetentionDays: number,
    private readonly now: Date,
    /** The latest authenticated time before which the next record cannot have been appended. */
    private after: number,
  ) {}

  appendedAfter(time: number): void {
    if (!Number.isNaN(time)) this.after = Math.max(this.after, time);
  }

  /**
   * A dropped block: nothing in it may have been younger than the floor when it was dropped, the
   * drop must not lie in the future, and its latest timeIn must fit the evidence of when its
   * records were appended (a recent block dropped under an old timeIn shows).
   */
  block(b: SealedBlock, label: string, problems: string[]): void {
    if (b.minRetentionDays < this.minRetentionDays) {
      problems.push(`${label} were dropped under a retention of ${b.minRetentionDays} days, below the minimum retention of ${this.minRetentionDays} days`);
    }
    if (b.maxTimeIn === null) {
      problems.push(`${label} were dropped without the latest timeIn a drop keeps: not dropped by this trail, or tampered with`);
    } else {
      const latest = b.maxTimeIn.getTime();
      if (latest + this.minRetentionDays * DAY_MS > b.purgedAt.getTime()) {
        problems.push(`${label} were dropped at ${b.purgedAt.toISOString()}, before the minimum retention of ${this.minRetentionDays} days from their latest timeIn ${b.maxTimeIn.toISOString()} ran out`);
      }
      if (latest < this.after - MAX_REQUEST_SPAN_MS) {
        problems.push(`${label} were dropped as if the latest came in at ${b.maxTimeIn.toISOString()}, but they were appended after ${new Date(this.after).toISOString()}: the kept timeIn was backdated`);
      }
      this.appendedAfter(latest);
    }
    if (b.purgedAt.getTime() > this.now.getTime() + MAX_CLOCK_SKEW_MS) {
      problems.push(`${label} claim a drop at ${b.purgedAt.toISOString()}, which has not happened yet`);
    }
  }

  entry(row: LeafRow, problems: string[], warnings: string[]): void {
    const { purge } = row;
    if (!purge) {
      this.appendedAfter(Date.parse(String((row.payload as { timeOut?: unknown } | null)?.timeOut)));
      return;
    }
    const label = `record ${row.idx}`;
    const iso = (ms: number) => new Date(ms).toISOString();
    if (purge.timeIn === null || purge.retentionDays === null) {
      if (purge.legacy) warnings.push(`${label} was purged before purges kept its timeIn and retention: that purge cannot be checked`);
      else problems.push(`${label} lost its payload without the timeIn and retention a purge keeps: not purged by this trail, or tampered with`);
      return;
    }
    const timeIn = purge.timeIn.getTime();
    const retentionEnds = timeIn + purge.retentionDays * DAY_MS;
    if (purge.retentionDays < this.minRetentionDays) {
      problems.push(`${label} was purged after ${purge.retentionDays} days, below the minimum retention of ${this.minRetentionDays} days`);
    }
    if (retentionEnds > purge.at.getTime()) {
      problems.push(`${label} was purged at ${purge.at.toISOString()}, before its retention of ${purge.retentionDays} days from ${iso(timeIn)} ran out`);
    }
    if (purge.at.getTime() > this.now.getTime() + MAX_CLOCK_SKEW_MS) {
      problems.push(`${label} claims a purge at ${purge.at.toISOString()}, which has not happened yet`);
    }
    if (timeIn < this.after - MAX_REQUEST_SPAN_MS) {
      problems.push(`${label} was purged as if it came in at ${iso(timeIn)}, but it was appended after ${iso(this.after)}: its kept timeIn was backdated`);
    }
  }
}

/**
 * Each request whose intent has no record with another outcome after it. Purged records are
 * skipped: their payload, requestId and outcome are gone.
 */
class OpenIntents {
  private readonly byRequest = new Map<string, OpenIntent>();

  entry(row: LeafRow): void {
    if (row.purge || row.payload === null || typeof row.payload !== 'object') return;
    const { requestId, outcome, timeOut } = row.payload as { requestId?: unknown; outcome?: unknown; timeOut?: unknown };
    if (typeof requestId !== 'string') return;
    if (outcome !== 'intent') this.byRequest.delete(requestId);
    else if (!this.byRequest.has(requestId)) this.byRequest.set(requestId, { requestId, index: row.idx, time: String(timeOut) });
  }

  /** Oldest first; those recorded after `recordedBefore` are writes still in flight. A time that does not parse is reported. */
  open(recordedBefore: number): OpenIntent[] {
    return [...this.byRequest.values()].filter((intent) => !(Date.parse(intent.time) > recordedBefore)).sort((a, b) => a.index - b.index);
  }
}
