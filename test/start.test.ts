/**
 * `npm start` as a newcomer runs it, under npm: it prints the gateway URL, a sample CPR and a
 * sample query, answers that query, and stops on Ctrl-C (SIGINT) and on SIGTERM to npm, every
 * port it printed closed, no process left, the trail's lock released, within 5 s. The gateway's
 * settings mean what they mean under start:gateway; the tenant registry it names is the one in
 * force, edits included.
 *
 * Two boots (each costs seconds): one with limits set, stopped with SIGTERM to npm; one with
 * defaults, stopped with SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CITIZEN_OVERVIEW_QUERY, CITIZEN_OWN_PAGE_QUERY } from '../simulators/data/samples';
import { runAudit } from '../scripts/auditCommand';
import { trailFolders } from './support/auditFixtures';
import { postGraphQL } from './support/graphql';
import { accepts, childPids, isAlive, watchChild } from './support/processes';

const root = fileURLToPath(new URL('..', import.meta.url));
const STOP_BOUND_MS = 5_000;
const boots: Boot[] = [];
const folders = trailFolders('npm-start-');

afterAll(() => {
  for (const boot of boots) {
    for (const pid of [...boot.children, boot.npm.pid!]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  folders.cleanup();
});

interface Boot {
  npm: ChildProcess;
  /** npm's children once the banner was printed (npm start's node process). */
  children: number[];
  auditDir: string;
  registryPath: string;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; at: number }>;
  url: string;
  cpr: string;
  bearer: string;
  /** The sample citizen's token, as printed. */
  citizenBearer: string;
  /** Every URL the banner printed: the gateway's, the subgraphs', the simulators'. */
  printedUrls: string[];
}

/**
 * `npm start` with its trail and tenant registry in a folder of the test's own, and `env` on top.
 * `trail: 'seeded'` starts it on an empty trail made before (its initdb is two seconds of the
 * child's CPU); by default it makes its trail itself, as on a newcomer's first start.
 */
