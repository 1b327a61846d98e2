/**
 * vitest global setup: the audit trail's tests need the PostgreSQL server at 127.0.0.1:5432
 * (database `test`). Start it, as the machine's documentation says, when it is down.
 */
import { execSync } from 'node:child_process';
import pg from 'pg';

const URL = process.env['AUDIT_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function ensurePostgres(): Promise<void> {
  if (await reachable()) return;
  try {
    execSync('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start', { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // fall through to the check below, which says what is wrong
  }
  for (let i = 0; i < 20; i++) {
    if (await reachable()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`PostgreSQL is not reachable at ${URL} and could not be started (pg_ctlcluster)`);
}
