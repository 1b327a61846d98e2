/**
 * `npm run documents -- DIR`: a folder of client operations becomes typed documents and the
 * trusted-documents manifest; a gateway started with TRUSTED_DOCUMENTS naming that manifest runs
 * exactly those operations, as the typed module sends them, and refuses any other. Invalid
 * operations are named by file and line, and nothing is written.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIdentityProvider, type DevIdentityProvider } from '../gateway/auth/devIdentity';
import { loadGatewayConfig } from '../gateway/config';
import { documentHash, loadTrustedDocuments } from '../gateway/plugins/trustedDocuments';
import { startGateway, type RunningGateway } from '../gateway/server';
import { formatCpr } from '../schema/scalars';
import { startLocalStack, type LocalStack } from '../scripts/localStack';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../simulators/data/samples';
import { noLatency } from './support/graphql';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
// Inside the project (its .data/, ignored by git) so the generated module resolves the project's packages.
const scratchRoot = join(root, '.data');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run documents -- …args`, as a person runs it. */
function documents(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'documents', '--', ...args], { cwd: root, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

let scratch: string;
beforeAll(() => {
  mkdirSync(scratchRoot, { recursive: true });
  scratch = mkdtempSync(join(scratchRoot, 'documents-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder of operation files under the scratch folder. */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('npm run documents on the sample operations, and a gateway in trusted documents mode', () => {
  let stack: LocalStack;
  let gateway: RunningGateway;
  let identity: DevIdentityProvider;
  let run: Run;
  let out: string;
  let manifest: string;
  let cpr: string;

  beforeAll(async () => {
    out = join(scratch, 'client', 'operations.ts');
    manifest = join(scratch, 'client', 'trusted-documents.json');
    run = await documents('examples/operations', '--out', out, '--manifest', manifest);
    stack = await startLocalStack({ latencyMs: noLatency });
    cpr = formatCpr(sampleCitizens(stack.world).get('0101')!.cpr);
    identity = await devIdentityProvider(join(scratch, 'idp'));
    // The gateway reads the manifest the command wrote, from TRUSTED_DOCUMENTS, as in a deployment.
    const env = {
      NODE_ENV: 'production',
      PORT: '0',
      TRUSTED_DOCUMENTS: manifest,
      AUTH_ISSUER: identity.issuer,
      AUTH_AUDIENCE: identity.audience,
      AUTH_JWKS_FILE: identity.jwksPath,
      AUDIT_DIR: join(scratch, 'audit'),
      ...Object.fromEntries(stack.subgraphs.map((s) => [`SUBGRAPH_URL_${s.name.toUpperCase()}`, s.url])),
    };
    gateway = await startGateway(loadGatewayConfig(env, []), { internalTokenKey: stack.internalTokenKeys.privateJwk });
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
  });

  const ask = async (body: unknown) => {
    const token = await identity.mint({ role: 'caseworker', municipality: '0101', purpose: 'P-1' });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] } };
  };

  it('exits 0, saying which files it read and what it wrote', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/reading 3 operation files under examples\/operations, checked against schema\/api\.graphql/);
    expect(run.stdout).toMatch(/CitizenOverview\.graphql: query CitizenOverview/);
    expect(run.stdout).toMatch(/wrote .*operations\.ts: 3 typed documents/);
    expect(run.stdout).toMatch(/wrote .*trusted-documents\.json: the trusted-documents manifest .*3 operations/);
  });

  it('writes the manifest the gateway loads: one entry per sample operation, keyed by the SHA-256 of its text', () => {
    const entries = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>;
    expect(Object.keys(entries)).toHaveLength(3);
    for (const [hash, text] of Object.entries(entries)) expect(documentHash(text)).toBe(hash);
    expect([...loadTrustedDocuments(manifest).operationNames].sort()).toEqual(['CaseList', 'CitizenOverview', 'MyPage']);
  });

  it('runs a listed operation sent as the typed module sends it, and its answer has the typed shape', async () => {
    // As a client application loads it (compiled against it in the test below).
    const client = (await import(pathToFileURL(out).href)) as { CitizenOverviewDocument: object; trustedRequest(document: object, variables: object): object };
    const { status, json } = await ask(client.trustedRequest(client.CitizenOverviewDocument, { cpr }));
    expect(status).toBe(200);
    expect(json.errors).toBeUndefined();
    expect(json.data).toMatchObject({ citizen: { cpr, name: { full: expect.any(String) }, cases: expect.any(Array) } });
  });

  it('refuses an operation that is not listed, and a listed one in another layout (its text is what is hashed)', async () => {
    const unlisted = await ask({ query: 'query Other($cpr: CPR!) { citizen(cpr: $cpr) { cpr } }', variables: { cpr } });
    expect(unlisted.status).toBe(400);
    expect(unlisted.json.errors?.map((e) => e.extensions?.code)).toEqual(['OPERATION_NOT_TRUSTED']);
    // The sample as written in samples.ts: the same operation, but not the text the manifest lists.
    const relaidOut = await ask({ query: CITIZEN_OVERVIEW_QUERY, variables: { cpr } });
    expect(relaidOut.status).toBe(400);
    expect(relaidOut.json.errors?.map((e) => e.extensions?.code)).toEqual(['OPERATION_NOT_TRUSTED']);
  });

  it('writes a module whose documents are typed: a client compiles against it, and wrong variables do not', async () => {
    writeFileSync(
      join(scratch, 'client', 'client.ts'),
      `import { CitizenOverviewDocument, trustedRequest, type CitizenOverviewQuery } from './operations';
export const body = trustedRequest(CitizenOverviewDocument, { cpr: '010180-1234' });
export const name = (answer: CitizenOverviewQuery): string | undefined => answer.citizen?.name?.full;
// @ts-expect-error the variables are the operation's: cpr is a string
trustedRequest(CitizenOverviewDocument, { cpr: 1 });
// @ts-expect-error the answer is the operation's: it has no field the operation did not ask
export const absent = (answer: CitizenOverviewQuery) => answer.citizen?.nemKonto;
`,
    );
    writeFileSync(join(scratch, 'client', 'tsconfig.json'), JSON.stringify({ extends: join(root, 'tsconfig.json'), compilerOptions: { typeRoots: [join(root, 'node_modules/@types')] }, include: ['*.ts'] }));
    const result = await new Promise<Run>((resolve) =>
      execFile(process.execPath, [tsc, '-p', join(scratch, 'client'), '--noEmit', '--pretty', 'false'], { cwd: scratch, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      ),
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
  }, 70_000);
});

