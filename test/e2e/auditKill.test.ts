/**
 * The gateway killed with SIGKILL under load: every answer a client received carrying personal
 * data has its access record in the trail (counted from the client side), because the record is
 * committed before the answer leaves.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditTrail, postgresClient, subjectHash } from '../../gateway/audit';
import { generateInternalTokenKeys } from '../../runtime/internalToken';
import { formatCpr } from '../../schema/scalars';
import { buildWorld } from '../../simulators/data/world';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PG_URL = process.env['AUDIT_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `audit_kill_${randomBytes(4).toString('hex')}`;
const subjectKey = randomBytes(32);
let killed: (() => void) | undefined;

afterAll(() => killed?.());

describe('SIGKILL under load', () => {
  it('leaves a record for every personal answer a client received', async () => {
    const signingKey = await generateInternalTokenKeys();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/auditedStack.ts'], {
      cwd: root,
      env: { ...process.env, AUDIT_PG_URL: PG_URL, AUDIT_PG_SCHEMA: schema, AUDIT_SUBJECT_KEY: subjectKey.toString('hex'), AUDIT_SIGNING_KEY: JSON.stringify(signingKey), APOLLO_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    killed = () => child.kill('SIGKILL');
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
            body: JSON.stringify({ query: 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }', variables: { cpr: formatCpr(person.cpr) } }),
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
        if (received.length >= 60) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGKILL');
    stop = true;
    await load;
    expect(received.length).toBeGreaterThanOrEqual(60);

    const trail = await createAuditTrail({ db: await postgresClient(PG_URL, schema), signingKey: { publicJwk: signingKey.publicJwk } });
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
