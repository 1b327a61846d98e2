import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { configuredAuditTrail, writeAuditKeys } from '../index';
import { ADVISED_MIN_WAL_SIZE_MB, readWalSettings, walAdvice } from '../serverAdvice';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POSTGRES_URL = process.env['AUDIT_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('advice on the trail server\'s WAL settings', () => {
  it('says nothing of a server set as advised, or that does not report the setting', () => {
    expect(walAdvice({ minWalSizeMb: 2048, initZero: true })).toEqual([]);
    expect(walAdvice({ minWalSizeMb: ADVISED_MIN_WAL_SIZE_MB, initZero: true })).toEqual([]);
    expect(walAdvice({ minWalSizeMb: undefined, initZero: true })).toEqual([]);
  });

  it('names a small min_wal_size with its value, unless new WAL files are not zero-filled', () => {
    const advice = walAdvice({ minWalSizeMb: 1024, initZero: true });
    expect(advice).toHaveLength(1);
    expect(advice[0]).toMatch(/^the trail's PostgreSQL has min_wal_size = 1024MB: .* set min_wal_size to at least the WAL of one checkpoint interval/);
    expect(walAdvice({ minWalSizeMb: 80, initZero: false })).toEqual([]);
  });

  it('reads the settings of a real server as pg_settings gives them', async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const settings = await readWalSettings({ query: async <T>(sql: string) => (await client.query(sql)).rows as T[] });
      const shown = async (name: string) => (await client.query(`select current_setting('${name}') as v`)).rows[0].v as string;
      expect(settings.initZero).toBe((await shown('wal_init_zero')) === 'on');
      // current_setting gives the size with its unit, e.g. '80MB' or '2GB'.
      const minWal = await shown('min_wal_size');
      const [, value, unit] = /^(\d+)(MB|GB|TB)$/.exec(minWal)!;
      expect(settings.minWalSizeMb).toBe(Number(value) * { MB: 1, GB: 1024, TB: 1024 * 1024 }[unit as 'MB' | 'GB' | 'TB']);
    } finally {
      await client.end();
    }
  });

  it('is what opening a trail on that server gives the gateway to log; an embedded trail gets none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trail-advice-'));
    const keysPath = join(dir, 'keys.json');
    await writeAuditKeys(keysPath);
    const schema = `advice_${process.pid}`;
    const opened = await configuredAuditTrail({ databaseUrl: POSTGRES_URL, keysPath, schema });
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const expected = walAdvice(await readWalSettings({ query: async <T>(sql: string) => (await client.query(sql)).rows as T[] }));
      expect(opened.advice).toEqual(expected);
    } finally {
      await opened.trail.close();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
    const embedded = await configuredAuditTrail({ dir: join(dir, 'embedded') });
    try {
      expect(embedded.advice).toEqual([]);
    } finally {
      await embedded.trail.close();
    }
  });
});
