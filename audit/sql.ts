/**
 * The one SQL surface of the audit trail, over an embedded PostgreSQL (PGlite, the default) or a
 * PostgreSQL server (pg). One schema, one set of queries, versioned migrations.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { processExists } from '../runtime/processes';

export interface SqlClient {
  /** Only this process writes (embedded PGlite): appends may be ordered in memory, no lock needed. */
  readonly singleWriter: boolean;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (client: Pick<SqlClient, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * How the embedded PostgreSQL is sized. PGlite's defaults are a server's (128 MB of shared
 * buffers, 4 MB per sort) inside a WebAssembly memory that only grows: a gateway that opened a
 * trail sat at 883 MB RSS idle. The trail's working set is the last block's index pages and one
 * append at a time, so small buffers cost it nothing measurable (bench/README.md, "PGlite's memory").
 * PGlite's own defaults stay first, among them `-F` (no fsync): see docs/design-notes.md on what
 * that means for the embedded trail's durability.
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  ...['shared_buffers=16MB', 'work_mem=1MB', 'maintenance_work_mem=8MB', 'temp_buffers=1MB', 'default_statistics_target=10'].flatMap((setting) => ['-c', setting]),
];

/**
 * PGlite in a data directory (or in memory when none is given). `loadDataDir`: start from this
 * dump (`PGlite.dumpDataDir`) of an initialised database instead of running initdb, which is most
 * of a new PGlite's two seconds.
 *
 * A data directory that does not exist yet is made by initdb in a child process
 * (`initPgliteDataDir`): initdb is the most memory PGlite ever takes, and a WebAssembly memory is
 * never given back, so a gateway that ran it in-process would carry that peak for its lifetime.
 */
export async function pgliteClient(dataDir?: string, options: { loadDataDir?: Blob } = {}): Promise<SqlClient> {
  if (dataDir !== undefined && !options.loadDataDir && !existsSync(join(dataDir, 'PG_VERSION'))) await initPgliteDataDir(dataDir);
  // A data directory, never undefined: PGlite drops its options when the first argument is not a string.
  const db = new PGlite(dataDir ?? 'memory://', { startParams: [...PGLITE_START_PARAMS], ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) });
  await db.waitReady;
  const query = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;
  return {
    singleWriter: true,
    query,
    transaction: (work) => db.transaction((tx) => work({ query: async <T>(sql: string, params: unknown[] = []) => (await tx.query<T>(sql, params)).rows })),
    close: () => db.close(),
  };
}

/**
 * Runs PGlite's initdb for `dataDir` in a child Node process and waits for it, so the memory it
 * takes goes when the child exits. Plain JavaScript in the child (no TypeScript loader needed);
 * PGlite is imported by the path this module resolves, so the child needs no particular cwd.
 */
export async function initPgliteDataDir(dataDir: string): Promise<void> {
  const pgliteUrl = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  const script = `const { PGlite } = await import(${JSON.stringify(pgliteUrl)}); const db = new PGlite(process.argv[1]); await db.waitReady; await db.close();`;
  const failure = (why: string) => new Error(`audit: initialising the embedded trail's database in ${dataDir} failed: ${why}`);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw failure((error as Error).message);
  }
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir], { stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      code === 0 ? done() : fail(failure(`${signal ?? `exit code ${code}`}: ${stderr.trim().split('\n').slice(-3).join(' ')}`)),
    );
  });
}

