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
import { leafHash, MerkleFrontier } from './merkle';
import { migrate, type SqlClient } from './sql';

export interface Checkpoint {
  treeSize: number;
  /** hex */
  rootHash: string;
  /** base64 */
  signature: string;
  signedAt: string;
}

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

/** A write's intent with no outcome recorded after it (one per request). */
export interface OpenIntent {
  requestId: string;
  /** The index of the request's first intent record that is still open. */
  index: number;
  /** When the intent was recorded (its timeOut): the write was about to be made. */
  time: string;
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
}

/** The legal floor of retention: six months (Danish practice, at least 6 months), in days. */
export const MIN_RETENTION_DAYS = 183;
const DAY_MS = 86_400_000;
/**
 * How long before the latest evidence of its append (a signed checkpoint not covering it, the
 * answer time of an earlier record) a record's request may have come in: a request's lifetime
 * plus clock skew between writers, generously. 1 day.
 */
const MAX_REQUEST_SPAN_MS = DAY_MS;
/** How far a purge time may lie after the verifier's clock (skew between hosts). 1 hour. */
const MAX_CLOCK_SKEW_MS = 3_600_000;
/** Longer than any write (legacy call, retries, outcome record) takes. 15 minutes. */
const INTENT_GRACE_MS = 15 * 60_000;
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
  close(): Promise<void>;
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
}

