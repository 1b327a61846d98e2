/**
 * `npm run build`'s gateway, run with plain `node` as production runs it: no TypeScript loader in
 * the process, and still the same gateway. It answers through the real subgraphs of a local stack
 * (signing its calls with the stack's key), serves the explorer's files (found by their module's
 * own URL, which the bundle rewrites), and stops on SIGTERM with exit 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCpr } from '../schema';
import { buildBundles } from '../scripts/build';
import { startLocalStack, type LocalStack } from '../scripts/localStack';
import { sampleCitizens } from '../simulators/data/samples';
import { noLatency, postGraphQL } from './support/graphql';
import { watchChild, type WatchedChild } from './support/processes';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the built gateway', () => {
  let dir: string;
  let stack: LocalStack;
  let child: ChildProcess;
  let watched: WatchedChild;
  let url: string;

  beforeAll(async () => {
    // Inside the checkout, as dist/ is: the bundle imports its packages from the project's node_modules.
    mkdirSync(join(root, 'dist'), { recursive: true });
    dir = mkdtempSync(join(root, 'dist', '.test-'));
    const [bundle] = await buildBundles(join(dir, 'dist'));
    stack = await startLocalStack({ latencyMs: noLatency });
    const keyPath = join(dir, 'internal-token.private.jwk.json');
    writeFileSync(keyPath, JSON.stringify(stack.internalTokenKeys.privateJwk), { mode: 0o600 });
    child = spawn(process.execPath, [bundle!], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '',
        APOLLO_TELEMETRY_DISABLED: '1',
        PORT: '0',
        HOST: '127.0.0.1',
        INTERNAL_TOKEN_PRIVATE_JWK: keyPath,
        LOG_LEVEL: 'warn',
        ...Object.fromEntries(stack.subgraphs.map((s) => [`SUBGRAPH_URL_${s.name.toUpperCase()}`, s.url])),
      },
    });
    watched = watchChild(child, 20_000);
    url = (await watched.waitFor(/gateway ready at (http:\/\/\S+\/graphql)/))[1]!;
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is one module with no TypeScript left in it', () => {
    const text = readFileSync(join(dir, 'dist', 'start-gateway.mjs'), 'utf8');
    expect(text).not.toMatch(/from ['"]\.\.?\//);
    expect(text).not.toMatch(/\bimport type\b|: Promise<void>/);
  });

  it('answers through the subgraphs, as the gateway under the TypeScript loader does', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    const query = 'query($cpr: CPR!) { citizen(cpr: $cpr) { name { full } } }';
    const built = await postGraphQL<{ citizen: { name: { full: string } } }>(url, query, { cpr: formatCpr(person.cpr) });
    expect(built.body.errors).toBeUndefined();
    expect(built.body.data?.citizen.name.full).toContain(person.familyName);
  });

  it('serves the explorer and its files, found beside their modules', async () => {
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const response = await fetch(new URL(asset, url));
      expect(response.status, asset).toBe(200);
    }
  });

  it('stops on SIGTERM with exit code 0', async () => {
    child.kill('SIGTERM');
    expect((await watched.exited).code).toBe(0);
  });
});
