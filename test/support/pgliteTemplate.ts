/**
 * vitest global setup: one initialised, empty PGlite, dumped once for the whole run, so a test that
 * needs a fresh embedded store loads it (about half a second) instead of running initdb again
 * (about two and a half). `freshPglite()` in auditFixtures.ts reads it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A tar of an initialised, empty PGlite data folder. */
    pgliteTemplate: string;
  }
}

export default async function pgliteTemplate(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'pglite-template-'));
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('none');
  await db.close();
  const file = join(dir, 'pgdata.tar');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
