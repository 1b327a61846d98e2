/**
 * `npm start` as a newcomer runs it: one process brings up the whole house, prints the gateway
 * URL, a sample CPR and a sample query, answers that query, and stops cleanly on Ctrl-C (SIGINT).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CITIZEN_OVERVIEW_QUERY } from '../simulators/data/samples';
import { postGraphQL } from './support/graphql';

const root = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;
let output = '';
const auditDir = mkdtempSync(join(tmpdir(), 'audit-'));

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(auditDir, { recursive: true, force: true });
});

function waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
    const check = () => {
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child!.stdout!.on('data', check);
    check();
  });
}

describe('npm start', () => {
  it('prints the gateway URL, a sample CPR and query, answers it, and stops on SIGINT', async () => {
    // The same command `npm start` runs, on a free port so it cannot clash with anything.
    child = spawn(process.execPath, [`${root}node_modules/tsx/dist/cli.mjs`, 'scripts/start.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', APOLLO_TELEMETRY_DISABLED: '1', AUDIT_DIR: auditDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const [, url] = await waitFor(/(http:\/\/localhost:\d+\/graphql)/, 30_000);
    const [, cpr] = await waitFor(/Sample CPR[^:]*: (\d{6}-\d{4})/, 5_000);
    const [, bearer] = await waitFor(/Authorization: (Bearer [\w.-]+)/, 5_000);
    await waitFor(/Ctrl-C stops everything/, 5_000);
    expect(output).toContain('query CitizenOverview($cpr: CPR!)');

    // Personal data needs the printed caseworker token.
    expect((await postGraphQL(url!, CITIZEN_OVERVIEW_QUERY, { cpr })).status).toBe(401);
    const { status, body } = await postGraphQL(url!, CITIZEN_OVERVIEW_QUERY, { cpr }, { authorization: bearer! });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen.cpr).toBe(cpr);
    expect(body.data?.citizen.cases.length).toBeGreaterThanOrEqual(10);

    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');

    // The overview it answered was recorded, and the trail verifies.
    const verify = spawn(process.execPath, [`${root}node_modules/tsx/dist/cli.mjs`, 'scripts/audit.ts', 'verify'], {
      cwd: root,
      env: { ...process.env, AUDIT_DIR: auditDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let verifyOutput = '';
    verify.stdout!.on('data', (chunk: Buffer) => (verifyOutput += chunk.toString()));
    const verifyCode = await new Promise<number | null>((resolve) => verify.on('exit', resolve));
    expect(verifyOutput).toMatch(/[1-9]\d* records/);
    expect(verifyOutput).toContain('the trail is intact');
    expect(verifyCode).toBe(0);
  });
});