/** One statement for a request's records: one round trip however many subjects it touched. */
/** The stored head of the tree (`audit_head`), locked for this transaction with `for update`. */
async function readHead(db: Pick<SqlClient, 'query'>, lock: '' | 'for update' = ''): Promise<MerkleFrontier> {
  const [row] = await db.query<{ tree_size: string | number; subtrees: Uint8Array }>(`select tree_size, subtrees from audit_head where id = 1 ${lock}`);
  if (!row) throw new Error('audit: the trail has no head (audit_head); open it with createAuditTrail');
  const bytes = Buffer.from(row.subtrees);
  const roots = Array.from({ length: bytes.length / HASH_BYTES }, (_, i) => bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  return MerkleFrontier.restore(Number(row.tree_size), roots);
}

const HASH_BYTES = 32;

/**
 * One statement that appends `encoded` after `head` and stores the advanced head with it: the
 * records and the head are written together or not at all. `head` itself is left as it was.
 */
function appendStatement(head: MerkleFrontier, encoded: readonly { payload: string; leaf: Buffer }[]): { sql: string; values: unknown[]; head: MerkleFrontier } {
  const insert = insertRecords(head.size, encoded);
  const next = MerkleFrontier.restore(head.size, head.subtreeRoots());
  for (const e of encoded) next.append(e.leaf);
  const n = insert.values.length;
  return {
    sql: `with appended as (${insert.sql}) update audit_head set tree_size = $${n + 1}, subtrees = $${n + 2} where id = 1`,
    values: [...insert.values, next.size, Buffer.concat(next.subtreeRoots())],
    head: next,
  };
}

function insertRecords(first: number, encoded: readonly { payload: string; leaf: Buffer }[]): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const rows = encoded.map((e, i) => {
    values.push(first + i, e.leaf, e.payload);
    return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`;
  });
  return { sql: `insert into audit_records (idx, leaf_hash, payload) values ${rows.join(', ')}`, values };
}

/** What a purged record keeps in the clear. */
interface Purge {
  at: Date;
  /** The record's timeIn and the retention applied; null when not kept. */
  timeIn: Date | null;
  retentionDays: number | null;
  /** Purged before purges kept them (migration 3). */
  legacy: boolean;
}

/** The record index a cursor names: the last index of the page before. */
function cursorIndex(after: string): number {
  if (!/^(0|[1-9]\d{0,14})$/.test(after)) throw new RangeError('audit: the page cursor is not one this trail gave (pass a page\'s `next` as it is)');
  return Number(after);
}

/**
 * The records after index `after` matching the filter, oldest first. Only the given criteria are
 * in the statement, each as `payload->>'key' = $n`, so the planner can use the expression indexes
 * of migration 4 (a `$n is null or …` form would leave that to the plan's parameter values).
 */
export function pageQuery(filter: AuditFilter, limit: number, after: number): { sql: string; values: unknown[] } {
  const values: unknown[] = [after];
  const where = ['purged_at is null', 'idx > $1'];
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

/** One writer at a time appends, so leaf indices are contiguous and in commit order. */
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
  // Every store keeps the tree's head in audit_head, written with each append. An embedded store
  // has one writer, this process: appends are queued here and the head is also kept in memory, so
  // an append is one statement with no lock. A server's appends lock the head's row instead.
  let frontier: MerkleFrontier | undefined;
  let appendQueue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = appendQueue.then(work, work);
    appendQueue = run.catch(() => undefined);
    return run;
  };
  // The stored head; a trail written before it had one gets it from its leaves, once, here.
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    if ((await tx.query('select 1 from audit_head where id = 1')).length > 0) return;
    const built = new MerkleFrontier();
    for (const row of await tx.query<{ leaf_hash: Uint8Array }>('select leaf_hash from audit_records order by idx')) built.append(Buffer.from(row.leaf_hash));
    await tx.query('insert into audit_head (id, tree_size, subtrees) values (1, $1, $2)', [built.size, Buffer.concat(built.subtreeRoots())]);
  });
  if (db.singleWriter) {
    frontier = await readHead(db);
  }

  const message = (size: number, rootHex: string, signedAt: string) => Buffer.from(`kommune-graph audit checkpoint\n${size}\n${rootHex}\n${signedAt}`);

  async function leaves(): Promise<{ idx: number; leaf: Buffer; payload: unknown; purge: Purge | undefined }[]> {
    const rows = await db.query<{
      idx: string | number;
      leaf_hash: Uint8Array;
      payload: unknown;
      purged_at: string | Date | null;
      kept_time_in: string | Date | null;
      retention_days: string | number | null;
      legacy_purge: boolean;
    }>('select idx, leaf_hash, payload, purged_at, kept_time_in, retention_days, legacy_purge from audit_records order by idx');
    return rows.map((r) => ({
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
    }));
  }

  /** Signs the root of `head` and stores the checkpoint (once per size). */
  async function signHead(head: MerkleFrontier, key: KeyObject): Promise<Checkpoint | undefined> {
    if (head.size === 0) return undefined;
    const root = head.root().toString('hex');
    const signedAt = new Date().toISOString();
    const signature = sign(null, message(head.size, root, signedAt), key).toString('base64');
    await db.query(
      'insert into audit_checkpoints (tree_size, root_hash, signature, signed_at) values ($1, $2, $3, $4) on conflict (tree_size) do nothing',
      [head.size, Buffer.from(root, 'hex'), Buffer.from(signature, 'base64'), signedAt],
    );
    sinceCheckpoint = 0;
    return { treeSize: head.size, rootHash: root, signature, signedAt };
  }

  async function checkpoint(): Promise<Checkpoint | undefined> {
    if (!privateKey) throw new Error('audit: this trail has no signing key; it can verify, not sign');
    const key = privateKey;
    // Embedded: the head in memory, after every append queued before this checkpoint. A server: the
    // head as last committed, whose records are all committed with it; no leaf is read and no
    // append waits.
    if (frontier) return serialized(() => signHead(frontier!, key));
    return signHead(await readHead(db), key);
  }

  async function readPage(filter: AuditFilter, { limit, after = null }: PageOptions): Promise<AuditPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new RangeError(`audit: a page holds 1 to ${MAX_PAGE_LIMIT} records; limit ${limit} is not that`);
    }
    const query = pageQuery(filter, limit + 1, after === null ? -1 : cursorIndex(after));
    // One row more than asked says whether another page follows.
    const rows = await db.query<{ idx: string | number; payload: AccessRecord }>(query.sql, query.values);
    const records = rows.slice(0, limit);
    return { records: records.map((r) => r.payload), next: rows.length > limit ? String(records.at(-1)!.idx) : null };
  }

  const toCheckpoint = (r: { tree_size: string | number; root_hash: Uint8Array; signature: Uint8Array; signed_at: string | Date }): Checkpoint => ({
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
      if (frontier) {
        await serialized(async () => {
          const head = frontier!;
          const append = appendStatement(head, encoded);
          await db.query(append.sql, append.values);
          frontier = append.head;
        });
      } else await db.transaction(async (tx) => {
        // The head's row lock orders appends across every process and host: the next one reads the
        // head this one wrote.
        const append = appendStatement(await readHead(tx, 'for update'), encoded);
        await tx.query(append.sql, append.values);
      });
      sinceCheckpoint += records.length;
      // Signing is not on the answer's path: the records are durable already; a checkpoint that
      // fails is retried at the next threshold, and the failure is logged.
      if (privateKey && sinceCheckpoint >= checkpointEvery && !checkpointing) {
        checkpointing = checkpoint()
          .catch((error: unknown) => console.error(`[audit] checkpoint failed: ${(error as Error).message}`))
          .finally(() => {
            checkpointing = undefined;
          });
      }
    },
    checkpoint,
    async latestCheckpoint() {
      const rows = await db.query<Parameters<typeof toCheckpoint>[0]>('select * from audit_checkpoints order by tree_size desc limit 1');
      return rows[0] ? toCheckpoint(rows[0]) : undefined;
    },
    async verify(kept, verifyOptions = {}) {
      const minRetentionDays = verifyOptions.minRetentionDays ?? MIN_RETENTION_DAYS;
      const now = verifyOptions.now ?? new Date();
      const problems: string[] = [];
      const warnings: string[] = [];
      const log = await leaves();
      // Leaves recomputed from the records as stored: an edited record cannot hide behind its old hash.
      // A purged record has only its leaf hash left: the signed roots still cover it.
      const recomputed = log.map((entry) => (entry.purge ? entry.leaf : leafHash(Buffer.from(canonicalJson(entry.payload)))));
      log.forEach((entry, i) => {
        if (entry.idx !== i) problems.push(`record ${i} is missing or out of place (found index ${entry.idx} there)`);
        if (!entry.purge && entry.payload === null) problems.push(`record ${entry.idx} lost its payload without being purged`);
        if (!recomputed[i]!.equals(entry.leaf)) problems.push(`record ${entry.idx} was altered after it was written`);
      });
      const checkpoints = (await db.query<Parameters<typeof toCheckpoint>[0]>('select * from audit_checkpoints order by tree_size')).map(toCheckpoint);
      const all = kept ? [...checkpoints, { ...kept, kept: true }] : checkpoints;
      // Signed checkpoints, by size: a record at index i was appended after every one of size <= i was signed.
      const signed: Checkpoint[] = [];
      const toMatch: (Checkpoint & { label: string })[] = [];
      for (const c of all) {
        const label = 'kept' in c ? `the kept checkpoint of ${c.treeSize} records` : `checkpoint ${c.treeSize}`;
        if (!verifySignature(null, message(c.treeSize, c.rootHash, c.signedAt), publicKey, Buffer.from(c.signature, 'base64'))) {
          problems.push(`${label} is not signed by the trail's key`);
          continue;
        }
        signed.push(c);
        if (c.treeSize > recomputed.length) {
          problems.push(`${label} covers ${c.treeSize} records but the trail holds ${recomputed.length}: records were removed from its end`);
          continue;
        }
        toMatch.push({ ...c, label });
      }
      // One pass over the leaves: each checkpoint's root is taken from the frontier as the pass
      // reaches its size, so the work is the trail's length, not the sum of the checkpoints' sizes.
      toMatch.sort((a, b) => a.treeSize - b.treeSize);
      const frontier = new MerkleFrontier();
      let leaf = 0;
      for (const c of toMatch) {
        while (frontier.size < c.treeSize) frontier.append(recomputed[leaf++]!);
        if (frontier.root().toString('hex') !== c.rootHash) {
          problems.push(`${c.label} does not match the records: some of the first ${c.treeSize} were altered, removed, inserted or reordered`);
        }
      }
      checkPurges(log, signed, { minRetentionDays, now }, problems, warnings);
      const openIntents = findOpenIntents(log, now.getTime() - (verifyOptions.intentGraceMs ?? INTENT_GRACE_MS));
      return { ok: problems.length === 0 && openIntents.length === 0, records: log.length, checkpoints: checkpoints.length, problems, warnings, openIntents };
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
      // The timeIn and retention stay in the clear (read from the payload as it was, before the
      // update nulls it), and purged_at is the instant the cutoff was taken from, so verify can check
      // timeIn + retention <= purged_at.
      let purged = 0;
      for (const [purpose, days] of byPurpose) {
        const rows = await db.query(
          `update audit_records
              set kept_time_in = (payload->>'timeIn')::timestamptz, retention_days = $3, payload = null, purged_at = $4
            where purged_at is null and payload->>'purpose' = $1 and payload->>'timeIn' < $2 returning idx`,
          [purpose, cutoff(days), days, now.toISOString()],
        );
        purged += rows.length;
      }
      const rows = await db.query(
        `update audit_records
            set kept_time_in = (payload->>'timeIn')::timestamptz, retention_days = $3, payload = null, purged_at = $4
          where purged_at is null and payload->>'timeIn' < $1
            and not (coalesce(payload->>'purpose', '') = any($2::text[])) returning idx`,
        [cutoff(defaultDays), byPurpose.map(([p]) => p), defaultDays, now.toISOString()],
      );
      return purged + rows.length;
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
function checkPurges(
  log: readonly { idx: number; payload: unknown; purge: Purge | undefined }[],
  signed: readonly Checkpoint[],
  options: { minRetentionDays: number; now: Date },
  problems: string[],
  warnings: string[],
): void {
  const bySize = [...signed].sort((a, b) => a.treeSize - b.treeSize);
  let next = 0;
  // The latest authenticated time before which the current record cannot have been appended.
  let appendedAfter = Number.NEGATIVE_INFINITY;
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const entry of log) {
    for (; next < bySize.length && bySize[next]!.treeSize <= entry.idx; next++) {
      appendedAfter = Math.max(appendedAfter, Date.parse(bySize[next]!.signedAt));
    }
    const { purge } = entry;
    if (!purge) {
      const timeOut = Date.parse(String((entry.payload as { timeOut?: unknown } | null)?.timeOut));
      if (!Number.isNaN(timeOut)) appendedAfter = Math.max(appendedAfter, timeOut);
      continue;
    }
    const label = `record ${entry.idx}`;
    if (purge.timeIn === null || purge.retentionDays === null) {
      if (purge.legacy) warnings.push(`${label} was purged before purges kept its timeIn and retention: that purge cannot be checked`);
      else problems.push(`${label} lost its payload without the timeIn and retention a purge keeps: not purged by this trail, or tampered with`);
      continue;
    }
    const timeIn = purge.timeIn.getTime();
    const retentionEnds = timeIn + purge.retentionDays * DAY_MS;
    if (purge.retentionDays < options.minRetentionDays) {
      problems.push(`${label} was purged after ${purge.retentionDays} days, below the minimum retention of ${options.minRetentionDays} days`);
    }
    if (retentionEnds > purge.at.getTime()) {
      problems.push(`${label} was purged at ${purge.at.toISOString()}, before its retention of ${purge.retentionDays} days from ${iso(timeIn)} ran out`);
    }
    if (purge.at.getTime() > options.now.getTime() + MAX_CLOCK_SKEW_MS) {
      problems.push(`${label} claims a purge at ${purge.at.toISOString()}, which has not happened yet`);
    }
    if (timeIn < appendedAfter - MAX_REQUEST_SPAN_MS) {
      problems.push(`${label} was purged as if it came in at ${iso(timeIn)}, but it was appended after ${iso(appendedAfter)}: its kept timeIn was backdated`);
    }
  }
}

/**
 * Each request whose intent has no record with another outcome after it, in one pass over the log
 * (linear in records). Purged records are skipped: their payload, requestId and outcome are gone.
 * Intents recorded after `recordedBefore` are writes still in flight, not reported.
 */
function findOpenIntents(log: readonly { idx: number; payload: unknown; purge: Purge | undefined }[], recordedBefore: number): OpenIntent[] {
  const open = new Map<string, OpenIntent>();
  for (const entry of log) {
    if (entry.purge || entry.payload === null || typeof entry.payload !== 'object') continue;
    const { requestId, outcome, timeOut } = entry.payload as { requestId?: unknown; outcome?: unknown; timeOut?: unknown };
    if (typeof requestId !== 'string') continue;
    if (outcome !== 'intent') open.delete(requestId);
    else if (!open.has(requestId)) open.set(requestId, { requestId, index: entry.idx, time: String(timeOut) });
  }
  // A time that does not parse is reported: NaN is not after the grace's start.
  return [...open.values()].filter((intent) => !(Date.parse(intent.time) > recordedBefore)).sort((a, b) => a.index - b.index);
}
