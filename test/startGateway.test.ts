/**
 * `npm run start:gateway` as a deployment runs it, under npm: SIGTERM (what systemd and Docker
 * send) finishes the request in flight and exits 0 within 5 s; a second signal exits at once; and
 * when npm itself is killed outright, the gateway notices its parent is gone and stops too.
 *
 * The gateway's property subgraph is a local HTTP server the test holds: a request is surely in
 * flight while it is held, and it is let go only once the gateway has said it is stopping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInternalTokenKeys } from '../runtime/internalToken';
import { DUPLICATE_WINDOW_MS } from '../runtime/shutdown';
import { postGraphQL } from './support/graphql';
import { accepts, childPids, gone, isAlive, watchChild } from './support/processes';

const root = fileURLToPath(new URL('..', import.meta.url));
const STOP_BOUND_MS = 5_000;
const ADDRESS_QUERY = '{ address(id: "a1") { id } }';
let keysDir: string;
const running: { npm: ChildProcess; subgraph: HeldSubgraph }[] = [];

beforeAll(async () => {
  keysDir = mkdtempSync(join(tmpdir(), 'start-gateway-'));
  const { privateJwk } = await generateInternalTokenKeys();
  writeFileSync(join(keysDir, 'internal-token.private.jwk.json'), JSON.stringify(privateJwk), { mode: 0o600 });
});

afterAll(async () => {
  for (const { npm, subgraph } of running) {
    for (const pid of [...childPids(npm.pid!), npm.pid!]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    subgraph.release();
    await subgraph.close();
  }
  rmSync(keysDir, { recursive: true, force: true });
});

interface HeldSubgraph {
  url: string;
  /** Resolves when a call has come in (and is being held). */
  called: Promise<void>;
  /** Lets every held call, and any later one, be answered. */
  release(): void;
  close(): Promise<void>;
}

/** A property subgraph that answers `address` only once released. */
async function heldSubgraph(): Promise<HeldSubgraph> {
  let called!: () => void;
  let release!: () => void;
  const calledPromise = new Promise<void>((resolve) => (called = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      called();
      void released.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { address: { id: 'a1' } } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    called: calledPromise,
    release,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface Started {
  npm: ChildProcess;
  /** The gateway's node process (npm's child). */
  gatewayPid: number;
  url: string;
  subgraph: HeldSubgraph;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; at: number }>;
}

async function startGatewayUnderNpm(): Promise<Started> {
  const subgraph = await heldSubgraph();
  // NODE_ENV=test (vitest's) would quietly turn off Apollo's own signal handlers: run as a deployment does.
  const { NODE_ENV: _nodeEnv, ...env } = process.env;
  const npm = spawn('npm', ['run', 'start:gateway'], {
    cwd: root,
    env: {
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      INTERNAL_TOKEN_PRIVATE_JWK: join(keysDir, 'internal-token.private.jwk.json'),
      SUBGRAPH_URL_PROPERTY: subgraph.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push({ npm, subgraph });
  const { output, waitFor, exited } = watchChild(npm, 30_000);
  const [, url] = await waitFor(/gateway ready at (http:\/\/\S+)/);
  const [gatewayPid] = childPids(npm.pid!);
  return { npm, gatewayPid: gatewayPid!, url: url!, subgraph, output, waitFor, exited };
}



describe('npm run start:gateway', () => {
  it('on SIGTERM to npm, finishes the request in flight and exits 0 within 5 s, npm and node both', async () => {
    const gateway = await startGatewayUnderNpm();
    const answer = postGraphQL(gateway.url, ADDRESS_QUERY);
    await gateway.subgraph.called;

    const signalled = performance.now();
    gateway.npm.kill('SIGTERM');
    await gateway.waitFor(/SIGTERM: stopping gateway/, STOP_BOUND_MS);
    gateway.subgraph.release();

    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(body.data?.address).toEqual({ id: 'a1' });
    const { code, at } = await gateway.exited;
    expect(code).toBe(0);
    expect(at - signalled).toBeLessThan(STOP_BOUND_MS);
    expect(gateway.output()).toContain('Stopped.');
    expect(isAlive(gateway.gatewayPid)).toBe(false);
    expect(await accepts(gateway.url)).toBe(false);
  });

  it('exits at once, with 143, on a second SIGTERM while it is still finishing a request', async () => {
    const gateway = await startGatewayUnderNpm();
    const answer = postGraphQL(gateway.url, ADDRESS_QUERY).catch((error: unknown) => error);
    await gateway.subgraph.called;

    gateway.npm.kill('SIGTERM');
    await gateway.waitFor(/SIGTERM: stopping gateway/, STOP_BOUND_MS);
    // Past the window in which the same signal counts as the first one delivered twice.
    await new Promise((resolve) => setTimeout(resolve, DUPLICATE_WINDOW_MS + 200));
    gateway.npm.kill('SIGTERM');

    // The held request would keep an orderly stop waiting; 143 is the immediate exit's code
    // (the orderly one exits 0, one that overran its grace 1).
    const { code } = await gateway.exited;
    expect(code).toBe(143);
    expect(gateway.output()).toContain('SIGTERM again: exiting now.');
    expect(gateway.output()).not.toContain('Stopped.');
    await gone(gateway.gatewayPid, STOP_BOUND_MS);
    await answer;
  });

  it('stops by itself within 5 s when npm is killed outright (SIGKILL forwards nothing)', async () => {
    const gateway = await startGatewayUnderNpm();
    const killed = performance.now();
    gateway.npm.kill('SIGKILL');
    await gone(gateway.gatewayPid, STOP_BOUND_MS);
    expect(performance.now() - killed).toBeLessThan(STOP_BOUND_MS);
    expect(await accepts(gateway.url)).toBe(false);
    // Its output still comes through the pipe npm handed it.
    expect(gateway.output()).toMatch(/parent process gone: stopping gateway[\s\S]*Stopped\./);
  });
});
