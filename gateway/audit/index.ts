/**
 * The access trail the gateway records into: `auditedAccess` turns each request's consolidated
 * access into records (subjects keyed-hashed) and appends them durably before the answer leaves.
 * `localAuditTrail` opens the embedded trail `npm start` and `npm run audit:verify` share.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import type { RequestAccess } from '../server';
import { toAccessRecords } from './accessRecord';
import { createAuditTrail, type AuditTrail } from './auditTrail';
import { pgliteClient, postgresClient } from './sql';

export { createAuditTrail, type AuditTrail, type Checkpoint, type VerifyReport } from './auditTrail';
export { pgliteClient, postgresClient, type SqlClient } from './sql';
export { subjectHash, toAccessRecords, type AccessRecord } from './accessRecord';

/** The gateway's `onAccess`: one record per subject, committed before the response leaves. */
export function auditedAccess(trail: AuditTrail, subjectKey: Buffer): (access: RequestAccess) => Promise<void> {
  return (access) =>
    trail.record(
      toAccessRecords(
        {
          requestId: access.requestId,
          traceId: access.traceId,
          documentHash: access.documentHash,
          timeIn: access.startedAt,
          identity: access.identity,
          operationName: access.operationName,
          outcome: access.outcome,
          subjects: access.subjects,
        },
        subjectKey,
      ),
    );
}

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
    writeFileSync(path, JSON.stringify({ subjectKey: randomBytes(32).toString('hex'), signing }), { mode: 0o600 });
  }
  const stored = JSON.parse(readFileSync(path, 'utf8')) as { subjectKey: string; signing: AuditKeys['signing'] };
  return { subjectKey: Buffer.from(stored.subjectKey, 'hex'), signing: stored.signing };
}

/** The trail a gateway's configuration names: embedded in a folder, or on a PostgreSQL server. */
export async function configuredAuditTrail(
  audit: { dir: string } | { databaseUrl: string; keysPath: string; schema: string },
): Promise<{ trail: AuditTrail; keys: AuditKeys }> {
  if ('dir' in audit) return localAuditTrail(audit.dir);
  let stored: { subjectKey: string; signing: AuditKeys['signing'] };
  try {
    stored = JSON.parse(readFileSync(audit.keysPath, 'utf8')) as typeof stored;
  } catch {
    throw new Error(`AUDIT_KEYS: cannot read ${audit.keysPath} (npm run audit:keys -- FILE makes one)`);
  }
  const keys = { subjectKey: Buffer.from(stored.subjectKey, 'hex'), signing: stored.signing };
  const trail = await createAuditTrail({ db: await postgresClient(audit.databaseUrl, audit.schema), signingKey: keys.signing });
  return { trail, keys };
}

/** Writes a new keys file for a trail on a PostgreSQL server (mode 600). */
export async function writeAuditKeys(path: string): Promise<void> {
  const signing = await generateInternalTokenKeys();
  writeFileSync(path, JSON.stringify({ subjectKey: randomBytes(32).toString('hex'), signing }), { mode: 0o600 });
}

/** The embedded trail in `dir` (PGlite data in dir/pgdata), with its keys. */
export async function localAuditTrail(dir: string, checkpointEvery?: number): Promise<{ trail: AuditTrail; keys: AuditKeys }> {
  const keys = await localAuditKeys(dir);
  const trail = await createAuditTrail({ db: await pgliteClient(join(dir, 'pgdata')), signingKey: keys.signing, ...(checkpointEvery ? { checkpointEvery } : {}) });
  return { trail, keys };
}
