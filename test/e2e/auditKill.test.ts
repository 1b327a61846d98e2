/**
 * The gateway killed with SIGKILL under load: every overview answer a client received carrying
 * personal data has its access record in the trail (counted from the client side), because the
 * record is committed before the answer leaves. On the embedded store and on the PostgreSQL
 * server: the embedded store's writes are in the data folder once a query returns, so a killed
 * process loses none (a power cut is another matter: see docs/design-notes.md).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditTrail, pgliteClient, postgresClient, subjectHash } from '../../audit';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY } from '../../simulators/data/samples';
import { buildWorld } from '../../simulators/data/world';
import { trailFolders } from '../support/auditFixtures';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PG_URL = process.env['AUDIT_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const subjectKey = randomBytes(32);
const cleanups: (() => void)[] = [];
const folders = trailFolders('audit-kill-');
cleanups.push(() => folders.cleanup());

afterAll(() => cleanups.forEach((c) => c()));

const stores = [
  {
    name: 'embedded PGlite',
    // An empty trail made before, so the killed stack does not spend its start on initdb.
    place: async () => {
      const dir = folders.make();
      await folders.seed(dir);
      const pgdata = join(dir, 'pgdata');
      return { env: { AUDIT_PGLITE_DIR: pgdata }, open: () => pgliteClient(pgdata) };
    },
  },
  {
    name: 'PostgreSQL server',
    place: () => {
      const schema = `audit_kill_${randomBytes(4).toString('hex')}`;
      return { env: { AUDIT_PG_URL: PG_URL, AUDIT_PG_SCHEMA: schema }, open: () => postgresClient(PG_URL, schema) };
    },
  },
];

describe.each(stores)('SIGKILL under load, on $name', ({ place }) => {
  it('leaves a record for every personal answer a client received', async () => {
    const signingKey = await generateInternalTokenKeys();
    const store = await place();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/auditedStack.ts'], {
      cwd: root,
      env: { ...process.env, ...store.env, AUDIT_SUBJECT_KEY: subjectKey.toString('hex'), AUDIT_SIGNING_KEY: JSON.stringify(signingKey), APOLLO_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const killed = () => child.kill('SIGKILL');
    cleanups.push(killed);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /ready (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('exit', () => reject(new Error(`the stack exited early: ${out}`)));
    });

    const citizens = [...buildWorld().persons.values()].filter((p) => !p.addressProtected).slice(0, 400);
    const received: string[] = [];
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop && next < citizens.length) {
        const person = citizens[next++]!;
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: CITIZEN_OVERVIEW_QUERY, variables: { cpr: formatCpr(person.cpr) } }),
          });
          const body = (await response.json()) as { data?: { citizen?: { name?: { full?: string } } } };
          if (body.data?.citizen?.name?.full) received.push(person.cpr);
        } catch {
          // the gateway died under this request: the client got nothing
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (received.length >= 40) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGKILL');
    stop = true;
    await load;
    expect(received.length).toBeGreaterThanOrEqual(40);

    const trail = await createAuditTrail({ db: await store.open(), signingKey: { publicJwk: signingKey.publicJwk } });
    try {
      const missing: string[] = [];
      for (const cpr of received) {
        const records = await trail.find({ subject: subjectHash(subjectKey, cpr) });
        if (records.length === 0) missing.push(cpr);
      }
      expect(missing).toEqual([]);
      expect((await trail.verify()).ok).toBe(true);
    } finally {
      await trail.close();
    }
  });
});