describe('npm run documents refuses what the gateway would not run', () => {
  it('names the file and line of an operation the API schema does not allow, and writes nothing (exit 1)', async () => {
    const dir = folder('invalid', {
      'ok.graphql': 'query Fine($id: ID!) { case(id: $id) { number } }\n',
      'nested/wrong.graphql': '# a client\'s mistake\nquery Wrong($cpr: CPR!) {\n  citizen(cpr: $cpr) {\n    shoeSize\n  }\n}\n',
    });
    const run = await documents(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/1 problem in the operations under .*; nothing written/);
    expect(run.stderr).toMatch(/invalid\/nested\/wrong\.graphql:4:5: Cannot query field "shoeSize" on type "Citizen"\./);
    expect(existsSync(join(dir, 'generated'))).toBe(false);
  });

  it('names a syntax error by file and line', async () => {
    const run = await documents(folder('syntax', { 'broken.graphql': 'query Broken {\n  citizen(cpr: "x") {\n    cpr\n' }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/syntax\/broken\.graphql:4:1: Syntax Error: Expected Name, found <EOF>\./);
  });

  it('refuses two operations of one name, naming both places, and an operation without a name', async () => {
    const run = await documents(
      folder('duplicates', {
        'a.graphql': 'query Case($id: ID!) { case(id: $id) { number } }\n',
        'b.graphql': '\n\nquery Case($id: ID!) { case(id: $id) { title } }\n{ address(id: "x") { text } }\n',
      }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/duplicates\/b\.graphql:3:1: the operation name Case is taken already, at a\.graphql:1:1; operation names must be unique/);
    expect(run.stderr).toMatch(/duplicates\/b\.graphql:4:1: an operation needs a name/);
  });

  it('takes fragments from other files into each operation that uses them, and refuses one nobody uses', async () => {
    const ok = folder('fragments', {
      'fields.graphql': 'fragment CaseFields on Case { number title }\n',
      'case.graphql': 'query CaseById($id: ID!) { case(id: $id) { ...CaseFields } }\n',
    });
    const out = join(ok, 'out.ts');
    const manifest = join(ok, 'manifest.json');
    const run = await documents(ok, '--out', out, '--manifest', manifest);
    expect(run.code, run.stderr).toBe(0);
    expect(Object.values(JSON.parse(readFileSync(manifest, 'utf8')))).toEqual([
      'query CaseById($id: ID!) {\n  case(id: $id) {\n    ...CaseFields\n  }\n}\n\nfragment CaseFields on Case {\n  number\n  title\n}',
    ]);
    const unused = await documents(folder('unused', { 'a.graphql': 'query A { address(id: "x") { text } }\nfragment Spare on Case { number }\n' }));
    expect(unused.code).toBe(1);
    expect(unused.stderr).toMatch(/unused\/a\.graphql:2:1: Fragment "Spare" is never used\./);
  });

  it.each([
    [[], /give the folder of operations/],
    [['no/such/folder'], /no\/such\/folder: not a folder/],
    [['examples/operations', '--outfile', 'x.ts'], /--outfile: no such option/],
    [['examples/operations', '--out'], /--out: give a file/],
  ])('exits 2 on bad arguments %j, with the usage', async (args, message) => {
    const run = await documents(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/usage: npm run documents -- DIR \[--out FILE\] \[--manifest FILE\]/);
  });
});
