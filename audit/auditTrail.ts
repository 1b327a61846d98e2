/**
 * The tamper-evident access trail: an append-only RFC 6962 Merkle log of access records in
 * PostgreSQL (embedded PGlite or a server), with checkpoints — tree size and root — signed with
 * Ed25519 every `checkpointEvery` records. `verify` recomputes every leaf from its record and every
 * checkpoint's root, so an edited, deleted, reordered or inserted record shows; a truncated tail
 * shows against a checkpoint the auditor kept.
 *
 * A purge drops a payload but keeps, in the clear, the record's timeIn and the retention applied,
 * so `verify` can also tell a purge past retention from a payload nulled early (see `verify`).
 * `verify` also names each write whose intent was recorded and whose outcome never was.
 */
import { createPrivateKey, createPublicKey, sign, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { canonicalJson, type AccessRecord, type TypeOfUse } from './accessRecord';
import { alignedRanges, leafHash, MerkleFrontier } from './merkle';
import { logger } from '../runtime/log';
import { migrate, type SqlClient } from './sql';
import { checkpointMessage, verifyPass, type Checkpoint, type Consistency, type LeafRow, type OpenIntent, type PassProgress, type SealedBlock } from './verifyPass';

export type { Checkpoint, Consistency, OpenIntent, PassProgress } from './verifyPass';

export interface VerifyReport {
  /**
   * No problems and no open intents (warnings do not count: they name what cannot be checked, not
   * what is wrong). An open intent is no sign of tampering, but a write whose outcome nobody knows
   * needs an auditor to look all the same.
   */
  ok: boolean;
  records: number;
  checkpoints: number;
  problems: string[];
  /** Records purged before purges kept their timeIn and retention (migration 3): unverifiable. */
  warnings: string[];
  /** Writes whose intent was recorded and no outcome after it, oldest first: made or not, nobody knows. */
  openIntents: OpenIntent[];
}

export interface VerifyOptions {
  /** A purge that applied a shorter retention is a problem. @default 183 (days; six months, the legal floor) */
  minRetentionDays?: number;
  /** The time to judge purges and intents against (no purge may lie after it). @default now */
  now?: Date;
  /**
   * An intent recorded less than this before `now` is a write in flight, not an open intent: on a
   * shared server the gateway may be making it while verify reads. @default 900000 (15 minutes)
   */
  intentGraceMs?: number;
  /** Called as the pass reads the leaves (every 10,000 and at the end). */
  onProgress?: (progress: PassProgress) => void;
}

/** What `verifySince` answers: the pass over what was added since the kept checkpoint, and the proof. */
export interface SinceReport extends VerifyReport {
  /** The kept checkpoint's size: the leaves before it were not read. */
  from: number;
  /** The kept checkpoint against the latest one; absent when the kept one could not be used. */
  consistency?: Consistency;
}

/** The legal floor of retention: six months (Danish practice, at least 6 months), in days. */
export const MIN_RETENTION_DAYS = 183;
/** Longer than any write (legacy call, retries, outcome record) takes. 15 minutes. */
const INTENT_GRACE_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** The most records one page holds. */
export const MAX_PAGE_LIMIT = 1000;

export interface AuditTrail {
  /** Appends the records durably (committed) before it resolves; throws when it cannot. */
  record(records: readonly AccessRecord[]): Promise<void>;
  /** Signs a checkpoint of the whole log now (none when the log is empty). */
  checkpoint(): Promise<Checkpoint | undefined>;
  latestCheckpoint(): Promise<Checkpoint | undefined>;
  /**
   * Recomputes every leaf and checkpoint root, against `kept` too when given; checks each purge
   * against the timeIn and retention it kept (and the evidence of when the record was appended).
   */
  verify(kept?: Checkpoint, options?: VerifyOptions): Promise<VerifyReport>;
  /**
   * Verifies only what was added since `kept`, a checkpoint the auditor kept from an earlier
   * verify: its signature, that the frontier stored with it (or, for a checkpoint signed before
   * frontiers were stored, the stored leaf hashes before it) gives its root, then every record after
   * it as `verify` does, and the RFC 9162 consistency proof from it to the latest checkpoint.
   */
  verifySince(kept: Checkpoint, options?: VerifyOptions): Promise<SinceReport>;
  /** Every record matching every given criterion, oldest first (the auditor's question). Purged records are not found. */
  find(filter: AuditFilter): Promise<AccessRecord[]>;
  /**
   * One page of what `find` answers: at most `limit` records (1..1000, else RangeError), oldest
   * first, after the cursor `after` (a previous page's `next`; none for the first page). `next` is
   * null on the last page. Records appended while paging show on a later page, never twice.
   */
  page(filter: AuditFilter, options: PageOptions): Promise<AuditPage>;
  /**
   * Drops the payload of every record older than its purpose's retention, keeping its leaf hash
   * (so the trail still verifies), its timeIn and the retention applied (so the purge can be
   * checked). Returns how many records were purged. Throws, purging nothing, when a retention is
   * not a whole number of days at or above `minDays`.
   */
  purge(retention: RetentionPolicy, now?: Date): Promise<number>;
  /** Resolves when no checkpoint is being signed in the background. */
  settled(): Promise<void>;
  /** Whether the store answers (for /ready). */
  reachable(): Promise<boolean>;
  /**
   * Tells `listener` of every append statement of this process as it ends; returns the detach.
   * For metrics kept outside: audit/ knows nothing of HTTP or Prometheus.
   */
  onAppend(listener: (append: AppendStatement) => void): () => void;
  /** What waits to be committed now (metrics read it when scraped). */
  backlog(): AppendBacklog;
  close(): Promise<void>;
}

/** One append statement that ended: the requests and records it took, how long it ran, whether it committed. */
export interface AppendStatement {
  requests: number;
  records: number;
  seconds: number;
  committed: boolean;
}

/** Appends of this process not yet committed. */
export interface AppendBacklog {
  /** Requests whose records wait for an append statement to take them. */
  queuedRequests: number;
  /** Records handed to `record` and not yet committed: queued, or in a statement in flight. */
  uncommittedRecords: number;
}

export interface AuditFilter {
  /** Keyed hash of the data subject (see subjectHash). */
  subject?: string;
  actor?: string;
  tenant?: string;
  /** ISO instants, inclusive from, exclusive to, on the record's timeIn. */
  from?: string;
  to?: string;
  typeOfUse?: TypeOfUse;
  /** The effective role the request was decided under. */
  role?: string;
}

export interface PageOptions {
  /** 1..1000 records. */
  limit: number;
  /** Opaque: the `next` of the previous page. */
  after?: string | null;
}

export interface AuditPage {
  records: AccessRecord[];
  /** The cursor of the next page; null when this is the last. */
  next: string | null;
}

export interface RetentionPolicy {
  /** Days a record is kept, per processing activity (purpose). */
  byPurpose?: Readonly<Record<string, number>>;
  /** Days for any other purpose. @default 183 (six months, Danish practice's minimum) */
  defaultDays?: number;
  /** No retention may be shorter (verify reports shorter ones). @default 183 (days, the legal floor) */
  minDays?: number;
}

export interface AuditTrailOptions {
  db: SqlClient;
  /** Ed25519 key pair (JWK) that signs checkpoints; verification needs only the public half. */
  signingKey: { privateJwk?: JWK; publicJwk: JWK };
  /** Sign a checkpoint after this many records. @default 100 */
  checkpointEvery?: number;
  /**
   * Records per stored block (partition), a power of two: what a retention purge drops at once.
   * Taken when the trail is new; a trail keeps the size it was made with. @default 1048576
   */
  partitionRecords?: number;
}

/** The stored head of the tree (`audit_head`). */
async function readHead(db: Pick<SqlClient, 'query'>): Promise<MerkleFrontier> {
  const [row] = await db.query<{ tree_size: string | number; subtrees: Uint8Array }>('select tree_size, subtrees from audit_head where id = 1');
  if (!row) throw new Error('audit: the trail has no head (audit_head); open it with createAuditTrail');
  return MerkleFrontier.restore(Number(row.tree_size), splitRoots(row.subtrees));
}

const HASH_BYTES = 32;

function splitRoots(packed: Uint8Array): Buffer[] {
  const bytes = Buffer.from(packed);
  return Array.from({ length: bytes.length / HASH_BYTES }, (_, i) => bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
}

/** Leaves a page of `verify` reads (about 3 MB of records). */
const VERIFY_PAGE = 5_000;

interface StoredLeaf {
  idx: string | number;
  leaf_hash: Uint8Array;
  payload: unknown;
  purged_at: string | Date | null;
  kept_time_in: string | Date | null;
  retention_days: string | number | null;
  legacy_purge: boolean;
}

interface StoredCheckpoint {
  tree_size: string | number;
  root_hash: Uint8Array;
  signature: Uint8Array;
  signed_at: string | Date;
}

/** A bytea as json_agg writes it: `\\x` and hex. */
const hexBytes = (value: unknown): Uint8Array => Buffer.from(String(value).replace(/^\\x/, ''), 'hex');

/** Records of one request, encoded, waiting for the append that takes them. */
interface PendingAppend {
  encoded: { payload: string; leaf: Buffer }[];
  done: (error?: unknown) => void;
}

/** The most records one append statement takes (the requests beyond wait for the next). */
const MAX_RECORDS_PER_APPEND = 2_000;

/**
 * Appends of one process, at most `inFlight` at a time: the requests that arrive while they are in
 * flight go together in the next, as one call of `audit_append` (one statement, one commit), and
 * each resolves when that commit has. Under load this is group commit; alone it is one request,
 * one call. Two in flight let the next batch wait on the head's row lock while the one before it
 * commits, instead of leaving the server idle for a round trip. The order across batches and
 * processes is the head row's lock inside `audit_append`; a request's records are never split.
 */
function appendBatcher(
  append: (leaves: Buffer, payloads: string) => Promise<void>,
  inFlight = 2,
): { append: (encoded: PendingAppend['encoded']) => Promise<void>; backlog: () => AppendBacklog; onAppend: (listener: (append: AppendStatement) => void) => () => void } {
  const pending: PendingAppend[] = [];
  const listeners = new Set<(append: AppendStatement) => void>();
  let running = 0;
  let queuedRecords = 0;
  let sentRecords = 0;
  const flush = async () => {
    running++;
    while (pending.length > 0) {
      const batch: PendingAppend[] = [];
      let records = 0;
      while (pending.length > 0 && (batch.length === 0 || records + pending[0]!.encoded.length <= MAX_RECORDS_PER_APPEND)) {
        const next = pending.shift()!;
        batch.push(next);
        records += next.encoded.length;
      }
      queuedRecords -= records;
      sentRecords += records;
      const all = batch.flatMap((b) => b.encoded);
      const started = performance.now();
      let failure: { error: unknown } | undefined;
      try {
        await append(Buffer.concat(all.map((e) => e.leaf)), `[${all.map((e) => e.payload).join(',')}]`);
      } catch (error) {
        failure = { error };
      }
      sentRecords -= records;
      const statement = { requests: batch.length, records, seconds: (performance.now() - started) / 1_000, committed: !failure };
      for (const listener of listeners) {
        try {
          listener(statement);
        } catch {
          // An observer's failure is no failure of the append: the records are committed (or not) as they are.
        }
      }
      for (const b of batch) b.done(failure?.error);
    }
    running--;
  };
  return {
    append: (encoded) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ encoded, done: (error) => (error === undefined ? resolve() : reject(error)) });
        queuedRecords += encoded.length;
        if (running < inFlight) void flush();
      }),
    backlog: () => ({ queuedRequests: pending.length, uncommittedRecords: queuedRecords + sentRecords }),
    onAppend: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The record index a cursor names: the last index of the page before. */
