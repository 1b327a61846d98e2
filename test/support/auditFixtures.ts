/**
 * Fresh audit stores without a PGlite boot each: a new PGlite costs about two seconds (its initdb),
 * a schema in a running one a millisecond, and a copy of an initialised data folder a tenth of a
 * second. Tests get the same fresh, empty, migrated store either way.
 */
import { accessSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { localAuditTrail, pgliteClient, type SqlClient } from '../../audit';

let template: Blob | undefined;
/** The run's dump of an initialised PGlite (test/support/pgliteTemplate.ts), read once per file. */
function pgliteTemplate(): Blob {
  return (template ??= new Blob([readFileSync(inject('pgliteTemplate'))]));
}

/** A new, empty, in-memory PGlite store, as `pgliteClient()` gives, without the initdb. */
export function freshPglite(): Promise<SqlClient> {
  return pgliteClient(undefined, { loadDataDir: pgliteTemplate() });
}

/**
 * One in-memory PGlite for a test file; `client()` gives a store in a schema of its own, as the
 * PostgreSQL server's tests get one each (`postgresClient(url, schema)`). PGlite is one session, so
 * the search_path is set again whenever another client's query ran last: a file's tests use their
 * clients one after another, which is all this supports. `close()` of a client drops its schema
 * (an in-memory store's data goes with it, as when a PGlite of its own is closed); `close()` of
 * the whole ends the PGlite.
 */
export function sharedPglite(): { client(): Promise<SqlClient>; close(): Promise<void> } {
  let booted: Promise<PGlite> | undefined;
  let current: string | undefined;
  let count = 0;
  const boot = () => (booted ??= PGlite.create({ loadDataDir: pgliteTemplate() }));
  return {
    async client() {
      const db = await boot();
      const schema = `store_${++count}`;
      await db.exec(`create schema ${schema}`);
      const use = async () => {
        if (current === schema) return;
        await db.exec(`set search_path to ${schema}`);
        current = schema;
      };
      await use();
      return {
        singleWriter: true,
        async query<T>(sql: string, params: unknown[] = []) {
          await use();
          return (await db.query<T>(sql, params)).rows;
        },
        async transaction(work) {
          await use();
          return db.transaction((tx) => work({ query: async <T>(sql: string, params: unknown[] = []) => (await tx.query<T>(sql, params)).rows }));
        },
        async close() {
          await db.exec(`drop schema if exists ${schema} cascade`);
          if (current === schema) current = undefined;
        },
      };
    },
    async close() {
      if (booted) await (await booted).close();
      booted = undefined;
    },
  };
}

/**
 * Where trail folders go: a RAM disk when there is one. A PGlite folder is about a thousand files,
 * and on a disk mounted with `discard` (as this project's CI machine is) removing one takes two
 * seconds of waiting on the device, writing a new one three.
 */
const SCRATCH = (() => {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
})();

/**
 * Temporary folders for embedded trails (`localAuditTrail(dir)`), each removed by `cleanup()`.
 * `seed(dir)` puts in it the PGlite data of a new, migrated, empty trail, copied from one made once
 * by `localAuditTrail` itself; the keys are not copied, so each trail makes its own when opened.
 */
export function trailFolders(prefix: string): { make(): string; seed(dir: string): Promise<void>; cleanup(): void } {
  const made: string[] = [];
  let template: Promise<string> | undefined;
  const make = () => {
    const dir = mkdtempSync(join(SCRATCH, prefix));
    made.push(dir);
    return dir;
  };
  const pgdata = () =>
    (template ??= (async () => {
      const dir = make();
      // The run's dump laid out as a data folder first, so not even the template runs initdb.
      await (await pgliteClient(join(dir, 'pgdata'), { loadDataDir: pgliteTemplate() })).close();
      const { trail } = await localAuditTrail(dir);
      await trail.close();
      return join(dir, 'pgdata');
    })());
  return {
    make,
    async seed(dir) {
      const target = join(dir, 'pgdata');
      if (existsSync(target)) throw new Error(`${dir} holds a trail already`);
      cpSync(await pgdata(), target, { recursive: true });
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
      template = undefined;
    },
  };
}