async function bootNpmStart(env: Record<string, string> = {}, trail: 'new' | 'seeded' = 'new'): Promise<Boot> {
  const dir = folders.make();
  const auditDir = join(dir, 'audit');
  if (trail === 'seeded') {
    mkdirSync(auditDir);
    await folders.seed(auditDir);
  }
  const registryPath = join(dir, 'tenants.json');
  // NODE_ENV=test (vitest's) would quietly turn off Apollo's own signal handlers: run as a newcomer does.
  const { NODE_ENV: _nodeEnv, ...inherited } = process.env;
  const npm = spawn('npm', ['start'], {
    cwd: root,
    env: { ...inherited, PORT: '0', AUDIT_DIR: auditDir, TENANT_REGISTRY: registryPath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, waitFor, exited } = watchChild(npm, 60_000);
  const boot: Boot = { npm, children: [], auditDir, registryPath, output, waitFor, exited, url: '', cpr: '', bearer: '', citizenBearer: '', printedUrls: [] };
  boots.push(boot);

  await waitFor(/Ctrl-C \(or SIGTERM\) stops everything; a second Ctrl-C exits at once/);
  boot.url = /Gateway ready in \d+ ms:\s+(http:\/\/localhost:\d+\/graphql)/.exec(output())![1]!;
  boot.cpr = /Sample CPR[^:]*: (\d{6}-\d{4})/.exec(output())![1]!;
  boot.bearer = /Authorization: (Bearer [\w.-]+)/.exec(output())![1]!;
  boot.citizenBearer = /The sample citizen[^\n]*\n\s+Authorization: (Bearer [\w.-]+)/.exec(output())![1]!;
  const pieces = [/^Simulators: (.*)$/m, /^Subgraphs: (.*)$/m].flatMap((line) => [...line.exec(output())![1]!.matchAll(/http:\/\/[\w.:]+/g)].map((m) => m[0]));
  boot.printedUrls = [boot.url, ...pieces];
  boot.children = childPids(npm.pid!);
  return boot;
}



/** Sends `signal` to npm and checks that everything stopped within the bound: the process, its children, every printed port, the trail's lock. */
async function stopsWithin(boot: Boot, signal: NodeJS.Signals): Promise<number> {
  expect(boot.children.length).toBeGreaterThan(0);
  expect(existsSync(join(boot.auditDir, 'lock'))).toBe(true);
  const signalled = performance.now();
  boot.npm.kill(signal);
  const { code, at } = await boot.exited;
  const elapsed = at - signalled;
  expect(code).toBe(0);
  expect(elapsed).toBeLessThan(STOP_BOUND_MS);
  expect(boot.output()).toContain(`${signal}: stopping gateway, subgraphs and simulators`);
  expect(boot.output()).toContain('Stopped.');
  expect(boot.children.filter(isAlive)).toEqual([]);
  const stillOpen = (await Promise.all(boot.printedUrls.map(async (url) => ((await accepts(url)) ? [url] : [])))).flat();
  expect(stillOpen).toEqual([]);
  expect(existsSync(join(boot.auditDir, 'lock'))).toBe(false);
  return elapsed;
}

/** `npm run audit:verify` over the trail npm start left, in process (cli.test.ts runs it as a child). */
async function verifyTrail(auditDir: string): Promise<{ code: number | null; output: string }> {
  let output = '';
  const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_DIR: auditDir };
  delete env['AUDIT_DATABASE_URL'];
  const code = await runAudit(['verify'], { stdout: (text) => (output += text), stderr: () => undefined, env });
  return { code, output };
}

describe('npm start', () => {
  it('takes the gateway\'s settings as start:gateway does (a rate limit, a depth limit), and stops on SIGTERM to npm', async () => {
    const boot = await bootNpmStart({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '1', MAX_DEPTH: '2' }, 'seeded');
    const auth = { authorization: boot.bearer };

    // The overview is 6 deep: refused. It took the one request the bucket held.
    const deep = await postGraphQL(boot.url, CITIZEN_OVERVIEW_QUERY, { cpr: boot.cpr }, auth);
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0]?.message).toMatch(/^Syntax Error: Query depth limit of 2 exceeded/);
    // Two at once: at most one token (1 a second, burst 1), however long the first took.
    const [first, second] = await Promise.all([postGraphQL(boot.url, '{ __typename }', {}, auth), postGraphQL(boot.url, '{ __typename }', {}, auth)]);
    const limited = [first, second].filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');

    await stopsWithin(boot, 'SIGTERM');
  });

  it('prints the gateway URL, a sample CPR and query, answers it, follows its named tenant registry, and stops on SIGINT', async () => {
    const boot = await bootNpmStart();
    expect(boot.output()).toContain('query CitizenOverview($cpr: CPR!)');
    expect(boot.output()).toContain(`Tenant registry: ${boot.registryPath}`);

    // Personal data needs the printed caseworker token.
    expect((await postGraphQL(boot.url, CITIZEN_OVERVIEW_QUERY, { cpr: boot.cpr })).status).toBe(401);
    const { status, body } = await postGraphQL(boot.url, CITIZEN_OVERVIEW_QUERY, { cpr: boot.cpr }, { authorization: boot.bearer });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.citizen.cpr).toBe(boot.cpr);
    expect(body.data?.citizen.cases.length).toBeGreaterThanOrEqual(10);

    // The printed citizen token, on the citizen's own page as printed: theirs, with no error.
    const page = /^\s+(query MyPage\(\$cpr: CPR!\) \{.*\})$/m.exec(boot.output())![1]!;
    const own = await postGraphQL(boot.url, page, { cpr: boot.cpr }, { authorization: boot.citizenBearer });
    expect(own.status).toBe(200);
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data?.citizen.cases.length).toBeGreaterThanOrEqual(10);
    const ownFull = await postGraphQL(boot.url, CITIZEN_OWN_PAGE_QUERY, { cpr: boot.cpr }, { authorization: boot.citizenBearer });
    expect(ownFull.body.errors).toBeUndefined();

    // The registry it named is the one in force: without København, København's caseworker is refused.
    const registry = JSON.parse(readFileSync(boot.registryPath, 'utf8')) as { municipalities: { code: string; esdh: { kind: string; endpoint?: string; credentials?: { file?: string } } }[] };
    expect(registry.municipalities.map((m) => m.code)).toContain('0101');
    // Two vendors in the demo world: Odense on an Acadre v7 simulator that serves its WSDL, the others on the REST demo.
    expect(Object.fromEntries(registry.municipalities.map((m) => [m.code, m.esdh.kind]))).toEqual({ '0101': 'rest-demo', '0751': 'rest-demo', '0461': 'acadre-v7' });
    const acadre = registry.municipalities.find((m) => m.code === '0461')!.esdh;
    const credentials = readFileSync(join(dirname(boot.registryPath), acadre.credentials!.file!), 'utf8').trim();
    const wsdl = await fetch(`${acadre.endpoint!}?wsdl`, { headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } });
    expect(await wsdl.text()).toMatch(/AcadreServiceV7/);
    writeFileSync(boot.registryPath, JSON.stringify({ municipalities: registry.municipalities.filter((m) => m.code !== '0101') }, null, 2));
    const name = '{ citizen(cpr: "' + boot.cpr + '") { name { full } } }';
    let refused = 0;
    for (const until = performance.now() + 10_000; refused !== 403 && performance.now() < until; ) {
      refused = (await postGraphQL(boot.url, name, {}, { authorization: boot.bearer })).status;
      if (refused !== 403) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refused).toBe(403);

    await stopsWithin(boot, 'SIGINT');

    // The overview it answered was recorded, and the trail verifies.
    const verify = await verifyTrail(boot.auditDir);
    expect(verify.output).toMatch(/[1-9]\d* records/);
    expect(verify.output).toContain('the trail is intact');
    expect(verify.code).toBe(0);
  });
});