function cursorIndex(after: string): number {
  if (!/^(0|[1-9]\d{0,14})$/.test(after)) throw new RangeError('audit: the page cursor is not one this trail gave (pass a page\'s `next` as it is)');
  return Number(after);
}

/**
 * The records after index `after` matching the filter, oldest first; within `range` (indices
 * `from` inclusive to `to` exclusive: one block, so the planner reads that block alone) when given.
 * Only the given criteria are in the statement, each as `payload->>'key' = $n`, so the planner can
 * use the expression indexes of migration 4 (a `$n is null or …` form would leave that to the
 * plan's parameter values).
 */
export function pageQuery(filter: AuditFilter, limit: number, after: number, range?: { from: number; to: number }): { sql: string; values: unknown[] } {
  const values: unknown[] = [after];
  const where = ['purged_at is null', 'idx > $1'];
  if (range) {
    values.push(range.from, range.to);
    where.push('idx >= $2', 'idx < $3');
  }
  const add = (condition: (param: string) => string, value: string | undefined) => {
    if (value === undefined) return;
    values.push(value);
    where.push(condition(`$${values.length}`));
  };
  add((p) => `payload->>'subject' = ${p}`, filter.subject);
  add((p) => `payload->>'actor' = ${p}`, filter.actor);
  add((p) => `payload->>'tenant' = ${p}`, filter.tenant);
  add((p) => `payload->>'timeIn' >= ${p}`, filter.from);
  add((p) => `payload->>'timeIn' < ${p}`, filter.to);
  add((p) => `payload->>'typeOfUse' = ${p}`, filter.typeOfUse);
  add((p) => `payload->>'role' = ${p}`, filter.role);
  values.push(limit);
  return { sql: `select idx, payload from audit_records where ${where.join(' and ')} order by idx limit $${values.length}`, values };
}

