/**
 * The auditor's commands: `runAudit` (scripts/auditCommand.ts, what `npm run audit`, `audit:verify`,
 * `audit:checkpoint`, `audit:purge` and `audit:keys` run) in process, over a trail in a temporary
 * AUDIT_DIR that the test fills through the library and closes first (one opener at a time); each
 * run opens the trail and closes it again, as the command line does. In process, because a child
 * process per case (tsx, then PGlite) cost a minute; the last describe runs each command once as an
 * auditor does, `npm run audit…` in a child process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAuditTrail, pgliteClient, subjectHash, toAccessRecords, type AccessRecord } from '../../audit';
import { runAudit } from '../../scripts/auditCommand';
import { trailFolders } from '../support/auditFixtures';

type RequestAccessInput = Parameters<typeof toAccessRecords>[0];
type Outcome = { code: number | null; stdout: string; stderr: string };

const root = fileURLToPath(new URL('../..', import.meta.url));
const folders = trailFolders('audit-cli-');
afterAll(() => folders.cleanup());

function tempDir(): string {
  return folders.make();
}

/** The environment a command runs in: the embedded trail in `dir`, whatever the caller's names. */
function envFor(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_DIR: dir };
  delete env['AUDIT_DATABASE_URL'];
  return env;
}

/** Runs the command `args` (`find …`, `verify …`) over the trail in `dir`, in process. */
async function cli(dir: string, ...args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await runAudit(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: envFor(dir) });
  return { code, stdout, stderr };
}

