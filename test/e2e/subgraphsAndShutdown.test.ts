/**
 * A subgraph that is down nulls only its own fields; /ready tells a load balancer what it needs;
 * shutting down drains requests in flight instead of cutting them, once however often it is asked;
 * the stack's tenant registry is where it was asked to be, or temporary and cleaned up.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esdhUrls } from '../../scripts/caseSystemSimulators';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { formatCpr } from '../../schema/scalars';
import { CITIZEN_OVERVIEW_QUERY, sampleCitizens } from '../../simulators/data/samples';
import { noLatency, postGraphQL } from '../support/graphql';

describe('a subgraph that is down', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ latencyMs: noLatency });
  });
  afterAll(() => stack.close());

  it('nulls only the fields it owns, with SUBGRAPH_UNAVAILABLE, and the rest is answered', async () => {
    const person = sampleCitizens(stack.world).get('0101')!;
    await stack.subgraphs.find((s) => s.name === 'property')!.close();
    const { status, body } = await postGraphQL(stack.gateway.url, CITIZEN_OVERVIEW_QUERY, { cpr: formatCpr(person.cpr) });
    expect(status).toBe(200);
    expect(body.data?.citizen.address).toBeNull();
    expect(body.data?.citizen.name.family).toBe(person.familyName);
    expect(body.data?.citizen.cases.length).toBe(stack.world.casesByParty.get(person.cpr)!.length);
    expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['SUBGRAPH_UNAVAILABLE']);
    const ready = (await (await fetch(stack.gateway.url.replace('/graphql', '/ready'))).json()) as { subgraphs: Record<string, { status: string }> };
    expect(ready.subgraphs['property']?.status).toBe('unreachable');
    expect(ready.subgraphs['citizen']?.status).toBe('ready');
  });
});

describe('graceful shutdown', () => {
  const readyStatus = (url: string) =>
    fetch(url.replace('/graphql', '/ready')).then(
      (r) => r.status,
      () => 'refused' as const,
    );

  for (const piece of ['a subgraph', 'the gateway'] as const) {
    it(`${piece}: says draining on /ready while it still takes work, finishes what is in flight, then refuses new connections`, async () => {
      // CPR answers slowly, so the request is surely in flight when shutdown starts.
      const stack = await startLocalStack({ latencyMs: { ...noLatency, cpr: 400 }, gateway: { shutdownDelayMs: 300 }, subgraphShutdownDelayMs: 300 });
      try {
        const person = sampleCitizens(stack.world).get('0461')!;
        const target = piece === 'the gateway' ? stack.gateway : stack.subgraphs.find((s) => s.name === 'citizen')!;
        expect(await readyStatus(target.url)).toBe(200);
        const citizenCalls = () => stack.simulators.cpr.calls.length;
        const inFlight = postGraphQL(stack.gateway.url, '{ citizen(cpr: "' + formatCpr(person.cpr) + '") { name { full } } }');
        // Shut down once the request has reached CPR: it is then in flight in every piece.
        while (citizenCalls() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        const closing = target.close();
        // A second close (a signal's shutdown racing the stack's own) shares the first: Apollo is stopped once.
        expect(target.close()).toBe(closing);
        expect(await readyStatus(target.url)).toBe(503);
        const answered = await inFlight;
        expect(answered.body.errors).toBeUndefined();
        expect(answered.body.data?.citizen.name.full).toContain(person.familyName);
        await closing;
        expect(await readyStatus(target.url)).toBe('refused');
      } finally {
        await stack.close();
      }
    });
  }

  it('the gateway\'s /ready names the supergraph, the access trail and each subgraph', async () => {
    const stack = await startLocalStack({ latencyMs: noLatency });
    try {
      const response = await fetch(stack.gateway.url.replace('/graphql', '/ready'));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        status: 'ready',
        supergraph: 'loaded',
        audit: 'none',
        subgraphs: { citizen: { status: 'ready' }, case: { status: 'ready' }, property: { status: 'ready' } },
      });
    } finally {
      await stack.close();
    }
  });
});

describe('the tenant registry of a local stack', () => {
  it('is temporary when no path is asked for: named with the pid, removed on close, and a dead process\'s removed at the next start', async () => {
    // A pid that surely belonged to a process that has exited.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const left = join(tmpdir(), `kommune-graph-tenants-${deadPid}-left`);
    mkdirSync(left, { recursive: true });
    const stack = await startLocalStack({ latencyMs: noLatency });
    const dir = dirname(stack.tenantRegistryPath);
    try {
      expect(existsSync(left)).toBe(false);
      expect(dir.startsWith(join(tmpdir(), `kommune-graph-tenants-${process.pid}-`))).toBe(true);
      expect(existsSync(stack.tenantRegistryPath)).toBe(true);
    } finally {
      await stack.close();
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('is written where asked and kept on close; a registry naming ESDHs elsewhere is refused, not overwritten', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-registry-'));
    try {
      const path = join(dir, 'data', 'tenants.json');
      const stack = await startLocalStack({ latencyMs: noLatency, tenantRegistryPath: path });
      const written = readFileSync(path, 'utf8');
      await stack.close();
      expect(readFileSync(path, 'utf8')).toBe(written);
      // Each municipality's ESDH entry names its simulator, whatever the vendor (a URL, an endpoint).
      expect(JSON.parse(written).municipalities.map((m: { esdh: unknown }) => new URL(esdhUrls(m.esdh)[0]!).origin)).toEqual(
        [...stack.simulators.esdh.values()].map((s) => s.url),
      );

      const real = join(dir, 'real.json');
      copyFileSync('config/tenants.example.json', real);
      await expect(startLocalStack({ latencyMs: noLatency, tenantRegistryPath: real })).rejects.toThrow(/not local simulators \(http:\/\/esdh\.kk\.internal\/.*will not replace/);
      expect(readFileSync(real, 'utf8')).toBe(readFileSync('config/tenants.example.json', 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
