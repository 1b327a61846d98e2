/**
 * The one SQL surface of the audit trail, over an embedded PostgreSQL (PGlite, the default) or a
 * PostgreSQL server (pg). One schema, one set of queries, versioned migrations.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface SqlClient {
  /** Only this process writes (embedded PGlite): appends may be ordered in memory, no lock needed. */
  readonly singleWriter: boolean;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (client: Pick<SqlClient, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PGlite in a data directory (or in memory when none is given). */
export async function pgliteClient(dataDir?: string): Promise<SqlClient> {
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  const query = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;
  return {
    singleWriter: true,
    query,
    transaction: (work) => db.transaction((tx) => work({ query: async <T>(sql: string, params: unknown[] = []) => (await tx.query<T>(sql, params)).rows })),
    close: () => db.close(),
  };
}

/** A PostgreSQL server by URL; `schema` keeps this trail's tables apart (tests use one each). */
export async function postgresClient(url: string, schema = 'audit'): Promise<SqlClient> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`audit: schema name ${schema} is not a plain identifier`);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2_000 });
  pool.on('connect', (client) => void client.query(`set search_path to ${schema}`));
  // The pool reports errors of idle clients here; a query in flight gets its own error.
  pool.on('error', () => undefined);
  const admin = await pool.connect();
  try {
    await admin.query(`create schema if not exists ${schema}`);
    await admin.query(`set search_path to ${schema}`);
  } finally {
    admin.release();
  }
  return {
    singleWriter: false,
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query(`set search_path to ${schema}`);
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

/** Versioned migrations, applied in order, each once. */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
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
];

export async function migrate(db: SqlClient): Promise<void> {
  await db.query('create table if not exists audit_schema_migrations (version int primary key, applied_at timestamptz not null default now())');
  const applied = new Set((await db.query<{ version: number }>('select version from audit_schema_migrations')).map((r) => Number(r.version)));
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await db.transaction(async (tx) => {
      for (const statement of migration.sql.split(';').map((s) => s.trim()).filter(Boolean)) await tx.query(statement);
      await tx.query('insert into audit_schema_migrations (version) values ($1)', [migration.version]);
    });
  }
}
