/**
 * The auditor's command line over the local access trail (.data/audit, the one `npm start` writes;
 * AUDIT_DIR to use another):
 *
 *   npm run audit -- --subject 010160-1234 [--actor ID] [--tenant 0101] [--from 2026-11-01] [--to 2026-12-01] [--format json|csv]
 *   npm run audit:verify [-- --checkpoint kept.json]   exit 0 when the trail is intact, 1 with the problems
 *   npm run audit:checkpoint > kept.json               sign a checkpoint now and print it, for the auditor to keep
 *   npm run audit:purge [-- --default-days 183] [--purpose P-12=3650 …]   drop payloads past retention, keep hashes
 */
import { readFileSync } from 'node:fs';
import { configuredAuditTrail, localAuditTrail, subjectHash, writeAuditKeys, type Checkpoint } from '../gateway/audit';
import { parseCpr } from '../schema/scalars';

const [command, ...rest] = process.argv.slice(2);
const option = (flag: string) => {
  const i = rest.indexOf(flag);
  return i >= 0 ? rest[i + 1] : undefined;
};
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const dir = process.env['AUDIT_DIR'] ?? '.data/audit';
const isoDate = (value: string | undefined, flag: string) => {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? fail(`${flag} must be a date or time, e.g. 2026-11-01`) : new Date(time).toISOString();
};

if (command === 'keys') {
  const path = rest[0] ?? fail('usage: npm run audit:keys -- FILE');
  await writeAuditKeys(path);
  console.log(`wrote ${path}: the subject HMAC key and checkpoint signing key for AUDIT_KEYS (keep it secret)`);
  process.exit(0);
}
// The trail the gateway writes: AUDIT_DATABASE_URL + AUDIT_KEYS (+ AUDIT_SCHEMA), or the folder AUDIT_DIR.
const { trail, keys } = process.env['AUDIT_DATABASE_URL']
  ? await configuredAuditTrail({ databaseUrl: process.env['AUDIT_DATABASE_URL'], keysPath: process.env['AUDIT_KEYS'] ?? fail('AUDIT_KEYS: set it with AUDIT_DATABASE_URL'), schema: process.env['AUDIT_SCHEMA'] ?? 'audit' })
  : await localAuditTrail(dir);
try {
  if (command === 'verify') {
    const keptPath = option('--checkpoint');
    let kept: Checkpoint | undefined;
    if (keptPath) {
      try {
        kept = JSON.parse(readFileSync(keptPath, 'utf8')) as Checkpoint;
      } catch {
        fail(`--checkpoint: cannot read ${keptPath} as a checkpoint (make one with npm run audit:checkpoint)`);
      }
    }
    const report = await trail.verify(kept);
    console.log(`${report.records} records, ${report.checkpoints} signed checkpoints${kept ? `, checked against the kept checkpoint of ${kept.treeSize}` : ''}`);
    if (report.ok) console.log('the trail is intact');
    else for (const problem of report.problems) console.log(`PROBLEM: ${problem}`);
    process.exitCode = report.ok ? 0 : 1;
  } else if (command === 'purge') {
    const defaultDays = Number(option('--default-days') ?? 183);
    if (!(defaultDays > 0)) fail('--default-days must be a positive number of days');
    const byPurpose: Record<string, number> = {};
    rest.forEach((arg, i) => {
      if (arg !== '--purpose') return;
      const [purpose, days] = (rest[i + 1] ?? '').split('=');
      if (!purpose || !(Number(days) > 0)) fail('--purpose takes PURPOSE=DAYS, e.g. --purpose "P-12=3650"');
      byPurpose[purpose!] = Number(days);
    });
    const purged = await trail.purge({ defaultDays, byPurpose });
    console.log(`purged the payloads of ${purged} records past retention; their hashes stay, so the trail still verifies`);
  } else if (command === 'checkpoint') {
    const checkpoint = await trail.checkpoint();
    if (!checkpoint) fail('the trail is empty: nothing to sign');
    console.log(JSON.stringify(checkpoint));
  } else if (command === 'find') {
    const subject = option('--subject');
    const cpr = subject === undefined ? undefined : (parseCpr(subject) ?? fail('--subject must be a CPR number, DDMMYY-SSSS'));
    const format = option('--format') ?? 'json';
    if (format !== 'json' && format !== 'csv') fail('--format must be json or csv');
    const records = await trail.find({
      ...(cpr ? { subject: subjectHash(keys.subjectKey, cpr) } : {}),
      ...(option('--actor') ? { actor: option('--actor')! } : {}),
      ...(option('--tenant') ? { tenant: option('--tenant')! } : {}),
      ...(isoDate(option('--from'), '--from') ? { from: isoDate(option('--from'), '--from')! } : {}),
      ...(isoDate(option('--to'), '--to') ? { to: isoDate(option('--to'), '--to')! } : {}),
    });
    if (format === 'json') console.log(JSON.stringify(records, null, 2));
    else {
      const columns = ['timeIn', 'actor', 'roles', 'tenant', 'purpose', 'typeOfUse', 'fields', 'systems', 'outcome', 'operationName', 'requestId'] as const;
      const cell = (v: unknown) => `"${(Array.isArray(v) ? v.join(' ') : String(v ?? '')).replaceAll('"', '""')}"`;
      console.log(columns.join(','));
      for (const r of records) console.log(columns.map((c) => cell(r[c])).join(','));
    }
    console.error(`${records.length} records`);
  } else {
    fail('usage: npm run audit -- --subject CPR [--actor ID] [--tenant CODE] [--from DATE] [--to DATE] [--format json|csv]\n       npm run audit:verify [-- --checkpoint FILE]\n       npm run audit:checkpoint\n       npm run audit:purge [-- --default-days N] [--purpose P=DAYS …]');
  }
} finally {
  await trail.close();
}