/** Runs `npm run --silent SCRIPT -- ARGS` over the trail in `dir`, as an auditor does. */
function npmRun(dir: string, script: string, ...args: string[]): Promise<Outcome> {
  const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: root, env: envFor(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** RFC 4180, as a spreadsheet reads it: quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

const DAY = 86_400_000;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms);
const day = (ms: number) => ago(ms).toISOString().slice(0, 10);
const CITIZEN = '0101601234'; // written 010160-1234 on the command line
const OTHER = '0202602345';

/** One access record, answered 40 ms after it came in. */
function access(cpr: string, timeIn: Date, identity: NonNullable<RequestAccessInput['identity']>, more: Partial<RequestAccessInput> = {}, subjectKey: Buffer): AccessRecord {
  const [record] = toAccessRecords(
    {
      requestId: `req-${timeIn.getTime()}`,
      timeIn,
      identity,
      operationName: 'CitizenOverview',
      outcome: 'ok',
      subjects: new Map([[cpr, { fields: new Set(['Citizen.name', 'Citizen.address']), systems: new Set(['cpr', 'dar']) }]]),
      ...more,
    },
    subjectKey,
    new Date(timeIn.getTime() + 40),
  );
  return record!;
}

const caseworker = (actor: string, tenant: string, purpose: string) => ({ actor, roles: ['caseworker'], tenant, purpose });

/** Fills the trail in `dir` (a new one, when there is none) through the library, oldest first, and closes it. */
async function trailIn(dir: string, make: (subjectKey: Buffer) => AccessRecord[], checkpointEvery?: number): Promise<Buffer> {
  if (!existsSync(join(dir, 'pgdata'))) await folders.seed(dir);
  const { trail, keys } = await localAuditTrail(dir, checkpointEvery);
  for (const record of make(keys.subjectKey)) await trail.record([record]);
  await trail.close();
  return keys.subjectKey;
}

describe('npm run audit (find)', () => {
  const dir = tempDir();
  let subject: string;
  beforeAll(async () => {
    const key = await trailIn(dir, (k) => [
      access(CITIZEN, ago(400 * DAY), caseworker('cw-1', '0101', 'P-1'), {}, k),
      access(CITIZEN, ago(300 * DAY), { ...caseworker('cw-2', '0147', 'P-LONG'), clientSystem: 'KMD Nexus', onBehalfOf: '=HYPERLINK("http://x")', caseReference: 'S-2026-17, "akut"\nsee note' }, {}, k),
      access(CITIZEN, ago(10 * DAY), caseworker('cw-1', '0101', 'P-1'), {}, k),
      access(OTHER, ago(5 * DAY), caseworker('cw-1', '0101', 'P-1'), {}, k),
      access(CITIZEN, ago(3_600_000), caseworker('cw-1', '0101', 'P-1'), { outcome: 'denied', operationName: null }, k),
    ]);
    subject = subjectHash(key, CITIZEN);
  });

  const find = async (...args: string[]) => {
    const { code, stdout, stderr } = await cli(dir, 'find', '--subject', '010160-1234', ...args);
    expect(code, stderr).toBe(0);
    const records = JSON.parse(stdout) as AccessRecord[];
    expect(stderr).toContain(`${records.length} records`);
    return records;
  };
  const requestAges = (records: AccessRecord[]) => records.map((r) => Math.round((now - Date.parse(r.timeIn)) / DAY));

  it('finds every record of the subject, oldest first, as parseable JSON', async () => {
    const records = await find();
    expect(requestAges(records)).toEqual([400, 300, 10, 0]);
    expect(records.every((r) => r.subject === subject)).toBe(true);
    expect(JSON.stringify(records)).not.toContain(CITIZEN); // the CPR number is never in the trail
  });

  it('narrows by actor, by tenant, and by --from / --to (dates and times)', async () => {
    expect(requestAges(await find('--actor', 'cw-1'))).toEqual([400, 10, 0]);
    expect(requestAges(await find('--tenant', '0147'))).toEqual([300]);
    expect(requestAges(await find('--from', day(20 * DAY)))).toEqual([10, 0]);
    expect(requestAges(await find('--to', day(20 * DAY)))).toEqual([400, 300]);
    expect(requestAges(await find('--from', day(20 * DAY), '--to', day(2 * DAY), '--format', 'json'))).toEqual([10]);
    expect(requestAges(await find('--from', ago(7 * DAY).toISOString(), '--actor', 'cw-1'))).toEqual([0]);
    expect(await find('--actor', 'cw-1', '--tenant', '0147')).toEqual([]);
  });

  it('writes CSV with a header of every field of the JSON record and one row per record, quoted where needed', async () => {
    const json = await find();
    const { code, stdout, stderr } = await cli(dir, 'find', '--subject', '010160-1234', '--format', 'csv');
    expect(code, stderr).toBe(0);
    const [header, ...rows] = parseCsv(stdout);
    expect(header).toEqual(Object.keys(json[0]!).sort()); // every field, in canonical (sorted) order
    expect(rows).toHaveLength(json.length);
    const plain = (v: unknown) => (Array.isArray(v) ? v.join(';') : v === null ? '' : String(v));
    const asCell = (v: unknown) => (/^[=+\-@]/.test(plain(v)) ? `'${plain(v)}` : plain(v));
    rows.forEach((row, i) => expect(row).toEqual(header!.map((column) => asCell((json[i] as unknown as Record<string, unknown>)[column]))));
    expect(rows[1]![header!.indexOf('caseReference')]).toBe('S-2026-17, "akut"\nsee note');
    expect(stdout).toContain('"S-2026-17, ""akut""\nsee note"');
    expect(rows[0]![header!.indexOf('fields')]).toBe('Citizen.address;Citizen.name');
    // A value a spreadsheet would run as a formula is written as text.
    expect(rows[1]![header!.indexOf('onBehalfOf')]).toBe('\'=HYPERLINK("http://x")');
  });

  it('writes a CSV header even when nothing matches', async () => {
    const { code, stdout } = await cli(dir, 'find', '--subject', '010160-1234', '--tenant', '9999', '--format', 'csv');
    expect(code).toBe(0);
    expect(parseCsv(stdout)).toEqual([expect.arrayContaining(['eventId', 'subject', 'timeOut', 'clientSystem', 'onBehalfOf', 'caseReference', 'traceId'])]);
  });

  it.each([
    [['--from', 'yesterday'], /--from must be a date, YYYY-MM-DD/],
    [['--to', '2026-02-30'], /--to must be a date, YYYY-MM-DD/],
    [['--from', '2026-11-01T10:00'], /--from must be a date.*or a time with its offset/],
    [['--subject', '01016-1234'], /--subject must be a CPR number, DDMMYY-SSSS/],
    [['--subject', '320160-1234'], /--subject must be a CPR number, DDMMYY-SSSS/],
    [['--format', 'xml'], /--format must be json or csv/],
    [['--subjekt', '010160-1234'], /unknown option --subjekt/],
    [['--actor'], /--actor needs a value/],
  ])('refuses %j with a clear error and exit code 2', async (args, message) => {
    const { code, stdout, stderr } = await cli(dir, 'find', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(/01016-1234|320160/); // a rejected CPR number is not echoed
  });

  it('is refused, naming the holder, while another process has the trail open', async () => {
    // Held in this process (as by a gateway started in it): the command says so.
    const { trail } = await localAuditTrail(dir);
    try {
      const { code, stdout, stderr } = await cli(dir, 'find', '--subject', '010160-1234');
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/open in this process already;.*Stop the gateway.*HTTP audit API/s);
    } finally {
      await trail.close();
    }
    // Held by another live process (the test runner stands in for a gateway): the lock file naming
    // it is all of the holder an opener sees, so the command names that process.
    const holder = process.ppid;
    writeFileSync(join(dir, 'lock'), `${holder}\n`);
    try {
      const { code, stderr } = await cli(dir, 'find', '--subject', '010160-1234');
      expect(code).toBe(2);
      expect(stderr).toMatch(new RegExp(`open in process ${holder};.*Stop the gateway.*HTTP audit API`, 's'));
    } finally {
      rmSync(join(dir, 'lock'));
    }
  });
});

describe('npm run audit:checkpoint and audit:verify --checkpoint', () => {
  const dir = tempDir();
  const keptPath = join(tempDir(), 'kept.json');
  beforeAll(async () => {
    await trailIn(dir, (k) => Array.from({ length: 5 }, (_, i) => access(CITIZEN, ago((5 - i) * 3_600_000), caseworker('cw-1', '0101', 'P-1'), {}, k)), 4);
  });

  it('prints a signed checkpoint of the whole trail', async () => {
    const { code, stdout } = await cli(dir, 'checkpoint');
    expect(code).toBe(0);
    const kept = JSON.parse(stdout) as Record<string, unknown>;
    expect(kept).toEqual({ treeSize: 5, rootHash: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String), signedAt: expect.any(String) });
    expect(Buffer.from(kept['signature'] as string, 'base64')).toHaveLength(64); // Ed25519
    writeFileSync(keptPath, stdout);
  });

  it('passes on the intact trail against the kept checkpoint', async () => {
    const { code, stdout } = await cli(dir, 'verify', '--checkpoint', keptPath);
    expect(stdout).toContain('5 records, 2 signed checkpoints, checked against the kept checkpoint of 5');
    expect(stdout).toContain('the trail is intact');
    expect(code).toBe(0);
  });

  it('fails a kept checkpoint that is not the trail\'s', async () => {
    const forged = join(dir, 'forged.json');
    const kept = JSON.parse(readFileSync(keptPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(forged, JSON.stringify({ ...kept, rootHash: '00'.repeat(32) }));
    const { code, stdout } = await cli(dir, 'verify', '--checkpoint', forged);
    expect(code).toBe(1);
    expect(stdout).toContain("PROBLEM: the kept checkpoint of 5 records is not signed by the trail's key");
  });

  it('fails with exit 1, naming the truncation, once the trail is cut below the kept checkpoint', async () => {
    const db = await pgliteClient(join(dir, 'pgdata')); // as an intruder would: no lock, straight SQL
    await db.query('delete from audit_records where idx >= 4');
    await db.query('delete from audit_checkpoints where tree_size > 4');
    await db.close();
    // Without the kept checkpoint the cut is invisible: what is left is consistent.
    expect((await cli(dir, 'verify')).code).toBe(0);
    const { code, stdout } = await cli(dir, 'verify', '--checkpoint', keptPath);
    expect(code).toBe(1);
    expect(stdout).toContain('PROBLEM: the kept checkpoint of 5 records covers 5 records but the trail holds 4: records were removed from its end');
    expect(stdout).not.toContain('the trail is intact');
  });

  it('refuses --checkpoint and --from-checkpoint together with exit 2', async () => {
    const { code, stderr } = await cli(dir, 'verify', '--checkpoint', keptPath, '--from-checkpoint', keptPath);
    expect(code).toBe(2);
    expect(stderr).toContain('not both');
  });

  it('refuses an unreadable checkpoint file with exit 2', async () => {
    const { code, stderr } = await cli(dir, 'verify', '--checkpoint', join(dir, 'missing.json'));
    expect(code).toBe(2);
    expect(stderr).toContain('cannot read');
  });
});

describe('npm run audit:purge', () => {
  const dir = tempDir();
  beforeAll(async () => {
    await trailIn(dir, (k) => [
      access(CITIZEN, ago(400 * DAY), caseworker('cw-1', '0101', 'P-1'), {}, k), // past the default 183 days
      access(CITIZEN, ago(300 * DAY), caseworker('cw-1', '0101', 'P-LONG'), {}, k), // kept 3650 days
      access(CITIZEN, ago(250 * DAY), caseworker('cw-1', '0101', 'P-SHORT'), {}, k), // past its 200 days
      access(CITIZEN, ago(190 * DAY), caseworker('cw-1', '0101', 'P-SHORT'), {}, k), // within its 200 days
      access(CITIZEN, ago(10 * DAY), caseworker('cw-1', '0101', 'P-1'), {}, k),
    ]);
  });

  it('refuses a retention below the legal floor, purging nothing', async () => {
    const { code, stderr } = await cli(dir, 'purge', '--purpose', 'P-LONG=30');
    expect(code).toBe(2);
    expect(stderr).toMatch(/retention for P-LONG must be a whole number of days, at least 183/);
    expect((await cli(dir, 'purge', '--purpose', 'P-LONG')).stderr).toMatch(/--purpose takes PURPOSE=DAYS/);
  });

  it('purges what is past its purpose\'s retention, and the trail still verifies', async () => {
    const purge = await cli(dir, 'purge', '--purpose', 'P-LONG=3650', '--purpose', 'P-SHORT=200');
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain('purged the payloads of 2 records past retention');
    const found = JSON.parse((await cli(dir, 'find', '--subject', '010160-1234')).stdout) as AccessRecord[];
    expect(found.map((r) => [r.purpose, Math.round((now - Date.parse(r.timeIn)) / DAY)])).toEqual([['P-LONG', 300], ['P-SHORT', 190], ['P-1', 10]]);
    const verify = await cli(dir, 'verify');
    expect(verify.stdout).toContain('the trail is intact');
    expect(verify.stdout).not.toContain('WARNING');
    expect(verify.code).toBe(0);
  });

  it('verify --min-retention-days holds the purges to a higher floor', async () => {
    const { code, stdout } = await cli(dir, 'verify', '--min-retention-days', '365');
    expect(code).toBe(1);
    expect(stdout).toContain('PROBLEM: record 0 was purged after 183 days, below the minimum retention of 365 days');
    expect(stdout).toContain('PROBLEM: record 2 was purged after 200 days, below the minimum retention of 365 days');
  });

  it('verify fails a recent record whose payload was nulled as if purged, naming it', async () => {
    const db = await pgliteClient(join(dir, 'pgdata'));
    await db.query('update audit_records set payload = null, purged_at = now() where idx = 4');
    await db.close();
    const { code, stdout } = await cli(dir, 'verify');
    expect(code).toBe(1);
    expect(stdout).toMatch(/PROBLEM: record 4 lost its payload without the timeIn and retention a purge keeps/);
  });
});

describe('npm run audit --actor with a CPR number (a person acting is recorded by their keyed hash)', () => {
  const dir = tempDir();
  const PARENT = '0202602345';
  let key: Buffer;
  beforeAll(async () => {
    const citizen = (actor: string, actorCpr: string) => ({ actor, actorCpr, roles: ['citizen'], role: 'citizen', tenant: null, purpose: null });
    key = await trailIn(dir, (k) => [
      access(CITIZEN, ago(30 * DAY), citizen('010160-1234', CITIZEN), {}, k), // the token wrote it with a dash…
      access(CITIZEN, ago(20 * DAY), { ...caseworker('cw-1', '0101', 'P-1'), roles: ['caseworker', 'supervisor'], role: 'caseworker' }, {}, k),
      access(CITIZEN, ago(10 * DAY), citizen(CITIZEN, CITIZEN), {}, k), // …and without
      access(CITIZEN, ago(5 * DAY), { ...citizen('020260-2345', PARENT), onBehalfOf: '010160-1234', onBehalfOfCpr: CITIZEN }, {}, k),
    ]);
  });

  const find = async (...args: string[]) => {
    const { code, stdout, stderr } = await cli(dir, 'find', ...args);
    expect(code, stderr).toBe(0);
    expect(stdout).not.toMatch(/010160-?1234|020260-?2345/); // no CPR number in the output either
    return JSON.parse(stdout) as AccessRecord[];
  };
  const ages = (records: AccessRecord[]) => records.map((r) => Math.round((now - Date.parse(r.timeIn)) / DAY));

  it('finds a person\'s own requests under one value, whether given as DDMMYY-SSSS or ten digits', async () => {
    const dashed = await find('--subject', '010160-1234', '--actor', '010160-1234');
    expect(ages(dashed)).toEqual([30, 10]);
    expect(dashed.map((r) => [r.actor, r.actorType, r.role])).toEqual([
      [subjectHash(key, CITIZEN), 'person', 'citizen'],
      [subjectHash(key, CITIZEN), 'person', 'citizen'],
    ]);
    expect(dashed.every((r) => r.actor === r.subject)).toBe(true);
    expect(await find('--subject', '010160-1234', '--actor', CITIZEN)).toEqual(dashed);
  });

  it('finds a person acting on behalf of another without --subject, and a user id as given', async () => {
    const parent = await find('--actor', '020260-2345');
    expect(parent.map((r) => [ages([r])[0], r.actorType, r.onBehalfOf, r.onBehalfOfType])).toEqual([[5, 'person', subjectHash(key, CITIZEN), 'person']]);
    const user = await find('--actor', 'cw-1');
    expect(user.map((r) => [ages([r])[0], r.actor, r.actorType, r.role, r.roles])).toEqual([[20, 'cw-1', 'user', 'caseworker', ['caseworker', 'supervisor']]]);
    expect(await find('--actor', '0303603456')).toEqual([]);
  });

  it('writes role, actorType and onBehalfOfType as CSV columns', async () => {
    const { code, stdout } = await cli(dir, 'find', '--subject', '010160-1234', '--format', 'csv');
    expect(code).toBe(0);
    const [header, ...rows] = parseCsv(stdout);
    expect(header).toEqual(expect.arrayContaining(['role', 'roles', 'actorType', 'onBehalfOfType']));
    const column = (name: string) => rows.map((row) => row[header!.indexOf(name)]);
    expect(column('actorType')).toEqual(['person', 'user', 'person', 'person']);
    expect(column('role')).toEqual(['citizen', 'caseworker', 'citizen', 'citizen']);
    expect(column('roles')).toEqual(['citizen', 'caseworker;supervisor', 'citizen', 'citizen']);
    expect(column('onBehalfOfType')).toEqual(['', '', '', 'person']);
    expect(stdout).not.toMatch(/010160-?1234|020260-?2345/);
  });
});

describe('npm run audit:verify with a write whose outcome was never recorded', () => {
  const dir = tempDir();
  const writeAt = ago(2 * 3_600_000);
  const write = (requestId: string, outcome: RequestAccessInput['outcome'], k: Buffer) =>
    access(CITIZEN, writeAt, { ...caseworker('cw-1', '0101', 'P-1'), role: 'caseworker' }, { requestId, outcome, typeOfUse: 'update', operationName: 'UpdateCase' }, k);
  beforeAll(async () => {
    await trailIn(dir, (k) => [
      access(CITIZEN, ago(3 * 3_600_000), caseworker('cw-1', '0101', 'P-1'), {}, k),
      write('w-lost', 'intent', k),
      write('w-done', 'intent', k),
      write('w-done', 'ok', k),
    ]);
  });

  it('names the open intent, request and record, and exits 1 without calling the records altered', async () => {
    const { code, stdout } = await cli(dir, 'verify');
    expect(stdout).toContain(`OPEN INTENT: request w-lost (record 1, ${new Date(writeAt.getTime() + 40).toISOString()}) was about to write and no outcome was recorded`);
    expect(stdout).not.toContain('w-done');
    expect(stdout).toContain('the records are intact, but 1 write has no recorded outcome');
    expect(stdout).not.toContain('the trail is intact');
    expect(stdout).not.toContain('PROBLEM');
    expect(code).toBe(1);
  });

  it('passes once the outcome is recorded after the intent', async () => {
    await trailIn(dir, (k) => [write('w-lost', 'error', k)]);
    const { code, stdout } = await cli(dir, 'verify');
    expect(stdout).toContain('5 records');
    expect(stdout).not.toContain('OPEN INTENT');
    expect(stdout).toContain('the trail is intact');
    expect(code).toBe(0);
  });
});

describe('each command as an auditor runs it: npm run audit… in a child process', () => {
  const dir = tempDir();
  const keptPath = join(tempDir(), 'kept.json');
  const keysPath = join(tempDir(), 'audit-keys.json');
  beforeAll(async () => {
    await trailIn(dir, (k) => [
      access(CITIZEN, ago(400 * DAY), caseworker('cw-1', '0101', 'P-1'), {}, k), // past the default 183 days
      access(CITIZEN, ago(10 * DAY), caseworker('cw-1', '0101', 'P-1'), {}, k),
      access(OTHER, ago(5 * DAY), caseworker('cw-1', '0101', 'P-1'), {}, k),
    ]);
  });

  it('npm run audit (find)', async () => {
    const { code, stdout, stderr } = await npmRun(dir, 'audit', '--subject', '010160-1234');
    expect(code, stderr).toBe(0);
    expect((JSON.parse(stdout) as AccessRecord[]).map((r) => r.actor)).toEqual(['cw-1', 'cw-1']);
    expect(stderr).toContain('2 records');
  });

  it('npm run audit:checkpoint', async () => {
    const { code, stdout, stderr } = await npmRun(dir, 'audit:checkpoint');
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ treeSize: 3, rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    writeFileSync(keptPath, stdout);
  });

  it('npm run audit:verify', async () => {
    const { code, stdout, stderr } = await npmRun(dir, 'audit:verify', '--checkpoint', keptPath);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('3 records, 1 signed checkpoints, checked against the kept checkpoint of 3\nthe trail is intact');
  });

  it('npm run audit:purge', async () => {
    const { code, stdout, stderr } = await npmRun(dir, 'audit:purge');
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('purged the payloads of 1 records past retention');
  });

  it('npm run audit:keys', async () => {
    const { code, stdout, stderr } = await npmRun(dir, 'audit:keys', keysPath);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`wrote ${keysPath}: the subject HMAC key and checkpoint signing key for AUDIT_KEYS`);
    expect(statSync(keysPath).mode & 0o777).toBe(0o600);
  });
});

describe('npm run audit:verify --from-checkpoint', () => {
  const dir = tempDir();
  const keptPath = join(tempDir(), 'kept.json');
  const record = (k: Buffer, i: number) => access(CITIZEN, ago((30 - i) * 60_000), caseworker('cw-1', '0101', 'P-1'), {}, k);
  beforeAll(async () => {
    await trailIn(dir, (k) => Array.from({ length: 6 }, (_, i) => record(k, i)), 4);
    writeFileSync(keptPath, (await cli(dir, 'checkpoint')).stdout);
    await trailIn(dir, (k) => Array.from({ length: 9 }, (_, i) => record(k, 6 + i)), 4);
    await cli(dir, 'checkpoint');
  });

  it('checks only the records added since, proves the kept checkpoint consistent with the latest, and prints the one to keep next', async () => {
    const { code, stdout } = await cli(dir, 'verify', '--from-checkpoint', keptPath);
    expect(stdout).toContain('9 records added since the kept checkpoint of 6');
    expect(stdout).toMatch(/the kept checkpoint of 6 is consistent with checkpoint 15 \(RFC 9162 proof of \d+ hashes: [0-9a-f ]+\)/);
    const next = JSON.parse(/keep for the next verify: (.*)/.exec(stdout)![1]!) as { treeSize: number };
    expect(next.treeSize).toBe(15);
    expect(stdout).toContain('the trail is intact');
    expect(code).toBe(0);
  });

  it('fails with exit 1 for a record altered after the kept checkpoint', async () => {
    const db = await pgliteClient(join(dir, 'pgdata'));
    await db.query(`update audit_records set payload = jsonb_set(payload, '{actor}', '"someone-else"') where idx = 10`);
    await db.close();
    const { code, stdout } = await cli(dir, 'verify', '--from-checkpoint', keptPath);
    expect(code).toBe(1);
    expect(stdout).toContain('PROBLEM: record 10 was altered after it was written');
  });
});
