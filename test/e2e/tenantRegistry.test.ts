/**
 * The tenant registry changes while everything runs: a municipality added is served, one
 * removed is not, a moved ESDH is asked at its new place — all without a restart — and an
 * invalid registry is refused, naming the bad entry, while the one in force stays.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/localStack';
import { startEsdhSimulator } from '../../simulators/esdh/server';
import type { RunningSimulator } from '../../simulators/core/simulator';
import { sampleCitizens } from '../../simulators/data/samples';
import { noLatency, postGraphQL } from '../support/graphql';
import { logMark, messagesSince } from '../support/logs';
import { eventually } from '../support/eventually';

let stack: LocalStack;
let dir: string;
let original: string;
let movedEsdh: RunningSimulator;

type Registry = { municipalities: { code: string; name: string; cvr: string; esdh: { kind: string; url: string } }[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dev-idp-'));
  stack = await startLocalStack({ latencyMs: noLatency, devIdentityDir: dir });
  original = readFileSync(stack.tenantRegistryPath, 'utf8');
  movedEsdh = await startEsdhSimulator({ world: stack.world, municipalityCode: '0101', latencyMs: 0 });
});
afterAll(async () => {
  await stack.close();
  await movedEsdh.close();
  rmSync(dir, { recursive: true, force: true });
});

const registry = (): Registry => JSON.parse(original) as Registry;
const write = (value: unknown) => writeFileSync(stack.tenantRegistryPath, typeof value === 'string' ? value : JSON.stringify(value, null, 2));


const documentsQuery = 'query($id: ID!) { case(id: $id) { number documents { kind } } }';
const caseOf = (code: string) => {
  const person = sampleCitizens(stack.world).get(code)!;
  return stack.world.cases.get(stack.world.casesByParty.get(person.cpr)!.find((id) => stack.world.cases.get(id)!.municipalityCode === code)!)!;
};
const askCase = async (code: string) =>
  postGraphQL(stack.gateway.url, documentsQuery, { id: caseOf(code).id }, {
    authorization: `Bearer ${await stack.devIdentity!.mint({ role: 'caseworker', municipality: code, purpose: 'P-27' })}`,
  });

describe('the tenant registry, changed while running', () => {
  it('a municipality removed is no longer served; added again, it is', async () => {
    expect((await askCase('0461')).body.data?.case.number).toBe(caseOf('0461').number);
    write({ municipalities: registry().municipalities.filter((m) => m.code !== '0461') });
    const removed = await eventually(() => askCase('0461'), (r) => r.status === 403);
    expect(removed.status).toBe(403);
    expect(removed.body.errors?.[0]?.message).toMatch(/0461 is not served/);
    // The others are untouched.
    expect((await askCase('0751')).body.data?.case.number).toBe(caseOf('0751').number);

    write(original);
    const back = await eventually(() => askCase('0461'), (r) => r.status === 200 && !r.body.errors);
    expect(back.body.data?.case.number).toBe(caseOf('0461').number);
  });

  it('a moved ESDH is asked at its new place, the old one no more', async () => {
    const old = stack.simulators.esdh.get('0101')!;
    write({ municipalities: registry().municipalities.map((m) => (m.code === '0101' ? { ...m, esdh: { ...m.esdh, url: movedEsdh.url } } : m)) });
    movedEsdh.resetCalls();
    const answer = await eventually(() => askCase('0101'), () => movedEsdh.calls.length > 0);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.case.documents.length).toBe(caseOf('0101').documentIds.length);
    old.resetCalls();
    movedEsdh.resetCalls();
    await askCase('0101');
    expect(movedEsdh.calls.length).toBeGreaterThan(0);
    expect(old.calls).toHaveLength(0);
    write(original);
    await eventually(() => askCase('0101'), () => old.calls.length > 0);
  });

  it('an invalid registry is refused, naming the bad entry, and the registry in force stays', async () => {
    const mark = logMark();
    const logged = () => messagesSince(mark, 'error');
    try {
      const bad = registry();
      bad.municipalities[1] = { ...bad.municipalities[1]!, cvr: 'not-a-cvr' };
      write({ ...bad, municipalities: bad.municipalities.filter((m) => m.code !== '0461') });
      await eventually(async () => logged().filter((l) => /registry change refused/.test(l)).length, (n) => n >= 2);
      const refusals = logged().filter((l) => /registry change refused/.test(l));
      // The gateway and the case subgraph both read the file, and both refuse it.
      expect(refusals.length).toBeGreaterThanOrEqual(2);
      for (const line of refusals) expect(line).toMatch(/municipalities\.1\.cvr: must be an eight-digit CVR number/);
      // 0461 is still served: the refused file would have removed it.
      expect((await askCase('0461')).body.data?.case.number).toBe(caseOf('0461').number);
      expect((await askCase('0751')).body.data?.case.number).toBe(caseOf('0751').number);
    } finally {
      write(original);
    }
  });
});
