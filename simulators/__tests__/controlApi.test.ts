import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDarSimulator } from '../dar/server';
import type { RunningSimulator } from '../core/simulator';
import { buildWorld } from '../data/world';

const world = buildWorld();
const address = [...world.addresses.values()][0]!;
let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startDarSimulator({ world });
});
afterAll(() => simulator.close());

const lookup = () => fetch(`${simulator.url}/DAR/DAR/1/rest/adresse?Id=${address.id}`);
const control = (body: unknown) =>
  fetch(`${simulator.url}/__control/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('simulator control API over HTTP', () => {
  it('switches faults and latency, records calls, and resets', async () => {
    expect((await lookup()).status).toBe(200);
    expect(await (await control({ mode: 'http500' })).json()).toEqual({ mode: 'http500', latencyMs: 0 });
    expect((await lookup()).status).toBe(500);
    await control({ mode: 'malformed' });
    const garbled = await lookup();
    expect(garbled.status).toBe(200);
    await expect(garbled.clone().json()).rejects.toThrow();
    await control({ mode: 'none', latencyMs: 50 });
    const started = Date.now();
    await lookup();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const calls = (await (await fetch(`${simulator.url}/__control/calls`)).json()) as unknown[];
    expect(calls).toContainEqual({ operation: 'adresse', key: `id:${address.id}` });
    expect((await fetch(`${simulator.url}/__control/reset`, { method: 'POST' })).status).toBe(204);
    expect(await (await fetch(`${simulator.url}/__control/calls`)).json()).toEqual([]);
    await control({ latencyMs: 0 });
  });

  it('refuses an unknown fault mode or a negative latency with a message saying what is allowed', async () => {
    const bad = await control({ mode: 'explode' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/none, down, http500, fault, hang, malformed/);
    expect((await control({ latencyMs: -1 })).status).toBe(400);
  });

  it('holds a request open in hang mode until the simulator closes', async () => {
    await control({ mode: 'hang' });
    const pending = lookup().then(() => 'answered', () => 'aborted');
    const raced = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still waiting'), 200))]);
    expect(raced).toBe('still waiting');
    await control({ mode: 'none' });
    simulator.setFault('none');
  });
});