/** A PostgreSQL server by URL; `schema` keeps this trail's tables apart (tests use one each). */
export async function postgresClient(url: string, schema = 'audit'): Promise<SqlClient> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`audit: schema name ${schema} is not a plain identifier`);
  // The schema as a startup parameter: every connection starts in it, with no round trip to set it.
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2_000, options: `-c search_path=${schema}` });
  // The pool reports errors of idle clients here; a query in flight gets its own error.
  pool.on('error', () => undefined);
  try {
    await createSchema(pool, schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    singleWriter: false,
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work({ query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[] });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Advisory lock (first key; the second is the schema's hashtext) held while a schema is created or
 * migrated. Two processes opening a new trail at once would otherwise both create it, and the
 * second fails on PostgreSQL's catalog ("duplicate key value violates unique constraint
 * pg_namespace_nspname_index"): `if not exists` is checked before the insert, not atomically.
 */
const SCHEMA_LOCK = 6963;

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  const admin = await pool.connect();
  try {
    await admin.query('begin');
    await admin.query('select pg_advisory_xact_lock($1, hashtext($2))', [SCHEMA_LOCK, schema]);
    await admin.query(`create schema if not exists ${schema}`);
    await admin.query('commit');
  } catch (error) {
    await admin.query('rollback').catch(() => undefined);
    throw new Error(`audit: cannot create schema ${schema}: ${(error as Error).message}`, { cause: error });
  } finally {
    admin.release();
  }
}

/** Versioned migrations, applied in order, each once. Add a new version; never edit an applied one. */
/**
 * `sql` is split at semicolons; a migration whose statements hold semicolons themselves (a function
 * body) lists them in `statements` instead.
 */
const MIGRATIONS: readonly ({ version: number; sql: string } | { version: number; statements: readonly string[] })[] = [
  {
    version: 1,
    sql: `
      create table audit_records (
        idx bigint primary key,
        leaf_hash bytea not null,
        payload jsonb not null,
        recorded_at timestamptz not null default now()
      );
      create table audit_checkpoints (
        tree_size bigint primary key,
        root_hash bytea not null,
        signature bytea not null,
        signed_at timestamptz not null
      );`,
  },
  {
    // Retention: a purged record keeps its leaf hash (the log stays verifiable), loses its payload.
    version: 2,
    sql: `
      alter table audit_records alter column payload drop not null;
      alter table audit_records add column purged_at timestamptz`,
  },
  {
    // Checkable retention: a purge keeps the record's timeIn and the retention it applied in the
    // clear, so verify can tell a purge past retention from a payload nulled early. Records purged
    // before this migration kept neither: they are marked, and verify warns about each of them
    // instead of failing (nothing left can prove or disprove their purge).
    version: 3,
    sql: `
      alter table audit_records add column kept_time_in timestamptz;
      alter table audit_records add column retention_days integer;
      alter table audit_records add column legacy_purge boolean not null default false;
      update audit_records set legacy_purge = true where purged_at is not null`,
  },
  {
    // The auditors' questions (find, page): by subject, actor or tenant, oldest first, and by time.
    // idx second, so a page of one subject's records is read in order from the index, after its cursor.
    version: 4,
    sql: `
      create index audit_records_subject_idx on audit_records ((payload->>'subject'), idx);
      create index audit_records_actor_idx on audit_records ((payload->>'actor'), idx);
      create index audit_records_tenant_idx on audit_records ((payload->>'tenant'), idx);
      create index audit_records_time_in_idx on audit_records ((payload->>'timeIn'), idx)`,
  },
  {
    // The tree's head: its size and the roots of its perfect subtrees (the Merkle frontier), largest
    // first, 32 bytes each, concatenated; advanced by every append in the same statement or transaction, so an append takes its
    // indices from it and a checkpoint signs its root without reading a leaf. One row. Filled from
    // the leaves when a trail is first opened by a version that has it (auditTrail.ts).
    version: 5,
    sql: `
      create table audit_head (
        id smallint primary key check (id = 1),
        tree_size bigint not null,
        subtrees bytea not null
      )`,
  },
  {
    // A checkpoint keeps the frontier it signed, so an auditor's kept checkpoint can be extended
    // from (verify --from-checkpoint) without reading the leaves before it. (This version also
    // made audit_append, which version 7 replaces before any release used it.)
    version: 6,
    statements: [
      'alter table audit_checkpoints add column subtrees bytea',
    ],
  },
  {
    // Partitioned by index in blocks of `partition_records` (a power of two, so each full block is
    // one perfect subtree of the RFC 6962 tree): a retention purge drops a block whose records are
    // all past retention and keeps, in audit_sealed, its subtree roots and what verify checks the
    // drop against. The records of an older trail become one partition, [0, first_partitioned).
    //
    // audit_append: an append in one statement, so in one round trip. It locks the head's row,
    // makes the block it writes into when it is the first to reach it, inserts the records after
    // the head, advances the frontier (RFC 6962 node hash: SHA-256 of 0x01 || left || right) and
    // stores it, all inside the server: the row lock is held for the function and its commit only,
    // never across a round trip to a gateway. Leaves are 32-byte hashes concatenated, payloads a
    // JSON array in the same order; it returns the index of the first record appended.
    version: 7,
    statements: [
      `create table audit_settings (
        id smallint primary key check (id = 1),
        partition_records bigint not null check (partition_records > 0 and (partition_records & (partition_records - 1)) = 0),
        first_partitioned bigint not null default 0
      )`,
      'insert into audit_settings (id, partition_records) values (1, 1048576)',
      `create table audit_sealed (
        start_idx bigint primary key,
        end_idx bigint not null,
        subtrees bytea not null,
        records bigint not null,
        purged_at timestamptz not null,
        max_time_in timestamptz,
        min_retention_days integer not null
      )`,
      'alter index audit_records_pkey rename to audit_records_unpartitioned_pkey',
      'alter index audit_records_subject_idx rename to audit_records_unpartitioned_subject_idx',
      'alter index audit_records_actor_idx rename to audit_records_unpartitioned_actor_idx',
      'alter index audit_records_tenant_idx rename to audit_records_unpartitioned_tenant_idx',
      'alter index audit_records_time_in_idx rename to audit_records_unpartitioned_time_in_idx',
      'alter table audit_records rename to audit_records_unpartitioned',
      `create table audit_records (
        idx bigint not null,
        leaf_hash bytea not null,
        payload jsonb,
        recorded_at timestamptz not null default now(),
        purged_at timestamptz,
        kept_time_in timestamptz,
        retention_days integer,
        legacy_purge boolean not null default false,
        primary key (idx)
      ) partition by range (idx)`,
      "create index audit_records_subject_idx on audit_records ((payload->>'subject'), idx)",
      "create index audit_records_actor_idx on audit_records ((payload->>'actor'), idx)",
      "create index audit_records_tenant_idx on audit_records ((payload->>'tenant'), idx)",
      "create index audit_records_time_in_idx on audit_records ((payload->>'timeIn'), idx)",
      `do $do$
      declare
        top bigint;
        block bigint;
      begin
        select coalesce(max(idx) + 1, 0) into top from audit_records_unpartitioned;
        if top = 0 then
          drop table audit_records_unpartitioned;
          return;
        end if;
        select partition_records into block from audit_settings;
        top := ((top + block - 1) / block) * block;
        execute format('alter table audit_records attach partition audit_records_unpartitioned for values from (0) to (%s)', top);
        update audit_settings set first_partitioned = top;
      end
      $do$`,
      `create function audit_ensure_partitions(from_idx bigint, to_idx bigint) returns void language plpgsql set search_path from current as $fn$
      declare
        block bigint;
        first_partitioned bigint;
        k bigint;
      begin
        select s.partition_records, s.first_partitioned into block, first_partitioned from audit_settings s where id = 1;
        for k in greatest(from_idx, first_partitioned) / block .. to_idx / block loop
          if to_regclass(format('%I', 'audit_records_p' || k)) is null then
            -- Made on its own and attached, rather than made as a partition: attaching takes a
            -- weaker lock on the parent (readers go on), and the block's indexes get names of
            -- their own, which attaching adopts as the parent's.
            execute format('create table %1$I (like audit_records including defaults including constraints, check (idx >= %2$s and idx < %3$s))', 'audit_records_p' || k, k * block, (k + 1) * block);
            execute format('alter table %1$I add primary key (idx)', 'audit_records_p' || k);
            execute format($$create index %1$I on %2$I ((payload->>'subject'), idx)$$, 'audit_records_p' || k || '_subject_idx', 'audit_records_p' || k);
            execute format($$create index %1$I on %2$I ((payload->>'actor'), idx)$$, 'audit_records_p' || k || '_actor_idx', 'audit_records_p' || k);
            execute format($$create index %1$I on %2$I ((payload->>'tenant'), idx)$$, 'audit_records_p' || k || '_tenant_idx', 'audit_records_p' || k);
            execute format($$create index %1$I on %2$I ((payload->>'timeIn'), idx)$$, 'audit_records_p' || k || '_time_in_idx', 'audit_records_p' || k);
            execute format('alter table audit_records attach partition %1$I for values from (%2$s) to (%3$s)', 'audit_records_p' || k, k * block, (k + 1) * block);
          end if;
        end loop;
      end
      $fn$`,
      `create or replace function audit_append(leaves bytea, payloads jsonb) returns bigint language plpgsql set search_path from current as $fn$
      declare
        size bigint;
        packed bytea;
        roots bytea[] := '{}';
        n int := jsonb_array_length(payloads);
        first_idx bigint;
        h bytea;
        carry bigint;
        i int;
      begin
        if length(leaves) <> n * 32 then
          raise exception 'audit_append: % bytes of leaf hashes for % payloads', length(leaves), n;
        end if;
        select tree_size, subtrees into size, packed from audit_head where id = 1 for update;
        if not found then raise exception 'audit_append: the trail has no head (audit_head)'; end if;
        first_idx := size;
        perform audit_ensure_partitions(first_idx, first_idx + n - 1);
        for i in 0 .. length(packed) / 32 - 1 loop
          roots := array_append(roots, substring(packed from i * 32 + 1 for 32));
        end loop;
        insert into audit_records (idx, leaf_hash, payload)
          select first_idx + o - 1, substring(leaves from (o::int - 1) * 32 + 1 for 32), p
            from jsonb_array_elements(payloads) with ordinality as u(p, o);
        for i in 0 .. n - 1 loop
          h := substring(leaves from i * 32 + 1 for 32);
          -- A new leaf merges with one subtree for each trailing 1-bit of the size before it.
          carry := size;
          while carry % 2 = 1 loop
            h := sha256(decode('01', 'hex') || roots[cardinality(roots)] || h);
            roots := roots[1 : cardinality(roots) - 1];
            carry := carry / 2;
          end loop;
          roots := array_append(roots, h);
          size := size + 1;
        end loop;
        packed := ''::bytea;
        for i in 1 .. cardinality(roots) loop
          packed := packed || roots[i];
        end loop;
        update audit_head set tree_size = size, subtrees = packed where id = 1;
        return first_idx;
      end
      $fn$`,
    ],
  },
  {
    // Which blocks hold a subject's records: a find by subject reads this one index, then only the
    // blocks it names, instead of one index descent per block (at ten blocks, cold, that was most of
    // a find's time). audit_append adds a subject's block as it appends; a purge removes what no
    // longer has a live record, a dropped block all of its rows. Filled from the live records here.
    version: 8,
    statements: [
      `create table audit_subject_blocks (
        subject text not null,
        block bigint not null,
        primary key (subject, block)
      )`,
      // By block, then subject: a dropped block's rows, and verify's check of one block, are one range of it.
      'create index audit_subject_blocks_block_idx on audit_subject_blocks (block, subject)',
      `insert into audit_subject_blocks (subject, block)
        select distinct payload->>'subject', idx / (select partition_records from audit_settings where id = 1)
          from audit_records where purged_at is null and payload->>'subject' is not null`,
      `create or replace function audit_append(leaves bytea, payloads jsonb) returns bigint language plpgsql set search_path from current as $fn$
      declare
        size bigint;
        packed bytea;
        roots bytea[] := '{}';
        n int := jsonb_array_length(payloads);
        first_idx bigint;
        block_size bigint;
        h bytea;
        carry bigint;
        i int;
      begin
        if length(leaves) <> n * 32 then
          raise exception 'audit_append: % bytes of leaf hashes for % payloads', length(leaves), n;
        end if;
        select tree_size, subtrees into size, packed from audit_head where id = 1 for update;
        if not found then raise exception 'audit_append: the trail has no head (audit_head)'; end if;
        first_idx := size;
        perform audit_ensure_partitions(first_idx, first_idx + n - 1);
        select partition_records into block_size from audit_settings where id = 1;
        for i in 0 .. length(packed) / 32 - 1 loop
          roots := array_append(roots, substring(packed from i * 32 + 1 for 32));
        end loop;
        insert into audit_records (idx, leaf_hash, payload)
          select first_idx + o - 1, substring(leaves from (o::int - 1) * 32 + 1 for 32), p
            from jsonb_array_elements(payloads) with ordinality as u(p, o);
        insert into audit_subject_blocks (subject, block)
          select distinct p->>'subject', (first_idx + o - 1) / block_size
            from jsonb_array_elements(payloads) with ordinality as u(p, o)
           where p->>'subject' is not null
          on conflict do nothing;
        for i in 0 .. n - 1 loop
          h := substring(leaves from i * 32 + 1 for 32);
          -- A new leaf merges with one subtree for each trailing 1-bit of the size before it.
          carry := size;
          while carry % 2 = 1 loop
            h := sha256(decode('01', 'hex') || roots[cardinality(roots)] || h);
            roots := roots[1 : cardinality(roots) - 1];
            carry := carry / 2;
          end loop;
          roots := array_append(roots, h);
          size := size + 1;
        end loop;
        packed := ''::bytea;
        for i in 1 .. cardinality(roots) loop
          packed := packed || roots[i];
        end loop;
        update audit_head set tree_size = size, subtrees = packed where id = 1;
        return first_idx;
      end
      $fn$`,
    ],
  },
];

/**
 * Applies the migrations not yet applied (up to version `upTo`: tests make older trails with it), all
 * in one transaction under the schema's advisory lock: of two processes opening a new trail at
 * once, the second waits, then finds every one applied.
 */
export async function migrate(db: SqlClient, upTo = Number.POSITIVE_INFINITY): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1, hashtext(current_schema()))', [SCHEMA_LOCK]);
    await tx.query('create table if not exists audit_schema_migrations (version int primary key, applied_at timestamptz not null default now())');
    const applied = new Set((await tx.query<{ version: number }>('select version from audit_schema_migrations')).map((r) => Number(r.version)));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version) || migration.version > upTo) continue;
      const statements = 'statements' in migration ? migration.statements : migration.sql.split(';').map((s) => s.trim()).filter(Boolean);
      for (const statement of statements) await tx.query(statement);
      await tx.query('insert into audit_schema_migrations (version) values ($1)', [migration.version]);
    }
  });
}

