/**
 * The auditor's commands (`find`, `verify`, `checkpoint`, `purge`, `keys`) as a function of their
 * arguments, output and environment, so they can be run in process: `scripts/audit.ts` is the
 * command line around it, and its header says what each command takes and what its exit codes mean.
 * Importing this runs nothing.
 */
import { readFileSync } from 'node:fs';
import { caseLookupHash, configuredAuditTrail, localAuditTrail, subjectHash, toAccessRecords, writeAuditKeys, type AccessRecord, type AuditKeys, type AuditTrail, type Checkpoint, type Consistency, type VerifyReport } from '../audit';
import { parseCpr } from '../schema/scalars';

export interface AuditIo {
  /** Receives the command's output, each line ended by '\n'. */
  stdout(text: string): void;
  /** Receives counts, refusals and errors, each line ended by '\n'. */
  stderr(text: string): void;
  /** Where AUDIT_DIR, or AUDIT_DATABASE_URL + AUDIT_KEYS (+ AUDIT_SCHEMA), name the trail. */
  env: NodeJS.ProcessEnv;
}

const USAGE = `usage: npm run audit -- --subject CPR | --case CASE-ID [--actor ID|CPR] [--tenant CODE] [--from DATE] [--to DATE] [--format json|csv]
       npm run audit:verify [-- --checkpoint FILE | --from-checkpoint FILE] [--min-retention-days N]
       npm run audit:checkpoint
       npm run audit:purge [-- --default-days N] [--purpose P=DAYS …] [--min-retention-days N]
       npm run audit:keys -- FILE`;

/** The flags each command takes; every one takes a value. */
const FLAGS: Readonly<Record<string, readonly string[]>> = {
  find: ['--subject', '--case', '--actor', '--tenant', '--from', '--to', '--format'],
  verify: ['--checkpoint', '--from-checkpoint', '--min-retention-days'],
  checkpoint: [],
  purge: ['--default-days', '--purpose', '--min-retention-days'],
};

/**
 * The command cannot run as given (exit code 2). Thrown rather than exiting, so a caller in process
 * (the tests) gets the code back and the trail, when open, is still closed.
 */
class Refusal extends Error {}

const fail = (message: string): never => {
  throw new Refusal(message);
};

/** The values of each flag, in order; an unknown flag or one without a value stops the command. */
function parseFlags(args: readonly string[], allowed: readonly string[]): ReadonlyMap<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    const value = args[i + 1];
    // An unknown flag is refused rather than ignored: a mistyped filter would widen the answer.
    if (!allowed.includes(flag)) fail(`${flag.startsWith('--') ? `unknown option ${flag}` : `unexpected argument ${i + 1}`}\n${USAGE}`);
    if (value === undefined || value.startsWith('--')) fail(`${flag} needs a value\n${USAGE}`);
    flags.set(flag, [...(flags.get(flag) ?? []), value!]);
  }
  return flags;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
/** An ISO instant from YYYY-MM-DD (midnight UTC) or a date and time with its offset. */
function isoDate(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const match = DATE.exec(value);
  const time = Date.parse(value);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  // Date.parse rolls 2026-02-30 over into March: the calendar date must exist as written.
  if (!match || Number.isNaN(time) || day!.getUTCDate() !== Number(match[3]) || day!.getUTCMonth() !== Number(match[2]) - 1) {
    return fail(`${flag} must be a date, YYYY-MM-DD (e.g. 2026-11-01), or a time with its offset (e.g. 2026-11-01T10:00:00+01:00)`);
  }
  return new Date(time).toISOString();
}
const wholeDays = (value: string | undefined, what: string): number | undefined => {
  if (value === undefined) return undefined;
  return /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : fail(`${what} must be a whole number of days, e.g. 183`);
};

/**
 * The CSV columns: every key of an access record (as `toAccessRecords` makes one, so there is a
 * header when nothing matches) and of the records found, in the order of the record's canonical
 * JSON (sorted), so a field added to the record shows without editing this.
 */
