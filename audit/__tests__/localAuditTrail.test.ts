/**
 * The embedded trail's folder has one opener at a time: PGlite is single-process, and the README
 * has operators run `npm run audit…` against the folder `npm start` uses. `localAuditTrail` takes
 * dir/lock (holding its pid) and refuses a second opener, naming the holder and what to do.
 * A test that opens a trail gets its folder seeded with a new trail's PGlite data (made once; a new
 * PGlite folder costs about two seconds): the lock is what is tested, and it is taken either way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trailFolders } from '../../test/support/auditFixtures';
import { localAuditTrail, type AuditTrail } from '../index';

let dir: string;
const open: AuditTrail[] = [];
const folders = trailFolders('audit-lock-');

beforeEach(() => {
  dir = folders.make();
});
afterAll(() => folders.cleanup());
afterEach(async () => {
  for (const trail of open.splice(0)) await trail.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openTrail(): Promise<AuditTrail> {
  if (!existsSync(join(dir, 'pgdata'))) await folders.seed(dir);
  const { trail } = await localAuditTrail(dir);
  open.push(trail);
  return trail;
}

/** The pid of a process that has exited (and so is no longer alive). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('localAuditTrail: one opener per folder', () => {
  it('holds a lock file naming its pid while open', async () => {
    await openTrail();
    expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
  });

  it('refuses a second open in the same process, saying what to do', async () => {
    await openTrail();
    const second = localAuditTrail(dir);
    await expect(second).rejects.toMatchObject({ code: 'AUDIT_TRAIL_LOCKED', holderPid: process.pid });
    await expect(second).rejects.toThrow(/open in this process already.*Stop the gateway.*HTTP audit API/s);
    // The refusal did not take the holder's lock away.
    expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
  });

  it('refuses while another live process holds the folder, naming its pid', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`); // the test runner: alive, not us
    await expect(localAuditTrail(dir)).rejects.toThrow(new RegExp(`open in process ${process.ppid};.*npm start.*GET /audit/records`, 's'));
    expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.ppid));
    expect(existsSync(join(dir, 'pgdata'))).toBe(false); // PGlite was never opened
  });

  it('takes over a stale lock whose pid is no longer alive', async () => {
    const pid = deadPid();
    writeFileSync(join(dir, 'lock'), `${pid}\n`);
    const trail = await openTrail();
    expect(await trail.reachable()).toBe(true);
    expect(readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid));
  });

  it('takes over a lock naming this pid that this process does not hold (restarted under the same pid)', async () => {
    writeFileSync(join(dir, 'lock'), `${process.pid}\n`);
    await expect(openTrail()).resolves.toBeDefined();
  });

  it('refuses a lock file that names no pid rather than guess', async () => {
    writeFileSync(join(dir, 'lock'), '');
    await expect(localAuditTrail(dir)).rejects.toMatchObject({ code: 'AUDIT_TRAIL_LOCKED', holderPid: undefined });
  });

  it('releases the lock on close, so the folder can be opened again', async () => {
    const first = await openTrail();
    await first.record([]);
    await first.close();
    open.splice(open.indexOf(first), 1);
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    await expect(openTrail()).resolves.toBeDefined();
  });
});
