/**
 * The embedded trail's PostgreSQL runs with small buffers, and a new trail folder is initialised by
 * a child process, so the gateway never carries initdb's memory (audit/sql.ts).
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initPgliteDataDir, pgliteClient } from '../../audit/sql';
import { freshPglite } from '../support/auditFixtures';

const dir = mkdtempSync(join(tmpdir(), 'pglite-sizing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded trail database', () => {
  it('runs with the small buffers, in a data folder and in memory from a template', async () => {
    const onDisk = await pgliteClient(join(dir, 'a'));
    const inMemory = await freshPglite();
    try {
      for (const db of [onDisk, inMemory]) {
        const [row] = await db.query<{ shared_buffers: string; work_mem: string }>("select current_setting('shared_buffers') as shared_buffers, current_setting('work_mem') as work_mem");
        expect(row).toEqual({ shared_buffers: '16MB', work_mem: '1MB' });
      }
    } finally {
      await onDisk.close();
      await inMemory.close();
    }
  });

  it('makes a new data folder in a child process, and opens it again as it left it', async () => {
    const dataDir = join(dir, 'b');
    await initPgliteDataDir(dataDir);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    const first = await pgliteClient(dataDir);
    await first.query('create table kept (n int)');
    await first.query('insert into kept values (7)');
    await first.close();
    const again = await pgliteClient(dataDir);
    try {
      expect(await again.query('select n from kept')).toEqual([{ n: 7 }]);
    } finally {
      await again.close();
    }
  });

  it('says which folder it could not initialise, and why', async () => {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, 'not a folder');
    await expect(initPgliteDataDir(join(notAFolder, 'pgdata'))).rejects.toThrow(/audit: .*pgdata/);
  });
});