function csvColumns(records: readonly AccessRecord[]): string[] {
  const template = toAccessRecords(
    { requestId: '', timeIn: new Date(0), identity: null, operationName: null, outcome: 'ok', subjects: new Map([['', { fields: new Set(), systems: new Set() }]]) },
    Buffer.alloc(32),
    new Date(0),
  );
  return [...new Set([...template, ...records].flatMap((r) => Object.keys(r)))].sort();
}
/**
 * RFC 4180: quoted when it holds a comma, quote, line break or edge space; quotes doubled. A cell
 * a spreadsheet would run as a formula (=, +, -, @ first: a case reference comes from a token) gets
 * a leading apostrophe, as OWASP advises for CSV injection.
 */
function csvCell(value: unknown): string {
  const raw = Array.isArray(value) ? value.join(';') : value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

type Run = (trail: AuditTrail, keys: AuditKeys) => Promise<number>;

/**
 * Runs one command: `args` is what follows `scripts/audit.ts` (the command first). Resolves to the
 * exit code; the trail it opens is closed before it resolves, so another opener may follow at once.
 */
export async function runAudit(args: readonly string[], io: AuditIo): Promise<number> {
  const out = (line: string) => io.stdout(`${line}\n`);
  const err = (line: string) => io.stderr(`${line}\n`);
  try {
    return await audit(args, io.env, out, err);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    err(error.message);
    return 2;
  }
}

async function audit(args: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const [command = '', ...rest] = args;

  if (command === 'keys') {
    const path = rest[0] ?? fail('usage: npm run audit:keys -- FILE');
    await writeAuditKeys(path);
    out(`wrote ${path}: the subject HMAC key and checkpoint signing key for AUDIT_KEYS (keep it secret)`);
    return 0;
  }
  if (!FLAGS[command]) fail(USAGE);

  const flags = parseFlags(rest, FLAGS[command]!);
  const option = (flag: string): string | undefined => {
    const values = flags.get(flag);
    if (values && values.length > 1 && flag !== '--purpose') fail(`${flag} is given more than once`);
    return values?.[0];
  };
  /** The legal floor of retention, unless given: the trail's own (183 days). */
  const minRetentionDays = wholeDays(option('--min-retention-days'), '--min-retention-days');
  const floor = minRetentionDays === undefined ? {} : { minRetentionDays };

  // Every argument is checked before the trail is opened: a wrong one touches nothing.
  let run: Run;
  if (command === 'verify') {
    const readKept = (flag: string): Checkpoint | undefined => {
      const path = option(flag);
      if (!path) return undefined;
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
      } catch {
        return fail(`${flag}: cannot read ${path} as a checkpoint (make one with npm run audit:checkpoint)`);
      }
    };
    const kept = readKept('--checkpoint');
    const since = readKept('--from-checkpoint');
    if (kept && since) fail('give --checkpoint (check the whole trail against it) or --from-checkpoint (check only what was added since), not both');
    run = async (trail) => {
      // Progress on stderr, so stdout stays the report: a line at each tenth of the way.
      let shown = 0;
      const onProgress = ({ read, total }: { read: number; total: number }) => {
        const tenth = total === 0 ? 10 : Math.floor((read / total) * 10);
        if (tenth > shown && total >= 50_000) {
          shown = tenth;
          err(`verified ${read.toLocaleString('en')} of ${total.toLocaleString('en')} records`);
        }
      };
      const report: VerifyReport & { consistency?: Consistency } = since ? await trail.verifySince(since, { ...floor, onProgress }) : await trail.verify(kept, { ...floor, onProgress });
      if (since) {
        out(`${report.records} records added since the kept checkpoint of ${since.treeSize}, ${report.checkpoints} signed checkpoints after it`);
      } else {
        out(`${report.records} records, ${report.checkpoints} signed checkpoints${kept ? `, checked against the kept checkpoint of ${kept.treeSize}` : ''}`);
      }
      for (const warning of report.warnings) out(`WARNING: ${warning}`);
      for (const problem of report.problems) out(`PROBLEM: ${problem}`);
      // Not tampering, but a write nobody knows the outcome of: the auditor checks its legacy system.
      for (const intent of report.openIntents) {
        out(`OPEN INTENT: request ${intent.requestId} (record ${intent.index}, ${intent.time}) was about to write and no outcome was recorded: check whether the write was made`);
      }
      const { consistency } = report;
      if (consistency?.consistent) {
        out(`the kept checkpoint of ${consistency.from.treeSize} is consistent with checkpoint ${consistency.to.treeSize} (RFC 9162 proof of ${consistency.proof.length} hashes: ${consistency.proof.join(' ') || 'none needed'})`);
        out(`keep for the next verify: ${JSON.stringify(consistency.to)}`);
      }
      if (report.ok) out('the trail is intact');
      else if (report.problems.length === 0) out(`the records are intact, but ${report.openIntents.length} ${report.openIntents.length === 1 ? 'write has' : 'writes have'} no recorded outcome`);
      return report.ok ? 0 : 1;
    };
  } else if (command === 'purge') {
    const defaultDays = wholeDays(option('--default-days'), '--default-days');
    const byPurpose: Record<string, number> = {};
    for (const spec of flags.get('--purpose') ?? []) {
      const at = spec.lastIndexOf('=');
      const purpose = spec.slice(0, at);
      if (at <= 0) fail('--purpose takes PURPOSE=DAYS, e.g. --purpose "P-12=3650"');
      byPurpose[purpose] = wholeDays(spec.slice(at + 1), `--purpose ${purpose}`)!;
    }
    // The trail refuses, before purging anything, a retention below the floor.
    run = async (trail) => {
      const purged = await trail.purge({ ...(defaultDays ? { defaultDays } : {}), byPurpose, ...(minRetentionDays ? { minDays: minRetentionDays } : {}) });
      out(`purged the payloads of ${purged} records past retention; their hashes, timeIn and retention stay, so the trail still verifies`);
      return 0;
    };
  } else if (command === 'checkpoint') {
    run = async (trail) => {
      const checkpoint = await trail.checkpoint();
      if (!checkpoint) {
        err('the trail is empty: nothing to sign');
        return 2;
      }
      out(JSON.stringify(checkpoint));
      return 0;
    };
  } else {
    const subject = option('--subject');
    const cpr = subject === undefined ? undefined : (parseCpr(subject) ?? fail('--subject must be a CPR number, DDMMYY-SSSS'));
    const caseId = option('--case');
    if (cpr && caseId) fail('give --subject or --case, not both');
    const format = option('--format') ?? 'json';
    if (format !== 'json' && format !== 'csv') fail('--format must be json or csv');
    const [actorGiven, tenant] = [option('--actor'), option('--tenant')];
    // A person acting is recorded under their keyed hash, never their number (see accessRecord.ts).
    const actorCpr = actorGiven === undefined ? undefined : parseCpr(actorGiven);
    const [from, to] = [isoDate(option('--from'), '--from'), isoDate(option('--to'), '--to')];
    run = async (trail, keys) => {
      const records = await trail.find({
        ...(cpr ? { subject: subjectHash(keys.subjectKey, cpr) } : {}),
        ...(caseId ? { subject: caseLookupHash(keys.subjectKey, caseId) } : {}),
        ...(actorGiven ? { actor: actorCpr ? subjectHash(keys.subjectKey, actorCpr) : actorGiven } : {}),
        ...(tenant ? { tenant } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      if (format === 'json') out(JSON.stringify(records, null, 2));
      else {
        const columns = csvColumns(records);
        const rows = [columns.map(csvCell).join(','), ...records.map((r) => columns.map((c) => csvCell((r as unknown as Record<string, unknown>)[c])).join(','))];
        out(rows.join('\n'));
      }
      err(`${records.length} records`);
      return 0;
    };
  }

  // The trail the gateway writes: AUDIT_DATABASE_URL + AUDIT_KEYS (+ AUDIT_SCHEMA), or the folder AUDIT_DIR.
  let opened: { trail: AuditTrail; keys: AuditKeys };
  try {
    opened = env['AUDIT_DATABASE_URL']
      ? await configuredAuditTrail({ databaseUrl: env['AUDIT_DATABASE_URL'], keysPath: env['AUDIT_KEYS'] ?? fail('AUDIT_KEYS: set it with AUDIT_DATABASE_URL'), schema: env['AUDIT_SCHEMA'] ?? 'audit' })
      : await localAuditTrail(env['AUDIT_DIR'] ?? '.data/audit');
  } catch (error) {
    return fail((error as Error).message);
  }
  const { trail, keys } = opened;
  try {
    return await run(trail, keys);
  } catch (error) {
    err((error as Error).message);
    return 2;
  } finally {
    await trail.close();
  }
}
