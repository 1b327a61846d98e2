/**
 * A write sent again under its Idempotency-Key is made once and answered as the first time: a
 * replay, a replay through another gateway (a restart: the keys are kept by the system of record,
 * not by a gateway), and a replay after a first call that timed out once the ESDH had made the
 * write. Keys are scoped: the same key for another write is refused, another caseworker's key
 * never meets this one's, a malformed key is refused at the door, and a municipality whose case
 * system keeps no keys (Acadre) is refused the write rather than have it made twice.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { formatCpr } from '../../schema/scalars';
import { sampleCitizens } from '../../simulators/data/samples';
import type { RunningEsdhSimulator } from '../../simulators/esdh/server';
import type { Person } from '../../simulators/data/world';
import { startAuthedStack, type AuthedStack } from '../support/authedStack';
import { postGraphQL } from '../support/graphql';

let stack: AuthedStack;
let second: RunningGateway;
let person: Person;
const TIMEOUT_MS = 300;

beforeAll(async () => {
  stack = await startAuthedStack({ audit: { subjectKey: randomBytes(32) }, legacy: { timeoutMs: TIMEOUT_MS, resilience: { maxRetries: 2, breakerThreshold: 1_000 } } });
  person = sampleCitizens(stack.world).get('0101')!;
  const idp = stack.devIdentity;
  // Another gateway over the same subgraphs, as after a restart or on another host.
  second = await startGateway(
    parseGatewayConfig({ port: 0, auth: { issuer: idp.issuer, audience: idp.audience, jwksPath: idp.jwksPath }, tenantRegistryPath: stack.tenantRegistryPath, subgraphUrls: Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.url])) }),
    { internalTokenKey: stack.internalTokenKeys.privateJwk, audit: { trail: stack.trail!, subjectKey: randomBytes(32) } },
  );
});
afterAll(async () => {
  await second?.close();
  await stack?.close();
});

const OPEN = 'mutation Open($input: OpenCaseInput!) { openCase(input: $input) { id number title } }';
const esdh = () => stack.simulators.esdh.get('0101') as RunningEsdhSimulator;
const caseworker = async (sub = 'kw-0101') => stack.bearer(await stack.mint.caseworker('0101', { purpose: 'P-32 Sygedagpenge', sub }));
const input = (title: string, who: Person = person) => ({ input: { title, classification: '32.18.04', parties: [{ cpr: formatCpr(who.cpr), role: 'PRIMARY' }] } });
const open = async (title: string, key: string, url = stack.gateway.url, auth?: Record<string, string>) =>
  postGraphQL(url, OPEN, input(title), { ...(auth ?? (await caseworker())), 'idempotency-key': key });
const casesTitled = (title: string) => [...stack.world.cases.values()].filter((c) => c.title === title);

describe('a write sent again under its Idempotency-Key', () => {
  it('is made once and answered as the first time, also through another gateway', async () => {
    const key = randomUUID();
    esdh().resetCalls();
    const first = await open('Ansøgning om rollator (gentaget)', key);
    expect(first.body.errors).toBeUndefined();
    const again = await open('Ansøgning om rollator (gentaget)', key);
    const elsewhere = await open('Ansøgning om rollator (gentaget)', key, second.url);
    expect(again.body.data).toEqual(first.body.data);
    expect(elsewhere.body.data).toEqual(first.body.data);
    expect(casesTitled('Ansøgning om rollator (gentaget)')).toHaveLength(1);
    expect(esdh().calls.map((c) => c.operation).filter((o) => o !== 'sag')).toEqual(['opret-sag', 'gentaget', 'gentaget']);
  });

  it('after a first call that timed out once the ESDH had made the write, is answered with that write', async () => {
    const key = randomUUID();
    esdh().delayWriteAnswers(TIMEOUT_MS * 3);
    const lost = await open('Ansøgning om kørestol (tabt svar)', key);
    esdh().delayWriteAnswers(0);
    expect(lost.body.errors?.[0]?.extensions?.['code']).toBe('LEGACY_TIMEOUT');
    expect(casesTitled('Ansøgning om kørestol (tabt svar)')).toHaveLength(1);
    const replay = await open('Ansøgning om kørestol (tabt svar)', key);
    expect(replay.body.errors).toBeUndefined();
    expect(replay.body.data?.openCase.id).toBe(casesTitled('Ansøgning om kørestol (tabt svar)')[0]!.id);
    expect(casesTitled('Ansøgning om kørestol (tabt svar)')).toHaveLength(1);
  });

  it('a key is one write\'s: the same key for another write is refused, and makes nothing', async () => {
    const key = randomUUID();
    expect((await open('Første skrivning', key)).body.errors).toBeUndefined();
    const other = await open('Anden skrivning', key);
    expect(other.body.data?.openCase).toBeNull();
    expect(other.body.errors?.[0]?.extensions?.['code']).toBe('LEGACY_FAULT');
    expect(casesTitled('Anden skrivning')).toHaveLength(0);
  });

  it('keys are scoped: another caseworker sending the same key makes a write of their own', async () => {
    const key = randomUUID();
    const mine = await open('Samme nøgle, to sagsbehandlere', key, stack.gateway.url, await caseworker('kw-a'));
    const theirs = await open('Samme nøgle, to sagsbehandlere', key, stack.gateway.url, await caseworker('kw-b'));
    expect(mine.body.errors).toBeUndefined();
    expect(theirs.body.errors).toBeUndefined();
    expect(theirs.body.data?.openCase.id).not.toBe(mine.body.data?.openCase.id);
  });

  it('without a key, a write sent twice is made twice, as before', async () => {
    const auth = await caseworker();
    await postGraphQL(stack.gateway.url, OPEN, input('Uden nøgle'), auth);
    await postGraphQL(stack.gateway.url, OPEN, input('Uden nøgle'), auth);
    expect(casesTitled('Uden nøgle')).toHaveLength(2);
  });

  it('a malformed key is refused before anything is read or written', async () => {
    const { status, body } = await postGraphQL(stack.gateway.url, OPEN, input('Dårlig nøgle'), { ...(await caseworker()), 'idempotency-key': 'kort' });
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringContaining('Idempotency-Key must be 8 to 100 characters') });
    expect(casesTitled('Dårlig nøgle')).toHaveLength(0);
  });

  it('a municipality whose case system keeps no keys (Odense, Acadre) is refused a keyed write, and none is made', async () => {
    const odense = sampleCitizens(stack.world).get('0461')!;
    const auth = stack.bearer(await stack.mint.caseworker('0461', { purpose: 'P-32' }));
    const acadre = stack.simulators.esdh.get('0461')!;
    acadre.resetCalls();
    const { body } = await postGraphQL(stack.gateway.url, OPEN, input('Nøgle hos Acadre', odense), { ...auth, 'idempotency-key': randomUUID() });
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('cannot recognise a repeated write') });
    expect(acadre.calls.filter((c) => /Create|Update/.test(c.operation))).toHaveLength(0);
    expect(casesTitled('Nøgle hos Acadre')).toHaveLength(0);
  });
});
