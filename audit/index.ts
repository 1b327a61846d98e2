/**
 * The access trail as a library: records and their one shape, the Merkle log, checkpoints, stores
 * (embedded PGlite or a PostgreSQL server) and the auditors' queries. The gateway records through
 * it; the auditors' CLI reads it. It depends on runtime/ only.
 * `localAuditTrail` opens the embedded trail `npm start` and `npm run audit:verify` share.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { generateInternalTokenKeys } from '../runtime/internalToken';
import { readWalSettings, walAdvice } from './serverAdvice';
import { createAuditTrail, type AuditTrail } from './auditTrail';
import { lockFolder, pgliteClient, postgresClient } from './sql';

export { createAuditTrail, MAX_PAGE_LIMIT, type AuditFilter, type AuditPage, type AuditTrail, type Checkpoint, type Consistency, type OpenIntent, type PageOptions, type SinceReport, type RetentionPolicy, type VerifyOptions, type VerifyReport } from './auditTrail';
export { pgliteClient, postgresClient, type SqlClient } from './sql';
export { caseLookupHash, criterionText, subjectHash, toAccessRecords, type AccessRecord, type Outcome, type RequestAccessInput, type TypeOfUse } from './accessRecord';

export interface AuditKeys {
  /** HMAC key for data subjects (hex in the file). */
  subjectKey: Buffer;
  signing: { privateJwk: JWK; publicJwk: JWK };
}

/** The keys of a local trail, made on first use and kept beside it (mode 600). */
export async function localAuditKeys(dir: string): Promise<AuditKeys> {
  const path = join(dir, 'keys.json');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const signing = await generateInternalTokenKeys();
    // 'wx': of two first openers, the second keeps the first's keys instead of replacing them.
    try {
      writeFileSync(path, JSON.stringify({ subjectKey: randomBytes(32).toString('hex'), signing }), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const stored = JSON.parse(readFileSync(path, 'utf8')) as { subjectKey: string; signing: AuditKeys['signing'] };
  return { subjectKey: Buffer.from(stored.subjectKey, 'hex'), signing: stored.signing };
}

/** The trail a gateway's configuration names: embedded in a folder, or on a PostgreSQL server. */
export async function configuredAuditTrail(
  audit: { dir: string } | { databaseUrl: string; keysPath: string; schema: string },
): Promise<{ trail: AuditTrail; keys: AuditKeys; advice: string[] }> {
  if ('dir' in audit) return { ...(await localAuditTrail(audit.dir)), advice: [] };
  let stored: { subjectKey: string; signing: AuditKeys['signing'] };
  try {
    stored = JSON.parse(readFileSync(audit.keysPath, 'utf8')) as typeof stored;
  } catch {
    throw new Error(`AUDIT_KEYS: cannot read ${audit.keysPath} (npm run audit:keys -- FILE makes one)`);
  }
  const keys = { subjectKey: Buffer.from(stored.subjectKey, 'hex'), signing: stored.signing };
  const db = await postgresClient(audit.databaseUrl, audit.schema);
  const trail = await createAuditTrail({ db, signingKey: keys.signing });
  // Read, never changed: the server is the operator's. A server that hides pg_settings gets no advice.
  const advice = await readWalSettings(db).then(walAdvice, () => []);
  return { trail, keys, advice };
}

/** Writes a new keys file for a trail on a PostgreSQL server (mode 600). */
export async function writeAuditKeys(path: string): Promise<void> {
  const signing = await generateInternalTokenKeys();
  writeFileSync(path, JSON.stringify({ subjectKey: randomBytes(32).toString('hex'), signing }), { mode: 0o600 });
}

/**
 * The embedded trail in `dir` (PGlite data in dir/pgdata), with its keys. PGlite is single-process,
 * so the folder has one opener at a time: this takes dir/lock (holding the pid) until `close`, and
 * throws `AuditTrailLocked` (code AUDIT_TRAIL_LOCKED) naming the holder while another has it open.
 */
export async function localAuditTrail(dir: string, checkpointEvery?: number): Promise<{ trail: AuditTrail; keys: AuditKeys }> {
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, 'lock');
  const release = lockFolder(lockPath, (holder) =>
    `audit: the trail in ${dir} is open in ${holder === process.pid ? 'this process already' : holder === undefined ? 'another process (its lock file names no pid)' : `process ${holder}`}; ` +
      'embedded PGlite allows one process at a time. Stop the gateway (npm start) or the other npm run audit command first; ' +
      'while the gateway runs, ask it through its HTTP audit API (GET /audit/records with an auditor token) instead. ' +
      `If no such process is running, delete ${lockPath}.`,
  );
  try {
    const keys = await localAuditKeys(dir);
    const trail = await createAuditTrail({ db: await pgliteClient(join(dir, 'pgdata')), signingKey: keys.signing, ...(checkpointEvery ? { checkpointEvery } : {}) });
    const close = async () => {
      try {
        await trail.close();
      } finally {
        release();
      }
    };
    return { trail: { ...trail, close }, keys };
  } catch (error) {
    release();
    throw error;
  }
}