/** The embedded trail's folder is held by another opener (code `AUDIT_TRAIL_LOCKED`). */
export class AuditTrailLocked extends Error {
  readonly code = 'AUDIT_TRAIL_LOCKED';
  constructor(
    message: string,
    /** The pid the lock file names, undefined when it names none. */
    readonly holderPid: number | undefined,
  ) {
    super(message);
    this.name = 'AuditTrailLocked';
  }
}

/** Lock files this process holds (absolute paths): a second open in the same process is refused. */
const heldLocks = new Set<string>();

/**
 * Takes the exclusive lock file `path` (created with 'wx', holding this process's pid) and returns
 * its release. PGlite is single-process: two processes opening one data folder corrupt it, so the
 * embedded trail's folder has one opener at a time. A lock naming a pid that is no longer alive is
 * taken over (a gateway killed with SIGKILL leaves one); so is one naming this process's pid that
 * this process does not hold (a container restarted under the same pid). The lock is released on
 * close and, failing that, when the process exits.
 *
 * Two processes taking over the same stale lock at the same instant could both succeed: the
 * takeover is a best effort, the 'wx' create is not.
 */
export function lockFolder(path: string, describe: (holder: number | undefined) => string): () => void {
  const lockPath = resolve(path);
  for (let attempt = 0; ; attempt++) {
    if (heldLocks.has(lockPath)) throw new AuditTrailLocked(describe(process.pid), process.pid);
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
      let text: string;
      try {
        text = readFileSync(lockPath, 'utf8');
      } catch {
        continue; // released meanwhile: try again
      }
      const holder = /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
      // No pid (a writer between create and write, or a damaged file): not ours to take.
      if (holder === undefined || (holder !== process.pid && processExists(holder))) throw new AuditTrailLocked(describe(holder), holder);
      try {
        if (readFileSync(lockPath, 'utf8') === text) unlinkSync(lockPath);
      } catch {
        // gone already
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    heldLocks.add(lockPath);
    const release = () => {
      process.off('exit', release);
      if (!heldLocks.delete(lockPath)) return;
      try {
        if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
      } catch {
        // removed by hand: nothing to release
      }
    };
    process.on('exit', release);
    return release;
  }
}