/** Held while a trail written before audit_head gets its head from its leaves. */
const APPEND_LOCK = 6962;

export async function createAuditTrail(options: AuditTrailOptions): Promise<AuditTrail> {
  const { db } = options;
  await migrate(db);
  const privateKey: KeyObject | undefined = options.signingKey.privateJwk
    ? createPrivateKey({ key: options.signingKey.privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' })
    : undefined;
  const publicKey = createPublicKey({ key: options.signingKey.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const checkpointEvery = options.checkpointEvery ?? 100;
  let sinceCheckpoint = 0;
  let checkpointing: Promise<unknown> | undefined;
  // The stored head; a trail written before it had one gets it from its leaves, once, here.
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    if ((await tx.query('select 1 from audit_head where id = 1')).length > 0) return;
    const built = new MerkleFrontier();
    for (const row of await tx.query<{ leaf_hash: Uint8Array }>('select leaf_hash from audit_records order by idx')) built.append(Buffer.from(row.leaf_hash));
    await tx.query('insert into audit_head (id, tree_size, subtrees) values (1, $1, $2)', [built.size, Buffer.concat(built.subtreeRoots())]);
  });
  if (options.partitionRecords !== undefined) await settlePartitionSize(db, options.partitionRecords);
  // Where a find starts among a subject's blocks; the blocks' own size is read with them (a trail with no records may still change it).
  const blockSize = Number((await db.query<{ partition_records: string | number }>('select partition_records from audit_settings where id = 1'))[0]!.partition_records);
  // Every store, embedded or a server, appends the same way: `audit_append` in the database.
  const batcher = appendBatcher(async (leaves, payloads) => {
    await db.query('select audit_append($1, $2::jsonb)', [leaves, payloads]);
  });
  const append = batcher.append;


  const toLeaf = (r: StoredLeaf): LeafRow => ({
    idx: Number(r.idx),
    leaf: Buffer.from(r.leaf_hash),
    payload: r.payload,
    purge:
      r.purged_at === null
        ? undefined
        : {
            at: new Date(r.purged_at),
            timeIn: r.kept_time_in === null ? null : new Date(r.kept_time_in),
            retentionDays: r.retention_days === null ? null : Number(r.retention_days),
            legacy: r.legacy_purge,
          },
  });

  /** The leaves from index `from` to `to` (exclusive), a page at a time, the next page read while this one is checked. */
  async function* leavesBetween(from: number, to: number): AsyncGenerator<LeafRow> {
    const readPage = (after: number) =>
      db.query<StoredLeaf>(
        'select idx, leaf_hash, payload, purged_at, kept_time_in, retention_days, legacy_purge from audit_records where idx >= $1 and idx < $2 order by idx limit $3',
        [after, to, VERIFY_PAGE],
      );
    let page = readPage(from);
    for (;;) {
      const rows = await page;
      if (rows.length === 0) return;
      const last = Number(rows.at(-1)!.idx);
      if (rows.length === VERIFY_PAGE) page = readPage(last + 1);
      for (const row of rows) yield toLeaf(row);
      if (rows.length < VERIFY_PAGE) return;
    }
  }

  /** The stored checkpoints larger than `above` and at most `upTo`, by size, a page at a time. */
  async function* checkpointsBetween(above: number, upTo: number): AsyncGenerator<Checkpoint> {
    for (let after = above; ; ) {
      const rows = await db.query<StoredCheckpoint>('select * from audit_checkpoints where tree_size > $1 and tree_size <= $2 order by tree_size limit 1000', [after, upTo]);
      for (const row of rows) yield toCheckpoint(row);
      if (rows.length < 1000) return;
      after = Number(rows.at(-1)!.tree_size);
    }
  }

  async function runVerify(kept: Checkpoint | undefined, since: Checkpoint | undefined, verifyOptions: VerifyOptions): Promise<SinceReport> {
    const now = verifyOptions.now ?? new Date();
    const pass = {
      publicKey,
      minRetentionDays: verifyOptions.minRetentionDays ?? MIN_RETENTION_DAYS,
      now,
      intentsRecordedBefore: now.getTime() - (verifyOptions.intentGraceMs ?? INTENT_GRACE_MS),
      ...(verifyOptions.onProgress ? { onProgress: verifyOptions.onProgress } : {}),
    };
    // One statement, one snapshot: the trail's length now, the checkpoints beyond it (there are none
    // unless a tail was removed) and the latest within it. Records appended during the pass are
    // after this length and left for the next verify.
    const [bounds] = await db.query<{ records: string | number; latest: string | number | null; beyond: StoredCheckpoint[] | null }>(
      `with bound as (select coalesce(max(idx) + 1, 0) as records from audit_records)
       select b.records,
              (select max(tree_size) from audit_checkpoints where tree_size <= b.records) as latest,
              (select json_agg(c order by c.tree_size) from audit_checkpoints c where c.tree_size > b.records) as beyond
         from bound b`,
    );
    const records = Number(bounds!.records);
    const sealed = await sealedBlocks(db);
    const beyond = (bounds!.beyond ?? []).map((c) => toCheckpoint({ ...c, root_hash: hexBytes(c.root_hash), signature: hexBytes(c.signature) }));
    if (!since) {
      const report = await verifyPass({ ...pass, sealed, leaves: leavesBetween(0, records), total: records, checkpoints: checkpointsBetween(0, records), beyond, ...(kept ? { kept } : {}) });
      report.problems.push(...(await findIndexGaps(0, records)));
      return { ok: report.problems.length === 0 && report.openIntents.length === 0, records: report.records, checkpoints: report.checkpoints, problems: report.problems, warnings: report.warnings, openIntents: report.openIntents } as SinceReport;
    }
    const refused = (problem: string): SinceReport => ({ ok: false, records: 0, checkpoints: 0, problems: [problem], warnings: [], openIntents: [], from: since.treeSize });
    const label = `the kept checkpoint of ${since.treeSize} records`;
    if (!Number.isSafeInteger(since.treeSize) || since.treeSize < 1) return refused(`${label} is not a checkpoint`);
    if (!verifySignature(null, checkpointMessage(since.treeSize, since.rootHash, since.signedAt), publicKey, Buffer.from(since.signature, 'base64'))) {
      return refused(`${label} is not signed by the trail's key`);
    }
    if (since.treeSize > records) return refused(`${label} covers ${since.treeSize} records but the trail holds ${records}: records were removed from its end`);
    const inside = sealed.find((b) => b.start < since.treeSize && since.treeSize < b.end);
    if (inside) return refused(`${label} lies inside the records ${inside.start}..${inside.end - 1} a purge dropped: verify the whole trail, or from a checkpoint kept after them`);
    const frontier = await frontierAt(since.treeSize);
    if (frontier.root().toString('hex') !== since.rootHash) {
      return refused(`${label} does not match the trail: the records it covers, or the frontier stored with it, were changed; run a full verify`);
    }
    const latest = bounds!.latest === null ? undefined : Number(bounds!.latest);
    const report = await verifyPass({
      ...pass,
      sealed,
      leaves: leavesBetween(since.treeSize, records),
      total: records - since.treeSize,
      checkpoints: checkpointsBetween(since.treeSize, records),
      beyond,
      from: { checkpoint: since, frontier },
      ...(latest !== undefined ? { latestSize: latest } : {}),
    });
    report.problems.push(...(await findIndexGaps(since.treeSize, records)));
    return {
      ok: report.problems.length === 0 && report.openIntents.length === 0,
      records: report.records,
      checkpoints: report.checkpoints,
      problems: report.problems,
      warnings: report.warnings,
      openIntents: report.openIntents,
      from: since.treeSize,
      ...(report.consistency ? { consistency: report.consistency } : {}),
    };
  }

  /**
   * Whether every live record from index `from` to `to` can be found by its subject: a subject's
   * block missing from audit_subject_blocks hides the record from the citizen's and the auditor's
   * finds, though the record itself is intact. Read a block at a time.
   */
  async function findIndexGaps(from: number, to: number): Promise<string[]> {
    const size = Number((await db.query<{ partition_records: string | number }>('select partition_records from audit_settings where id = 1'))[0]!.partition_records);
    let missing = 0;
    let first: number | undefined;
    for (let start = Math.floor(from / size) * size; start < to; start += size) {
      const [row] = await db.transaction(async (tx) => {
        // On a server, one hash of the block's subjects against one read of its records: probing the
        // index once per record, cold, took 15 s a block of 2^20 (bench:trail at 10M). Not on the
        // embedded store, whose memory, once grown, is never given back (sql.ts).
        if (!db.singleWriter) {
          await tx.query("set local work_mem = '128MB'");
          await tx.query('set local enable_nestloop = off');
        }
        return tx.query<{ missing: string | number; first: string | number | null }>(
          `select count(*) as missing, min(r.idx) as first from audit_records r
            where r.idx >= $1 and r.idx < $2 and r.purged_at is null and r.payload->>'subject' is not null
              and not exists (select 1 from audit_subject_blocks s where s.subject = r.payload->>'subject' and s.block = $3)`,
          [Math.max(start, from), Math.min(start + size, to), start / size],
        );
      });
      missing += Number(row!.missing);
      if (first === undefined && row!.first !== null) first = Number(row!.first);
    }
    return missing === 0 ? [] : [`the find index (audit_subject_blocks) lacks the subject of ${missing} record(s), the first record ${first}: a find by subject does not show them`];
  }

  /**
   * The frontier of the first `size` leaves: the one stored with the checkpoint of that size, or
   * (a checkpoint signed before migration 6 stored frontiers) folded from the stored leaf hashes. Either
   * is checked against the kept root by the caller, so neither is trusted.
   */
  async function frontierAt(size: number): Promise<MerkleFrontier> {
    const [row] = await db.query<{ subtrees: Uint8Array | null }>('select subtrees from audit_checkpoints where tree_size = $1', [size]);
    if (row?.subtrees) {
      try {
        return MerkleFrontier.restore(size, splitRoots(row.subtrees));
      } catch {
        // A damaged frontier: fold the leaves instead; the root check decides.
      }
    }
    const folded = new MerkleFrontier();
    for (let after = 0; after < size; ) {
      const rows = await db.query<{ idx: string | number; leaf_hash: Uint8Array }>('select idx, leaf_hash from audit_records where idx >= $1 and idx < $2 order by idx limit $3', [after, size, VERIFY_PAGE]);
      if (rows.length === 0) break;
      for (const r of rows) folded.append(Buffer.from(r.leaf_hash));
      after = Number(rows.at(-1)!.idx) + 1;
    }
    return folded;
  }

  /** Signs the root of `head` and stores the checkpoint (once per size). */
  async function signHead(head: MerkleFrontier, key: KeyObject): Promise<Checkpoint | undefined> {
    if (head.size === 0) return undefined;
    const root = head.root().toString('hex');
    const signedAt = new Date().toISOString();
    const signature = sign(null, checkpointMessage(head.size, root, signedAt), key).toString('base64');
    await db.query(
      'insert into audit_checkpoints (tree_size, root_hash, signature, signed_at, subtrees) values ($1, $2, $3, $4, $5) on conflict (tree_size) do nothing',
      [head.size, Buffer.from(root, 'hex'), Buffer.from(signature, 'base64'), signedAt, Buffer.concat(head.subtreeRoots())],
    );
    sinceCheckpoint = 0;
    return { treeSize: head.size, rootHash: root, signature, signedAt };
  }

  async function checkpoint(): Promise<Checkpoint | undefined> {
    if (!privateKey) throw new Error('audit: this trail has no signing key; it can verify, not sign');
    // The head as last committed, whose records are all committed with it: no leaf is read and no
    // append waits.
    return signHead(await readHead(db), privateKey);
  }

  async function readPage(filter: AuditFilter, { limit, after = null }: PageOptions): Promise<AuditPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new RangeError(`audit: a page holds 1 to ${MAX_PAGE_LIMIT} records; limit ${limit} is not that`);
    }
    const afterIndex = after === null ? -1 : cursorIndex(after);
    // One row more than asked says whether another page follows.
    const rows: { idx: string | number; payload: AccessRecord }[] = [];
    if (filter.subject === undefined) {
      const query = pageQuery(filter, limit + 1, afterIndex);
      rows.push(...(await db.query<{ idx: string | number; payload: AccessRecord }>(query.sql, query.values)));
    } else {
      // A subject's records are read from the blocks that hold them (migration 8), in order, not
      // looked for in every block.
      const blocks = await db.query<{ block: string | number; block_size: string | number }>(
        'select block, (select partition_records from audit_settings where id = 1) as block_size from audit_subject_blocks where subject = $1 and block >= $2 order by block',
        [filter.subject, Math.max(0, Math.floor((afterIndex + 1) / blockSize))],
      );
      for (const { block, block_size } of blocks) {
        const size = Number(block_size);
        const query = pageQuery(filter, limit + 1 - rows.length, afterIndex, { from: Number(block) * size, to: (Number(block) + 1) * size });
        rows.push(...(await db.query<{ idx: string | number; payload: AccessRecord }>(query.sql, query.values)));
        if (rows.length > limit) break;
      }
    }
    const records = rows.slice(0, limit);
    return { records: records.map((r) => r.payload), next: rows.length > limit ? String(records.at(-1)!.idx) : null };
  }

  const toCheckpoint = (r: StoredCheckpoint): Checkpoint => ({
    treeSize: Number(r.tree_size),
    rootHash: Buffer.from(r.root_hash).toString('hex'),
    signature: Buffer.from(r.signature).toString('base64'),
    signedAt: new Date(r.signed_at).toISOString(),
  });

  return {
    async record(records) {
      if (records.length === 0) return;
      const encoded = records.map((record) => {
        const payload = canonicalJson(record);
        return { payload, leaf: leafHash(Buffer.from(payload)) };
      });
      await append(encoded);
      sinceCheckpoint += records.length;
      // Signing is not on the answer's path: the records are durable already; a checkpoint that
      // fails is retried at the next threshold, and the failure is logged.
      if (privateKey && sinceCheckpoint >= checkpointEvery && !checkpointing) {
        checkpointing = checkpoint()
          .catch((error: unknown) => logger({ component: 'audit' }).error(`checkpoint failed: ${(error as Error).message}`))
          .finally(() => {
            checkpointing = undefined;
          });
      }
    },
    checkpoint,
    async latestCheckpoint() {
      const rows = await db.query<StoredCheckpoint>('select * from audit_checkpoints order by tree_size desc limit 1');
      return rows[0] ? toCheckpoint(rows[0]) : undefined;
    },
    verify: (kept, verifyOptions = {}) => runVerify(kept, undefined, verifyOptions),
    async verifySince(kept, verifyOptions = {}) {
      return runVerify(undefined, kept, verifyOptions);
    },
    async purge(retention, now = new Date()) {
      const defaultDays = retention.defaultDays ?? MIN_RETENTION_DAYS;
      const minDays = retention.minDays ?? MIN_RETENTION_DAYS;
      const byPurpose = Object.entries(retention.byPurpose ?? {});
      for (const [purpose, days] of [['any other purpose', defaultDays] as const, ...byPurpose]) {
        if (!Number.isInteger(days) || days < minDays) {
          throw new Error(`audit: retention for ${purpose} must be a whole number of days, at least ${minDays} (the legal floor); got ${days}`);
        }
      }
      const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
      // Whole blocks first: a block whose every record is past retention is dropped, not rewritten.
      let purged = await dropExpiredBlocks(db, { byPurpose, defaultDays, cutoff, now });
      // Then record by record (purgeRows), per purpose.
      for (const [purpose, days] of byPurpose) {
        purged += await purgeRows(db, "payload->>'purpose' = $3 and payload->>'timeIn' < $4", [purpose, cutoff(days)], days, now);
      }
      purged += await purgeRows(db, "payload->>'timeIn' < $3 and not (coalesce(payload->>'purpose', '') = any($4::text[]))", [cutoff(defaultDays), byPurpose.map(([p]) => p)], defaultDays, now);
      return purged;
    },
    page: readPage,
    async find(filter) {
      const found: AccessRecord[] = [];
      let after: string | null = null;
      do {
        const page: AuditPage = await readPage(filter, { limit: MAX_PAGE_LIMIT, after });
        found.push(...page.records);
        after = page.next;
      } while (after !== null);
      return found;
    },
    onAppend: batcher.onAppend,
    backlog: batcher.backlog,
    async reachable() {
      try {
        await db.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async settled() {
      await checkpointing;
    },
    async close() {
      await checkpointing;
      await db.close();
    },
  };
}


/** The block size a new trail is made with; a trail with records keeps its own. */
async function settlePartitionSize(db: SqlClient, size: number): Promise<void> {
  if (!Number.isSafeInteger(size) || size < 1 || (size & (size - 1)) !== 0) throw new RangeError(`audit: partitionRecords must be a power of two; got ${size}`);
  await db.transaction(async (tx) => {
    const [head] = await tx.query<{ tree_size: string | number }>('select tree_size from audit_head where id = 1 for update');
    const [settings] = await tx.query<{ partition_records: string | number }>('select partition_records from audit_settings where id = 1');
    if (Number(settings!.partition_records) === size) return;
    if (Number(head!.tree_size) > 0) {
      throw new Error(`audit: this trail is stored in blocks of ${settings!.partition_records} records; it cannot change to ${size} once it holds records`);
    }
    await tx.query('update audit_settings set partition_records = $1 where id = 1', [size]);
  });
}

/** The blocks retention purges dropped, by start. */
async function sealedBlocks(db: SqlClient): Promise<SealedBlock[]> {
  const rows = await db.query<{ start_idx: string; end_idx: string; subtrees: Uint8Array; records: string; purged_at: string | Date; max_time_in: string | Date | null; min_retention_days: number }>(
    'select * from audit_sealed order by start_idx',
  );
  return rows.map((r) => ({
    start: Number(r.start_idx),
    end: Number(r.end_idx),
    roots: splitRoots(r.subtrees),
    records: Number(r.records),
    purgedAt: new Date(r.purged_at),
    maxTimeIn: r.max_time_in === null ? null : new Date(r.max_time_in),
    minRetentionDays: Number(r.min_retention_days),
  }));
}

/**
 * Drops the payload of every live record matching `condition` (SQL over `payload`, its parameters
 * `$3` on, given in `values`), keeping its timeIn and the retention applied in the clear (read from
 * the payload as it was, before the update nulls it; purged_at is the instant the cutoff was taken
 * from, so verify can check timeIn + retention <= purged_at). In the same statement, a subject's
 * block is taken out of audit_subject_blocks once it holds no live record of that subject: a purged
 * record leaves no trace of whom it was about. Returns how many records it purged.
 */
async function purgeRows(db: SqlClient, condition: string, values: readonly unknown[], days: number, now: Date): Promise<number> {
  const [row] = await db.query<{ purged: string | number }>(
    `with size as (select partition_records as b from audit_settings where id = 1),
     doomed as (
       select idx, payload->>'subject' as subject from audit_records where purged_at is null and ${condition} for update
     ),
     purged as (
       update audit_records r
          set kept_time_in = (r.payload->>'timeIn')::timestamptz, retention_days = $1, payload = null, purged_at = $2
         from doomed d where r.idx = d.idx returning r.idx
     ),
     emptied as (
       delete from audit_subject_blocks s
        using (select distinct d.subject, d.idx / size.b as block from doomed d, size where d.subject is not null) p, size
        where s.subject = p.subject and s.block = p.block
          and not exists (
            select 1 from audit_records r
             where r.payload->>'subject' = p.subject and r.purged_at is null
               and r.idx >= p.block * size.b and r.idx < (p.block + 1) * size.b
               and not exists (select 1 from doomed d where d.idx = r.idx))
     )
     select count(*) as purged from purged`,
    [days, now.toISOString(), ...values],
  );
  return Number(row!.purged);
}

/**
 * Drops every full block whose records are all past their purpose's retention (or purged
 * already), keeping in audit_sealed the roots of its aligned subtrees (folded from its stored leaf
 * hashes, which the signed checkpoints after it cover), its latest timeIn, the shortest retention
 * applied and when. A block with a record missing is left alone: that is for verify to name, not
 * for a purge to hide. Returns how many records lost their payload.
 */
async function dropExpiredBlocks(
  db: SqlClient,
  retention: { byPurpose: readonly [string, number][]; defaultDays: number; cutoff: (days: number) => string; now: Date },
): Promise<number> {
  const [head] = await db.query<{ tree_size: string | number }>('select tree_size from audit_head where id = 1');
  const [settings] = await db.query<{ partition_records: string | number }>('select partition_records from audit_settings where id = 1');
  const blockSize = Number(settings!.partition_records);
  const blocks = (
    await db.query<{ name: string; bound: string }>(
      `select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
         from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_records'::regclass`,
    )
  )
    .map((b) => {
      const range = /FROM \('?(\d+)'?\) TO \('?(\d+)'?\)/.exec(b.bound);
      return { name: b.name, start: Number(range?.[1]), end: Number(range?.[2]) };
    })
    .filter((b) => Number.isSafeInteger(b.start) && Number.isSafeInteger(b.end) && b.end <= Number(head!.tree_size))
    .sort((a, b) => a.start - b.start);
  const purposes = retention.byPurpose.map(([p]) => p);
  const params = [purposes, retention.byPurpose.map(([, d]) => retention.cutoff(d)), retention.cutoff(retention.defaultDays), retention.byPurpose.map(([, d]) => d), retention.defaultDays];
  let dropped = 0;
  for (const block of blocks) {
    const table = `"${block.name.replaceAll('"', '""')}"`;
    const [stats] = await db.query<{ records: string; live: string; kept: string; max_time_in: string | Date | null; min_days: number | null }>(
      `select count(*) as records,
              count(*) filter (where purged_at is null) as live,
              count(*) filter (where purged_at is null and not (payload->>'timeIn' < coalesce((select c from unnest($1::text[], $2::text[]) u(p, c) where u.p = payload->>'purpose'), $3))) as kept,
              max(coalesce(kept_time_in, (payload->>'timeIn')::timestamptz)) as max_time_in,
              min(coalesce(retention_days, (select d from unnest($1::text[], $4::int[]) u(p, d) where u.p = payload->>'purpose'), $5)) as min_days
         from ${table}`,
      params,
    );
    if (Number(stats!.kept) > 0 || Number(stats!.records) !== block.end - block.start || stats!.min_days === null) continue;
    const roots: Buffer[] = [];
    for (const range of alignedRanges(block.start, block.end)) {
      const folded = new MerkleFrontier();
      for (let after = range.start; after < range.end; ) {
        const rows = await db.query<{ idx: string; leaf_hash: Uint8Array }>(`select idx, leaf_hash from ${table} where idx >= $1 and idx < $2 order by idx limit $3`, [after, range.end, VERIFY_PAGE]);
        for (const r of rows) folded.append(Buffer.from(r.leaf_hash));
        after = Number(rows.at(-1)!.idx) + 1;
      }
      roots.push(folded.root());
    }
    await db.transaction(async (tx) => {
      await tx.query(
        'insert into audit_sealed (start_idx, end_idx, subtrees, records, purged_at, max_time_in, min_retention_days) values ($1, $2, $3, $4, $5, $6, $7)',
        [block.start, block.end, Buffer.concat(roots), block.end - block.start, retention.now.toISOString(), stats!.max_time_in, stats!.min_days],
      );
      await tx.query(`drop table ${table}`);
      await tx.query('delete from audit_subject_blocks where block >= $1 and block < $2', [block.start / blockSize, block.end / blockSize]);
    });
    dropped += Number(stats!.live);
  }
  return dropped;
}
